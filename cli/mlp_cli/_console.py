"""Output streams and colour for the commands.

Data (ids, tables, JSON, YAML, log lines) goes to stdout; hints, progress, summaries and errors go
to stderr. Each stream is coloured only when it is a terminal, unless ``--color``/``--no-color``,
``NO_COLOR`` or ``FORCE_COLOR`` decide otherwise. rich is imported only when a command prints
styled text, never for help.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING

import click

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

STATUS_STYLES: dict[str, str] = {
    "PENDING": "yellow",
    "RUNNING": "blue",
    "SUCCEEDED": "green",
    "FAILED": "red",
    "CANCELLED": "magenta",
}
"""The colour of each job status, the same in every command."""


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def color_enabled(
    stream: IO[str], *, flag: bool | None, environ: Mapping[str, str] | None = None
) -> bool:
    """Decide whether to colour what is written to a stream.

    Args:
        stream: The stream to write to.
        flag: True for ``--color``, False for ``--no-color``, None when neither was given.
        environ: The environment, ``os.environ`` by default.

    Returns:
        The flag when given. Otherwise False when ``NO_COLOR`` is set to a non-empty value,
        then True when ``FORCE_COLOR`` is, and else whether the stream is a terminal.
    """
    if flag is not None:
        return flag

    env = os.environ if environ is None else environ
    if env.get("NO_COLOR", ""):
        return False
    if env.get("FORCE_COLOR", ""):
        return True
    return _is_terminal(stream)


class Printer:
    """Writes data to stdout and messages to stderr for one command run.

    Args:
        color: The ``--color``/``--no-color`` flag, None to detect per stream.
    """

    def __init__(self, *, color: bool | None) -> None:
        self._color_flag = color
        # Captured now, so that output follows the streams the command started with, as
        # Click's test runner replaces them for each invocation.
        self._stdout: IO[str] = sys.stdout
        self._stderr: IO[str] = sys.stderr

    @functools.cached_property
    def out(self) -> Console:
        """The rich console on stdout."""
        return self._make_console(self._stdout)

    @functools.cached_property
    def err(self) -> Console:
        """The rich console on stderr."""
        return self._make_console(self._stderr)

    @property
    def stderr_is_terminal(self) -> bool:
        """Whether stderr is a terminal, where spinners may be drawn."""
        return _is_terminal(self._stderr)

    @property
    def stdout_is_terminal(self) -> bool:
        """Whether stdout is a terminal."""
        return _is_terminal(self._stdout)

    def data(self, text: str) -> None:
        """Write one line of data to stdout, unstyled, and flush it so pipes see it at once."""
        click.echo(text, file=self._stdout)
        self._stdout.flush()

    def data_text(self, text: Text) -> None:
        """Write styled data to stdout; styles are dropped when stdout is not coloured."""
        self.out.print(text, soft_wrap=True)

    def message(self, text: str | Text) -> None:
        """Write one message line to stderr."""
        if isinstance(text, str):
            click.echo(text, file=self._stderr)
            return
        self.err.print(text, soft_wrap=True)

    def status_text(self, status: str) -> Text:
        """Return a job status as text in its colour."""
        from rich.text import Text

        return Text(status, style=STATUS_STYLES.get(status, ""))

    def _make_console(self, stream: IO[str]) -> Console:
        from rich.console import Console

        color = color_enabled(stream, flag=self._color_flag)
        # A terminal stays a terminal without colour, so that spinners still draw on it.
        terminal = True if color else _is_terminal(stream)
        return Console(
            file=stream,
            force_terminal=terminal,
            no_color=not color,
            color_system="standard" if color else None,
            highlight=False,
            markup=False,
            emoji=False,
        )
