"""``mlp job status`` (alias ``get``): show one job."""

from __future__ import annotations

import click

from mlp_cli._console import Printer
from mlp_cli._options import connection_options, output_option
from mlp_cli._state import get_state


@click.command()
@click.argument("job_id", metavar="ID")
@output_option
@connection_options
def status(job_id: str, output: str) -> None:
    """Show a job's status, resources, times and latest metrics.

    The table lists the queue position while the job is PENDING, its allocated devices, and the
    exit code and failure reason once it has ended. -o json and -o yaml print the job as the API
    returns it, without the metrics.
    """
    from mlp_cli._render import dump_document, job_rows, print_rows

    state = get_state()
    printer = Printer(color=state.color)
    with state.connect() as client:
        job = client.get_job(job_id)
        if output != "table":
            printer.data(dump_document(job.to_dict(), output))
            return

        metrics = job.get_metrics()

    print_rows(printer, job_rows(job.to_dict(), metrics=metrics.latest, epoch=metrics.epoch))
