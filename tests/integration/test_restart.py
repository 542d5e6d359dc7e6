"""Crash and graceful shutdown: what a restarted server on the same data directory must keep.

The crash test sends SIGKILL to the server while one job runs (printing a
line and reporting a metric point every 0.2 s) and two more wait in the
queue, then starts a new server on the same data directory.
"""

from __future__ import annotations

import datetime
import json
import secrets
import threading
import time
from typing import Any

import httpx
import pytest
from ml_platform_client import AuthenticatedClient
from ml_platform_client.api.jobs import create_job, get_job
from ml_platform_client.models import Job, LogLine, MetricPoint

from tests.integration import _processes
from tests.integration._api import (
    follow_logs,
    job_request,
    list_all_job_ids,
    make_client,
    metrics,
    read_all_logs,
    submit,
    upload,
    wait_until_finished,
)
from tests.integration._archive import job_archive
from tests.integration._server import ServerFactory, ServerOptions, create_key

pytestmark = pytest.mark.timeout(150)

ONE_GPU = ServerOptions(pools={"t4": 1}, max_wait=2, grace_period=2)


def _metric_points(points: list[MetricPoint]) -> list[dict[str, Any]]:
    return [point.to_dict() for point in points]


def _seq_and_text(lines: list[LogLine]) -> list[tuple[int, str]]:
    return [(line.seq, line.text) for line in lines]


@pytest.mark.timeout(180)
def test_crash_restart_keeps_client_view(server_factory: ServerFactory) -> None:
    server = server_factory.start(ONE_GPU)
    key = create_key(server.data_dir, "restart-user")
    slow, quick = job_archive("slow_reporter.py"), job_archive("quick.py")
    idempotency_key = f"queued-{secrets.token_hex(4)}"
    queued_body = job_request(
        quick.digest, name="queued-first", gpu=1, gpu_type="t4", wait_for_capacity=True
    )

    with make_client(server, key) as client:
        upload(client, slow)
        upload(client, quick)
        running = submit(client, job_request(slow.digest, name="running", gpu=1, gpu_type="t4"))
        queued_first = submit(client, queued_body, idempotency_key=idempotency_key)
        queued_second = submit(
            client,
            job_request(
                quick.digest, name="queued-second", gpu=1, gpu_type="t4", wait_for_capacity=True
            ),
        )
        received = follow_logs(client, running.id, until=lambda lines: len(lines) >= 8)
        points_before = _wait_for_points(client, running.id, count=3)
        ids_before = set(list_all_job_ids(client))

    pid_line = next(line.text for line in received if line.text.startswith("pid "))
    job_process = _processes.identify(int(pid_line.split()[1]))
    assert job_process is not None, "the running job's process ended before the crash"
    assert running.status == "RUNNING"
    assert [queued_first.status, queued_second.status] == ["PENDING", "PENDING"]

    server.kill()
    restarted = server_factory.restart(server)

    with make_client(restarted, key) as client:
        crashed = wait_until_finished(client, running.id, timeout=30)
        follow_logs(client, running.id, timeout=20)
        lines_after = read_all_logs(client, running.id)
        points_after = metrics(client, running.id).history
        first = wait_until_finished(client, queued_first.id, timeout=60)
        second = wait_until_finished(client, queued_second.id, timeout=60)
        retried = create_job.sync_detailed(
            client=client, body=queued_body, idempotency_key=idempotency_key
        )
        queued_body.name = "another-body"
        conflicting = create_job.sync_detailed(
            client=client, body=queued_body, idempotency_key=idempotency_key
        )
        new_job = submit(client, job_request(quick.digest, name="after-restart"))
        ids_after = list_all_job_ids(client)

    assert crashed.status == "FAILED"
    assert crashed.failure_reason == "server_restart"
    assert _processes.wait_until_gone(job_process, timeout=15), (
        f"the crashed job's process {job_process.pid} still runs after the restart"
    )

    stored = _seq_and_text(lines_after)
    seqs = [seq for seq, _ in stored]
    assert len(seqs) == len(set(seqs)), "a log line number is stored twice"
    assert seqs == sorted(seqs)
    for seq, text in _seq_and_text(received):
        assert stored.count((seq, text)) == 1, f"line {seq} {text!r} is not stored exactly once"
        assert [line_text for _, line_text in stored].count(text) == 1, f"{text!r} is duplicated"

    after = _metric_points(points_after)
    assert after[: len(points_before)] == _metric_points(points_before)
    epochs = [point.get("epoch") for point in after]
    assert len(epochs) == len(set(epochs)), "a metric point is stored twice"

    assert first.status == "SUCCEEDED"
    assert second.status == "SUCCEEDED"
    assert isinstance(first.started_at, datetime.datetime)
    assert isinstance(second.started_at, datetime.datetime)
    assert first.started_at <= second.started_at, "the queue lost its order across the restart"
    assert retried.status_code == 201
    assert isinstance(retried.parsed, Job)
    assert retried.parsed.id == queued_first.id
    assert conflicting.status_code == 409
    assert json.loads(conflicting.content)["job_id"] == queued_first.id
    assert new_job.id not in ids_before
    assert len(ids_after) == len(set(ids_after)) == len(ids_before) + 1


def _wait_for_points(client: AuthenticatedClient, job_id: str, *, count: int) -> list[MetricPoint]:
    """Poll the metrics every 0.2 s, at most 50 times, until `count` points are stored."""
    points: list[MetricPoint] = []
    for _ in range(50):
        points = metrics(client, job_id).history
        if len(points) >= count:
            return points
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} has {len(points)} metric points; expected {count}")


@pytest.mark.timeout(120)
def test_graceful_shutdown_ends_jobs(server_factory: ServerFactory) -> None:
    server = server_factory.start(ServerOptions(pools={"t4": 1}, grace_period=2))
    key = create_key(server.data_dir, "shutdown-user")
    archive = job_archive("idle.py")
    outcome: dict[str, Any] = {}

    with make_client(server, key) as client:
        upload(client, archive)
        job = submit(client, job_request(archive.digest, name="shutdown", gpu=1, gpu_type="t4"))
        follow_logs(client, job.id, until=lambda lines: len(lines) > 0, timeout=30)

        def hold_long_poll() -> None:
            try:
                outcome["response"] = get_job.sync_detailed(
                    job.id, client=client, wait=30, status="RUNNING"
                )
            except httpx.HTTPError as error:
                outcome["error"] = error

        waiter = threading.Thread(target=hold_long_poll, daemon=True)
        waiter.start()
        # Lets the long-poll reach the server first. One that arrives later still needs a response.
        time.sleep(0.5)
        exit_code = server.terminate(timeout=20)
        waiter.join(timeout=20)

    assert exit_code == 0, f"mlp-server exited with {exit_code} on SIGTERM; expected 0"
    assert not waiter.is_alive()
    assert "error" not in outcome, f"the held long-poll failed: {outcome.get('error')!r}"
    assert outcome["response"].status_code in (200, 503)

    restarted = server_factory.restart(server)
    with make_client(restarted, key) as client:
        ended = wait_until_finished(client, job.id, timeout=10)
        texts = [line.text for line in read_all_logs(client, job.id)]

    assert ended.status == "FAILED"
    assert ended.failure_reason == "server_shutdown"
    assert "ready" in texts
