"""``mlp job logs``: print or follow a job's output."""

from __future__ import annotations

import click

from mlp_cli._console import Printer
from mlp_cli._exit_codes import ExitCode, exit_codes_help
from mlp_cli._options import connection_options
from mlp_cli._state import get_state

MAX_TAIL = 1000
"""The maximum number of lines one logs request returns, and so the largest --tail."""


@click.command(
    epilog=exit_codes_help((ExitCode.SUCCESS, ExitCode.ERROR, ExitCode.USAGE, ExitCode.INTERRUPTED))
)
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
@click.option("--timestamps", is_flag=True, help="Prefix each line with its UTC ISO-8601 time.")
@connection_options
def logs(job_id: str, tail: int | None, follow: bool, timestamps: bool) -> None:
    """Print a job's output, or follow it live with -f.

    Lines from the job's stdout and stderr, and lines the platform adds, go to stdout in order.
    With -f the command exits 0 once the job has ended, whatever its status; use
    `mlp job status ID` to see how it ended.
    """
    from mlp_cli._watch import format_log_line, keep_running_on_interrupt, stream_logs

    state = get_state()
    printer = Printer(color=state.color)
    with state.connect() as client:
        job = client.get_job(job_id)
        if not follow:
            if job.queue_position is not None:
                printer.message(
                    f"Job {job_id} is queued at position {job.queue_position}; it has no output "
                    "yet."
                )
            for line in job.get_logs(tail=tail):
                printer.data(format_log_line(line, timestamps=timestamps))
            return

        with keep_running_on_interrupt(printer, job_id, state.command_prefix()):
            after_seq = 0
            if tail is not None:
                recent = job.get_logs(tail=tail)
                for line in recent:
                    printer.data(format_log_line(line, timestamps=timestamps))
                after_seq = recent[-1].seq if recent else 0
            # NOTE: the SDK's follow_logs takes no starting point, so following reads the log
            # again from its first line and skips the lines that --tail printed.
            stream_logs(printer, job, timestamps=timestamps, after_seq=after_seq)
