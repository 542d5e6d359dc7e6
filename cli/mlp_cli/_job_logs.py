"""``mlp job logs``: print or follow a job's output."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from mlp_cli._console import Printer
from mlp_cli._exit_codes import WATCHING_EXIT_CODES_HELP
from mlp_cli._options import connection_options, output_option, quiet_option
from mlp_cli._state import get_state

if TYPE_CHECKING:
    from ml_platform import LogLine

MAX_TAIL = 1000
"""The maximum number of lines one logs request returns, and so the largest --tail."""


def line_renderer(output: str, *, timestamps: bool) -> Callable[[LogLine], str]:
    """Return the function that formats one log line for stdout in an ``-o`` format.

    * table: the text, after the UTC time with ``--timestamps``.
    * wide: the time, the stream and the text.
    * json: the API's ``LogLine`` as one compact JSON object per line.
    * yaml: the ``LogLine`` as a YAML document of its own, after ``---``.
    """
    from mlp_cli._render import dump_document, format_timestamp

    def table(line: LogLine) -> str:
        return f"{format_timestamp(line.timestamp)} {line.text}" if timestamps else line.text

    def wide(line: LogLine) -> str:
        return f"{format_timestamp(line.timestamp)} {line.stream:<6} {line.text}"

    def as_json(line: LogLine) -> str:
        return json.dumps(line.to_dict(), ensure_ascii=False, separators=(",", ":"))

    def as_yaml(line: LogLine) -> str:
        return "---\n" + dump_document(line.to_dict(), "yaml")

    renderers: dict[str, Callable[[LogLine], str]] = {
        "table": table,
        "wide": wide,
        "json": as_json,
        "yaml": as_yaml,
    }
    return renderers[output]


@click.command(epilog=WATCHING_EXIT_CODES_HELP)
@click.argument("job_id", metavar="ID")
@click.option(
    "--tail",
    type=click.IntRange(1, MAX_TAIL),
    metavar="N",
    help=f"Print only the last N lines (at most {MAX_TAIL}); with -f, then follow from there.",
)
@click.option(
    "-f",
    "--follow",
    is_flag=True,
    help="Keep printing new lines until the job ends. While the job is queued, its position is "
    "shown on stderr.",
)
@click.option(
    "--timestamps",
    is_flag=True,
    help="Prefix each line with its UTC ISO-8601 time. -o wide, json and yaml always include it.",
)
@output_option
@quiet_option("Print nothing on stderr but errors: no note that the job is queued.")
@connection_options
def logs(
    job_id: str, tail: int | None, follow: bool, timestamps: bool, output: str, quiet: bool
) -> None:
    """Print a job's output, or follow it live with -f.

    Lines from the job's stdout and stderr, and lines the platform adds, go to stdout in the
    order they were stored (lines the two streams write within a few milliseconds of each other
    may be stored grouped by stream).

    With -f the command exits 0 once the job has ended, whatever its status; use
    `mlp job status ID` to see how it ended. -o json prints one LogLine object per line (JSON
    Lines), so that it can be read while following.
    """
    if timestamps and output != "table":
        raise click.UsageError(
            f"--timestamps applies only to -o table, because -o {output} always includes the time."
        )

    from mlp_cli._watch import keep_running_on_interrupt, stream_logs

    render = line_renderer(output, timestamps=timestamps)
    state = get_state()
    printer = Printer(color=state.color)
    with state.connect() as client:
        job = client.get_job(job_id)
        if not follow:
            if job.queue_position is not None and not quiet:
                printer.message(
                    f"Job {job_id} is queued at position {job.queue_position}; it has no output "
                    "yet."
                )
            for line in job.get_logs(tail=tail):
                printer.data(render(line))
            return

        with keep_running_on_interrupt(printer, job_id, state.command_prefix()):
            after_seq = None
            if tail is not None:
                recent = job.get_logs(tail=tail)
                for line in recent:
                    printer.data(render(line))
                after_seq = recent[-1].seq if recent else None
            stream_logs(printer, job, render=render, after_seq=after_seq, report_queue=not quiet)
