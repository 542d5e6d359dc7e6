"""The one place where exceptions become ``Error: ...`` lines and exit codes.

Every command runs inside :func:`handle_errors`, so an SDK exception from any of them prints one
line on stderr with the fix and the request id, and exits 1 (5 for a wait that timed out). A
traceback is printed only with ``--debug``.
"""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from collections.abc import Iterator
from typing import TextIO

import click

from mlp_cli._exit_codes import ExitCode
from mlp_cli._state import get_state


def _one_line(text: str) -> str:
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def format_error(error: BaseException) -> str:
    """Return the one-line ``Error: ...`` message for an exception.

    Args:
        error: An SDK exception, or any other exception that escaped a command.

    Returns:
        The message, with the request id appended when the error carries one.
    """
    import ml_platform
    from mlp_cli._messages import describe_sdk_error

    if isinstance(error, ml_platform.MLPlatformError):
        message = describe_sdk_error(error)
        request_id = getattr(error, "request_id", None)
        suffix = f" (request id {request_id})" if request_id else ""
        return f"Error: {_one_line(message)}{suffix}"

    if isinstance(error, OSError) and error.strerror:
        where = f": {error.filename}" if error.filename else ""
        return f"Error: {error.strerror}{where}."

    return (
        f"Error: unexpected {type(error).__name__}: {_one_line(str(error))}; rerun with --debug "
        "for the traceback and report it."
    )


def exit_code_for_error(error: BaseException) -> ExitCode:
    """Return the exit code for an exception that ended a command."""
    import ml_platform

    if isinstance(error, ml_platform.WaitTimeoutError):
        return ExitCode.WAIT_TIMED_OUT
    if isinstance(error, ml_platform.JobFailedError):
        return ExitCode.JOB_FAILED
    if isinstance(error, ml_platform.ValidationError) and error.status_code is None:
        # Rejected by the SDK's own checks before any request: a bad value on the command line.
        return ExitCode.USAGE
    return ExitCode.ERROR


def _silence_stdout() -> None:
    # The reader of a pipe went away: point stdout at /dev/null so that the interpreter's
    # final flush does not raise again.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


@contextlib.contextmanager
def handle_errors(ctx: click.Context) -> Iterator[None]:
    """Turn exceptions escaping a command into one stderr line and an exit code.

    Click's own exceptions (usage errors, ``--help``, explicit exits) pass through untouched.

    Args:
        ctx: The root context; its state's ``debug`` decides whether the traceback is printed
            before the ``Error: ...`` line.

    Raises:
        click.exceptions.Exit: With the exit code for the exception.
    """
    try:
        yield
    except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
        raise
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        raise click.exceptions.Exit(ExitCode.INTERRUPTED) from None
    except BrokenPipeError:
        _silence_stdout()
        raise click.exceptions.Exit(ExitCode.ERROR) from None
    except Exception as error:
        if get_state(ctx).debug:
            import traceback

            traceback.print_exc(file=sys.stderr)
        click.echo(format_error(error), err=True)
        raise click.exceptions.Exit(exit_code_for_error(error)) from None


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    click.echo(f"Warning: {_one_line(str(message))}", err=True)


@contextlib.contextmanager
def plain_warnings() -> Iterator[None]:
    """Print each Python warning as one ``Warning: ...`` line on stderr.

    Without it, a warning such as the SDK's about a config file that others can read would
    show the file name and source line of the code that raised it.
    """
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        yield
