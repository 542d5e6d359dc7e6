"""Network faults between the SDK and the real server, injected by a loopback proxy.

The proxy (`tests/sdk/_proxy.py`) forwards to a real ``mlp-server`` and drops responses after
the server processed the request, or responds with 429 and 5xx itself. It records every request, so
the tests count attempts and read their headers and arrival times at the proxy. The server
has no rate limit, so every 429 in these tests comes from the proxy.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ml_platform import (
    AsyncMLPlatformClient,
    JobStatus,
    MLPlatformClient,
    ServerError,
    ValidationError,
)

from ._proxy import Fault, FaultProxy
from ._servers import ServerProcess

pytestmark = pytest.mark.timeout(120)

ProxyFactory = Callable[[ServerProcess], FaultProxy]

JOBS_PATH = "/api/v1/jobs"
QUICK = "print('quick', flush=True)\n"
NUMBERED = """\
import time

for number in range(1, 31):
    print(f"line {number}", flush=True)
    time.sleep(0.05)
"""


@pytest.fixture
def proxy(unlimited_server: ServerProcess, fault_proxy: ProxyFactory) -> FaultProxy:
    return fault_proxy(unlimited_server)


@pytest.fixture
def direct(unlimited_server: ServerProcess) -> Iterator[MLPlatformClient]:
    """A client that talks to the server without the proxy."""
    with MLPlatformClient(
        api_key=unlimited_server.api_key, base_url=unlimited_server.url
    ) as client:
        yield client


def through(proxy: FaultProxy, server: ServerProcess, **kwargs: Any) -> MLPlatformClient:
    return MLPlatformClient(api_key=server.api_key, base_url=proxy.url, **kwargs)


def write_script(workdir: Path, source: str) -> str:
    (workdir / "train.py").write_text(source, encoding="utf-8")
    return "train.py"


def test_dropped_submit_creates_one_job(
    proxy: FaultProxy,
    unlimited_server: ServerProcess,
    direct: MLPlatformClient,
    workdir: Path,
) -> None:
    name = f"dropped-{uuid.uuid4().hex[:12]}"
    drop = proxy.add(Fault("POST", JOBS_PATH, "drop"))

    with through(proxy, unlimited_server) as client:
        job = client.create_job(name, write_script(workdir, QUICK), workdir=workdir).submit()

    posts = proxy.matching("POST", JOBS_PATH)
    assert drop.applied == 1
    assert [post.outcome for post in posts] == ["dropped", "forwarded"]
    assert posts[0].status == 201
    keys = [post.headers.get("idempotency-key") for post in posts]
    assert keys[0] is not None
    assert keys[0] == keys[1]
    listed = [listed.id for listed in direct.list_jobs(name_prefix=name)]
    assert listed == [job.id]


def test_dropped_submit_creates_one_job_async(
    proxy: FaultProxy,
    unlimited_server: ServerProcess,
    direct: MLPlatformClient,
    workdir: Path,
) -> None:
    name = f"dropped-async-{uuid.uuid4().hex[:12]}"
    proxy.add(Fault("POST", JOBS_PATH, "drop"))
    script = write_script(workdir, QUICK)

    async def submit() -> str | None:
        async with AsyncMLPlatformClient(
            api_key=unlimited_server.api_key, base_url=proxy.url
        ) as client:
            job = await client.create_job(name, script, workdir=workdir).submit()
            return job.id

    job_id = asyncio.run(submit())

    posts = proxy.matching("POST", JOBS_PATH)
    assert [post.outcome for post in posts] == ["dropped", "forwarded"]
    assert posts[0].headers["idempotency-key"] == posts[1].headers["idempotency-key"]
    assert [listed.id for listed in direct.list_jobs(name_prefix=name)] == [job_id]


def test_retry_after_waits_then_retries_once(
    proxy: FaultProxy, unlimited_server: ServerProcess
) -> None:
    proxy.add(Fault("GET", "/api/v1/whoami", "respond", status=429, headers={"Retry-After": "1"}))

    with through(proxy, unlimited_server) as client:
        assert client.whoami().user == "dev"

    attempts = proxy.matching("GET", "/api/v1/whoami")
    assert [attempt.status for attempt in attempts] == [429, 200]
    # The gap between the two arrivals at the proxy is the SDK's wait after the 429.
    assert attempts[1].started - attempts[0].finished >= 1.0


def test_bad_request_is_never_retried(proxy: FaultProxy, unlimited_server: ServerProcess) -> None:
    with through(proxy, unlimited_server) as client, pytest.raises(ValidationError) as caught:
        client.list_jobs_page(cursor="not-a-cursor")

    assert caught.value.status_code == 400
    assert caught.value.field == "cursor"
    attempts = proxy.matching("GET", JOBS_PATH)
    assert [attempt.status for attempt in attempts] == [400]


@pytest.mark.parametrize("max_retries", [0, 1, 3])
def test_gateway_error_raises_after_retries(
    proxy: FaultProxy, unlimited_server: ServerProcess, max_retries: int
) -> None:
    proxy.add(Fault("GET", "/api/v1/pools", "respond", status=502, times=10))

    client = through(proxy, unlimited_server, max_retries=max_retries)
    with client, pytest.raises(ServerError) as caught:
        client.pools()

    assert caught.value.status_code == 502
    assert len(proxy.matching("GET", "/api/v1/pools")) == max_retries + 1


def test_gateway_error_raises_after_retries_async(
    proxy: FaultProxy, unlimited_server: ServerProcess
) -> None:
    proxy.add(Fault("GET", "/api/v1/pools", "respond", status=503, times=10))

    async def pools() -> None:
        async with AsyncMLPlatformClient(
            api_key=unlimited_server.api_key, base_url=proxy.url, max_retries=2
        ) as client:
            await client.pools()

    with pytest.raises(ServerError) as caught:
        asyncio.run(pools())

    assert caught.value.status_code == 503
    assert len(proxy.matching("GET", "/api/v1/pools")) == 3


def test_follow_logs_survives_dropped_responses(
    proxy: FaultProxy, unlimited_server: ServerProcess, workdir: Path
) -> None:
    logs_path = JOBS_PATH + "/job-[0-9]+/logs"
    # Lose the third and fourth logs responses after the server sent lines in them.
    drop = proxy.add(Fault("GET", logs_path, "drop", skip=2, times=2))

    # Without transport retries, each drop reaches follow_logs, which resumes from its cursor.
    with through(proxy, unlimited_server, max_retries=0) as client:
        job = client.create_job("numbered", write_script(workdir, NUMBERED), workdir=workdir)
        lines = list(job.submit().follow_logs())

    assert drop.applied == 2
    assert [line.seq for line in lines] == list(range(1, 31))
    assert [line.text for line in lines] == [f"line {n}" for n in range(1, 31)]
    assert job.status is JobStatus.SUCCEEDED
    dropped = [
        exchange for exchange in proxy.matching("GET", logs_path) if exchange.outcome == "dropped"
    ]
    assert [exchange.status for exchange in dropped] == [200, 200]
    lost = [line for exchange in dropped for line in json.loads(exchange.content)["lines"]]
    assert lost, "the dropped responses carried no lines, so none could have been lost"


def test_follow_logs_survives_dropped_responses_async(
    proxy: FaultProxy, unlimited_server: ServerProcess, workdir: Path
) -> None:
    logs_path = JOBS_PATH + "/job-[0-9]+/logs"
    drop = proxy.add(Fault("GET", logs_path, "drop", skip=1, times=3))
    script = write_script(workdir, NUMBERED)

    async def follow() -> list[int]:
        async with AsyncMLPlatformClient(
            api_key=unlimited_server.api_key, base_url=proxy.url, max_retries=0
        ) as client:
            job = await client.create_job("numbered", script, workdir=workdir).submit()
            return [line.seq async for line in job.follow_logs()]

    assert asyncio.run(follow()) == list(range(1, 31))
    assert drop.applied == 3
