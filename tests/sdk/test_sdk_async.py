"""The async client: the same surface as the sync one, concurrency on one thread, real calls.

Each test runs its coroutine with `asyncio.run` against the real server on loopback.
"""

from __future__ import annotations

import asyncio
import email.utils
import inspect
import threading
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from ml_platform import (
    AsyncJobPage,
    AsyncMLPlatformClient,
    AsyncTrainingJob,
    AuthenticationError,
    JobFailedError,
    JobNotFoundError,
    JobPage,
    JobStatus,
    MLPlatformClient,
    MLPlatformError,
    Resources,
    TrainingJob,
    ValidationError,
    WaitTimeoutError,
)

from ._servers import ServerFactory, ServerProcess

pytestmark = pytest.mark.timeout(120)

_T = TypeVar("_T")

# The sync name of each async name that differs by more than its annotations.
RENAMED = {"aclose": "close", "__aenter__": "__enter__", "__aexit__": "__exit__"}
# Annotation words that differ only because one side is async.
ASYNC_WORDS = {
    "AsyncIterator": "Iterator",
    "AsyncMLPlatformClient": "MLPlatformClient",
    "AsyncTrainingJob": "TrainingJob",
    "AsyncJobPage": "JobPage",
    "AsyncSession": "Session",
}
# Methods that make requests, and so are coroutines on the async side.
COROUTINES = {
    AsyncMLPlatformClient: {"aclose", "get_job", "list_jobs_page", "pools", "whoami"},
    AsyncTrainingJob: {
        "cancel",
        "get_logs",
        "get_metrics",
        "get_status",
        "metrics_history",
        "refresh",
        "submit",
        "wait_for_completion",
    },
}
# Methods that return an async iterator on the async side, and an iterator on the sync side.
ITERATORS = {
    AsyncMLPlatformClient: {"list_jobs"},
    AsyncTrainingJob: {"follow_logs"},
}

QUICK = "print('quick', flush=True)\n"
SLEEP = "import time\ntime.sleep({seconds})\nprint('slept', flush=True)\n"
FAILING = "print('about to fail', flush=True)\nraise SystemExit(3)\n"
COUNTING = "for n in range(1, 6):\n    print(f'line {n}', flush=True)\n"
SMALL_POOLS = "pools:\n  t4: 1\ncpu: 8\nmemory: 16Gi\n"


def run(coroutine: Awaitable[_T], timeout: float = 90) -> _T:
    """Run ``coroutine`` on a new event loop, bounded by ``timeout`` seconds."""

    async def bounded() -> _T:
        return await asyncio.wait_for(coroutine, timeout)

    return asyncio.run(bounded())


def public_names(cls: type) -> set[str]:
    names = {name for name in dir(cls) if not name.startswith("_")}
    return names | {
        name for name in ("__enter__", "__exit__", "__aenter__", "__aexit__") if hasattr(cls, name)
    }


def normalized(signature: inspect.Signature) -> str:
    text = str(signature)
    for async_word, sync_word in ASYNC_WORDS.items():
        text = text.replace(async_word, sync_word)
    return text


def write_script(workdir: Path, source: str) -> str:
    (workdir / "train.py").write_text(source, encoding="utf-8")
    return "train.py"


def connect(server: ServerProcess, **kwargs: Any) -> AsyncMLPlatformClient:
    return AsyncMLPlatformClient(api_key=server.api_key, base_url=server.url, **kwargs)


@pytest.mark.parametrize(
    ("sync_class", "async_class"),
    [(MLPlatformClient, AsyncMLPlatformClient), (TrainingJob, AsyncTrainingJob)],
)
def test_async_surface_matches_sync(sync_class: type, async_class: type) -> None:
    async_names = public_names(async_class)
    assert {RENAMED.get(name, name) for name in async_names} == public_names(sync_class)

    for name in sorted(async_names):
        sync_member = inspect.getattr_static(sync_class, RENAMED.get(name, name))
        async_member = inspect.getattr_static(async_class, name)
        if isinstance(sync_member, property):
            assert isinstance(async_member, property), name
            continue
        async_function = getattr(async_class, name)
        sync_function = getattr(sync_class, RENAMED.get(name, name))
        assert normalized(inspect.signature(async_function)) == normalized(
            inspect.signature(sync_function)
        ), name
        assert not inspect.iscoroutinefunction(sync_function), name
        expected_coroutine = name in COROUTINES[async_class] or name in {"__aenter__", "__aexit__"}
        assert inspect.iscoroutinefunction(async_function) is expected_coroutine, name
        if name in ITERATORS[async_class]:
            assert "AsyncIterator[" in str(inspect.signature(async_function)), name


def test_async_page_has_sync_fields() -> None:
    assert normalized(inspect.signature(AsyncJobPage)) == normalized(inspect.signature(JobPage))
    assert "server_time" in inspect.signature(JobPage).parameters


