"""``mlp job cancel``: cancel one or more jobs."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from mlp_cli._console import Printer
from mlp_cli._exit_codes import ExitCode
from mlp_cli._options import (
    DOCUMENT_FORMATS,
    check_quiet_output,
    connection_options,
    output_option,
    quiet_option,
)
from mlp_cli._state import get_state

if TYPE_CHECKING:
    from ml_platform import TrainingJob


def _confirm(job_ids: list[str]) -> None:
    """Ask on the terminal before cancelling, or fail when there is no terminal to ask on."""
    if not sys.stdin.isatty():
        raise click.UsageError(
            "cannot ask for confirmation because stdin is not a terminal; pass --yes to cancel "
            "without asking."
        )
    noun = "job" if len(job_ids) == 1 else "jobs"
    click.confirm(f"Cancel {len(job_ids)} {noun}: {', '.join(job_ids)}?", abort=True, err=True)


@click.command()
@click.argument("job_ids", metavar="ID...", nargs=-1, required=True)
@click.option("-y", "--yes", is_flag=True, help="Cancel without asking for confirmation.")
@output_option
@quiet_option("Print only the ids of the cancelled jobs, and on stderr only errors.")
@connection_options
def cancel(job_ids: tuple[str, ...], yes: bool, output: str, quiet: bool) -> None:
    """Cancel one or more jobs.

    A PENDING job is cancelled at once. A RUNNING job gets SIGTERM, then SIGKILL after the
    server's grace period, and the command returns once it has ended. The job records stay
    readable. Prints the id of each cancelled job on stdout (-o wide: a table with the status
    before and after; -o json and -o yaml: the cancelled jobs in the API's JobList shape). On a
    terminal it prompts for confirmation first; in scripts pass --yes. Exits 1 when any job
    could not be cancelled, after trying the others.
    """
    check_quiet_output(quiet=quiet, output=output, prints="the job ids")
    unique_ids = list(dict.fromkeys(job_ids))
    if not yes:
        _confirm(unique_ids)

    from ml_platform import (
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        PermissionDeniedError,
    )
    from mlp_cli._errors import format_error
    from mlp_cli._render import status_of

    state = get_state()
    printer = Printer(color=state.color)
    cancelled: list[tuple[TrainingJob, str]] = []
    failed = False
    with state.connect() as client:
        for job_id in unique_ids:
            try:
                job = client.get_job(job_id)
                previous = status_of(job)
                job.cancel()
            except (AuthenticationError, PermissionDeniedError):
                # The same key would fail for every other id too.
                raise
            except (APIStatusError, APITimeoutError) as error:
                printer.message(format_error(error))
                failed = True
                continue

            cancelled.append((job, previous))
            if output == "table":
                printer.data(job_id)
            if not quiet and output != "wide":
                printer.message(f"Cancelled job {job_id} (was {previous}, now {status_of(job)}).")

    _print_cancelled(printer, cancelled, output)
    if failed:
        raise click.exceptions.Exit(ExitCode.ERROR)


def _print_cancelled(
    printer: Printer, cancelled: list[tuple[TrainingJob, str]], output: str
) -> None:
    """Print the cancelled jobs at the end for the -o formats that are not printed one by one."""
    from mlp_cli._render import dump_document, status_of

    if output in DOCUMENT_FORMATS:
        document = {"jobs": [job.to_dict() for job, _ in cancelled]}
        printer.data(dump_document(document, output))
    elif output == "wide" and cancelled:
        from mlp_cli._table import print_table

        rows = [[str(job.id), job.name, previous, status_of(job)] for job, previous in cancelled]
        print_table(printer, ("ID", "NAME", "WAS", "STATUS"), rows, status_column="STATUS")
