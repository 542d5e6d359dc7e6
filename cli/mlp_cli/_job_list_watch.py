"""``mlp job list --watch``: redraw the listing in place on a terminal, or print it again.

On a terminal the table is redrawn with rich's ``Live`` display. When stdout is a file or a
pipe, each refresh is printed in full: a table followed by a blank line, one compact JSON
document per line, or one YAML document after ``---``. Ctrl-C ends the watch with exit 130.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from mlp_cli._job_list import Listing, compact_json, render_listing
from mlp_cli._options import DOCUMENT_FORMATS
from mlp_cli._render import format_timestamp

if TYPE_CHECKING:
    from rich.text import Text

    from mlp_cli._console import Printer


def watch_listing(
    printer: Printer,
    listings: Iterator[Listing],
    *,
    interval: float,
    output: str,
    quiet: bool,
) -> None:
    """Print each listing that ``listings`` yields until it stops or Ctrl-C is pressed.

    Args:
        printer: Where to write.
        listings: Fresh listings, fetched when the next one is requested.
        interval: Seconds between refreshes, for the header line.
        output: The ``-o`` value.
        quiet: Print only job ids.
    """
    if printer.stdout_is_terminal and output not in DOCUMENT_FORMATS:
        _watch_in_place(printer, listings, interval=interval, output=output, quiet=quiet)
    else:
        _watch_plain(printer, listings, output=output, quiet=quiet)


def _frame(
    printer: Printer, listing: Listing, *, interval: float, output: str, quiet: bool
) -> Text:
    from rich.text import Text

    stamp = format_timestamp(listing.server_time)
    frame = Text(f"Every {interval:g}s, last at {stamp} (server clock). Ctrl-C stops.\n\n")
    if not listing.jobs:
        frame.append("No jobs found.")
        return frame

    rendered = render_listing(printer, listing, output=output, quiet=quiet)
    if isinstance(rendered, str):
        frame.append(rendered)
    else:
        frame.append_text(rendered)
    return frame


def _watch_in_place(
    printer: Printer, listings: Iterator[Listing], *, interval: float, output: str, quiet: bool
) -> None:
    from rich.live import Live

    first = next(listings)
    frame = _frame(printer, first, interval=interval, output=output, quiet=quiet)
    with Live(
        frame,
        console=printer.out,
        auto_refresh=False,
        redirect_stdout=False,
        redirect_stderr=False,
    ) as live:
        for listing in listings:
            frame = _frame(printer, listing, interval=interval, output=output, quiet=quiet)
            live.update(frame, refresh=True)


def _watch_plain(
    printer: Printer, listings: Iterator[Listing], *, output: str, quiet: bool
) -> None:
    from mlp_cli._render import dump_document

    for count, listing in enumerate(listings):
        if output == "json":
            printer.data(compact_json(listing))
            continue
        if output == "yaml":
            printer.data("---\n" + dump_document(listing.to_dict(), "yaml"))
            continue

        if count:
            printer.data("")
        if not listing.jobs:
            printer.message("No jobs found.")
            continue
        rendered = render_listing(printer, listing, output=output, quiet=quiet)
        if isinstance(rendered, str):
            printer.data(rendered)
        else:
            printer.data_text(rendered)
