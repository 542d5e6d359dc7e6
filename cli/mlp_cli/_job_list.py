"""``mlp job list``: list jobs, newest first, once or refreshed with ``--watch``."""

from __future__ import annotations

import dataclasses
import datetime
import json
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

from mlp_cli._console import Printer
from mlp_cli._exit_codes import WATCHING_EXIT_CODES_HELP
from mlp_cli._options import (
    DOCUMENT_FORMATS,
    check_quiet_output,
    connection_options,
    output_option,
    quiet_option,
)
from mlp_cli._state import get_state

if TYPE_CHECKING:
    from rich.text import Text

    from ml_platform import MLPlatformClient, TrainingJob

STATUSES = ("PENDING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED")
"""The statuses ``--status`` accepts, as the API spells them."""

DEFAULT_LIMIT = 20
"""How many jobs are listed without ``--limit`` or ``--all``: one page of the API's default size."""

MAX_PAGE_SIZE = 100
"""The largest page the API returns; longer listings take several requests."""

NAME_PREFIX_MAX_LENGTH = 128
"""The maximum length of a name prefix, the same as the API's maximum for a job name."""

TABLE_HEADERS = ("ID", "NAME", "STATUS", "AGE", "DURATION")
WIDE_HEADERS = (*TABLE_HEADERS, "RESOURCES", "QUEUE", "EXIT CODE", "REASON")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Listing:
    """The jobs of one listing and what is needed to print them.

    Attributes:
        jobs: The jobs, newest first.
        next_cursor: The cursor after the last job, None when no job follows.
        server_time: The server's clock at the last response, from its ``Date`` header, or the
            local clock when the server sent none.
    """

    jobs: list[TrainingJob]
    next_cursor: str | None
    server_time: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        """Return the listing in the shape of the API's ``JobList``."""
        body: dict[str, Any] = {"jobs": [job.to_dict() for job in self.jobs]}
        if self.next_cursor is not None:
            body["next_cursor"] = self.next_cursor
        return body


# click.Choice is generic from Click 8.2 on; subscripting it at run time fails on 8.1.
if TYPE_CHECKING:
    _StatusChoiceBase = click.Choice[str]
else:
    _StatusChoiceBase = click.Choice


class StatusChoice(_StatusChoiceBase):
    """A job status, accepted in any case and shown and returned as the API spells it."""

    def __init__(self) -> None:
        super().__init__(STATUSES, case_sensitive=True)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        """Upper-case the value, then check it against the statuses."""
        return super().convert(str(value).upper(), param, ctx)


def _check_name_prefix(
    _ctx: click.Context, _param: click.Parameter, value: str | None
) -> str | None:
    if value is not None and not 0 < len(value) <= NAME_PREFIX_MAX_LENGTH:
        raise click.BadParameter(
            f"the prefix is {len(value)} characters long; use 1 to {NAME_PREFIX_MAX_LENGTH}."
        )
    return value


def fetch_listing(
    client: MLPlatformClient,
    *,
    status: str | None,
    name_prefix: str | None,
    limit: int | None,
    cursor: str | None,
) -> Listing:
    """Fetch jobs page by page until ``limit`` jobs or the last page.

    Each request fetches no more jobs than are still missing, so the cursor returned points
    right after the last job listed.

    Args:
        client: The SDK client.
        status: Only jobs with this status.
        name_prefix: Only jobs whose name starts with this.
        limit: The maximum number of jobs to fetch; None fetches every matching job.
        cursor: Where to start, the ``next_cursor`` of an earlier listing.
    """
    jobs: list[TrainingJob] = []
    server_time: datetime.datetime | None = None
    while True:
        page_size = MAX_PAGE_SIZE if limit is None else min(MAX_PAGE_SIZE, limit - len(jobs))
        page = client.list_jobs_page(
            status=status, name_prefix=name_prefix, page_size=page_size, cursor=cursor
        )
        jobs.extend(page.jobs)
        cursor = page.next_cursor
        server_time = page.server_time or server_time
        if cursor is None or (limit is not None and len(jobs) >= limit):
            break

    now = server_time or datetime.datetime.now(datetime.UTC)
    return Listing(jobs=jobs, next_cursor=cursor, server_time=now)


def listing_rows(listing: Listing, *, wide: bool) -> list[list[str]]:
    """Return the table cells of each job, with ages against the server's clock."""
    from mlp_cli._render import format_age, format_duration, format_resources, job_duration

    rows = []
    for job in listing.jobs:
        document = job.to_dict()
        created = job.created_at
        age = (listing.server_time - created).total_seconds() if created else None
        duration = job_duration(document, now=listing.server_time)
        row = [
            str(job.id),
            job.name,
            str(document.get("status", "UNKNOWN")),
            format_age(age) if age is not None else "-",
            format_duration(duration) if duration is not None else "-",
        ]
        if wide:
            row += [
                format_resources(document.get("resources") or {}),
                str(job.queue_position) if job.queue_position is not None else "-",
                str(job.exit_code) if job.exit_code is not None else "-",
                job.failure_reason or "-",
            ]
        rows.append(row)
    return rows


