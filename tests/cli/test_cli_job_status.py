"""``mlp job status`` and its alias ``get`` against the real reference server."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from tests.cli._support import RunCli, assert_matches_schema


@pytest.fixture(scope="module")
def finished_job(
    cli_server: object, scripts_dir: object, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """The id of a job that ran ok.py to SUCCEEDED."""
    from tests.cli._support import invoke, isolated_env

    env = {**isolated_env(tmp_path_factory.mktemp("env")), **cli_server.env()}  # type: ignore[attr-defined]
    result = invoke(
        ["job", "create", "done", "--script", "ok.py", "--param", "epochs=2", "--wait", "-q"],
        env,
        scripts_dir,  # type: ignore[arg-type]
        None,
    )
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def test_status_table(run_cli: RunCli, finished_job: str) -> None:
    document = json.loads(run_cli("job", "status", finished_job, "-o", "json").stdout)

    result = run_cli("job", "status", finished_job)

    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    expected = (
        f"ID:               {finished_job}\n"
        "Name:             done\n"
        "Status:           SUCCEEDED\n"
        "Script:           ok.py\n"
        "Resources:        1 CPU, 2Gi memory\n"
        f"Created:          {document['created_at']}\n"
        f"Started:          {document['started_at']}\n"
        f"Finished:         {document['finished_at']}\n"
        r"Duration:         [0-9.]+s\n"
        "Exit code:        0\n"
        "Hyperparameters:  epochs=2\n"
        "Metrics:          epoch 2: accuracy=0.7 loss=0.5\n"
    )
    assert re.fullmatch(expected.replace("(", r"\(").replace(")", r"\)"), result.stdout), (
        result.stdout
    )


def test_get_alias_prints_same(run_cli: RunCli, finished_job: str) -> None:
    status = run_cli("job", "status", finished_job, "-o", "json")
    get = run_cli("job", "get", finished_job, "-o", "json")

    assert get.exit_code == 0
    assert get.stdout == status.stdout


def test_status_json_is_api_job(run_cli: RunCli, finished_job: str) -> None:
    result = run_cli("job", "status", finished_job, "-o", "json")

    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    job = json.loads(result.stdout)
    assert_matches_schema(job, "Job")
    assert job["id"] == finished_job
    assert job["status"] == "SUCCEEDED"
    for key in ("created_at", "started_at", "finished_at"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", job[key]), key


def test_status_yaml_equals_json(run_cli: RunCli, finished_job: str) -> None:
    as_json = json.loads(run_cli("job", "status", finished_job, "-o", "json").stdout)
    result = run_cli("job", "status", finished_job, "-o", "yaml")

    assert result.exit_code == 0, result.stderr
    assert yaml.safe_load(result.stdout) == as_json


def test_status_of_running_job(run_cli: RunCli, job_ids: list[str]) -> None:
    job_id = run_cli("job", "create", "run", "--script", "slow.py", "-q").stdout.strip()
    job_ids.append(job_id)

    result = run_cli("job", "status", job_id)

    assert result.exit_code == 0, result.stderr
    assert "Status:     RUNNING\n" in result.stdout
    assert "Finished:" not in result.stdout
    assert "Exit code:" not in result.stdout


def test_status_of_queued_job(run_cli: RunCli, job_ids: list[str]) -> None:
    holder = run_cli(
        "job", "create", "hold", "--script", "slow.py", "--gpu", "1", "--gpu-type", "v100", "-q"
    )
    job_ids.append(holder.stdout.strip())
    queued = run_cli(
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
    )
    job_ids.append(queued.stdout.strip())

    result = run_cli("job", "status", queued.stdout.strip())

    assert result.exit_code == 0, result.stderr
    assert "Status:          PENDING\n" in result.stdout
    assert "Queue position:  1\n" in result.stdout
    assert "Resources:       1 CPU, 2Gi memory, 1 v100 GPU\n" in result.stdout
    running = run_cli("job", "status", holder.stdout.strip())
    assert "Devices:    0\n" in running.stdout
    logs = run_cli("job", "logs", queued.stdout.strip())
    assert logs.exit_code == 0, logs.stderr
    assert logs.stdout == ""
    assert logs.stderr == (
        f"Job {queued.stdout.strip()} is queued at position 1; it has no output yet.\n"
    )


def test_status_unknown_job(run_cli: RunCli) -> None:
    result = run_cli("job", "status", "job-does-not-exist")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert re.fullmatch(
        r"Error: [^\n]*job-does-not-exist[^\n]*\(request id [^)\n]+\)\n", result.stderr
    ), result.stderr


def test_status_quiet_prints_status(run_cli: RunCli, finished_job: str) -> None:
    result = run_cli("job", "status", finished_job, "-q")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "SUCCEEDED\n"
    assert result.stderr == ""


def test_status_wide_adds_code_digest(run_cli: RunCli, finished_job: str) -> None:
    document = json.loads(run_cli("job", "status", finished_job, "-o", "json").stdout)
    table = run_cli("job", "status", finished_job).stdout

    result = run_cli("job", "status", finished_job, "-o", "wide")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == table.replace(
        "Script:           ok.py\n",
        f"Script:           ok.py\nCode digest:      {document['code_digest']}\n",
    )


def test_status_quiet_with_json_is_usage_error(run_offline: RunCli) -> None:
    result = run_offline("job", "status", "job-1", "-q", "-o", "json")

    assert result.exit_code == 2
    assert result.stderr.endswith("Error: -q prints only the status, so -o json cannot be used.\n")
