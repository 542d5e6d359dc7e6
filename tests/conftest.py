"""Shared fixtures: real reference servers on loopback ports and clients for them.

`shared_server` is one `mlp-server --dev` for the whole session (pools t4: 2
and v100: 1, a 2-second long-poll bound, a 2-second grace period). Tests that
restart a server or need other flags take `server_factory`, whose servers are
closed when the test ends. Every server runs in its own session. Closing one
sends SIGTERM, then SIGKILL to its process group and to the job processes it
started, and each step waits for a bounded time.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Generator, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from ml_platform_client import AuthenticatedClient
from ml_platform_client.models import Job

from tests.integration._api import job_request, make_client, raw_client, submit, upload
from tests.integration._archive import build_archive
from tests.integration._server import (
    ServerFactory,
    ServerProcess,
    create_key,
    shared_server_options,
)

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the item so that fixtures can tell whether the test failed."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


def _test_failed(request: pytest.FixtureRequest) -> bool:
    reports = request.node.stash.get(_REPORTS, {})
    return any(report.failed for report in reports.values())


@pytest.fixture(scope="session")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """Start the session's shared server and close it at the end of the session."""
    factory = ServerFactory(tmp_path_factory.mktemp("shared-server"))
    try:
        yield factory.start(shared_server_options())
    finally:
        factory.close()


@pytest.fixture
def server_factory(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[ServerFactory]:
    """Start servers for one test; each is closed when the test ends."""
    factory = ServerFactory(tmp_path)
    try:
        yield factory
    finally:
        if _test_failed(request):
            for server in factory.servers:
                print(f"--- stderr of the server on port {server.port} ---\n{server.log_tail()}")
        factory.close()


@pytest.fixture
def api_client(
    shared_server: ServerProcess, request: pytest.FixtureRequest
) -> Iterator[AuthenticatedClient]:
    """A generated client for the shared server, authenticated with its development key."""
    with make_client(shared_server) as client:
        yield client
    if _test_failed(request):
        print(f"--- end of the shared server's stderr ---\n{shared_server.log_tail()}")


@pytest.fixture
def submit_files(api_client: AuthenticatedClient) -> Callable[..., Job]:
    """Pack files into a tar archive, upload it and submit a job on the shared server.

    Call it as `submit_files({"main.py": "print('hi')"}, gpu=1, gpu_type="t4")`: the
    keyword arguments go to `job_request`, and the script defaults to `main.py`.
    """

    def submit_archive(files: Mapping[str, str | bytes], **request: Any) -> Job:
        archive = build_archive(files)
        upload(api_client, archive)
        return submit(api_client, job_request(archive.digest, **request))

    return submit_archive


@pytest.fixture
def new_user_key(shared_server: ServerProcess) -> Callable[..., str]:
    """Create a fresh user on the shared server and return an API key for it.

    Call it as `new_user_key()` or `new_user_key(read_only=True)`.
    """

    def create(*, read_only: bool = False) -> str:
        user = f"user-{secrets.token_hex(4)}"
        return create_key(shared_server.data_dir, user, read_only=read_only)

    return create


@pytest.fixture
def user_client(
    shared_server: ServerProcess, new_user_key: Callable[..., str]
) -> Iterator[AuthenticatedClient]:
    """A generated client for a new user of the shared server, whose job list starts empty."""
    with make_client(shared_server, new_user_key()) as client:
        yield client


@pytest.fixture
def raw_api(shared_server: ServerProcess) -> Iterator[httpx.Client]:
    """A plain httpx client for the shared server with the development key."""
    with raw_client(shared_server) as client:
        yield client
