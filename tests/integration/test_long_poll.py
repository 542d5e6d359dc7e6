"""Followers of an idle job make only as many requests as the server's long-poll bound implies.

The shared server runs with `--max-wait 2`. A follower that requests the
contract's 30-second wait is held for 2 seconds at a time, so watching for
10 seconds takes at most ceil(10 / 2) + 1 requests. A server that responds at
once makes the same loop spin, and the request count shows it.
"""

from __future__ import annotations

import math
import time

import httpx
import pytest
from ml_platform_client import AuthenticatedClient
from ml_platform_client.api.jobs import get_job, get_job_logs
from ml_platform_client.models import Job, LogPage
from ml_platform_client.types import UNSET, Unset

from tests.integration._api import cancel, follow_logs, job_request, make_client, submit, upload
from tests.integration._archive import job_archive
from tests.integration._server import SHARED_MAX_WAIT, ServerProcess

pytestmark = pytest.mark.timeout(90)

WATCH_SECONDS = 10
MAX_REQUESTS = math.ceil(WATCH_SECONDS / SHARED_MAX_WAIT) + 1
# Keeps a server that never delays its response from turning the loop into a flood.
REQUEST_CAP = 200


class RequestCounter:
    """An httpx request event hook that counts the requests sent."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, request: httpx.Request) -> None:
        self.count += 1


def test_following_idle_job_logs_uses_long_poll(shared_server: ServerProcess) -> None:
    counter = RequestCounter()
    with make_client(shared_server, event_hooks={"request": [counter]}) as client:
        archive = job_archive("idle.py")
        upload(client, archive)
        job = submit(client, job_request(archive.digest, name="idle-follow"))
        follow_logs(client, job.id, until=lambda lines: len(lines) > 0, timeout=30)
        cursor = _cursor_after_existing_lines(client, job.id)

        pages: list[LogPage] = []
        counted_from = counter.count
        watch_until = time.monotonic() + WATCH_SECONDS
        while time.monotonic() < watch_until and counter.count - counted_from < REQUEST_CAP:
            response = get_job_logs.sync_detailed(job.id, client=client, cursor=cursor, wait=30)
            assert response.status_code == 200
            assert isinstance(response.parsed, LogPage)
            pages.append(response.parsed)
            cursor = response.parsed.next_cursor
        requests_made = counter.count - counted_from
        cancel(client, job.id)

    assert requests_made <= MAX_REQUESTS, (
        f"following an idle job for {WATCH_SECONDS} s took {requests_made} requests; "
        f"a {SHARED_MAX_WAIT}-second long-poll allows at most {MAX_REQUESTS}"
    )
    assert [line.text for page in pages for line in page.lines] == []
    assert not any(page.complete for page in pages)
    assert {page.status for page in pages} <= {"RUNNING", UNSET}


def _cursor_after_existing_lines(client: AuthenticatedClient, job_id: str) -> str:
    cursor: str | Unset = UNSET
    for _ in range(100):
        response = get_job_logs.sync_detailed(job_id, client=client, cursor=cursor)
        assert isinstance(response.parsed, LogPage)
        cursor = response.parsed.next_cursor
        if not response.parsed.lines:
            return cursor
    raise AssertionError(f"job {job_id} kept producing output; expected it to be idle")


def test_waiting_for_status_change_uses_long_poll(shared_server: ServerProcess) -> None:
    counter = RequestCounter()
    with make_client(shared_server, event_hooks={"request": [counter]}) as client:
        archive = job_archive("idle.py")
        upload(client, archive)
        job = submit(client, job_request(archive.digest, name="idle-status"))
        follow_logs(client, job.id, until=lambda lines: len(lines) > 0, timeout=30)

        statuses: list[str] = []
        counted_from = counter.count
        watch_until = time.monotonic() + WATCH_SECONDS
        while time.monotonic() < watch_until and counter.count - counted_from < REQUEST_CAP:
            response = get_job.sync_detailed(job.id, client=client, wait=30, status="RUNNING")
            assert response.status_code == 200
            assert isinstance(response.parsed, Job)
            statuses.append(response.parsed.status)
        requests_made = counter.count - counted_from
        cancel(client, job.id)

    assert requests_made <= MAX_REQUESTS, (
        f"waiting on a RUNNING job for {WATCH_SECONDS} s took {requests_made} requests; "
        f"a {SHARED_MAX_WAIT}-second long-poll allows at most {MAX_REQUESTS}"
    )
    assert set(statuses) == {"RUNNING"}


def test_following_pending_job_waits(shared_server: ServerProcess) -> None:
    with make_client(shared_server) as client:
        archive = job_archive("idle.py")
        upload(client, archive)
        holder = submit(client, job_request(archive.digest, name="holder", gpu=1, gpu_type="v100"))
        queued = submit(
            client,
            job_request(
                archive.digest, name="queued", gpu=1, gpu_type="v100", wait_for_capacity=True
            ),
        )
        try:
            response = get_job_logs.sync_detailed(queued.id, client=client, wait=30)
        finally:
            cancel(client, queued.id)
            cancel(client, holder.id)

    assert holder.status == "RUNNING"
    assert queued.status == "PENDING"
    assert queued.queue_position == 1
    assert response.status_code == 200
    assert isinstance(response.parsed, LogPage)
    assert response.parsed.complete is False
    assert response.parsed.lines == []
    assert response.parsed.status == "PENDING"
