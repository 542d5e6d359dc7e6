"""``mlp job logs`` against the real reference server."""

from __future__ import annotations

import re

import pytest

from tests.cli._support import RunCli, invoke, isolated_env


@pytest.fixture(scope="module")
def finished_job(
    cli_server: object, scripts_dir: object, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """The id of a job that ran ok.py to SUCCEEDED."""
    env = {**isolated_env(tmp_path_factory.mktemp("env")), **cli_server.env()}  # type: ignore[attr-defined]
    result = invoke(
        ["job", "create", "logged", "--script", "ok.py", "--wait", "-q"],
        env,
        scripts_dir,  # type: ignore[arg-type]
        None,
    )
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def test_logs_print_every_line(run_cli: RunCli, finished_job: str) -> None:
    result = run_cli("job", "logs", finished_job)

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "epoch 1\nepoch 2\ndone\n"
    assert result.stderr == ""


def test_logs_tail(run_cli: RunCli, finished_job: str) -> None:
    result = run_cli("job", "logs", finished_job, "--tail", "2")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "epoch 2\ndone\n"


def test_logs_timestamps(run_cli: RunCli, finished_job: str) -> None:
    result = run_cli("job", "logs", finished_job, "--timestamps")

    assert result.exit_code == 0, result.stderr
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
    assert re.fullmatch(rf"{stamp} epoch 1\n{stamp} epoch 2\n{stamp} done\n", result.stdout), (
        result.stdout
    )


def test_logs_follow_finished_job(run_cli: RunCli, finished_job: str) -> None:
    result = run_cli("job", "logs", finished_job, "-f")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "epoch 1\nepoch 2\ndone\n"
    assert result.stderr == ""


def test_logs_follow_after_tail(run_cli: RunCli, finished_job: str) -> None:
    result = run_cli("job", "logs", finished_job, "--tail", "1", "--follow")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "done\n"


def test_logs_follow_running_job(run_cli: RunCli) -> None:
    job_id = run_cli("job", "create", "live", "--script", "ok.py", "-q").stdout.strip()

    result = run_cli("job", "logs", job_id, "-f")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "epoch 1\nepoch 2\ndone\n"


def test_logs_failed_job_exit_0(run_cli: RunCli) -> None:
    job_id = run_cli("job", "create", "bad", "--script", "fail.py", "-q").stdout.strip()

    result = run_cli("job", "logs", job_id, "--follow")

    assert result.exit_code == 0, result.stderr
    assert sorted(result.stdout.splitlines()) == ["something went wrong", "starting"]


@pytest.mark.parametrize("tail", ["0", "1001"])
def test_logs_tail_out_of_range(run_offline: RunCli, tail: str) -> None:
    result = run_offline("job", "logs", "job-1", "--tail", tail)

    assert result.exit_code == 2
    assert result.stderr.endswith(
        f"Error: Invalid value for '--tail': {tail} is not in the range 1<=x<=1000.\n"
    )


def test_logs_unknown_job(run_cli: RunCli) -> None:
    result = run_cli("job", "logs", "job-does-not-exist")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert re.fullmatch(
        r"Error: [^\n]*job-does-not-exist[^\n]*\(request id [^)\n]+\)\n", result.stderr
    ), result.stderr
