"""``mlp job cancel``: cancel one or more jobs."""

from __future__ import annotations

import sys

import click

from mlp_cli._console import Printer
from mlp_cli._exit_codes import ExitCode
from mlp_cli._options import connection_options
from mlp_cli._state import get_state


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
@connection_options
def cancel(job_ids: tuple[str, ...], yes: bool) -> None:
    """Cancel one or more jobs.

    A PENDING job is cancelled at once. A RUNNING job gets SIGTERM, then SIGKILL after the
    server's grace period, and the command returns once it has ended. The job records stay
    readable. Prints the id of each cancelled job on stdout. On a terminal it prompts for
    confirmation first; in scripts pass --yes. Exits 1 when any job could not be cancelled,
    after trying the others.
    """
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

            printer.data(job_id)
            printer.message(f"Cancelled job {job_id} (was {previous}, now {status_of(job)}).")

    if failed:
        raise click.exceptions.Exit(ExitCode.ERROR)
