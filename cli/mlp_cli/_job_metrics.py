"""``mlp job metrics``: a job's reported metrics as a table, a document or text charts."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from mlp_cli._console import Printer
from mlp_cli._options import (
    DOCUMENT_FORMATS,
    check_quiet_output,
    connection_options,
    output_option,
    quiet_option,
)
from mlp_cli._state import get_state

if TYPE_CHECKING:
    from ml_platform import JobMetrics, MetricPoint

DEFAULT_PLOTTED = ("loss", "accuracy")
"""The metrics ``--plot`` draws when ``--metric`` is not given and the job reported them."""


def metric_names(history: Sequence[MetricPoint]) -> list[str]:
    """Return every metric name in the history, in the order of first appearance."""
    names: dict[str, None] = {}
    for point in history:
        names.update(dict.fromkeys(point.values))
    return list(names)


def x_axis(history: Sequence[MetricPoint]) -> str:
    """Return what the charts' x axis counts: ``epoch``, else ``step``, else ``report``."""
    if any(point.epoch is not None for point in history):
        return "epoch"
    if any(point.step is not None for point in history):
        return "step"
    return "report"


def series(history: Sequence[MetricPoint], name: str, axis: str) -> list[tuple[float, float]]:
    """Return (x, value) pairs of one metric in x order, keeping the last value reported per x.

    Args:
        history: The metric points, oldest first.
        name: The metric.
        axis: ``epoch``, ``step`` or ``report`` (the 1-based position in the history).
    """
    by_x: dict[float, float] = {}
    for position, point in enumerate(history, start=1):
        if name not in point.values:
            continue
        x = {"epoch": point.epoch, "step": point.step}.get(axis, position)
        if x is not None:
            by_x[float(x)] = point.values[name]
    return sorted(by_x.items())


def table_rows(metrics: JobMetrics, *, wide: bool) -> tuple[list[str], list[list[str]]]:
    """Return the headers and rows of the history table, one row per reported point."""
    from mlp_cli._render import format_number, format_timestamp

    history = metrics.history
    names = metric_names(history)
    with_epoch = any(point.epoch is not None for point in history)
    with_step = any(point.step is not None for point in history)

    headers = [
        *(["EPOCH"] if with_epoch else []),
        *(["STEP"] if with_step else []),
        *(name.upper() for name in names),
        *(["TIME"] if wide else []),
    ]
    rows = []
    for point in history:
        row = [
            *([_optional(point.epoch)] if with_epoch else []),
            *([_optional(point.step)] if with_step else []),
            *(format_number(point.values[name]) if name in point.values else "-" for name in names),
            *([format_timestamp(point.timestamp)] if wide else []),
        ]
        rows.append(row)
    return headers, rows


def _optional(value: int | None) -> str:
    return "-" if value is None else str(value)


def _check_options(*, plot: bool, metrics_to_plot: Sequence[str], output: str, quiet: bool) -> None:
    check_quiet_output(quiet=quiet, output=output, prints="the latest values")
    if plot and output != "table":
        raise click.UsageError(f"--plot draws charts, so -o {output} cannot be used.")
    if plot and quiet:
        raise click.UsageError("--plot draws charts, so -q cannot be used.")
    if metrics_to_plot and not plot:
        raise click.UsageError("--metric chooses what --plot draws, so it needs --plot.")


@click.command()
@click.argument("job_id", metavar="ID")
@click.option(
    "--plot",
    is_flag=True,
    help="Draw text charts of loss and accuracy over epochs instead of the table.",
)
@click.option(
    "--metric",
    "metrics_to_plot",
    multiple=True,
    metavar="NAME",
    help="Metric to draw with --plot, repeatable. Default: loss and accuracy, or every metric "
    "when the job reported neither.",
)
@output_option
@quiet_option("Print only the latest value of each metric, as NAME=VALUE lines in full precision.")
@connection_options
def metrics(
    job_id: str, plot: bool, metrics_to_plot: tuple[str, ...], output: str, quiet: bool
) -> None:
    """Show every metric a job reported, one row per report.

    The table has a column per metric (-o wide adds when each was reported); values are
    rounded to four significant digits. -o json and -o yaml print the API's JobMetrics: the
    latest values, the epoch and step, and the full history, with NaN and infinities as the
    strings "NaN", "Infinity" and "-Infinity".

    \b
    Examples:
      mlp job metrics job-000042
      mlp job metrics job-000042 --plot
      mlp job metrics job-000042 -o json | jq '.latest.accuracy'
    """
    _check_options(plot=plot, metrics_to_plot=metrics_to_plot, output=output, quiet=quiet)

    from mlp_cli._render import dump_document, format_number

    state = get_state()
    printer = Printer(color=state.color)
    with state.connect() as client:
        job = client.get_job(job_id)
        job_metrics = job.get_metrics()

    if output in DOCUMENT_FORMATS:
        printer.data(dump_document(job_metrics.to_dict(), output))
        return
    if not job_metrics.history:
        still = "" if job.status is not None and job.status.is_final else " yet"
        printer.message(f"Job {job_id} has reported no metrics{still}.")
        return
    if quiet:
        for name, value in job_metrics.latest.items():
            # Full precision for scripts; format_number spells NaN and the infinities.
            exact = repr(value) if math.isfinite(value) else format_number(value)
            printer.data(f"{name}={exact}")
        return
    if plot:
        _print_charts(printer, job_metrics, metrics_to_plot)
        return

    from mlp_cli._table import print_table

    headers, rows = table_rows(job_metrics, wide=output == "wide")
    print_table(printer, headers, rows)


def _print_charts(printer: Printer, job_metrics: JobMetrics, requested: Sequence[str]) -> None:
    from mlp_cli._plot import render_chart

    history = job_metrics.history
    reported = metric_names(history)
    unknown = [name for name in requested if name not in reported]
    if unknown:
        raise click.BadParameter(
            f"{unknown[0]!r} was never reported by this job; choose from {', '.join(reported)}.",
            param_hint="'--metric'",
        )
    chosen = list(requested) or [name for name in DEFAULT_PLOTTED if name in reported] or reported

    axis = x_axis(history)
    charts = [render_chart(name, series(history, name, axis), x_label=axis) for name in chosen]
    printer.data("\n\n".join("\n".join(chart) for chart in charts))
