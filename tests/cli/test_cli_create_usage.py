"""Usage errors of ``mlp job create``: rejected before any request, so no server is needed."""

from __future__ import annotations

import pytest

from tests.cli._support import RunCli

USAGE = "Usage: mlp job create [OPTIONS] NAME\nTry 'mlp job create --help' for help.\n\n"


def _assert_usage_error(result: object, message: str) -> None:
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert result.stdout == ""  # type: ignore[attr-defined]
    assert result.stderr == f"{USAGE}Error: {message}\n"  # type: ignore[attr-defined]


def test_missing_script(run_offline: RunCli) -> None:
    _assert_usage_error(run_offline("job", "create", "demo"), "Missing option '--script'.")


def test_missing_name(run_offline: RunCli) -> None:
    _assert_usage_error(
        run_offline("job", "create", "--script", "ok.py"), "Missing argument 'NAME'."
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--param", "epochs"],
            "Invalid value for '--param': 'epochs' is not KEY=VALUE; write it as, for example, "
            "epochs=10.",
        ),
        (
            ["--param", "lr=0.1", "--param", "lr=0.2"],
            "Invalid value for '--param': 'lr' is given twice; pass each hyperparameter once.",
        ),
        (
            ["--env", "1BAD=x"],
            "Invalid value for '--env': '1BAD' is not a valid variable name; use letters, "
            "digits and underscores, not starting with a digit.",
        ),
        (
            ["-o", "xml"],
            "Invalid value for '-o' / '--output': 'xml' is not one of 'table', 'wide', 'json', "
            "'yaml'.",
        ),
        (
            ["--memory", "16GB"],
            "Invalid value for '--memory': '16GB' is not a memory quantity; use a number with "
            "an optional unit Ki, Mi, Gi, Ti, k, M, G or T, for example 512Mi or 16Gi.",
        ),
        (
            ["--gpu", "-1"],
            "Invalid value for '--gpu': -1 is not in the range x>=0.",
        ),
        (
            ["--cpu", "0"],
            "Invalid value for '--cpu': 0.0 is not in the range x>0.",
        ),
        (
            ["--timeout", "0"],
            "Invalid value for '--timeout': 0 is not in the range x>=1.",
        ),
        (
            ["--workdir", "missing-dir"],
            "Invalid value for '--workdir': Directory 'missing-dir' does not exist.",
        ),
        (["--follow", "--wait"], "--follow and --wait cannot be used together."),
        (
            ["--dry-run", "--wait"],
            "--dry-run creates no job, so it cannot be used with --follow or --wait.",
        ),
        (
            ["--follow", "-o", "json"],
            "-o json cannot be used with --follow, because the logs go to stdout too; use "
            "--wait to print the final job instead.",
        ),
        (["-q", "-o", "yaml"], "-q prints only the job id, so -o yaml cannot be used."),
        (["-q", "-o", "wide"], "-q prints only the job id, so -o wide cannot be used."),
        (
            ["-q", "--follow"],
            "-q prints only the job id, so --follow cannot be used; use --wait instead.",
        ),
        (["--wait-timeout", "5"], "--wait-timeout applies only to --wait."),
        (["--gpu", "2"], "--gpu 2 needs --gpu-type, for example t4."),
        (["--gpu-type", "t4"], "--gpu-type t4 needs --gpu N above 0."),
    ],
    ids=lambda value: "-".join(value) if isinstance(value, list) else "",
)
def test_bad_option(run_offline: RunCli, args: list[str], message: str) -> None:
    result = run_offline("job", "create", "demo", "--script", "ok.py", *args)

    _assert_usage_error(result, message)


def test_bad_name(run_offline: RunCli) -> None:
    result = run_offline("job", "create", "my job", "--script", "ok.py")

    _assert_usage_error(
        result,
        "Invalid value for 'NAME': 'my job' is not a valid job name; use letters, digits, '.', "
        "'_' and '-', starting with a letter or digit.",
    )


def test_script_outside_workdir(run_offline: RunCli) -> None:
    result = run_offline("job", "create", "demo", "--script", "ok.py", "--workdir", "nested")

    _assert_usage_error(
        result,
        "Invalid value for '--script': 'ok.py' is not a file inside the working directory "
        "'nested'; pass the script's path relative to --workdir.",
    )


def test_script_missing(run_offline: RunCli) -> None:
    result = run_offline("job", "create", "demo", "--script", "absent.py")

    _assert_usage_error(
        result,
        "Invalid value for '--script': 'absent.py' is not a file inside the working directory "
        "'.'; pass the script's path relative to --workdir.",
    )


def test_script_escaping_workdir(run_offline: RunCli) -> None:
    result = run_offline("job", "create", "demo", "--script", "../ok.py", "--workdir", "nested")

    _assert_usage_error(
        result,
        "Invalid value for '--script': '../ok.py' is not a file inside the working directory "
        "'nested'; pass the script's path relative to --workdir.",
    )


def test_value_rejected_by_sdk_exits_2(run_offline: RunCli) -> None:
    """Values the SDK's own checks reject never reach a server, so they are usage errors."""
    result = run_offline("job", "create", "demo", "--script", "ok.py", "--cpu", "0.05")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Error: Invalid cpu=0.05: expected a number of cores")
