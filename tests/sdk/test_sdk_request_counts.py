"""How many requests listing and waiting make, counted with httpx event hooks on real servers.

Both servers here run without a rate limit, so every counted request is one the SDK chose to
make, never a retry after a 429.
"""

from __future__ import annotations

import math
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ml_platform import JobStatus, MLPlatformClient, WaitTimeoutError

from ._servers import ServerFactory, ServerProcess, server_executable

pytestmark = pytest.mark.timeout(180)

SEEDED_JOBS = 250
PAGE_SIZE = 7
IDLE_WAIT_SECONDS = 4
SERVER_MAX_WAIT = 1
SLEEP_FOREVER = "import time\nfor _ in range(600):\n    time.sleep(0.1)\n"


class RequestLog:
    """Record the path and query of every request a client sends."""

    def __init__(self) -> None:
        self.requests: list[httpx.URL] = []

    def __call__(self, request: httpx.Request) -> None:
        self.requests.append(request.url)

    def paths(self, path: str) -> list[httpx.URL]:
        return [url for url in self.requests if url.path == path]


@pytest.fixture(scope="module")
def seeded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server whose data directory was seeded with finished jobs of mixed statuses."""
    executable = server_executable()
    if executable is None:
        pytest.skip("mlp-server is not installed in this environment")
    factory = ServerFactory(tmp_path_factory.mktemp("seeded"))
    subprocess.run(
        [
            executable,
            "seed",
            "--data-dir",
            str(factory.root / "server"),
            "--jobs",
            str(SEEDED_JOBS),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    try:
        yield factory.start(extra_args=["--rate-limit", "0"])
    finally:
        factory.close()


@pytest.fixture
def seeded_client(seeded_server: ServerProcess) -> Iterator[tuple[MLPlatformClient, RequestLog]]:
    log = RequestLog()
    with MLPlatformClient(api_key=seeded_server.api_key, base_url=seeded_server.url) as client:
        client._session.http.event_hooks["request"].append(log)
        yield client, log


def statuses_by_id(client: MLPlatformClient) -> dict[str, JobStatus]:
    return {job.id or "": job.status or JobStatus.UNKNOWN for job in client.list_jobs()}


def test_seeded_statuses_are_mixed(seeded_client: tuple[MLPlatformClient, RequestLog]) -> None:
    client, _ = seeded_client
    statuses = statuses_by_id(client)
    assert len(statuses) == SEEDED_JOBS
    assert set(statuses.values()) == {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED}


@pytest.mark.parametrize("status", [JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED])
def test_filtered_iteration_reads_each_page_once(
    seeded_client: tuple[MLPlatformClient, RequestLog], status: JobStatus
) -> None:
    client, log = seeded_client
    expected = [job_id for job_id, value in statuses_by_id(client).items() if value is status]
    log.requests.clear()

    listed = [job.id for job in client.list_jobs(status=status, page_size=PAGE_SIZE)]

    assert sorted(listed) == sorted(expected)
    assert len(set(listed)) == len(listed)
    requests = log.paths("/api/v1/jobs")
    assert len(requests) == len(log.requests)
    assert len(requests) == math.ceil(len(expected) / PAGE_SIZE)
    assert all(url.params["status"] == status.value for url in requests)
    assert all(url.params["limit"] == str(PAGE_SIZE) for url in requests)


@pytest.mark.parametrize("status", [JobStatus.SUCCEEDED, JobStatus.FAILED])
def test_every_page_but_last_is_full(
    seeded_client: tuple[MLPlatformClient, RequestLog], status: JobStatus
) -> None:
    client, _ = seeded_client
    sizes: list[int] = []
    seen: list[str | None] = []
    cursor: str | None = None
    for _ in range(SEEDED_JOBS):
        page = client.list_jobs_page(status=status, page_size=PAGE_SIZE, cursor=cursor)
        sizes.append(len(page.jobs))
        seen.extend(job.id for job in page.jobs)
        assert all(job.status is status for job in page.jobs)
        cursor = page.next_cursor
        if cursor is None:
            break

    assert cursor is None
    assert all(size == PAGE_SIZE for size in sizes[:-1])
    assert 1 <= sizes[-1] <= PAGE_SIZE
    assert len(seen) == len(set(seen))
    assert seen == [job.id for job in client.list_jobs(status=status, page_size=PAGE_SIZE)]


def test_waiting_on_idle_job_makes_bounded_requests(
    sdk_server_factory: ServerFactory, workdir: Path
) -> None:
    server = sdk_server_factory.start(
        "idle", extra_args=["--max-wait", str(SERVER_MAX_WAIT), "--rate-limit", "0"]
    )
    (workdir / "train.py").write_text(SLEEP_FOREVER, encoding="utf-8")
    log = RequestLog()
    with MLPlatformClient(api_key=server.api_key, base_url=server.url) as client:
        job = client.create_job("idle", "train.py", workdir=workdir).submit()
        client._session.http.event_hooks["request"].append(log)
        try:
            with pytest.raises(WaitTimeoutError):
                job.wait_for_completion(timeout_seconds=IDLE_WAIT_SECONDS)
        finally:
            job.cancel()

    polls = log.paths(f"/api/v1/jobs/{job.id}")
    waits = [int(url.params["wait"]) for url in polls]
    # The server keeps each poll open for at most --max-wait seconds, so waiting N seconds takes
    # N / max-wait polls, plus one that can start just before the deadline.
    assert len(polls) <= math.ceil(IDLE_WAIT_SECONDS / SERVER_MAX_WAIT) + 1
    assert len(polls) >= 2
    assert all(wait >= 1 for wait in waits)
    assert all(url.params["status"] == "RUNNING" for url in polls)
