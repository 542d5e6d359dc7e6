"""Colour: only on a terminal, off with NO_COLOR or --no-color, forced by FORCE_COLOR or --color."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from typing import IO

import pytest
from mlp_cli._console import color_enabled

from tests.cli._support import RunCli, invoke, isolated_env

GREEN_SUCCEEDED = "\x1b[32mSUCCEEDED\x1b[0m"


@pytest.fixture
def terminal() -> Iterator[IO[str]]:
    """The writing end of a real pseudo-terminal."""
    leader, follower = os.openpty()
    stream = os.fdopen(follower, "w", encoding="utf-8")
    try:
        yield stream
    finally:
        stream.close()
        os.close(leader)


@pytest.mark.parametrize(
    ("flag", "environ", "expected"),
    [
        (None, {}, True),
        (None, {"NO_COLOR": "1"}, False),
        (None, {"NO_COLOR": "0"}, False),
        (None, {"NO_COLOR": ""}, True),
        (False, {}, False),
        (True, {"NO_COLOR": "1"}, True),
        (None, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
    ],
)
def test_terminal_colour(
    terminal: IO[str], flag: bool | None, environ: dict[str, str], expected: bool
) -> None:
    assert color_enabled(terminal, flag=flag, environ=environ) is expected


@pytest.mark.parametrize(
    ("flag", "environ", "expected"),
    [
        (None, {}, False),
        (None, {"FORCE_COLOR": "1"}, True),
        (None, {"FORCE_COLOR": ""}, False),
        (True, {}, True),
        (False, {"FORCE_COLOR": "1"}, False),
    ],
)
def test_pipe_colour(flag: bool | None, environ: dict[str, str], expected: bool) -> None:
    assert color_enabled(io.StringIO(), flag=flag, environ=environ) is expected


@pytest.fixture(scope="module")
def finished_job(
    cli_server: object, scripts_dir: object, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """The id of a job that ran ok.py to SUCCEEDED."""
    env = {**isolated_env(tmp_path_factory.mktemp("env")), **cli_server.env()}  # type: ignore[attr-defined]
    result = invoke(
        ["job", "create", "colour", "--script", "ok.py", "--wait", "-q"],
        env,
        scripts_dir,  # type: ignore[arg-type]
        None,
    )
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def test_plain_when_piped(run_cli: RunCli, finished_job: str) -> None:
    result = run_cli("job", "status", finished_job)

    assert result.exit_code == 0, result.stderr
    assert "\x1b[" not in result.stdout
    assert "Status:     SUCCEEDED\n" in result.stdout


@pytest.mark.parametrize(
    ("args", "env"),
    [(["--color"], {}), ([], {"FORCE_COLOR": "1"}), (["--color"], {"NO_COLOR": "1"})],
    ids=["color-flag", "force-color", "flag-beats-no-color"],
)
def test_status_coloured(
    run_cli: RunCli, finished_job: str, args: list[str], env: dict[str, str]
) -> None:
    result = run_cli(*args, "job", "status", finished_job, env=env)

    assert result.exit_code == 0, result.stderr
    assert f"Status:     {GREEN_SUCCEEDED}\n" in result.stdout


@pytest.mark.parametrize(
    ("args", "env"),
    [(["--no-color"], {"FORCE_COLOR": "1"}), ([], {"NO_COLOR": "1", "FORCE_COLOR": "1"})],
    ids=["no-color-flag", "no-color-env"],
)
def test_status_not_coloured(
    run_cli: RunCli, finished_job: str, args: list[str], env: dict[str, str]
) -> None:
    result = run_cli(*args, "job", "status", finished_job, env=env)

    assert result.exit_code == 0, result.stderr
    assert "\x1b[" not in result.stdout


def test_json_never_coloured(run_cli: RunCli, finished_job: str) -> None:
    result = run_cli("--color", "job", "status", finished_job, "-o", "json")

    assert result.exit_code == 0, result.stderr
    assert "\x1b[" not in result.stdout


def test_summary_status_coloured(run_cli: RunCli) -> None:
    result = run_cli("--color", "job", "create", "c", "--script", "fail.py", "--wait", "-q")

    assert result.exit_code == 3
    assert "\x1b[31mFAILED\x1b[0m" in result.stderr
