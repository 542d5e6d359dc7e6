"""``mlp job status`` (alias ``get``): show one job."""

from __future__ import annotations

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


@click.command()
@click.argument("job_id", metavar="ID")
@output_option
@quiet_option("Print only the status, such as RUNNING, for scripts to compare.")
@connection_options
def status(job_id: str, output: str, quiet: bool) -> None:
    """Show a job's status, resources, times and latest metrics.

    The table lists the queue position while the job is PENDING, its allocated devices, and the
    exit code and failure reason once it has ended; -o wide adds the digest of the uploaded
    code. -o json and -o yaml print the job as the API returns it, without the metrics, which
    `mlp job metrics ID -o json` prints.
    """
    check_quiet_output(quiet=quiet, output=output, prints="the status")

    from mlp_cli._render import dump_document, job_rows, print_rows, status_of

    state = get_state()
    printer = Printer(color=state.color)
    with state.connect() as client:
        job = client.get_job(job_id)
        if quiet:
            printer.data(status_of(job))
            return
        if output in DOCUMENT_FORMATS:
            printer.data(dump_document(job.to_dict(), output))
            return

        metrics = job.get_metrics(history=False)

    rows = job_rows(job.to_dict(), metrics=metrics.latest, epoch=metrics.epoch)
    if output == "wide" and job.code_digest:
        rows.insert(_row_index(rows, "Script") + 1, ("Code digest", job.code_digest))
    print_rows(printer, rows)


def _row_index(rows: list[tuple[str, str]], label: str) -> int:
    return next(index for index, (row_label, _) in enumerate(rows) if row_label == label)
