"""The installed ``mlp`` executable end to end, as separate processes against the real server."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.cli._support import (
    COMMAND_TIMEOUT,
    MLP,
    RunCli,
    assert_matches_schema,
    read_line,
    subprocess_env,
)

RunMlp = Callable[..., subprocess.CompletedProcess[str]]


def _popen(env: dict[str, str | None], cwd: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [MLP, *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=subprocess_env(env),
    )


def _finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    """Wait for a process with a bounded time-out and return its exit code and output."""
    try:
        stdout, stderr = process.communicate(timeout=COMMAND_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate(timeout=COMMAND_TIMEOUT)
        pytest.fail(f"mlp {process.args} did not exit within {COMMAND_TIMEOUT:.0f}s")
    return process.returncode, stdout, stderr


def _status(run_mlp: RunMlp, job_id: str) -> str:
    result = run_mlp("job", "status", job_id, "-o", "json")
    assert result.returncode == 0, result.stderr
    return str(json.loads(result.stdout)["status"])


def test_create_table_prints_id(run_mlp: RunMlp) -> None:
    result = run_mlp("job", "create", "e2e", "--script", "ok.py")

    assert result.returncode == 0, result.stderr
    job_id = result.stdout.strip()
    assert result.stdout == f"{job_id}\n"
    assert result.stderr.startswith(f"Submitted job {job_id} (RUNNING).\nNext:\n")


@pytest.mark.parametrize("output", ["json", "yaml"])
def test_create_document_matches_schema(run_mlp: RunMlp, output: str) -> None:
    result = run_mlp("job", "create", f"e2e-{output}", "--script", "ok.py", "-o", output)

    assert result.returncode == 0, result.stderr
    job = json.loads(result.stdout) if output == "json" else yaml.safe_load(result.stdout)
    assert_matches_schema(job, "Job")
    assert job["name"] == f"e2e-{output}"
    assert result.stderr.startswith(f"Submitted job {job['id']} ")


def test_follow_to_success(run_mlp: RunMlp) -> None:
    result = run_mlp("job", "create", "e2e", "--script", "ok.py", "--follow")

    assert result.returncode == 0, result.stderr
    assert result.stdout == "epoch 1\nepoch 2\ndone\n"
    assert re.search(r"Job \S+ SUCCEEDED after \S+ \(exit code 0\)\.\n", result.stderr)
    assert result.stderr.endswith("Metrics: epoch 2: accuracy=0.7 loss=0.5\n")


def test_failing_script_exits_3(run_mlp: RunMlp) -> None:
    result = run_mlp("job", "create", "e2e-fail", "--script", "fail.py", "--follow")

    assert result.returncode == 3
    assert re.search(
        r"Job \S+ FAILED after \S+ \(reason script_error, exit code 3\)\.\n", result.stderr
    )
    assert "  something went wrong\n" in result.stderr


def test_wait_timeout_exits_5(run_mlp: RunMlp) -> None:
    result = run_mlp("job", "create", "e2e", "--script", "slow.py", "--wait", "--wait-timeout", "1")

    assert result.returncode == 5
    job_id = result.stdout.strip()
    assert f"job {job_id} is RUNNING and keeps running" in result.stderr
    assert _status(run_mlp, job_id) == "RUNNING"
    assert run_mlp("job", "cancel", "--yes", job_id).returncode == 0


def test_cancel_ends_waiting_command_with_4(
    run_mlp: RunMlp, cli_env: dict[str, str | None], scripts_dir: Path
) -> None:
    waiting = _popen(cli_env, scripts_dir, "job", "create", "e2e", "--script", "slow.py", "--wait")
    assert waiting.stdout is not None
    job_id = read_line(waiting.stdout, COMMAND_TIMEOUT).strip()

    cancel = run_mlp("job", "cancel", "--yes", job_id)
    code, stdout, stderr = _finish(waiting)

    assert cancel.returncode == 0, cancel.stderr
    assert cancel.stdout == f"{job_id}\n"
    assert code == 4
    assert stdout == ""
    assert re.search(rf"Job {job_id} CANCELLED after \S+ \(reason cancelled", stderr), stderr
    assert "log line" not in stderr


def test_quiet_id_piped_into_cancel(cli_env: dict[str, str | None], scripts_dir: Path) -> None:
    pipeline = (
        f"set -o pipefail; {MLP} job create piped --script slow.py -q "
        f"| xargs {MLP} job cancel --yes"
    )

    result = subprocess.run(
        ["bash", "-c", pipeline],
        capture_output=True,
        text=True,
        cwd=scripts_dir,
        env=subprocess_env(cli_env),
        timeout=COMMAND_TIMEOUT,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    job_id = result.stdout.strip()
    assert re.fullmatch(r"[A-Za-z0-9._-]+", job_id)
    assert result.stderr == f"Cancelled job {job_id} (was RUNNING, now CANCELLED).\n"


def test_ctrl_c_leaves_job_running(
    run_mlp: RunMlp, cli_env: dict[str, str | None], scripts_dir: Path
) -> None:
    following = _popen(
        cli_env, scripts_dir, "job", "create", "e2e", "--script", "slow.py", "--follow"
    )
    assert following.stdout is not None
    assert read_line(following.stdout, COMMAND_TIMEOUT) == "started\n"

    following.send_signal(signal.SIGINT)
    code, stdout, stderr = _finish(following)

    assert code == 130
    assert stdout == ""
    match = re.search(
        r"Stopped watching job (\S+); it keeps running\. Cancel it with: mlp job cancel \1\n$",
        stderr,
    )
    assert match, stderr
    job_id = match.group(1)
    assert _status(run_mlp, job_id) == "RUNNING"
    assert run_mlp("job", "cancel", "--yes", job_id).returncode == 0


def test_logs_follow_reports_queue_position(
    run_mlp: RunMlp, cli_env: dict[str, str | None], scripts_dir: Path
) -> None:
    holder = run_mlp(
        "job", "create", "hold", "--script", "slow.py", "--gpu", "1", "--gpu-type", "v100", "-q"
    ).stdout.strip()
    queued = run_mlp(
        "job",
        "create",
        "queued",
        "--script",
        "ok.py",
        "--gpu",
        "1",
        "--gpu-type",
        "v100",
        "--wait-for-capacity",
        "-q",
    ).stdout.strip()
    try:
        following = _popen(cli_env, scripts_dir, "job", "logs", queued, "-f")
        assert following.stderr is not None
        line = read_line(following.stderr, COMMAND_TIMEOUT)

        assert run_mlp("job", "cancel", "--yes", holder).returncode == 0
        code, stdout, stderr = _finish(following)
    finally:
        run_mlp("job", "cancel", "--yes", holder, queued)

    assert line == f"Job {queued} is queued at position 1; waiting for capacity.\n"
    assert code == 0, stderr
    assert stdout == "epoch 1\nepoch 2\ndone\n"


def _run_on_terminal(
    env: dict[str, str | None], cwd: Path, args: list[str], answer: bytes
) -> tuple[int, str]:
    """Run ``mlp ARGS`` on a pseudo-terminal, answer its prompt, and return code and screen."""
    leader, follower = os.openpty()
    process = subprocess.Popen(
        [MLP, *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        cwd=cwd,
        env=subprocess_env(env),
        start_new_session=True,
    )
    os.close(follower)
    screen = b""
    answered = False
    deadline = time.monotonic() + COMMAND_TIMEOUT
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(leader, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                screen += chunk
            if not answered and b"[y/N]: " in screen:
                os.write(leader, answer)
                answered = True
            if process.poll() is not None and not ready:
                break
        code = process.wait(timeout=COMMAND_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
    return code, screen.decode("utf-8", "replace").replace("\r\n", "\n")


@pytest.mark.parametrize(
    ("answer", "code", "status"), [(b"y\n", 0, "CANCELLED"), (b"n\n", 1, "RUNNING")]
)
def test_cancel_asks_on_terminal(
    run_mlp: RunMlp,
    cli_env: dict[str, str | None],
    scripts_dir: Path,
    answer: bytes,
    code: int,
    status: str,
) -> None:
    job_id = run_mlp("job", "create", "ask", "--script", "slow.py", "-q").stdout.strip()
    try:
        exit_code, screen = _run_on_terminal(
            cli_env, scripts_dir, ["job", "cancel", job_id], answer
        )
        final = _status(run_mlp, job_id)
    finally:
        run_mlp("job", "cancel", "--yes", job_id)

    assert exit_code == code, screen
    assert screen.startswith(f"Cancel 1 job: {job_id}? [y/N]: ")
    assert final == status
    if code == 0:
        assert screen.endswith(f"{job_id}\nCancelled job {job_id} (was RUNNING, now CANCELLED).\n")
    else:
        assert screen.endswith("Aborted!\n")


def test_status_run_in_process_and_installed_agree(run_cli: RunCli, run_mlp: RunMlp) -> None:
    job_id = run_mlp("job", "create", "same", "--script", "ok.py", "--wait", "-q").stdout.strip()

    installed = run_mlp("job", "status", job_id, "-o", "json")
    in_process = run_cli("job", "status", job_id, "-o", "json")

    assert installed.returncode == 0, installed.stderr
    assert installed.stdout == in_process.stdout
