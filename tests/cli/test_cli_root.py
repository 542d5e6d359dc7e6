"""The root group: help, version, global options and the lazy command registry."""

from __future__ import annotations

from importlib import metadata

import click
import pytest
from mlp_cli._job import JOB_COMMANDS, job
from mlp_cli.main import COMMANDS, cli

from tests.cli._support import RunCli


def test_help_lists_groups_and_options(run_offline: RunCli) -> None:
    result = run_offline("--help")

    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout.startswith("Usage: mlp [OPTIONS] COMMAND [ARGS]...\n")
    for option in ("--version", "--url URL", "--profile NAME", "--debug", "--color / --no-color"):
        assert option in result.stdout
    assert "--api-key" not in result.stdout
    assert result.stdout.endswith(
        "Commands:\n  job  Create, inspect, follow and cancel training jobs.\n"
    )


def test_short_help_option(run_offline: RunCli) -> None:
    assert run_offline("-h").stdout == run_offline("--help").stdout


def test_version_prints_sdk_and_client(run_offline: RunCli) -> None:
    result = run_offline("--version")

    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout == (
        f"ml-platform {metadata.version('ml-platform')} (SDK and mlp command line)\n"
        f"ml-platform-client {metadata.version('ml-platform-client')} (generated API client)\n"
    )


def test_no_command_shows_usage(run_offline: RunCli) -> None:
    result = run_offline()

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Usage: mlp [OPTIONS] COMMAND [ARGS]...\n")


def test_unknown_command_is_usage_error(run_offline: RunCli) -> None:
    result = run_offline("jobs")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "Usage: mlp [OPTIONS] COMMAND [ARGS]...\n"
        "Try 'mlp --help' for help.\n"
        "\n"
        "Error: No such command 'jobs'. Did you mean 'job'?\n"
    )


def test_url_must_be_http(run_offline: RunCli) -> None:
    result = run_offline("--url", "127.0.0.1:8000", "job", "status", "job-1")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "Usage: mlp [OPTIONS] COMMAND [ARGS]...\n"
        "Try 'mlp --help' for help.\n"
        "\n"
        "Error: Invalid value for '--url': '127.0.0.1:8000' is not an http:// or https:// URL; "
        "pass the server root URL, for example http://127.0.0.1:8000.\n"
    )


def test_job_help_lists_commands(run_offline: RunCli) -> None:
    result = run_offline("job", "--help")

    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout.endswith(
        "Commands:\n"
        "  create       Upload a working directory and submit a training job.\n"
        "  status, get  Show a job's status, resources, times and latest metrics.\n"
        "  logs         Print a job's output, or follow it live with -f.\n"
        "  cancel       Cancel one or more jobs.\n"
    )


def test_get_is_alias_of_status(run_offline: RunCli) -> None:
    status_help = run_offline("job", "status", "--help")
    get_help = run_offline("job", "get", "--help")

    assert get_help.exit_code == 0
    assert get_help.stdout == status_help.stdout.replace("mlp job status", "mlp job get")


@pytest.mark.parametrize(
    ("group", "registry"), [(cli, COMMANDS), (job, JOB_COMMANDS)], ids=["mlp", "job"]
)
def test_static_help_matches_commands(group: click.Group, registry: dict[str, object]) -> None:
    context = click.Context(group)
    for name, spec in registry.items():
        command = group.get_command(context, name)
        assert command is not None, name
        assert spec.short_help == command.get_short_help_str(limit=200), name  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", ["create", "status", "logs", "cancel"])
def test_every_command_has_connection_options(run_offline: RunCli, command: str) -> None:
    result = run_offline("job", command, "--help")

    assert result.exit_code == 0
    assert "--url URL" in result.stdout
    assert "--profile NAME" in result.stdout


@pytest.mark.parametrize(("command", "documented"), [("create", True), ("logs", True)])
def test_waiting_commands_document_exit_codes(
    run_offline: RunCli, command: str, documented: bool
) -> None:
    result = run_offline("job", command, "--help")

    assert ("Exit codes:" in result.stdout) is documented
    assert "130  interrupted with Ctrl-C; the job keeps running" in result.stdout


def test_create_help_lists_every_exit_code(run_offline: RunCli) -> None:
    result = run_offline("job", "create", "--help")

    assert result.stdout.endswith(
        "  Exit codes:\n"
        "    0    success; a job that was waited for SUCCEEDED\n"
        "    1    error, for example an unreachable server or a rejected request\n"
        "    2    invalid usage: a bad option, argument or value\n"
        "    3    the job FAILED\n"
        "    4    the job was CANCELLED\n"
        "    5    waiting timed out; the job keeps running\n"
        "    130  interrupted with Ctrl-C; the job keeps running\n"
    )
