"""Output of ``mlp job create`` after a submit, or after a check with ``--dry-run``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlp_cli._options import DOCUMENT_FORMATS
from mlp_cli._render import dump_document, format_resources, print_rows, status_of

if TYPE_CHECKING:
    from ml_platform import DryRunResult, TrainingJob
    from mlp_cli._console import Printer
    from mlp_cli._state import CliState


def report_submitted(
    printer: Printer,
    state: CliState,
    job: TrainingJob,
    *,
    output: str,
    quiet: bool,
    follow: bool,
    wait: bool,
) -> None:
    """Print the id or the job on stdout and, unless quiet, what happened on stderr.

    With ``--follow`` stdout carries only the log lines, and with ``--wait`` and ``-o json`` or
    ``yaml`` only the final job, so then the id goes to stderr alone.
    """
    assert job.id is not None
    if output not in DOCUMENT_FORMATS and not follow:
        printer.data(job.id)
    elif output in DOCUMENT_FORMATS and not (follow or wait):
        printer.data(dump_document(job.to_dict(), output))

    if quiet:
        return

    printer.message(f"Submitted job {job.id} ({status_of(job)}).")
    if job.queue_position is not None:
        printer.message(
            f"It is queued at position {job.queue_position} and starts when capacity frees up."
        )
    if not (follow or wait):
        _print_hints(printer, state, job.id)


def _print_hints(printer: Printer, state: CliState, job_id: str) -> None:
    prefix = state.command_prefix()
    hints = [
        (f"{prefix} job logs {job_id} -f", "follow its logs"),
        (f"{prefix} job status {job_id}", "show its status and metrics"),
        (f"{prefix} job cancel {job_id}", "cancel it"),
    ]
    width = max(len(command) for command, _ in hints)
    printer.message("Next:")
    for command, purpose in hints:
        printer.message(f"  {command:<{width}}  # {purpose}")


def print_dry_run(printer: Printer, result: DryRunResult, output: str) -> None:
    """Print a dry-run result: a table for people, or the API document with -o json or yaml."""
    document = result.to_dict()
    if output in DOCUMENT_FORMATS:
        printer.data(dump_document(document, output))
        return

    body = document.get("job") or {}
    if document.get("fits_now"):
        verdict = "yes, it would start now"
    elif document.get("queue_position") is not None:
        verdict = f"no, it would queue at position {document['queue_position']}"
    else:
        verdict = "no, the submit would be rejected; add --wait-for-capacity to queue it"
    rows = [
        ("Valid", "yes" if document.get("valid") else "no"),
        ("Fits now", verdict),
        ("Name", str(body.get("name", ""))),
        ("Script", str(body.get("script", ""))),
        ("Code digest", str(body.get("code_digest", ""))),
        ("Resources", format_resources(body.get("resources") or {})),
    ]
    for label, key in (("Hyperparameters", "hyperparameters"), ("Environment", "environment")):
        if body.get(key):
            rows.append((label, " ".join(f"{k}={v}" for k, v in body[key].items())))
    if body.get("timeout_seconds") is not None:
        rows.append(("Timeout", f"{body['timeout_seconds']}s"))
    print_rows(printer, rows)
