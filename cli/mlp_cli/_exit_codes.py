"""Exit codes of ``mlp``, a contract that scripts branch on.

Every command exits with one of these codes, and the help of each command that waits for a job
lists them through :data:`EXIT_CODES_HELP`. Keep this module free of imports beyond the standard
library: the help text is built from it on every start.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


class ExitCode(enum.IntEnum):
    """Process exit codes of ``mlp``."""

    SUCCESS = 0
    ERROR = 1
    USAGE = 2
    JOB_FAILED = 3
    JOB_CANCELLED = 4
    WAIT_TIMED_OUT = 5
    INTERRUPTED = 130


_MEANINGS: dict[ExitCode, str] = {
    ExitCode.SUCCESS: "success; a job that was waited for SUCCEEDED",
    ExitCode.ERROR: "error, for example an unreachable server or a rejected request",
    ExitCode.USAGE: "invalid usage: a bad option, argument or value",
    ExitCode.JOB_FAILED: "the job FAILED",
    ExitCode.JOB_CANCELLED: "the job was CANCELLED",
    ExitCode.WAIT_TIMED_OUT: "waiting timed out; the job keeps running",
    ExitCode.INTERRUPTED: "interrupted with Ctrl-C; the job keeps running",
}

_FINAL_STATUS_CODES: dict[str, ExitCode] = {
    "SUCCEEDED": ExitCode.SUCCESS,
    "FAILED": ExitCode.JOB_FAILED,
    "CANCELLED": ExitCode.JOB_CANCELLED,
}


def exit_codes_help(codes: Iterable[ExitCode] = tuple(ExitCode)) -> str:
    """Format exit codes and their meanings as a Click epilog.

    Args:
        codes: The codes the command can exit with, all of them by default.
    """
    # "\b" stops Click from rewrapping the paragraph, so the table keeps its columns.
    rows = [f"  {int(code):<4} {_MEANINGS[code]}" for code in codes]
    return "\b\nExit codes:\n" + "\n".join(rows)


EXIT_CODES_HELP = exit_codes_help()
"""The whole exit code table, formatted as a Click epilog."""

WATCHING_EXIT_CODES_HELP = exit_codes_help(
    (ExitCode.SUCCESS, ExitCode.ERROR, ExitCode.USAGE, ExitCode.INTERRUPTED)
)
"""The exit codes of a command that watches until Ctrl-C but does not wait for a job's end."""


def exit_code_for_status(status: str) -> ExitCode:
    """Map a job's final status to the exit code of a command that waited for it.

    Args:
        status: The status value as the API spells it, for example ``"FAILED"``.

    Returns:
        ``SUCCESS``, ``JOB_FAILED`` or ``JOB_CANCELLED``, and ``ERROR`` for a status this version
        does not know.
    """
    return _FINAL_STATUS_CODES.get(status, ExitCode.ERROR)
