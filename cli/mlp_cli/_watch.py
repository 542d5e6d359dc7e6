"""Follow or wait for a job until it ends, then summarise it on stderr.

Log lines go to stdout as they arrive; queue positions, progress and the summary go to stderr.
Ctrl-C stops watching, leaves the job running and exits 130.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import click

from mlp_cli._exit_codes import ExitCode, exit_code_for_status
from mlp_cli._render import (
    format_duration,
    format_metrics,
    job_duration,
    status_of,
)

if TYPE_CHECKING:
    from ml_platform import LogLine, TrainingJob
    from mlp_cli._console import Printer

FAILURE_TAIL_LINES = 10
"""How many of the last log lines the summary of a FAILED job shows."""


@contextlib.contextmanager
def keep_running_on_interrupt(printer: Printer, job_id: str, prefix: str) -> Iterator[None]:
    """Turn Ctrl-C into exit 130 with a note that the job keeps running.

    Args:
        printer: Where to write the note.
        job_id: The job being watched.
        prefix: The ``mlp`` command prefix with connection options, for the cancel hint.

    Raises:
        click.exceptions.Exit: With ``ExitCode.INTERRUPTED`` after Ctrl-C.
    """
    try:
        yield
    except KeyboardInterrupt:
        if printer.stderr_is_terminal:
            printer.message("")  # end the line that the terminal's "^C" echo left open
        printer.message(
            f"Stopped watching job {job_id}; it keeps running. "
            f"Cancel it with: {prefix} job cancel {job_id}"
        )
        raise click.exceptions.Exit(ExitCode.INTERRUPTED) from None


def stream_logs(
    printer: Printer,
    job: TrainingJob,
    *,
    render: Callable[[LogLine], str],
    after_seq: int | None = None,
    report_queue: bool = True,
) -> None:
    """Print a job's log lines to stdout as they arrive, until the job has ended.

    While the job is PENDING, each new queue position is reported on stderr.

    Args:
        printer: Where to write.
        job: A submitted job.
        render: Formats one line for stdout.
        after_seq: Start after the line with this sequence number; None starts at the first.
        report_queue: Whether to report queue positions.
    """

    def on_queued(position: int) -> None:
        printer.message(f"Job {job.id} is queued at position {position}; waiting for capacity.")

    for line in job.follow_logs(on_queued=on_queued if report_queue else None, after=after_seq):
        printer.data(render(line))


def _wait_with_progress(
    printer: Printer, job: TrainingJob, *, timeout_seconds: int | None, quiet: bool
) -> None:
    """Wait for a job to end, with a short progress line on stderr unless quiet.

    On a terminal the line is a spinner; elsewhere it is printed once.

    Raises:
        ml_platform.WaitTimeoutError: When ``timeout_seconds`` pass first.
    """
    if job.status is not None and job.status.is_final:
        return
    message = f"Waiting for job {job.id} to finish (Ctrl-C stops waiting; the job keeps running)."
    if quiet:
        job.wait_for_completion(timeout_seconds=timeout_seconds)
    elif printer.stderr_is_terminal:
        with printer.err.status(message):
            job.wait_for_completion(timeout_seconds=timeout_seconds)
    else:
        printer.message(message)
        job.wait_for_completion(timeout_seconds=timeout_seconds)


def follow_until_done(printer: Printer, job: TrainingJob, *, prefix: str) -> ExitCode:
    """Stream a job's logs until it ends, then summarise it.

    Args:
        printer: Where to write.
        job: A submitted job.
        prefix: The ``mlp`` command prefix with connection options, for hints.

    Returns:
        The exit code for the job's final status.
    """
    assert job.id is not None
    with keep_running_on_interrupt(printer, job.id, prefix):
        stream_logs(printer, job, render=lambda line: line.text)
        job.refresh()
    # The lines were just streamed, so repeat the last ones only when they went to a file or pipe.
    return summarize(printer, job, show_tail=not printer.stdout_is_terminal)


def wait_until_done(
    printer: Printer,
    job: TrainingJob,
    *,
    prefix: str,
    timeout_seconds: int | None,
    quiet: bool,
) -> ExitCode:
    """Wait for a job to end, then summarise it; the job is refreshed in every case.

    Args:
        printer: Where to write.
        job: A submitted job.
        prefix: The ``mlp`` command prefix with connection options, for hints.
        timeout_seconds: How long to wait at most; None waits as long as the job runs.
        quiet: Print no progress line, and a summary only when the job did not succeed.

    Returns:
        The exit code for the job's final status, or ``WAIT_TIMED_OUT``.
    """
    from ml_platform import WaitTimeoutError

    assert job.id is not None
    with keep_running_on_interrupt(printer, job.id, prefix):
        try:
            _wait_with_progress(printer, job, timeout_seconds=timeout_seconds, quiet=quiet)
        except WaitTimeoutError:
            job.refresh()
            printer.message(
                f"Stopped waiting after {timeout_seconds}s; job {job.id} is {status_of(job)} and "
                f"keeps running. Cancel it with: {prefix} job cancel {job.id}"
            )
            return ExitCode.WAIT_TIMED_OUT
        job.refresh()

    if quiet and status_of(job) == "SUCCEEDED":
        return ExitCode.SUCCESS
    return summarize(printer, job, show_tail=True)


def summarize(printer: Printer, job: TrainingJob, *, show_tail: bool) -> ExitCode:
    """Print the final status, duration, exit code, failure reason and metrics on stderr.

    Args:
        printer: Where to write.
        job: A job in a final status, freshly refreshed.
        show_tail: Whether to print the last log lines when the job FAILED.

    Returns:
        The exit code for the job's final status.
    """
    from rich.text import Text

    document = job.to_dict()
    status = status_of(job)
    duration = job_duration(document)

    line = Text(f"Job {job.id} ")
    line.append_text(printer.status_text(status))
    if duration is not None:
        line.append(f" after {format_duration(duration)}")
    details = []
    if job.failure_reason:
        details.append(f"reason {job.failure_reason}")
    if job.exit_code is not None:
        details.append(f"exit code {job.exit_code}")
    if details:
        line.append(f" ({', '.join(details)})")
    line.append(".")
    printer.message(line)

    metrics = job.get_metrics(history=False)
    if metrics.latest:
        printer.message(f"Metrics: {format_metrics(metrics.latest, epoch=metrics.epoch)}")

    if show_tail and status == "FAILED":
        tail = job.get_logs(tail=FAILURE_TAIL_LINES)
        if tail:
            printer.message(f"Last {len(tail)} log line{'' if len(tail) == 1 else 's'}:")
            for log_line in tail:
                printer.message(f"  {log_line.text}")

    return exit_code_for_status(status)
