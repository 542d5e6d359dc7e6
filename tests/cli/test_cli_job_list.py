"""``mlp job list`` against a server holding only seeded, finished jobs."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

import pytest
import yaml
from mlp_cli._job_list import Listing, listing_rows
from mlp_cli._render import format_age

from ml_platform import MLPlatformClient
from tests.cli._support import RunCli, Server, assert_matches_schema
from tests.cli.conftest import SEEDED_JOBS

AGE = r"\d+m ago"


def _timestamp(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _all_jobs(run_seeded: RunCli) -> list[dict[str, Any]]:
    result = run_seeded("job", "list", "--all", "-o", "json")
    assert result.exit_code == 0, result.stderr
    jobs: list[dict[str, Any]] = json.loads(result.stdout)["jobs"]
    return jobs


def _table_line(job: dict[str, Any], widths: tuple[int, int, int]) -> str:
    """Return the regular expression of one table row of a finished seeded job."""
    seconds = (_timestamp(job["finished_at"]) - _timestamp(job["started_at"])).total_seconds()
    cells = [
        job["id"].ljust(widths[0]),
        job["name"].ljust(widths[1]),
        job["status"].ljust(widths[2]),
    ]
    return re.escape("  ".join(cells) + "  ") + AGE + r" +" + re.escape(f"{seconds:.1f}s")


def test_list_default_page(run_seeded: RunCli) -> None:
    jobs = _all_jobs(run_seeded)[:20]

    result = run_seeded("job", "list")

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "ID          NAME         STATUS     AGE     DURATION"
    assert len(lines) == 21
    for line, job in zip(lines[1:], jobs, strict=True):
        assert re.fullmatch(_table_line(job, (10, 11, 9)), line), line
    assert result.stderr == (
        "More jobs match than the 20 shown; pass --limit N or --all to list them.\n"
    )


def test_list_all(run_seeded: RunCli) -> None:
    result = run_seeded("job", "list", "--all", "-q")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "".join(f"job-{index:06d}\n" for index in range(SEEDED_JOBS, 0, -1))
    assert result.stderr == ""


def test_list_newest_first_by_name(run_seeded: RunCli) -> None:
    jobs = _all_jobs(run_seeded)

    assert [job["name"] for job in jobs] == [
        f"seed-{index:06d}" for index in range(SEEDED_JOBS - 1, -1, -1)
    ]


def test_list_limit_over_pages(run_seeded: RunCli) -> None:
    result = run_seeded("job", "list", "--limit", "3", "-q")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "job-000025\njob-000024\njob-000023\n"
    assert result.stderr == (
        "More jobs match than the 3 shown; pass --limit N or --all to list them.\n"
    )


def test_list_status_filter(run_seeded: RunCli) -> None:
    failed = [job["id"] for job in _all_jobs(run_seeded) if job["status"] == "FAILED"]

    result = run_seeded("job", "list", "--status", "failed", "--all", "-q")

    assert failed, "the seed produced no FAILED job"
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split() == failed


def test_list_name_prefix(run_seeded: RunCli) -> None:
    result = run_seeded("job", "list", "--name", "seed-00001", "-q")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.split() == [f"job-{index:06d}" for index in range(20, 10, -1)]


def test_list_no_match(run_seeded: RunCli) -> None:
    result = run_seeded("job", "list", "--name", "absent-")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == "No jobs found.\n"


def test_list_no_match_json(run_seeded: RunCli) -> None:
    result = run_seeded("job", "list", "--name", "absent-", "-o", "json")

    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"jobs": []}
    assert result.stderr == ""


def test_list_json_is_job_list(run_seeded: RunCli) -> None:
    result = run_seeded("job", "list", "--limit", "5", "-o", "json")

    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    document = json.loads(result.stdout)
    assert_matches_schema(document, "JobList")
    assert [job["id"] for job in document["jobs"]] == [f"job-{i:06d}" for i in range(25, 20, -1)]
    assert isinstance(document["next_cursor"], str)


def test_list_cursor_continues(run_seeded: RunCli) -> None:
    first = json.loads(run_seeded("job", "list", "--limit", "5", "-o", "json").stdout)

    result = run_seeded("job", "list", "--cursor", first["next_cursor"], "--limit", "2", "-q")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "job-000020\njob-000019\n"


def test_list_all_json_has_no_cursor(run_seeded: RunCli) -> None:
    document = json.loads(run_seeded("job", "list", "--all", "-o", "json").stdout)

    assert_matches_schema(document, "JobList")
    assert "next_cursor" not in document
    assert len(document["jobs"]) == SEEDED_JOBS


def test_list_yaml_equals_json(run_seeded: RunCli) -> None:
    as_json = json.loads(run_seeded("job", "list", "--limit", "4", "-o", "json").stdout)

    result = run_seeded("job", "list", "--limit", "4", "-o", "yaml")

    assert result.exit_code == 0, result.stderr
    assert yaml.safe_load(result.stdout) == as_json


def test_list_wide(run_seeded: RunCli) -> None:
    job = _all_jobs(run_seeded)[0]
    seconds = (_timestamp(job["finished_at"]) - _timestamp(job["started_at"])).total_seconds()

    result = run_seeded("job", "list", "--limit", "1", "-o", "wide")

    assert result.exit_code == 0, result.stderr
    header, row = (re.split(r"  +", line) for line in result.stdout.splitlines())
    assert header == [
        "ID",
        "NAME",
        "STATUS",
        "AGE",
        "DURATION",
        "RESOURCES",
        "QUEUE",
        "EXIT CODE",
        "REASON",
    ]
    assert re.fullmatch(AGE, row.pop(3)), row
    assert row == [
        job["id"],
        job["name"],
        job["status"],
        f"{seconds:.1f}s",
        "1 CPU, 2Gi memory",
        "-",
        str(job["exit_code"]),
        job.get("failure_reason", "-"),
    ]


def test_list_status_coloured(run_seeded: RunCli) -> None:
    result = run_seeded("--color", "job", "list", "--status", "SUCCEEDED", "--limit", "1")

    assert result.exit_code == 0, result.stderr
    assert "  \x1b[32mSUCCEEDED\x1b[0m  " in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--all", "--limit", "3"], "--all lists every job, so it cannot be used with --limit."),
        (["--interval", "5"], "--interval applies only to --watch."),
        (["-q", "-o", "json"], "-q prints only the job ids, so -o json cannot be used."),
        (["-q", "-o", "wide"], "-q prints only the job ids, so -o wide cannot be used."),
        (
            ["--status", "DONE"],
            "Invalid value for '--status': 'DONE' is not one of 'PENDING', 'RUNNING', "
            "'SUCCEEDED', 'FAILED', 'CANCELLED'.",
        ),
        (["--limit", "0"], "Invalid value for '--limit': 0 is not in the range x>=1."),
        (
            ["--name", "x" * 129],
            "Invalid value for '--name': the prefix is 129 characters long; use 1 to 128.",
        ),
        (
            ["--watch", "--interval", "0.1"],
            "Invalid value for '--interval': 0.1 is not in the range x>=0.5.",
        ),
    ],
    ids=lambda value: " ".join(value)[:30] if isinstance(value, list) else "",
)
def test_list_usage_errors(run_offline: RunCli, args: list[str], message: str) -> None:
    result = run_offline("job", "list", *args)

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"Usage: mlp job list [OPTIONS]\nTry 'mlp job list --help' for help.\n\nError: {message}\n"
    )


def test_list_bad_cursor(run_seeded: RunCli) -> None:
    result = run_seeded("job", "list", "--cursor", "not-a-cursor")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert re.fullmatch(r"Error: [^\n]*cursor[^\n]*\(request id [^)\n]+\)\n", result.stderr), (
        result.stderr
    )


def _seeded_listing(server: Server, *, server_time: datetime.datetime) -> Listing:
    with MLPlatformClient(api_key=server.api_key, base_url=server.url) as client:
        page = client.list_jobs_page(page_size=2)
    return Listing(jobs=page.jobs, next_cursor=None, server_time=server_time)


def test_ages_use_server_clock(seeded_server: Server) -> None:
    newest_created = datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    listing = _seeded_listing(seeded_server, server_time=newest_created)
    created = listing.jobs[0].created_at
    assert created is not None
    server_time = created + datetime.timedelta(minutes=5, seconds=30)

    rows = listing_rows(
        Listing(jobs=listing.jobs, next_cursor=None, server_time=server_time), wide=False
    )

    assert rows[0][3] == "5m ago"
    assert rows[1][3] == "5m ago"


def test_ages_never_negative(seeded_server: Server) -> None:
    listing = _seeded_listing(seeded_server, server_time=datetime.datetime(2030, 1, 1))
    created = listing.jobs[0].created_at
    assert created is not None
    behind = created - datetime.timedelta(seconds=3)

    rows = listing_rows(
        Listing(jobs=listing.jobs, next_cursor=None, server_time=behind), wide=False
    )

    assert rows[0][3] == "0s ago"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (-4.0, "0s ago"),
        (0.4, "0s ago"),
        (59.9, "59s ago"),
        (60, "1m ago"),
        (3599, "59m ago"),
        (3600, "1h ago"),
        (47 * 3600, "47h ago"),
        (48 * 3600, "2d ago"),
    ],
)
def test_format_age(seconds: float, text: str) -> None:
    assert format_age(seconds) == text