def test_twenty_long_polls_overlap_on_one_thread(
    unlimited_server: ServerProcess, workdir: Path
) -> None:
    script = write_script(workdir, SLEEP.format(seconds=3))
    events: list[tuple[str, int]] = []
    in_flight = 0
    most_in_flight = 0

    async def on_request(request: httpx.Request) -> None:
        nonlocal in_flight, most_in_flight
        if request.url.params.get("wait", "0") != "0":
            in_flight += 1
            most_in_flight = max(most_in_flight, in_flight)
            events.append(("start", threading.get_ident()))

    async def on_response(response: httpx.Response) -> None:
        nonlocal in_flight
        if response.request.url.params.get("wait", "0") != "0":
            in_flight -= 1
            events.append(("end", threading.get_ident()))

    async def wait_twenty() -> list[JobStatus]:
        async with connect(unlimited_server) as client:
            job = await client.create_job("sleeper", script, workdir=workdir).submit()
            handles = await asyncio.gather(*(client.get_job(job.id or "") for _ in range(20)))
            client._session.http.event_hooks["request"].append(on_request)
            client._session.http.event_hooks["response"].append(on_response)
            return await asyncio.gather(*(handle.wait_for_completion() for handle in handles))

    statuses = run(wait_twenty())

    assert statuses == [JobStatus.SUCCEEDED] * 20
    assert most_in_flight == 20
    assert len([kind for kind, _ in events if kind == "start"]) >= 20
    assert {thread for _, thread in events} == {threading.get_ident()}


def test_async_job_lifecycle(unlimited_server: ServerProcess, workdir: Path) -> None:
    script = write_script(workdir, COUNTING)

    async def lifecycle() -> None:
        async with connect(unlimited_server) as client:
            job = client.create_job("async-count", script, workdir=workdir)
            assert repr(job) == "AsyncTrainingJob(id=None, name='async-count', status=None)"
            dry = await job.submit(dry_run=True)
            assert dry.valid is True
            assert job.id is None

            assert await job.submit() is job
            texts = [line.text async for line in job.follow_logs()]
            assert texts == [f"line {n}" for n in range(1, 6)]
            assert [line.text async for line in job.follow_logs(after=3)] == ["line 4", "line 5"]
            assert await job.wait_for_completion(timeout_seconds=60) is JobStatus.SUCCEEDED
            assert await job.get_status() is JobStatus.SUCCEEDED
            assert [line.text for line in await job.get_logs(tail=2)] == ["line 4", "line 5"]
            assert len(await job.get_logs(tail=None)) == 5
            assert (await job.get_metrics()).latest == {}
            assert await job.metrics_history() == []

            fetched = await client.get_job(job.id or "")
            assert isinstance(fetched, AsyncTrainingJob)
            assert fetched.to_dict() == job.to_dict()
            listed = [listed.id async for listed in client.list_jobs(name_prefix="async-count")]
            assert job.id in listed

    run(lifecycle())


def test_async_page_carries_server_time(unlimited_server: ServerProcess) -> None:
    dates: list[str] = []

    async def on_response(response: httpx.Response) -> None:
        dates.append(response.headers["Date"])

    async def first_page() -> AsyncJobPage:
        async with connect(unlimited_server) as client:
            client._session.http.event_hooks["response"].append(on_response)
            return await client.list_jobs_page(page_size=1)

    page = run(first_page())

    assert isinstance(page, AsyncJobPage)
    assert len(dates) == 1
    assert page.server_time == email.utils.parsedate_to_datetime(dates[0])
    assert page.server_time is not None
    assert page.server_time.utcoffset() is not None
    assert page.server_time.utcoffset().total_seconds() == 0


def test_sync_page_carries_server_time(unlimited_server: ServerProcess) -> None:
    dates: list[str] = []
    with MLPlatformClient(
        api_key=unlimited_server.api_key, base_url=unlimited_server.url
    ) as client:
        client._session.http.event_hooks["response"].append(
            lambda response: dates.append(response.headers["Date"])
        )
        page = client.list_jobs_page(page_size=1)

    assert len(dates) == 1
    assert page.server_time == email.utils.parsedate_to_datetime(dates[0])


def test_async_errors_map_like_sync(unlimited_server: ServerProcess, workdir: Path) -> None:
    script = write_script(workdir, FAILING)

    async def errors() -> None:
        async with connect(unlimited_server) as client:
            with pytest.raises(JobNotFoundError) as not_found:
                await client.get_job("job-does-not-exist")
            assert not_found.value.job_id == "job-does-not-exist"
            assert not_found.value.request_id

            with pytest.raises(ValidationError):
                client.list_jobs(page_size=0)

            job = await client.create_job("async-fails", script, workdir=workdir).submit()
            with pytest.raises(JobFailedError) as failed:
                await job.wait_for_completion(timeout_seconds=60, raise_on_failure=True)
            assert failed.value.exit_code == 3
            assert [line.text for line in failed.value.last_lines] == ["about to fail"]

        wrong = AsyncMLPlatformClient(api_key="mlp_" + "w" * 40, base_url=unlimited_server.url)
        async with wrong:
            with pytest.raises(AuthenticationError) as rejected:
                await wrong.whoami()
        assert rejected.value.key_missing is False

    run(errors())


