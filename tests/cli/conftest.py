"""Fixtures for the ``mlp`` tests: a real reference server, job scripts and ways to run ``mlp``.

``cli_server`` is one ``mlp-server --dev`` on a free loopback port for the whole session, with
small pools (t4: 2, v100: 1) so that capacity errors are easy to provoke; ``seeded_server`` holds
only seeded, finished jobs, for listings with known content. ``run_cli`` invokes the
command in-process through Click's runner; ``run_mlp`` runs the installed executable as a
subprocess. Both point ``mlp`` at the server through environment variables, never options, and
at a config file that does not exist, so the developer's own configuration never leaks in.
"""

from __future__ import annotations

import subprocess
import textwrap
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest
from click.testing import Result

from tests.cli._support import (
    COMMAND_TIMEOUT,
    MLP,
    SCRIPTS,
    RunCli,
    Server,
    invoke,
    isolated_env,
    start_server,
    stop_server,
    subprocess_env,
)


@pytest.fixture(scope="session")
def cli_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One reference server for every ``mlp`` test of the session."""
    server = start_server(tmp_path_factory.mktemp("cli-server"))
    try:
        yield server
    finally:
        stop_server(server.process)


SEEDED_JOBS = 25
"""How many finished jobs ``seeded_server`` holds."""


@pytest.fixture(scope="session")
def seeded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server holding only ``SEEDED_JOBS`` finished jobs, for listings with known content.

    Tests must not create jobs on it.
    """
    server = start_server(tmp_path_factory.mktemp("seeded-server"), seed_jobs=SEEDED_JOBS)
    try:
        yield server
    finally:
        stop_server(server.process)


@pytest.fixture
def run_seeded(seeded_server: Server, tmp_path: Path, scripts_dir: Path) -> RunCli:
    """Invoke ``mlp ARGS`` in-process against ``seeded_server``."""
    seeded_env = {**isolated_env(tmp_path), **seeded_server.env()}

    def run(
        *args: str, env: Mapping[str, str | None] | None = None, input: str | None = None
    ) -> Result:
        return invoke(args, {**seeded_env, **(env or {})}, scripts_dir, input)

    return run


@pytest.fixture(scope="session")
def scripts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working directory holding every script of ``SCRIPTS``."""
    root = tmp_path_factory.mktemp("workdir")
    for name, source in SCRIPTS.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip(), encoding="utf-8")
    return root


@pytest.fixture
def offline_env(tmp_path: Path) -> dict[str, str | None]:
    """An environment with no server, key or config file."""
    return isolated_env(tmp_path)


@pytest.fixture
def cli_env(cli_server: Server, tmp_path: Path) -> dict[str, str | None]:
    """An environment pointing ``mlp`` at the shared server."""
    return {**isolated_env(tmp_path), **cli_server.env()}


@pytest.fixture
def run_cli(cli_env: dict[str, str | None], scripts_dir: Path) -> RunCli:
    """Invoke ``mlp ARGS`` in-process against the shared server, from the scripts directory."""

    def run(
        *args: str, env: Mapping[str, str | None] | None = None, input: str | None = None
    ) -> Result:
        return invoke(args, {**cli_env, **(env or {})}, scripts_dir, input)

    return run


@pytest.fixture
def run_offline(offline_env: dict[str, str | None], scripts_dir: Path) -> RunCli:
    """Invoke ``mlp ARGS`` in-process with no server configured."""

    def run(
        *args: str, env: Mapping[str, str | None] | None = None, input: str | None = None
    ) -> Result:
        return invoke(args, {**offline_env, **(env or {})}, scripts_dir, input)

    return run


@pytest.fixture
def run_mlp(
    cli_env: dict[str, str | None], scripts_dir: Path
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the installed ``mlp`` executable to completion, with a bounded time-out."""

    def run(*args: str, timeout: float = COMMAND_TIMEOUT) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [MLP, *args],
            capture_output=True,
            text=True,
            cwd=scripts_dir,
            env=subprocess_env(cli_env),
            stdin=subprocess.DEVNULL,
            timeout=timeout,
            check=False,
        )

    return run


@pytest.fixture
def job_ids(run_cli: RunCli) -> Iterator[list[str]]:
    """Collect ids of jobs a test starts; any still running are cancelled at the end."""
    started: list[str] = []
    yield started
    if started:
        run_cli("job", "cancel", "--yes", *started)
