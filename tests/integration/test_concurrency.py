"""The scheduler under concurrent submits: no shared device, full pools, first in first out.

Fifty-two jobs, each holding one GPU for 2 seconds, are submitted from eight
threads with `wait_for_capacity` to a server with pools t4: 2 and v100: 1, so
most of them queue. Each job prints when its hold on the GPU began and ended,
and the devices it saw. A scheduler that oversubscribes makes the busy periods of a
device overlap. One that serialises everything behind a global lock never
fills the t4 pool, and one that lets a later job overtake breaks the order.
"""

from __future__ import annotations

import datetime
import itertools
import queue
import random
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from ml_platform_client import AuthenticatedClient
from ml_platform_client.models import Job

from tests.integration._api import (
    job_request,
    make_client,
    read_all_logs,
    submit,
    upload,
    wait_until_finished,
)
from tests.integration._archive import job_archive
from tests.integration._server import ServerFactory, ServerOptions

POOLS = {"t4": 2, "v100": 1}
JOBS_PER_POOL = {"t4": 36, "v100": 16}
THREADS = 8
HOLD_SECONDS = "2"


@dataclass(frozen=True, kw_only=True)
class BusyPeriod:
    """One finished job and the time span its script reported holding its GPU."""

    job: Job
    gpu_type: str
    devices: tuple[str, ...]
    printed_devices: str
    printed_gpu_type: str
    began: float
    ended: float

    @property
    def started_at(self) -> datetime.datetime:
        assert isinstance(self.job.started_at, datetime.datetime)
        return self.job.started_at

    @property
    def finished_at(self) -> datetime.datetime:
        assert isinstance(self.job.finished_at, datetime.datetime)
        return self.job.finished_at


def _submit_all(clients: queue.Queue[AuthenticatedClient], digest: str) -> list[Job]:
    plan = [gpu_type for gpu_type, count in JOBS_PER_POOL.items() for _ in range(count)]
    random.Random(20240611).shuffle(plan)

    def submit_one(index: int) -> Job:
        client = clients.get()
        try:
            body = job_request(
                digest,
                name=f"concurrent-{index}",
                gpu=1,
                gpu_type=plan[index],
                wait_for_capacity=True,
                environment={"HOLD_SECONDS": HOLD_SECONDS},
            )
            return submit(client, body)
        finally:
            clients.put(client)

    with ThreadPoolExecutor(max_workers=THREADS) as executor:
        return list(executor.map(submit_one, range(len(plan))))


def _busy_period_of(client: AuthenticatedClient, job: Job) -> BusyPeriod:
    texts = [line.text for line in read_all_logs(client, job.id) if line.stream == "stdout"]
    start = next((text.split() for text in texts if text.startswith("start ")), None)
    end = next((text.split() for text in texts if text.startswith("end ")), None)
    assert start is not None and end is not None, f"job {job.id} printed {texts}"
    assert isinstance(job.devices, list)
    gpu_type = job.resources.gpu_type
    assert isinstance(gpu_type, str)
    return BusyPeriod(
        job=job,
        gpu_type=gpu_type,
        devices=tuple(job.devices),
        printed_devices=start[2] if len(start) > 3 else "",
        printed_gpu_type=start[-1],
        began=float(start[1]),
        ended=float(end[1]),
    )


def _peak(periods: list[BusyPeriod]) -> int:
    starts = [(period.began, 1) for period in periods]
    ends = [(period.ended, -1) for period in periods]
    # At equal times an end sorts before a start, so back-to-back jobs never count as overlapping.
    events = sorted(starts + ends)
    running = peak = 0
    for _, change in events:
        running += change
        peak = max(peak, running)
    return peak


@pytest.mark.timeout(240)
def test_concurrent_submits_share_pools_safely(server_factory: ServerFactory) -> None:
    server = server_factory.start(ServerOptions(pools=POOLS, cpu=64, memory="256Gi"))
    archive = job_archive("gpu_sleeper.py")
    clients: queue.Queue[AuthenticatedClient] = queue.Queue()
    for _ in range(THREADS):
        clients.put(make_client(server))
    first_client = clients.queue[0]
    upload(first_client, archive)

    submitted = _submit_all(clients, archive.digest)
    finished = [wait_until_finished(first_client, job.id, timeout=180) for job in submitted]
    periods = [_busy_period_of(first_client, job) for job in finished]
    while not clients.empty():
        clients.get().get_httpx_client().close()

    capacity = sum(POOLS.values())
    assert len(submitted) >= 50
    assert [job.status for job in finished] == ["SUCCEEDED"] * len(finished)
    assert sum(job.status == "PENDING" for job in submitted) >= len(submitted) - capacity

    by_pool: dict[str, list[BusyPeriod]] = defaultdict(list)
    by_device: dict[tuple[str, str], list[BusyPeriod]] = defaultdict(list)
    for period in periods:
        assert len(period.devices) == 1, f"job {period.job.id} got devices {period.devices}"
        assert period.printed_devices == ",".join(period.devices)
        assert period.printed_gpu_type == period.gpu_type
        by_pool[period.gpu_type].append(period)
        by_device[(period.gpu_type, period.devices[0])].append(period)

    for gpu_type, size in POOLS.items():
        used = {device for pool, device in by_device if pool == gpu_type}
        assert len(used) == size, f"pool {gpu_type} of {size} used devices {sorted(used)}"
        assert _peak(by_pool[gpu_type]) == size, (
            f"pool {gpu_type} peaked at {_peak(by_pool[gpu_type])} jobs; expected {size}"
        )

    for (gpu_type, device), device_periods in by_device.items():
        ordered = sorted(device_periods, key=lambda period: period.began)
        for earlier, later in itertools.pairwise(ordered):
            assert later.began >= earlier.ended, (
                f"{gpu_type} device {device}: job {later.job.id} began before job "
                f"{earlier.job.id} ended"
            )
            assert later.started_at >= earlier.finished_at, (
                f"{gpu_type} device {device}: job {later.job.id} started_at "
                f"{later.started_at} is before job {earlier.job.id} finished_at "
                f"{earlier.finished_at}"
            )

    for gpu_type, pool_periods in by_pool.items():
        overtaken = [
            (first.job.id, second.job.id)
            for first in pool_periods
            for second in pool_periods
            if first.job.created_at < second.job.created_at and second.started_at < first.started_at
        ]
        assert overtaken == [], f"pool {gpu_type}: later jobs started first: {overtaken[:5]}"
