"""Fixtures for the SDK tests: real reference servers on loopback ports and clients for them.

`sdk_server` is one ``mlp-server --dev`` for the whole session with the default pools.
`unlimited_server` is another one without a rate limit, for tests that count requests.
`sdk_server_factory` starts servers for one test (small pools, restarts); they are stopped
when the test ends. `fault_proxy` puts a fault-injecting loopback proxy in front of a server.
Tests that need a server are skipped when ``mlp-server`` is not installed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ._proxy import FaultProxy
from ._servers import ServerFactory, ServerProcess

_ML_PLATFORM_VARIABLES = (
    "ML_PLATFORM_API_KEY",
    "ML_PLATFORM_URL",
    "ML_PLATFORM_TIMEOUT",
    "ML_PLATFORM_PROFILE",
    "ML_PLATFORM_CONFIG",
    "ML_PLATFORM_LOG",
)


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Clear every ``ML_PLATFORM_*`` variable and point HOME at an empty directory."""
    for name in _ML_PLATFORM_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


@pytest.fixture(scope="session")
def sdk_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server with the default pools for the whole session."""
    factory = ServerFactory(tmp_path_factory.mktemp("sdk-server"))
    try:
        yield factory.start(extra_args=["--max-wait", "5", "--grace-period", "2"])
    finally:
        factory.close()


@pytest.fixture(scope="session")
def unlimited_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server without a rate limit for the whole session, so no request meets a 429."""
    factory = ServerFactory(tmp_path_factory.mktemp("unlimited-server"))
    try:
        yield factory.start(
            extra_args=["--max-wait", "5", "--grace-period", "2", "--rate-limit", "0"]
        )
    finally:
        factory.close()


@pytest.fixture
def sdk_server_factory(tmp_path: Path) -> Iterator[ServerFactory]:
    """Servers for one test, stopped when it ends."""
    factory = ServerFactory(tmp_path / "servers")
    factory.root.mkdir()
    try:
        yield factory
    finally:
        factory.close()


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """An empty directory for a job's code."""
    path = tmp_path / "code"
    path.mkdir()
    return path


@pytest.fixture
def fault_proxy() -> Iterator[Callable[[ServerProcess], FaultProxy]]:
    """Start fault-injecting proxies in front of servers; each is closed when the test ends."""
    proxies: list[FaultProxy] = []

    def start(server: ServerProcess) -> FaultProxy:
        proxy = FaultProxy(server.url)
        proxies.append(proxy)
        return proxy

    try:
        yield start
    finally:
        for proxy in proxies:
            proxy.close()
