"""The top-level error handler: one ``Error: ...`` line, exit codes, ``--debug`` tracebacks."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner
from mlp_cli._errors import exit_code_for_error, format_error
from mlp_cli._lazy import LazyGroup
from mlp_cli.main import RootGroup

import ml_platform
from tests.cli._support import RunCli, closed_port

ERROR_LINE = re.compile(r"Error: [^\n]+\n")


def test_unreachable_server(run_offline: RunCli) -> None:
    port = closed_port()

    result = run_offline("--url", f"http://127.0.0.1:{port}", "job", "status", "job-1")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert ERROR_LINE.fullmatch(result.stderr), result.stderr
    assert result.stderr.startswith(
        f"Error: Could not reach the ML Platform server at http://127.0.0.1:{port}/api/v1/jobs/job-1"
    )
    assert result.stderr.endswith(
        "; check that the server is running and that --url or ML_PLATFORM_URL is right.\n"
    )


def test_unconfigured_url_suggests_init(run_offline: RunCli) -> None:
    # Nothing in the test suite listens on the default port 8000 of 127.0.0.1.
    result = run_offline("job", "status", "job-1")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert ERROR_LINE.fullmatch(result.stderr), result.stderr
    assert "at http://127.0.0.1:8000/api/v1/jobs/job-1 (" in result.stderr
    assert result.stderr.endswith(
        "the default address, because no URL is configured; run `mlp init` to save a URL and "
        "key, or pass --url or set ML_PLATFORM_URL.\n"
    )


def test_url_from_environment(run_offline: RunCli) -> None:
    port = closed_port()

    result = run_offline(
        "job", "status", "job-1", env={"ML_PLATFORM_URL": f"http://127.0.0.1:{port}"}
    )

    assert result.exit_code == 1
    assert f"http://127.0.0.1:{port}/api/v1/jobs/job-1" in result.stderr


def test_url_option_on_command_wins(run_offline: RunCli) -> None:
    unused, used = closed_port(), closed_port()

    result = run_offline(
        "--url",
        f"http://127.0.0.1:{unused}",
        "job",
        "status",
        "--url",
        f"http://127.0.0.1:{used}",
        "job-1",
    )

    assert result.exit_code == 1
    assert f"http://127.0.0.1:{used}/" in result.stderr


def test_debug_prints_traceback(run_offline: RunCli) -> None:
    port = closed_port()

    result = run_offline("--debug", "--url", f"http://127.0.0.1:{port}", "job", "status", "job-1")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Traceback (most recent call last):\n")
    last_line = result.stderr.splitlines()[-1]
    assert last_line.startswith("Error: Could not reach the ML Platform server")


def test_wrong_key_is_error_without_key(run_cli: RunCli) -> None:
    key = "mlp_" + "x" * 40

    result = run_cli("job", "status", "job-1", env={"ML_PLATFORM_API_KEY": key})

    assert result.exit_code == 1
    assert result.stdout == ""
    assert ERROR_LINE.fullmatch(result.stderr), result.stderr
    assert "rejected the API key from the environment variable ML_PLATFORM_API_KEY" in (
        result.stderr
    )
    assert (
        "set ML_PLATFORM_API_KEY, or the api_key of the profile in ~/.mlplatform/config.yaml"
        in (result.stderr)
    )
    assert key not in result.stderr
    assert re.search(r"\(request id [^)]+\)\n$", result.stderr)


def test_wrong_key_debug_hides_key(run_cli: RunCli) -> None:
    key = "mlp_" + "y" * 40

    result = run_cli("--debug", "job", "status", "job-1", env={"ML_PLATFORM_API_KEY": key})

    assert result.exit_code == 1
    assert "Traceback (most recent call last):" in result.stderr
    assert key not in result.stderr


def test_missing_key_is_error(run_cli: RunCli) -> None:
    result = run_cli("job", "status", "job-1", env={"ML_PLATFORM_API_KEY": None})

    assert result.exit_code == 1
    assert result.stdout == ""
    assert ERROR_LINE.fullmatch(result.stderr), result.stderr
    assert result.stderr.startswith("Error: No API key was sent to ")


def test_unknown_profile_is_error(run_offline: RunCli) -> None:
    result = run_offline("--profile", "staging", "job", "status", "job-1")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert ERROR_LINE.fullmatch(result.stderr), result.stderr
    assert "'staging'" in result.stderr


def test_format_adds_request_id() -> None:
    error = ml_platform.ServerError("The server failed; retry later.", request_id="req-42")

    assert format_error(error) == "Error: The server failed; retry later. (request id req-42)"


def test_format_joins_lines() -> None:
    error = ml_platform.ConfigError("first line\n  second line\n")

    assert format_error(error) == "Error: first line second line"


def test_format_capacity_as_options() -> None:
    problem = {
        "type": "urn:mlp:problem:capacity-unavailable",
        "detail": "The job does not fit now.",
        "requested": {"cpu": 2, "memory": "8Gi", "gpu": 2, "gpu_type": "t4"},
        "available": {"gpu": 1, "gpu_type": "t4", "cpu": 30, "memory": "120Gi", "queued": 2},
        "alternatives": [
            {"kind": "smaller_gpu_count", "description": "x", "resources": {"gpu": 1}},
            {"kind": "other_gpu_type", "description": "x", "resources": {"gpu_type": "v100"}},
            {"kind": "wait_for_capacity", "description": "x"},
            {"kind": "future_kind", "description": "Ask an administrator."},
        ],
    }
    error = ml_platform.ResourceUnavailableError("sdk text", problem=problem, request_id="r1")

    assert format_error(error) == (
        "Error: The job does not fit now: it requested 2 CPU, 8Gi memory, 2 t4 GPUs and only "
        "1 t4 GPU, 30 CPU, 120Gi memory free with 2 jobs queued ahead; retry with --gpu 1 or "
        "--gpu-type v100 or --wait-for-capacity to queue the job or Ask an administrator. "
        "(request id r1)"
    )


def test_format_infeasible_keeps_sdk_text() -> None:
    error = ml_platform.ResourceUnavailableError(
        "The job can never fit; use t4.", feasible=False, problem={"alternatives": []}
    )

    assert format_error(error) == "Error: The job can never fit; use t4."


def test_format_unexpected_error() -> None:
    assert format_error(ValueError("bad\nthing")) == (
        "Error: unexpected ValueError: bad thing; rerun with --debug for the traceback and "
        "report it."
    )


def test_format_os_error() -> None:
    error = PermissionError(13, "Permission denied", "/data/x")

    assert format_error(error) == "Error: Permission denied: /data/x."


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (ml_platform.WaitTimeoutError("t", job_id="j", status="RUNNING", timeout_seconds=1), 5),
        (
            ml_platform.JobFailedError("f", job_id="j", exit_code=1, failure_reason="x"),
            3,
        ),
        (ml_platform.ServerError("s"), 1),
        (RuntimeError("r"), 1),
    ],
    ids=["wait-timeout", "job-failed", "server-error", "other"],
)
def test_exit_code_for_error(error: BaseException, code: int) -> None:
    assert exit_code_for_error(error) == code


def _group_raising(error: BaseException) -> click.Group:
    """A root group whose only command raises ``error``, to drive the handler directly."""
    group = RootGroup("mlp", lazy_commands={})

    @group.command()
    def boom() -> None:
        raise error

    return group


def test_interrupt_exits_130() -> None:
    result = CliRunner().invoke(_group_raising(KeyboardInterrupt()), ["boom"])

    assert result.exit_code == 130
    assert result.stdout == ""
    assert result.stderr == "Interrupted.\n"


def test_unexpected_error_exits_1() -> None:
    result = CliRunner().invoke(_group_raising(LookupError("missing piece")), ["boom"])

    assert result.exit_code == 1
    assert result.stderr == (
        "Error: unexpected LookupError: missing piece; rerun with --debug for the traceback "
        "and report it.\n"
    )


def test_broken_pipe_exits_quietly() -> None:
    result = CliRunner().invoke(_group_raising(BrokenPipeError()), ["boom"])

    assert result.exit_code == 1
    assert result.stderr == ""


def test_usage_error_passes_through() -> None:
    result = CliRunner().invoke(_group_raising(click.UsageError("wrong")), ["boom"])

    assert result.exit_code == 2
    assert result.stderr.endswith("Error: wrong\n")


def test_lazy_group_rejects_non_command() -> None:
    from mlp_cli._lazy import LazyCommand

    group = LazyGroup(
        "g",
        lazy_commands={"x": LazyCommand(import_path="mlp_cli._exit_codes:ExitCode", short_help="")},
    )

    with pytest.raises(TypeError) as caught:
        group.get_command(click.Context(group), "x")

    assert str(caught.value) == (
        "'mlp_cli._exit_codes:ExitCode' is a EnumType, expected a click.Command; fix the import "
        "path registered for the command."
    )