def render_listing(printer: Printer, listing: Listing, *, output: str, quiet: bool) -> str | Text:
    """Return the listing as text for stdout: ids, a table, JSON or YAML."""
    from mlp_cli._render import dump_document
    from mlp_cli._table import table_text

    if quiet:
        return "\n".join(str(job.id) for job in listing.jobs)
    if output in DOCUMENT_FORMATS:
        return dump_document(listing.to_dict(), output)

    headers = WIDE_HEADERS if output == "wide" else TABLE_HEADERS
    rows = listing_rows(listing, wide=output == "wide")
    return table_text(printer, headers, rows, status_column="STATUS")


def _print_once(printer: Printer, listing: Listing, *, output: str, quiet: bool) -> None:
    if not listing.jobs and output not in DOCUMENT_FORMATS:
        printer.message("No jobs found.")
        return

    rendered = render_listing(printer, listing, output=output, quiet=quiet)
    if isinstance(rendered, str):
        printer.data(rendered)
    else:
        printer.data_text(rendered)
    # The hint goes to stderr, so it is shown with -q too: a script piping the ids on would
    # otherwise miss the jobs after the first page without a word.
    if listing.next_cursor is not None and output not in DOCUMENT_FORMATS:
        printer.message(
            f"More jobs match than the {len(listing.jobs)} shown; pass --limit N or --all to list "
            "them."
        )


@click.command(
    name="list",
    epilog=WATCHING_EXIT_CODES_HELP,
)
@click.option(
    "--status",
    type=StatusChoice(),
    help="Only jobs with this status.",
)
@click.option(
    "--name",
    "name_prefix",
    metavar="PREFIX",
    callback=_check_name_prefix,
    help="Only jobs whose name starts with PREFIX.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    metavar="N",
    help=f"List at most N jobs, the newest first. Default {DEFAULT_LIMIT}.",
)
@click.option("--all", "all_jobs", is_flag=True, help="List every matching job.")
@click.option(
    "--cursor",
    metavar="CURSOR",
    help="Start after the jobs of an earlier listing: the next_cursor that -o json printed.",
)
@click.option(
    "-w",
    "--watch",
    is_flag=True,
    help="Refresh the listing until Ctrl-C: in place on a terminal, and printed again after "
    "each interval when stdout is a file or pipe (one compact JSON document per line with -o "
    "json).",
)
@click.option(
    "--interval",
    type=click.FloatRange(min=0.5),
    default=2.0,
    show_default=True,
    metavar="SECONDS",
    help="Seconds between refreshes with --watch.",
)
@output_option
@quiet_option("Print only the job ids, one per line.")
@connection_options
@click.pass_context
def list_jobs(
    ctx: click.Context,
    status: str | None,
    name_prefix: str | None,
    limit: int | None,
    all_jobs: bool,
    cursor: str | None,
    watch: bool,
    interval: float,
    output: str,
    quiet: bool,
) -> None:
    """List jobs, newest first.

    AGE counts from the job's creation and DURATION from its start, both against the server's
    clock. -o json and -o yaml print the API's JobList shape: the jobs and, when more match, the
    next_cursor to pass to --cursor.

    \b
    Examples:
      mlp job list --status RUNNING
      mlp job list --name nightly- --all -q
      mlp job list --watch
    """
    check_quiet_output(quiet=quiet, output=output, prints="the job ids")
    if all_jobs and limit is not None:
        raise click.UsageError("--all lists every job, so it cannot be used with --limit.")
    if ctx.get_parameter_source("interval") != ParameterSource.DEFAULT and not watch:
        raise click.UsageError("--interval applies only to --watch.")

    cap = None if all_jobs else (limit or DEFAULT_LIMIT)
    state = get_state()
    printer = Printer(color=state.color)
    with state.connect() as client:

        def fetch() -> Listing:
            return fetch_listing(
                client,
                status=status.upper() if status else None,
                name_prefix=name_prefix,
                limit=cap,
                cursor=cursor,
            )

        if not watch:
            _print_once(printer, fetch(), output=output, quiet=quiet)
            return

        from mlp_cli._job_list_watch import watch_listing

        watch_listing(
            printer, _refreshes(fetch, interval), interval=interval, output=output, quiet=quiet
        )


def _refreshes(fetch: Callable[[], Listing], interval: float) -> Iterator[Listing]:
    """Yield a fresh listing at once and then after every interval, until interrupted."""
    while True:
        started = time.monotonic()
        yield fetch()
        time.sleep(max(0.0, interval - (time.monotonic() - started)))


def compact_json(listing: Listing) -> str:
    """Return the listing as one line of JSON, for one refresh of ``--watch -o json``."""
    from mlp_cli._render import plain_document

    return json.dumps(plain_document(listing.to_dict()), ensure_ascii=False, separators=(",", ":"))
