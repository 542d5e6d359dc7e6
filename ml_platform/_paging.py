"""Job pages, and reading page after page: which request comes next and what each page adds.

`LogReader` (for ``get_logs``) and `JobPager` (for ``list_jobs``) decide the requests. The
sync and async clients only send them, so both read the same pages in the same order.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ml_platform import _calls
from ml_platform._types import LogLine, parse_http_date

if TYPE_CHECKING:
    from ml_platform_client import models

    from ml_platform._async_job import AsyncTrainingJob
    from ml_platform._calls import ApiCall
    from ml_platform._job import TrainingJob
    from ml_platform._job_attributes import JobAttributes

__all__ = ["AsyncJobPage", "BaseJobPage", "JobPage", "JobPager", "LogReader"]

_Job = TypeVar("_Job", bound="JobAttributes[Any]")
_Page = TypeVar("_Page", bound="BaseJobPage[Any]")


@dataclass(frozen=True, kw_only=True)
class BaseJobPage(Generic[_Job]):
    """One page of a job listing, with jobs of either client."""

    jobs: list[_Job]
    next_cursor: str | None = None
    server_time: datetime.datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the page in the API's JSON shape (which has no ``server_time``)."""
        body: dict[str, Any] = {"jobs": [job.to_dict() for job in self.jobs]}
        if self.next_cursor is not None:
            body["next_cursor"] = self.next_cursor
        return body


@dataclass(frozen=True, kw_only=True)
class JobPage(BaseJobPage["TrainingJob"]):
    """One page of a job listing, from `MLPlatformClient.list_jobs_page`.

    Attributes:
        jobs: The jobs on this page, newest first.
        next_cursor: Pass as ``cursor`` to `MLPlatformClient.list_jobs_page` for the next page;
            None on the last page.
        server_time: The server's clock when it sent the page (aware, UTC, whole seconds),
            from the response's ``Date`` header; None when the header is missing or invalid.
            Compute ages such as ``page.server_time - job.created_at`` against it, so a
            skewed local clock does not distort them.
    """

    jobs: list[TrainingJob]


@dataclass(frozen=True, kw_only=True)
class AsyncJobPage(BaseJobPage["AsyncTrainingJob"]):
    """One page of a job listing, from `AsyncMLPlatformClient.list_jobs_page`.

    Attributes:
        jobs: The jobs on this page, newest first.
        next_cursor: Pass as ``cursor`` to `AsyncMLPlatformClient.list_jobs_page` for the next
            page; None on the last page.
        server_time: The server's clock when it sent the page (aware, UTC, whole seconds),
            from the response's ``Date`` header; None when the header is missing or invalid.
    """

    jobs: list[AsyncTrainingJob]


class LogReader:
    """Read a job's stored output: its last ``tail`` lines, or every line page by page.

    Args:
        job_id: The job to read.
        tail: How many of the last lines to read; None reads every line.
    """

    def __init__(self, job_id: str, tail: int | None) -> None:
        self.lines: list[LogLine] = []
        self._job_id = job_id
        self._tail = tail
        self._next: ApiCall[models.LogPage] | None = _calls.get_job_logs(job_id, tail=tail)

    def next_call(self) -> ApiCall[models.LogPage] | None:
        """Return the next request, or None when every line has been read."""
        return self._next

    def accept(self, page: models.LogPage) -> None:
        """Add a page's lines and decide whether another page is needed."""
        self.lines.extend(LogLine._from_api(line) for line in page.lines)
        if self._tail is not None or not page.lines or page.complete:
            self._next = None
        else:
            self._next = _calls.get_job_logs(self._job_id, cursor=page.next_cursor)


class JobPager(Generic[_Page]):
    """Request the pages of a job listing, each after the cursor of the one before.

    Args:
        page_type: `JobPage` or `AsyncJobPage`.
        make_job: Makes the client's job object from a listed job model.
        status: Only jobs with this status.
        name_prefix: Only jobs whose name starts with this.
        page_size: Jobs per page; None for the server's default.
        cursor: The cursor to start from; None for the newest job.
    """

    def __init__(
        self,
        page_type: type[_Page],
        make_job: Callable[[models.Job], JobAttributes[Any]],
        *,
        status: str | None,
        name_prefix: str | None,
        page_size: int | None,
        cursor: str | None = None,
    ) -> None:
        self._page_type = page_type
        self._make_job = make_job
        self._status = status
        self._name_prefix = name_prefix
        self._page_size = page_size
        self._next: str | None = cursor
        self._done = False

    def next_call(self) -> ApiCall[models.JobList] | None:
        """Return the request for the next page, or None after the last page."""
        if self._done:
            return None
        return _calls.list_jobs(
            status=self._status,
            name_prefix=self._name_prefix,
            limit=self._page_size,
            cursor=self._next,
        )

    def accept(self, listing: models.JobList, headers: Mapping[str, str]) -> _Page:
        """Turn a listing response and its headers into a page; remember its cursor."""
        cursor = listing.next_cursor if isinstance(listing.next_cursor, str) else None
        self._next = cursor
        self._done = cursor is None
        return self._page_type(
            jobs=[self._make_job(model) for model in listing.jobs],
            next_cursor=cursor,
            server_time=parse_http_date(headers.get("Date")),
        )
