"""``mlp job cancel`` against the real reference server."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from tests.cli._support import RunCli, assert_matches_schema


def _status(run_cli: RunCli, job_id: str) -> str:
    return str(json.loads(run_cli("job", "status", job_id, "-o", "json").stdout)["status"])


def test_cancel_without_terminal_needs_yes(run_cli: RunCli, job_ids: list[str]) -> None:
    job_id = run_cli("job", "create", "keep", "--script", "slow.py", "-q").stdout.strip()
    job_ids.append(job_id)

    result = run_cli("job", "cancel", job_id)

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "Usage: mlp job cancel [OPTIONS] ID...\n"
        "Try 'mlp job cancel --help' for help.\n"
        "\n"
        "Error: cannot ask for confirmation because stdin is not a terminal; pass --yes to "
        "cancel without asking.\n"
    )
    assert _status(run_cli, job_id) == "RUNNING"


def test_cancel_running_job(run_cli: RunCli) -> None:
    job_id = run_cli("job", "create", "stop", "--script", "slow.py", "-q").stdout.strip()

    result = run_cli("job", "cancel", "--yes", job_id)

    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{job_id}\n"
    assert result.stderr == f"Cancelled job {job_id} (was RUNNING, now CANCELLED).\n"
    assert _status(run_cli, job_id) == "CANCELLED"


def test_cancel_several_jobs(run_cli: RunCli) -> None:
    first = run_cli("job", "create", "a", "--script", "slow.py", "-q").stdout.strip()
    second = run_cli("job", "create", "b", "--script", "slow.py", "-q").stdout.strip()

    result = run_cli("job", "cancel", "-y", first, second, first)

    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{first}\n{second}\n"
    assert result.stderr == (
        f"Cancelled job {first} (was RUNNING, now CANCELLED).\n"
        f"Cancelled job {second} (was RUNNING, now CANCELLED).\n"
    )


def test_cancel_goes_on_after_unknown_id(run_cli: RunCli) -> None:
    job_id = run_cli("job", "create", "c", "--script", "slow.py", "-q").stdout.strip()

    result = run_cli("job", "cancel", "--yes", "job-does-not-exist", job_id)

    assert result.exit_code == 1
    assert result.stdout == f"{job_id}\n"
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert re.fullmatch(r"Error: .*job-does-not-exist.*\(request id [^)]+\)", lines[0]), lines[0]
    assert lines[1] == f"Cancelled job {job_id} (was RUNNING, now CANCELLED)."


def test_cancel_finished_job_is_error(run_cli: RunCli) -> None:
    job_id = run_cli("job", "create", "d", "--script", "ok.py", "--wait", "-q").stdout.strip()

    result = run_cli("job", "cancel", "--yes", job_id)

    assert result.exit_code == 1
    assert result.stdout == ""
    assert re.fullmatch(r"Error: [^\n]*SUCCEEDED[^\n]*\(request id [^)\n]+\)\n", result.stderr), (
        result.stderr
    )


def test_cancel_pending_job(run_cli: RunCli, job_ids: list[str]) -> None:
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
    ).stdout.strip()

    result = run_cli("job", "cancel", "--yes", queued)

    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"Cancelled job {queued} (was PENDING, now CANCELLED).\n"


def test_cancel_needs_an_id(run_offline: RunCli) -> None:
    result = run_offline("job", "cancel", "--yes")

    assert result.exit_code == 2
    assert result.stderr.endswith("Error: Missing argument 'ID...'.\n")


def test_cancel_quiet_prints_ids_only(run_cli: RunCli) -> None:
    job_id = run_cli("job", "create", "q", "--script", "slow.py", "-q").stdout.strip()

    result = run_cli("job", "cancel", "--yes", "-q", job_id)

    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{job_id}\n"
    assert result.stderr == ""


def test_cancel_wide_table(run_cli: RunCli) -> None:
    first = run_cli("job", "create", "first", "--script", "slow.py", "-q").stdout.strip()
    second = run_cli("job", "create", "second", "--script", "slow.py", "-q").stdout.strip()

    result = run_cli("job", "cancel", "--yes", "-o", "wide", first, second)

    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == (
        "ID          NAME    WAS      STATUS\n"
        f"{first}  first   RUNNING  CANCELLED\n"
        f"{second}  second  RUNNING  CANCELLED\n"
    )


@pytest.mark.parametrize("output", ["json", "yaml"])
def test_cancel_document_lists_jobs(run_cli: RunCli, output: str) -> None:
    job_id = run_cli("job", "create", "doc", "--script", "slow.py", "-q").stdout.strip()

    result = run_cli("job", "cancel", "--yes", "-o", output, job_id, "job-does-not-exist")

    assert result.exit_code == 1
    document = json.loads(result.stdout) if output == "json" else yaml.safe_load(result.stdout)
    assert_matches_schema(document, "JobList")
    assert [(job["id"], job["status"]) for job in document["jobs"]] == [(job_id, "CANCELLED")]
    lines = result.stderr.splitlines()
    assert lines[0] == f"Cancelled job {job_id} (was RUNNING, now CANCELLED)."
    assert lines[1].startswith("Error: ")
    assert len(lines) == 2


def test_cancel_quiet_with_json_is_usage_error(run_offline: RunCli) -> None:
    result = run_offline("job", "cancel", "--yes", "-q", "-o", "json", "job-1")

    assert result.exit_code == 2
    assert result.stderr.endswith("Error: -q prints only the job ids, so -o json cannot be used.\n")
