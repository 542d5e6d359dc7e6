"""``mlp job list --watch`` of the installed ``mlp``, on a pipe and on a terminal, until Ctrl-C."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import pytest

from tests.cli._support import (
    COMMAND_TIMEOUT,
    MLP,
    Server,
    Terminal,
    assert_matches_schema,
    isolated_env,
    read_line,
    subprocess_env,
)


@pytest.fixture
def seeded_env(seeded_server: Server, tmp_path: Path) -> dict[str, str | None]:
    """An environment pointing ``mlp`` at the seeded server."""
    return {**isolated_env(tmp_path), **seeded_server.env()}


def _watch_on_pipe(env: dict[str, str | None], cwd: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [MLP, "job", "list", "--watch", "--interval", "0.5", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=subprocess_env(env),
    )


def _interrupt(process: subprocess.Popen[str]) -> tuple[int, str]:
    """Send Ctrl-C's signal, and return the exit code and what stderr carried."""
    process.send_signal(signal.SIGINT)
    try:
        _, stderr = process.communicate(timeout=COMMAND_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate(timeout=COMMAND_TIMEOUT)
        pytest.fail("mlp job list --watch did not stop on SIGINT")
    return process.returncode, stderr


def test_watch_on_pipe_repeats_ids(seeded_env: dict[str, str | None], tmp_path: Path) -> None:
    process = _watch_on_pipe(seeded_env, tmp_path, "--limit", "2", "-q")
    assert process.stdout is not None

    lines = [read_line(process.stdout, COMMAND_TIMEOUT) for _ in range(5)]
    code, stderr = _interrupt(process)

    assert lines == ["job-000025\n", "job-000024\n", "\n", "job-000025\n", "job-000024\n"]
    assert code == 130
    assert stderr == "Interrupted.\n"


def test_watch_on_pipe_repeats_table(seeded_env: dict[str, str | None], tmp_path: Path) -> None:
    process = _watch_on_pipe(seeded_env, tmp_path, "--limit", "1")
    assert process.stdout is not None

    lines = [read_line(process.stdout, COMMAND_TIMEOUT) for _ in range(5)]
    code, _ = _interrupt(process)

    assert lines[0] == lines[3]
    assert lines[0].startswith("ID          NAME         STATUS")
    assert lines[1].startswith("job-000025  seed-000024  ")
    assert lines[2] == "\n"
    assert lines[4] == lines[1]
    assert code == 130


def test_watch_json_lines(seeded_env: dict[str, str | None], tmp_path: Path) -> None:
    process = _watch_on_pipe(seeded_env, tmp_path, "--limit", "3", "-o", "json")
    assert process.stdout is not None

    documents = [json.loads(read_line(process.stdout, COMMAND_TIMEOUT)) for _ in range(2)]
    code, _ = _interrupt(process)

    for document in documents:
        assert_matches_schema(document, "JobList")
        assert [job["id"] for job in document["jobs"]] == [
            "job-000025",
            "job-000024",
            "job-000023",
        ]
    assert code == 130


def test_watch_on_terminal_redraws(seeded_env: dict[str, str | None], tmp_path: Path) -> None:
    terminal = Terminal(
        ["job", "list", "--watch", "--interval", "0.5", "--limit", "2"], seeded_env, tmp_path
    )
    try:
        terminal.read_until(b"ID          NAME         STATUS", count=2)
        terminal.process.send_signal(signal.SIGINT)
        code, screen = terminal.finish()
    finally:
        terminal.kill()

    assert code == 130
    assert "Every 0.5s, last at " in screen
    assert "(server clock). Ctrl-C stops." in screen
    # rich's Live display redraws in place: it moves the cursor up and erases the old lines.
    assert "\x1b[1A\x1b[2K" in screen
    assert screen.count("job-000025  seed-000024  ") >= 2
    assert screen.endswith("Interrupted.\n")
