"""Drive the API through the generated client: upload code, submit jobs, wait, read output.

Every helper asserts the documented success status and returns the parsed
model, so a test reads as the steps a user takes. Waiting uses the API's own
long-polls (`wait` on jobs and logs) and is bounded by a deadline.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from ml_platform_client import AuthenticatedClient
from ml_platform_client.api.code import code_exists, upload_code
from ml_platform_client.api.jobs import (
    cancel_job,
    create_job,
    get_job,
    get_job_logs,
    get_job_metrics,
    list_jobs,
)
from ml_platform_client.models import (
    Job,
    JobCreate,
    JobCreateEnvironment,
    JobCreateHyperparameters,
    JobList,
    JobMetrics,
    LogLine,
    LogPage,
    Resources,
)
from ml_platform_client.types import UNSET, File, Unset

from tests.integration._archive import Archive
from tests.integration._server import ServerProcess

TERMINAL = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})
REQUEST_TIMEOUT = 60.0
# Long-poll requests use the contract's 30-second bound; the server may respond sooner.
LONG_POLL = 30


def make_client(
    server: ServerProcess,
    api_key: str | None = None,
    *,
    event_hooks: Mapping[str, list[Callable[..., Any]]] | None = None,
) -> AuthenticatedClient:
    """Return a generated client for `server`, authenticated with `api_key` or the dev key."""
    httpx_args: dict[str, Any] = {}
    if event_hooks is not None:
        httpx_args["event_hooks"] = dict(event_hooks)
    return AuthenticatedClient(
        base_url=server.api_url,
        token=api_key or server.api_key,
        timeout=httpx.Timeout(REQUEST_TIMEOUT),
        raise_on_unexpected_status=True,
        httpx_args=httpx_args,
    )


def raw_client(server: ServerProcess, api_key: str | None = None) -> httpx.Client:
    """Return a plain httpx client for requests the generated client cannot make."""
    headers = {"Authorization": f"Bearer {api_key or server.api_key}"}
    return httpx.Client(base_url=server.api_url, headers=headers, timeout=REQUEST_TIMEOUT)


def upload(client: AuthenticatedClient, archive: Archive) -> bool:
    """Upload `archive` unless the server already stores it; return whether bytes were sent."""
    exists = code_exists.sync_detailed(archive.digest, client=client)
    if exists.status_code == 200:
        return False
    assert exists.status_code == 404, f"HEAD /code/{archive.digest} returned {exists.status_code}"

    response = upload_code.sync_detailed(
        archive.digest, client=client, body=File(payload=io.BytesIO(archive.data))
    )
    assert response.status_code in (200, 201), (
        f"PUT /code/{archive.digest} returned {response.status_code}: {response.content!r}"
    )
    return True


def job_request(
    digest: str,
    *,
    name: str = "integration",
    script: str = "main.py",
    gpu: int = 0,
    gpu_type: str | None = None,
    cpu: float | None = None,
    wait_for_capacity: bool = False,
    environment: Mapping[str, str] | None = None,
    hyperparameters: Mapping[str, str | float | bool] | None = None,
    timeout_seconds: int | None = None,
) -> JobCreate:
    """Build a `JobCreate` body; unset arguments are left out so that server defaults apply."""
    resources = Resources(gpu=gpu)
    if gpu_type is not None:
        resources.gpu_type = gpu_type
    if cpu is not None:
        resources.cpu = cpu
    body = JobCreate(
        name=name,
        script=script,
        code_digest=digest,
        resources=resources,
        wait_for_capacity=wait_for_capacity,
    )
    if environment is not None:
        body.environment = JobCreateEnvironment.from_dict(dict(environment))
    if hyperparameters is not None:
        body.hyperparameters = JobCreateHyperparameters.from_dict(dict(hyperparameters))
    if timeout_seconds is not None:
        body.timeout_seconds = timeout_seconds
    return body


def submit(
    client: AuthenticatedClient, body: JobCreate, *, idempotency_key: str | None = None
) -> Job:
    """Create a job and return it, asserting the documented 201."""
    key: str | Unset = UNSET if idempotency_key is None else idempotency_key
    response = create_job.sync_detailed(client=client, body=body, idempotency_key=key)
    assert response.status_code == 201, (
        f"POST /jobs returned {response.status_code}: {response.content!r}"
    )
    assert isinstance(response.parsed, Job)
    return response.parsed


def fetch(client: AuthenticatedClient, job_id: str) -> Job:
    """Return the job `job_id`, asserting 200."""
    response = get_job.sync_detailed(job_id, client=client)
    assert response.status_code == 200, f"GET /jobs/{job_id} returned {response.status_code}"
    assert isinstance(response.parsed, Job)
    return response.parsed


def wait_for(
    client: AuthenticatedClient, job_id: str, statuses: frozenset[str], *, timeout: float = 60.0
) -> Job:
    """Long-poll the job until its status is one of `statuses`.

    Raises:
        AssertionError: The job did not reach one of `statuses` within `timeout` seconds.
    """
    deadline = time.monotonic() + timeout
    job = fetch(client, job_id)
    while job.status not in statuses:
        remaining = deadline - time.monotonic()
        assert remaining > 0, (
            f"job {job_id} is still {job.status} after {timeout:.0f} s; expected one of "
            f"{sorted(statuses)}"
        )
        response = get_job.sync_detailed(
            job_id, client=client, wait=min(LONG_POLL, max(1, int(remaining))), status=job.status
        )
        assert response.status_code == 200, f"GET /jobs/{job_id} returned {response.status_code}"
        assert isinstance(response.parsed, Job)
        job = response.parsed
    return job


def wait_until_finished(client: AuthenticatedClient, job_id: str, *, timeout: float = 60.0) -> Job:
    """Long-poll the job until it is SUCCEEDED, FAILED or CANCELLED."""
    return wait_for(client, job_id, TERMINAL, timeout=timeout)


def cancel(client: AuthenticatedClient, job_id: str) -> Job:
    """Cancel the job and return it, asserting 200."""
    response = cancel_job.sync_detailed(job_id, client=client)
    assert response.status_code == 200, (
        f"POST /jobs/{job_id}/cancel returned {response.status_code}: {response.content!r}"
    )
    assert isinstance(response.parsed, Job)
    return response.parsed


def follow_logs(
    client: AuthenticatedClient,
    job_id: str,
    *,
    until: Callable[[list[LogLine]], bool] | None = None,
    timeout: float = 60.0,
) -> list[LogLine]:
    """Follow the job's output with cursor and wait until `until(lines)` is true or it is complete.

    Raises:
        AssertionError: Neither happened within `timeout` seconds.
    """
    deadline = time.monotonic() + timeout
    lines: list[LogLine] = []
    cursor: str | Unset = UNSET
    while True:
        remaining = deadline - time.monotonic()
        assert remaining > 0, (
            f"the output of job {job_id} did not reach the expected state within {timeout:.0f} s; "
            f"last lines: {[line.text for line in lines[-5:]]}"
        )
        response = get_job_logs.sync_detailed(
            job_id, client=client, cursor=cursor, wait=min(LONG_POLL, max(1, int(remaining)))
        )
        assert response.status_code == 200, (
            f"GET /jobs/{job_id}/logs returned {response.status_code}: {response.content!r}"
        )
        page = response.parsed
        assert isinstance(page, LogPage)
        lines.extend(page.lines)
        cursor = page.next_cursor
        if until is not None and until(lines):
            return lines
        if page.complete:
            return lines


def read_all_logs(client: AuthenticatedClient, job_id: str) -> list[LogLine]:
    """Return every stored line of a finished job, reading page by page without waiting."""
    lines: list[LogLine] = []
    cursor: str | Unset = UNSET
    for _ in range(1000):
        response = get_job_logs.sync_detailed(job_id, client=client, cursor=cursor)
        assert response.status_code == 200, (
            f"GET /jobs/{job_id}/logs returned {response.status_code}"
        )
        page = response.parsed
        assert isinstance(page, LogPage)
        lines.extend(page.lines)
        if page.complete or not page.lines:
            return lines
        cursor = page.next_cursor
    raise AssertionError(f"job {job_id} has more than 1000 pages of output")


def metrics(client: AuthenticatedClient, job_id: str) -> JobMetrics:
    """Return the job's metrics, asserting 200."""
    response = get_job_metrics.sync_detailed(job_id, client=client)
    assert response.status_code == 200, (
        f"GET /jobs/{job_id}/metrics returned {response.status_code}"
    )
    assert isinstance(response.parsed, JobMetrics)
    return response.parsed


def list_all_job_ids(client: AuthenticatedClient) -> list[str]:
    """Return the ids of every job the caller can see, following `next_cursor` to the end."""
    ids: list[str] = []
    cursor: str | Unset = UNSET
    for _ in range(1000):
        response = list_jobs.sync_detailed(client=client, limit=100, cursor=cursor)
        assert response.status_code == 200, f"GET /jobs returned {response.status_code}"
        page = response.parsed
        assert isinstance(page, JobList)
        ids.extend(job.id for job in page.jobs)
        if isinstance(page.next_cursor, Unset):
            return ids
        cursor = page.next_cursor
    raise AssertionError("GET /jobs returned more than 1000 pages")
