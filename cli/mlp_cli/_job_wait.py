"""``mlp job wait``: wait until a job ends and exit with the code for its final status."""

from __future__ import annotations

import click

from mlp_cli._console import Printer
from mlp_cli._exit_codes import EXIT_CODES_HELP, ExitCode
from mlp_cli._options import (
    DOCUMENT_FORMATS,
    check_quiet_output,
    connection_options,
    output_option,
    quiet_option,
)
from mlp_cli._state import get_state


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("job_id", metavar="ID")
@click.option(
    "--timeout",
    type=click.IntRange(min=1),
    metavar="SECONDS",
    help="Stop waiting after SECONDS and exit 5; the job keeps running. By default wait as long "
    "as the job runs.",
)
@output_option
@quiet_option(
    "Print only the job id on stdout once waiting ends, no progress line, and on stderr only "
    "errors and the summary of a job that did not succeed."
)
@connection_options
def wait(job_id: str, timeout: int | None, output: str, quiet: bool) -> None:
    """Wait until a job ends and exit 0, 3 or 4 by how it ended.

    While waiting, a short progress line is shown on stderr (a spinner on a terminal). Then a
    summary goes to stderr: the final status, duration, exit code, failure reason and latest
    metrics, and the last log lines of a FAILED job. -o json and -o yaml print the job as it
    is when waiting ends. A job that has already ended returns at once.

    \b
    Examples:
      mlp job wait job-000042 && echo trained
      mlp job wait job-000042 --timeout 3600 -o json > job.json
    """
    check_quiet_output(quiet=quiet, output=output, prints="the job id")

    from mlp_cli._render import dump_document
    from mlp_cli._watch import wait_until_done

    state = get_state()
    printer = Printer(color=state.color)
    with state.connect() as client:
        job = client.get_job(job_id)
        code = wait_until_done(
            printer, job, prefix=state.command_prefix(), timeout_seconds=timeout, quiet=quiet
        )

    if output in DOCUMENT_FORMATS:
        printer.data(dump_document(job.to_dict(), output))
    elif quiet:
        printer.data(job_id)
    if code != ExitCode.SUCCESS:
        raise click.exceptions.Exit(code)