def test_async_wait_times_out(unlimited_server: ServerProcess, workdir: Path) -> None:
    script = write_script(workdir, SLEEP.format(seconds=60))

    async def wait_briefly() -> None:
        async with connect(unlimited_server) as client:
            job = await client.create_job("async-slow", script, workdir=workdir).submit()
            try:
                with pytest.raises(WaitTimeoutError) as caught:
                    await job.wait_for_completion(timeout_seconds=1, poll_interval=1)
                assert caught.value.status == "RUNNING"
            finally:
                assert (await job.cancel()).status is JobStatus.CANCELLED

    run(wait_briefly())


def test_closed_async_client_refuses_requests(unlimited_server: ServerProcess) -> None:
    async def after_close() -> None:
        client = connect(unlimited_server)
        assert (await client.whoami()).user == "dev"
        await client.aclose()
        with pytest.raises(MLPlatformError, match="was closed"):
            await client.whoami()

    run(after_close())


@dataclass
class QueueSetup:
    """A server with one t4 GPU, a script that keeps the GPU busy and a script that queues."""

    server: ServerProcess
    blocker_dir: Path
    blocker_script: str
    workdir: Path
    script: str
    gpu: Resources = field(default_factory=lambda: Resources(gpu=1, gpu_type="t4"))


@pytest.fixture
def queue_setup(sdk_server_factory: ServerFactory, workdir: Path) -> QueueSetup:
    # The default 30-second long poll: a first request that waited would hold the report.
    server = sdk_server_factory.start("queue", pools=SMALL_POOLS, extra_args=["--rate-limit", "0"])
    blocker_dir = workdir / "blocker"
    blocker_dir.mkdir()
    return QueueSetup(
        server=server,
        blocker_dir=blocker_dir,
        blocker_script=write_script(blocker_dir, SLEEP.format(seconds=60)),
        workdir=workdir,
        script=write_script(workdir, QUICK),
    )


def test_on_queued_reported_from_first_response(queue_setup: QueueSetup) -> None:
    setup = queue_setup
    logs_requests: list[str] = []
    reports: list[tuple[int, int]] = []

    async def on_request(request: httpx.Request) -> None:
        if request.url.path.endswith("/logs"):
            logs_requests.append(request.url.params.get("wait", ""))

    async def follow_queued() -> list[str]:
        async with connect(setup.server) as client:
            blocker = await client.create_job(
                "blocker", setup.blocker_script, workdir=setup.blocker_dir, resources=setup.gpu
            ).submit()
            queued = await client.create_job(
                "queued", setup.script, workdir=setup.workdir, resources=setup.gpu
            ).submit(wait_for_capacity=True)
            assert queued.status is JobStatus.PENDING
            client._session.http.event_hooks["request"].append(on_request)

            async def on_queued(position: int) -> None:
                reports.append((position, len(logs_requests)))
                await blocker.cancel()

            return [line.text async for line in queued.follow_logs(on_queued=on_queued)]

    assert run(follow_queued()) == ["quick"]
    assert reports == [(1, 1)]
    assert logs_requests[0] == "0"


def test_on_queued_reported_from_first_response_sync(queue_setup: QueueSetup) -> None:
    setup = queue_setup
    logs_requests: list[str] = []
    reports: list[tuple[int, int]] = []

    def on_request(request: httpx.Request) -> None:
        if request.url.path.endswith("/logs"):
            logs_requests.append(request.url.params.get("wait", ""))

    with MLPlatformClient(api_key=setup.server.api_key, base_url=setup.server.url) as client:
        blocker = client.create_job(
            "blocker", setup.blocker_script, workdir=setup.blocker_dir, resources=setup.gpu
        ).submit()
        queued = client.create_job(
            "queued", setup.script, workdir=setup.workdir, resources=setup.gpu
        ).submit(wait_for_capacity=True)
        assert queued.status is JobStatus.PENDING
        client._session.http.event_hooks["request"].append(on_request)

        def on_queued(position: int) -> None:
            reports.append((position, len(logs_requests)))
            blocker.cancel()

        texts = [line.text for line in queued.follow_logs(on_queued=on_queued)]

    assert texts == ["quick"]
    assert reports == [(1, 1)]
    assert logs_requests[0] == "0"


@pytest.mark.parametrize("after", [-1, 1.5, "3", True])
def test_follow_logs_rejects_invalid_after(workdir: Path, after: Any) -> None:
    script = write_script(workdir, QUICK)
    with MLPlatformClient(api_key="mlp_x", base_url="http://127.0.0.1:9") as client:
        job = client.create_job("x", script, workdir=workdir)
        with pytest.raises(ValidationError) as caught:
            job.follow_logs(after=after)
    assert caught.value.field == "after"
    assert repr(after) in str(caught.value)
