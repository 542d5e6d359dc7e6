"""Test-only bulk loading of finished job records, without running any process."""

from __future__ import annotations

import random

from ._records import CANCELLED, FAILED, SUCCEEDED, JobRecord, LogLine, MetricPoint
from ._storage import Storage
from ._timeutil import now_ms

SEED_DIGEST = "0" * 64
_STATUSES = (SUCCEEDED, SUCCEEDED, FAILED, CANCELLED)


def seed_jobs(storage: Storage, *, count: int, user: str, rng_seed: int = 0) -> int:
    """Insert ``count`` finished jobs of ``user`` in one transaction and return the count.

    Statuses mix SUCCEEDED, FAILED and CANCELLED; creation times are one second
    apart, ending a minute ago; each job has three log lines and two metric points.
    """
    rng = random.Random(rng_seed)
    end_ms = now_ms() - 60_000
    records = []
    for index in range(count):
        status = _STATUSES[rng.randrange(len(_STATUSES))]
        created = end_ms - (count - index) * 1000
        started = created + 100
        finished = started + 500 + rng.randrange(500)
        exit_code, reason = {
            SUCCEEDED: (0, None),
            FAILED: (1, "script_error"),
            CANCELLED: (-15, "cancelled"),
        }[status]
        job = JobRecord(
            seq=0,
            id="",
            user=user,
            name=f"seed-{index:06d}",
            script="train.py",
            code_digest=SEED_DIGEST,
            resources={"cpu": 1, "memory": "2Gi", "gpu": 0},
            environment={},
            hyperparameters={"epochs": 2, "lr": 0.01},
            timeout_seconds=None,
            status=status,
            created_ms=created,
            started_ms=started,
            finished_ms=finished,
            exit_code=exit_code,
            failure_reason=reason,
        )
        lines = [
            LogLine(1, started + 10, "stdout", f"seed job {index} starting"),
            LogLine(2, started + 20, "stdout", "epoch 1 loss=0.9"),
            LogLine(3, finished - 10, "stderr" if status == FAILED else "stdout", "done"),
        ]
        points = [
            MetricPoint(timestamp_ms=started + 20, epoch=1, values={"loss": 0.9, "accuracy": 0.5}),
            MetricPoint(timestamp_ms=started + 30, epoch=2, values={"loss": 0.5, "accuracy": 0.8}),
        ]
        records.append((job, lines, points))
    return storage.seed_finished_jobs(records)
