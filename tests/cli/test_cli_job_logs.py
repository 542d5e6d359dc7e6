"""``mlp job logs`` against the real reference server."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from tests.cli._support import RunCli, assert_matches_schema, invoke, isolated_env


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


def test_logs_wide_has_time_and_stream(run_cli: RunCli, finished_job: str) -> None:
    result = run_cli("job", "logs", finished_job, "-o", "wide")

    assert result.exit_code == 0, result.stderr
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
    assert re.fullmatch(
        rf"{stamp} stdout epoch 1\n{stamp} stdout epoch 2\n{stamp} stdout done\n", result.stdout
    ), result.stdout


def test_logs_json_lines(run_cli: RunCli, finished_job: str) -> None:
    result = run_cli("job", "logs", finished_job, "-o", "json")

    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    for line in lines:
        assert_matches_schema(line, "LogLine")
    assert [(line["seq"], line["stream"], line["text"]) for line in lines] == [
        (1, "stdout", "epoch 1"),
        (2, "stdout", "epoch 2"),
        (3, "stdout", "done"),
    ]


def test_logs_yaml_documents(run_cli: RunCli, finished_job: str) -> None:
    as_json = [
        json.loads(line)
        for line in run_cli("job", "logs", finished_job, "-o", "json").stdout.splitlines()
    ]

    result = run_cli("job", "logs", finished_job, "-o", "yaml", "--tail", "2")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("---\n")
    assert list(yaml.safe_load_all(result.stdout)) == as_json[1:]


def test_logs_follow_json_after_tail(run_cli: RunCli, finished_job: str) -> None:
    result = run_cli("job", "logs", finished_job, "--tail", "1", "-f", "-o", "json")

    assert result.exit_code == 0, result.stderr
    assert [json.loads(line)["seq"] for line in result.stdout.splitlines()] == [3]


def test_logs_timestamps_need_table(run_offline: RunCli) -> None:
    result = run_offline("job", "logs", "job-1", "--timestamps", "-o", "json")

    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: --timestamps applies only to -o table, because -o json always includes the time.\n"
    )


def test_logs_quiet_hides_queue_note(run_cli: RunCli, job_ids: list[str]) -> None:
    gpu = ("--gpu", "1", "--gpu-type", "v100", "-q")
    holder = run_cli("job", "create", "hold", "--script", "slow.py", *gpu).stdout.strip()
    job_ids.append(holder)
    queued = run_cli(
        "job", "create", "queued", "--script", "ok.py", "--wait-for-capacity", *gpu
    ).stdout.strip()
    job_ids.append(queued)

    loud = run_cli("job", "logs", queued)
    quiet = run_cli("job", "logs", queued, "-q")

    assert loud.stderr == f"Job {queued} is queued at position 1; it has no output yet.\n"
    assert quiet.exit_code == 0, quiet.stderr
    assert quiet.stdout == ""
    assert quiet.stderr == ""
