"""Fixtures for the SDK tests: real reference servers on loopback ports and clients for them.

`sdk_server` is one ``mlp-server --dev`` for the whole session with the default pools.
`sdk_server_factory` starts servers for one test (small pools, restarts); they are stopped
when the test ends. Tests that need a server are skipped when ``mlp-server`` is not installed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

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
