"""The root group: help, version, global options and the lazy command registry."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import click
import pytest
from mlp_cli._config_group import CONFIG_COMMANDS, config
from mlp_cli._job import JOB_COMMANDS, job
from mlp_cli.main import COMMANDS, cli

from tests.cli._support import API_VERSION, RunCli, Server, closed_port


def test_help_lists_groups_and_options(run_offline: RunCli) -> None:
    result = run_offline("--help")

    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout.startswith("Usage: mlp [OPTIONS] COMMAND [ARGS]...\n")
    for option in ("--version", "--url URL", "--profile NAME", "--debug", "--color / --no-color"):
        assert option in result.stdout
    assert "--api-key" not in result.stdout
    assert result.stdout.endswith(
        "Commands:\n"
        "  init        Check a server URL and API key, and save them as a profile.\n"
        "  config      Show and change the config file of profiles.\n"
        "  job         Create, inspect, follow and cancel training jobs.\n"
        "  pools       Show GPU pools and the CPU and memory budget, and what is free.\n"
        "  completion  Print the shell completion script for bash, zsh or fish.\n"
    )


def test_short_help_option(run_offline: RunCli) -> None:
    assert run_offline("-h").stdout == run_offline("--help").stdout


def _package_lines() -> str:
    return (
        f"ml-platform {metadata.version('ml-platform')} (SDK and mlp command line)\n"
        f"ml-platform-client {metadata.version('ml-platform-client')} (generated API client)\n"
    )


def test_version_without_server(run_offline: RunCli) -> None:
    result = run_offline("--version")

    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout == (
        _package_lines() + "server: not configured; run mlp init or set ML_PLATFORM_URL\n"
    )


def test_version_server_not_reachable(run_offline: RunCli) -> None:
    url = f"http://127.0.0.1:{closed_port()}"

    result = run_offline("--version", env={"ML_PLATFORM_URL": url})

    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout == _package_lines() + f"server: not reachable at {url}\n"


def test_version_asks_server(run_cli: RunCli, cli_server: Server) -> None:
    result = run_cli("--version")

    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == (
        _package_lines()
        + f"server: ml-platform-server {metadata.version('ml-platform-server')}, API "
        f"{API_VERSION}, at {cli_server.url}\n"
    )


def test_version_url_option_after_flag(run_offline: RunCli) -> None:
    url = f"http://127.0.0.1:{closed_port()}"

    result = run_offline("--version", "--url", url)

    assert result.exit_code == 0
    assert result.stdout.endswith(f"server: not reachable at {url}\n")


def test_version_without_key(run_cli: RunCli, cli_server: Server) -> None:
    result = run_cli("--version", env={"ML_PLATFORM_API_KEY": None})

    assert result.exit_code == 0
    assert result.stdout.endswith(
        f"server: reachable at {cli_server.url}, but no accepted API key is configured, so its "
        "version is unknown\n"
    )


def test_version_from_config_file(run_offline: RunCli, cli_server: Server, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"default_profile: main\nprofiles:\n  main:\n    url: {cli_server.url}\n"
        f"    api_key: {cli_server.api_key}\n",
        encoding="utf-8",
    )
    config.chmod(0o600)

    result = run_offline("--version", env={"ML_PLATFORM_CONFIG": str(config)})

    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith(f", at {cli_server.url}\n")
    assert result.stdout.splitlines()[-1].startswith("server: ml-platform-server ")


def test_version_invalid_config(run_offline: RunCli, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("profiles: [not, a, mapping]\n", encoding="utf-8")

    result = run_offline("--version", env={"ML_PLATFORM_CONFIG": str(config)})

    assert result.exit_code == 0
    assert result.stdout.startswith(_package_lines())
    assert result.stdout.splitlines()[-1].startswith(
        f"server: unknown, because the configuration is invalid: Config file {config} has "
    )


def test_no_command_shows_usage(run_offline: RunCli) -> None:
    result = run_offline()

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Usage: mlp [OPTIONS] COMMAND [ARGS]...\n")


def test_option_without_command_is_usage_error(run_offline: RunCli) -> None:
    result = run_offline("--debug")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "Usage: mlp [OPTIONS] COMMAND [ARGS]...\n"
        "Try 'mlp --help' for help.\n"
        "\n"
        "Error: Missing command.\n"
    )


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
        "  list         List jobs, newest first.\n"
        "  status, get  Show a job's status, resources, times and latest metrics.\n"
        "  logs         Print a job's output, or follow it live with -f.\n"
        "  metrics      Show every metric a job reported, one row per report.\n"
        "  wait         Wait until a job ends and exit 0, 3 or 4 by how it ended.\n"
        "  cancel       Cancel one or more jobs.\n"
    )


def test_config_help_lists_commands(run_offline: RunCli) -> None:
    result = run_offline("config", "--help")

    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout.endswith(
        "Commands:\n"
        "  show         Show the settings mlp uses and where each comes from.\n"
        "  profiles     List the profiles of the config file.\n"
        "  set          Set the url, api_key or timeout of a profile.\n"
        "  use-profile  Make a profile the default one.\n"
    )


def test_get_is_alias_of_status(run_offline: RunCli) -> None:
    status_help = run_offline("job", "status", "--help")
    get_help = run_offline("job", "get", "--help")

    assert get_help.exit_code == 0
    assert get_help.stdout == status_help.stdout.replace("mlp job status", "mlp job get")


@pytest.mark.parametrize(
    ("group", "registry"),
    [(cli, COMMANDS), (job, JOB_COMMANDS), (config, CONFIG_COMMANDS)],
    ids=["mlp", "job", "config"],
)
def test_static_help_matches_commands(group: click.Group, registry: dict[str, object]) -> None:
    context = click.Context(group)
    for name, spec in registry.items():
        command = group.get_command(context, name)
        assert command is not None, name
        assert spec.short_help == command.get_short_help_str(limit=200), name  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "command",
    [
        ["job", "create"],
        ["job", "list"],
        ["job", "status"],
        ["job", "logs"],
        ["job", "metrics"],
        ["job", "wait"],
        ["job", "cancel"],
        ["pools"],
        ["config", "show"],
    ],
    ids=" ".join,
)
def test_server_commands_have_connection_options(run_offline: RunCli, command: list[str]) -> None:
    result = run_offline(*command, "--help")

    assert result.exit_code == 0
    assert "--url URL" in result.stdout
    assert "--profile NAME" in result.stdout


@pytest.mark.parametrize("command", ["create", "logs", "list", "wait"])
def test_waiting_commands_document_exit_codes(run_offline: RunCli, command: str) -> None:
    result = run_offline("job", command, "--help")

    assert "Exit codes:" in result.stdout
    assert "130  interrupted with Ctrl-C; the job keeps running" in result.stdout


@pytest.mark.parametrize("command", ["create", "wait"])
def test_job_waiting_help_lists_every_exit_code(run_offline: RunCli, command: str) -> None:
    result = run_offline("job", command, "--help")

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
