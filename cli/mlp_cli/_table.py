"""Column tables for people: a header row, aligned columns and a coloured status column.

The columns are as wide as their widest cell and are never cut or wrapped, whatever the
terminal width, so that ``grep`` and ``awk`` see whole values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

    from mlp_cli._console import Printer

COLUMN_GAP = "  "
"""The space between two columns."""


def table_text(
    printer: Printer,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    status_column: str | None = None,
) -> Text:
    """Lay out a table as styled text, one line per row after the header.

    Args:
        printer: Decides the status colours.
        headers: The column names, upper case by convention.
        rows: The cells of each row, as many as there are headers.
        status_column: The header of the column whose cells are coloured by job status.

    Returns:
        The lines joined with newlines, without a trailing newline and without trailing spaces.
    """
    from rich.text import Text

    widths = [len(header) for header in headers]
    for row in rows:
        widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]
    status_index = headers.index(status_column) if status_column is not None else -1

    lines = [_plain_line(headers, widths)]
    for row in rows:
        line = Text()
        for index, (cell, width) in enumerate(zip(row, widths, strict=True)):
            last = index == len(row) - 1
            padding = "" if last else " " * (width - len(cell)) + COLUMN_GAP
            if index == status_index:
                line.append_text(printer.status_text(cell))
            else:
                line.append(cell)
            line.append(padding)
        line.rstrip()
        lines.append(line)
    return Text("\n").join(lines)


def _plain_line(cells: Sequence[str], widths: Sequence[int]) -> Text:
    from rich.text import Text

    padded = [cell.ljust(width) for cell, width in zip(cells, widths, strict=True)]
    return Text(COLUMN_GAP.join(padded).rstrip())


def print_table(
    printer: Printer,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    status_column: str | None = None,
) -> None:
    """Print a table to stdout; see :func:`table_text`."""
    printer.data_text(table_text(printer, headers, rows, status_column=status_column))
