"""``mlp job wait`` against the real reference server: summaries, outputs and exit codes."""

from __future__ import annotations

import json
import re

import pytest

from tests.cli._support import RunCli, assert_matches_schema

SUMMARY_OK = (
    r"Job {id} SUCCEEDED after [0-9.]+s \(exit code 0\)\.\n"
    r"Metrics: epoch 2: accuracy=0\.7 loss=0\.5\n"
)
PROGRESS = "Waiting for job {id} to finish (Ctrl-C stops waiting; the job keeps running).\n"


def _create(run_cli: RunCli, script: str, *options: str) -> str:
    result = run_cli("job", "create", "waited", "--script", script, "-q", *options)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def test_wait_for_running_job(run_cli: RunCli) -> None:
    job_id = _create(run_cli, "ok.py")

    result = run_cli("job", "wait", job_id)

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    summary = SUMMARY_OK.format(id=job_id)
    # The job may end before the first request, and then no progress line is printed.
    assert re.fullmatch(f"({re.escape(PROGRESS.format(id=job_id))})?{summary}", result.stderr), (
        result.stderr
    )


def test_wait_for_finished_job(run_cli: RunCli) -> None:
    job_id = _create(run_cli, "ok.py", "--wait")

    result = run_cli("job", "wait", job_id)

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert re.fullmatch(SUMMARY_OK.format(id=job_id), result.stderr), result.stderr


def test_wait_for_failed_job_exits_3(run_cli: RunCli) -> None:
    job_id = _create(run_cli, "fail.py")

    result = run_cli("job", "wait", job_id)

    assert result.exit_code == 3
    assert result.stdout == ""
    assert re.search(
        rf"Job {job_id} FAILED after [0-9.]+s \(reason script_error, exit code 3\)\.\n"
        r"Last 2 log lines:\n",
        result.stderr,
    ), result.stderr
    assert sorted(result.stderr.splitlines()[-2:]) == ["  something went wrong", "  starting"]


def test_wait_for_cancelled_job_exits_4(run_cli: RunCli) -> None:
    job_id = _create(run_cli, "slow.py")
    assert run_cli("job", "cancel", "--yes", job_id).exit_code == 0

    result = run_cli("job", "wait", job_id)

    assert result.exit_code == 4
    assert result.stdout == ""
    assert re.fullmatch(
        rf"Job {job_id} CANCELLED after [0-9.]+s \(reason cancelled, exit code -?\d+\)\.\n",
        result.stderr,
    ), result.stderr


def test_wait_timeout_exits_5(run_cli: RunCli, job_ids: list[str]) -> None:
    job_id = _create(run_cli, "slow.py")
    job_ids.append(job_id)

    result = run_cli("job", "wait", job_id, "--timeout", "1")

    assert result.exit_code == 5
    assert result.stdout == ""
    assert result.stderr == (
        PROGRESS.format(id=job_id)
        + f"Stopped waiting after 1s; job {job_id} is RUNNING and keeps running. Cancel it with: "
        f"mlp job cancel {job_id}\n"
    )


def test_wait_json_prints_final_job(run_cli: RunCli) -> None:
    job_id = _create(run_cli, "ok.py")

    result = run_cli("job", "wait", job_id, "-o", "json")

    assert result.exit_code == 0, result.stderr
    job = json.loads(result.stdout)
    assert_matches_schema(job, "Job")
    assert job["id"] == job_id
    assert job["status"] == "SUCCEEDED"


def test_wait_timeout_json_prints_running_job(run_cli: RunCli, job_ids: list[str]) -> None:
    job_id = _create(run_cli, "slow.py")
    job_ids.append(job_id)

    result = run_cli("job", "wait", job_id, "--timeout", "1", "-o", "yaml")

    assert result.exit_code == 5
    assert "status: RUNNING\n" in result.stdout
    assert f"id: {job_id}\n" in result.stdout


def test_wait_quiet_prints_id(run_cli: RunCli) -> None:
    job_id = _create(run_cli, "ok.py")

    result = run_cli("job", "wait", job_id, "-q")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{job_id}\n"
    assert result.stderr == ""


def test_wait_quiet_failed_keeps_summary(run_cli: RunCli) -> None:
    job_id = _create(run_cli, "fail.py")

    result = run_cli("job", "wait", job_id, "-q")

    assert result.exit_code == 3
    assert result.stdout == f"{job_id}\n"
    assert result.stderr.startswith(f"Job {job_id} FAILED after ")


def test_wait_unknown_job(run_cli: RunCli) -> None:
    result = run_cli("job", "wait", "job-does-not-exist")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert re.fullmatch(
        r"Error: [^\n]*job-does-not-exist[^\n]*\(request id [^)\n]+\)\n", result.stderr
    ), result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-q", "-o", "json"], "-q prints only the job id, so -o json cannot be used."),
        (["--timeout", "0"], "Invalid value for '--timeout': 0 is not in the range x>=1."),
    ],
    ids=["quiet-json", "timeout-0"],
)
def test_wait_usage_errors(run_offline: RunCli, args: list[str], message: str) -> None:
    result = run_offline("job", "wait", "job-1", *args)

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "Usage: mlp job wait [OPTIONS] ID\n"
        "Try 'mlp job wait --help' for help.\n"
        "\n"
        f"Error: {message}\n"
    )
