"""``mlp job metrics`` against the real reference server, and its text charts."""

from __future__ import annotations

import json
import math
import re

import pytest
import yaml
from mlp_cli._plot import render_chart

from tests.cli._support import RunCli, Server, assert_matches_schema, invoke, isolated_env

# ok.py reports loss 1/epoch and accuracy 0.5 + epoch/10 for epochs 1 and 2.
LOSS_CHART = (
    "loss\n"
    "   1 ┤●\n"
    "     │\n"
    "     │ ·\n"
    "     │  ·\n"
    "0.75 ┤   ·\n"
    "     │\n"
    "     │    ·\n"
    "     │\n"
    "     │     ·\n"
    " 0.5 ┤      ●\n"
    "     └───────\n"
    "      1     2  epoch\n"
)
ACCURACY_CHART = (
    "accuracy\n"
    " 0.7 ┤      ●\n"
    "     │\n"
    "     │     ·\n"
    "     │    ·\n"
    "0.65 ┤   ·\n"
    "     │\n"
    "     │  ·\n"
    "     │\n"
    "     │ ·\n"
    " 0.6 ┤●\n"
    "     └───────\n"
    "      1     2  epoch\n"
)


def _finished(server: Server, scripts_dir: object, tmp_path: object, script: str) -> str:
    env = {**isolated_env(tmp_path), **server.env()}  # type: ignore[arg-type]
    result = invoke(
        ["job", "create", "metrics", "--script", script, "--wait", "-q"],
        env,
        scripts_dir,  # type: ignore[arg-type]
        None,
    )
    assert result.exit_code in (0, 3), result.stderr
    return result.stdout.strip()


@pytest.fixture(scope="module")
def reported_job(
    cli_server: Server, scripts_dir: object, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """The id of a job that ran ok.py, which reports two epochs, to SUCCEEDED."""
    return _finished(cli_server, scripts_dir, tmp_path_factory.mktemp("env"), "ok.py")


@pytest.fixture(scope="module")
def silent_job(
    cli_server: Server, scripts_dir: object, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """The id of a job that ran fail.py, which reports no metrics."""
    return _finished(cli_server, scripts_dir, tmp_path_factory.mktemp("env"), "fail.py")


def test_metrics_table(run_cli: RunCli, reported_job: str) -> None:
    result = run_cli("job", "metrics", reported_job)

    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == ("EPOCH  ACCURACY  LOSS\n1      0.6       1\n2      0.7       0.5\n")


def test_metrics_wide_adds_time(run_cli: RunCli, reported_job: str) -> None:
    result = run_cli("job", "metrics", reported_job, "-o", "wide")

    assert result.exit_code == 0, result.stderr
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
    expected = (
        "EPOCH  ACCURACY  LOSS  TIME\n"
        rf"1      0\.6       1     {stamp}\n"
        rf"2      0\.7       0\.5   {stamp}\n"
    )
    assert re.fullmatch(expected, result.stdout), result.stdout


def test_metrics_json_is_api_metrics(run_cli: RunCli, reported_job: str) -> None:
    result = run_cli("job", "metrics", reported_job, "-o", "json")

    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    document = json.loads(result.stdout)
    assert_matches_schema(document, "JobMetrics")
    assert document["latest"] == {"accuracy": 0.7, "loss": 0.5}
    assert document["epoch"] == 2
    assert [point["values"] for point in document["history"]] == [
        {"accuracy": 0.6, "loss": 1.0},
        {"accuracy": 0.7, "loss": 0.5},
    ]


def test_metrics_yaml_equals_json(run_cli: RunCli, reported_job: str) -> None:
    as_json = json.loads(run_cli("job", "metrics", reported_job, "-o", "json").stdout)

    result = run_cli("job", "metrics", reported_job, "-o", "yaml")

    assert result.exit_code == 0, result.stderr
    assert yaml.safe_load(result.stdout) == as_json


def test_metrics_quiet_latest_values(run_cli: RunCli, reported_job: str) -> None:
    result = run_cli("job", "metrics", reported_job, "-q")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "accuracy=0.7\nloss=0.5\n"


def test_metrics_plot(run_cli: RunCli, reported_job: str) -> None:
    result = run_cli("job", "metrics", reported_job, "--plot")

    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == LOSS_CHART + "\n" + ACCURACY_CHART


def test_metrics_plot_chosen_metric(run_cli: RunCli, reported_job: str) -> None:
    result = run_cli("job", "metrics", reported_job, "--plot", "--metric", "accuracy")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ACCURACY_CHART


def test_metrics_plot_unknown_metric(run_cli: RunCli, reported_job: str) -> None:
    result = run_cli("job", "metrics", reported_job, "--plot", "--metric", "f1")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.endswith(
        "Error: Invalid value for '--metric': 'f1' was never reported by this job; choose from "
        "accuracy, loss.\n"
    )


def test_metrics_none_reported(run_cli: RunCli, silent_job: str) -> None:
    result = run_cli("job", "metrics", silent_job)

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == f"Job {silent_job} has reported no metrics.\n"


def test_metrics_none_reported_json(run_cli: RunCli, silent_job: str) -> None:
    result = run_cli("job", "metrics", silent_job, "-o", "json")

    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"latest": {}, "history": []}


def test_metrics_unknown_job(run_cli: RunCli) -> None:
    result = run_cli("job", "metrics", "job-does-not-exist")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert re.fullmatch(
        r"Error: [^\n]*job-does-not-exist[^\n]*\(request id [^)\n]+\)\n", result.stderr
    ), result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--plot", "-o", "json"], "--plot draws charts, so -o json cannot be used."),
        (["--plot", "-q"], "--plot draws charts, so -q cannot be used."),
        (["--metric", "loss"], "--metric chooses what --plot draws, so it needs --plot."),
        (["-q", "-o", "yaml"], "-q prints only the latest values, so -o yaml cannot be used."),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else "",
)
def test_metrics_usage_errors(run_offline: RunCli, args: list[str], message: str) -> None:
    result = run_offline("job", "metrics", "job-1", *args)

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "Usage: mlp job metrics [OPTIONS] ID\n"
        "Try 'mlp job metrics --help' for help.\n"
        "\n"
        f"Error: {message}\n"
    )


def test_chart_skips_non_finite_values() -> None:
    lines = render_chart("loss", [(1, 2.0), (2, math.nan), (3, 1.0)], height=3)

    assert lines == [
        "loss",
        "  2 ┤●·",
        "1.5 ┤  ···",
        "  1 ┤     ·●",
        "    └───────",
        "     1     3  epoch",
    ]


def test_chart_of_flat_series() -> None:
    lines = render_chart("accuracy", [(1, 0.5), (2, 0.5)], height=3)

    assert lines == [
        "accuracy",
        "    │",
        "0.5 ┤●·····●",
        "    │",
        "    └───────",
        "     1     2  epoch",
    ]


def test_chart_of_one_point() -> None:
    lines = render_chart("loss", [(4, 0.25)], height=3)

    assert lines == ["loss", "     │", "0.25 ┤●", "     │", "     └─", "      4  epoch"]


def test_chart_without_finite_values() -> None:
    assert render_chart("loss", [(1, math.inf), (2, math.nan)]) == [
        "loss: no finite values to plot"
    ]


def test_chart_width_is_bounded() -> None:
    lines = render_chart("loss", [(epoch, 1.0 / epoch) for epoch in range(1, 501)], width=40)

    assert lines[-2] == "      └" + "─" * 40
    assert lines[-1] == "       1" + " " * 36 + "500  epoch"
    assert all(len(line) <= len("0.002 ┤") + 40 for line in lines[:-1])
