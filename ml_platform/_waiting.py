"""Following a job's output and waiting for it to end, both on the server's long polls.

Neither loop sleeps between requests: each request is held by the server until something
changes or its wait runs out. Sleeping happens only after a failed request, with backoff.

The decisions (which request comes next, what a response means, how long to back off) live
in `LogFollower`, `CompletionWaiter` and `Reconnector`, shared with the async loops in
`ml_platform._async_waiting`. This module contains the sync loops.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ml_platform import _calls
from ml_platform._exceptions import (
    APIConnectionError,
    JobFailedError,
    MLPlatformError,
    RateLimitError,
    ServerError,
    ValidationError,
    WaitTimeoutError,
)
from ml_platform._logging import logger
from ml_platform._resources import JobStatus
from ml_platform._retry import backoff_delay
from ml_platform._types import LogLine, unset_to_none

if TYPE_CHECKING:
    from ml_platform_client import models

    from ml_platform._calls import ApiCall
    from ml_platform._job import TrainingJob
    from ml_platform._job_attributes import JobAttributes

__all__ = [
    "FAILURE_TAIL_LINES",
    "MAX_WAIT_SECONDS",
    "RECONNECT_SECONDS",
    "TRANSIENT_ERRORS",
    "CompletionWaiter",
    "LogFollower",
    "Reconnector",
    "follow_logs",
    "job_failed_error",
    "log_missing_last_lines",
    "wait_for_completion",
]

MAX_WAIT_SECONDS = 30
"""The maximum ``wait`` of one long-poll request, in seconds; the API caps it at 30."""

RECONNECT_SECONDS = 120.0
"""How long following or waiting keeps retrying while the server is unreachable or failing."""

FAILURE_TAIL_LINES = 20
"""How many of the last log lines a `JobFailedError` carries."""

TRANSIENT_ERRORS = (APIConnectionError, ServerError, RateLimitError)
"""Errors after which following and waiting reconnect instead of raising."""


class Reconnector:
    """Backoff between failed requests, giving up after `RECONNECT_SECONDS` of failures."""

    def __init__(self, job_id: str, activity: str) -> None:
        self._job_id = job_id
        self._activity = activity
        self._failures = 0
        self._failing_since: float | None = None

    def next_delay(self, error: MLPlatformError, *, deadline: float | None = None) -> float:
        """Return the seconds to sleep before the next attempt.

        Raises:
            MLPlatformError: ``error`` itself, once requests have failed for too long.
        """
        now = time.monotonic()
        if self._failing_since is None:
            self._failing_since = now
        if now - self._failing_since > RECONNECT_SECONDS:
            raise error

        retry_after = getattr(error, "retry_after", None)
        if isinstance(retry_after, float):
            delay = min(retry_after, MAX_WAIT_SECONDS)
        else:
            delay = backoff_delay(self._failures)
        if deadline is not None:
            delay = max(0.0, min(delay, deadline - now))
        logger.info(
            "%s job %s: %s; retrying in %.1f s",
            self._activity,
            self._job_id,
            type(error).__name__,
            delay,
        )
        self._failures += 1
        return delay

    def reset(self) -> None:
        """Forget earlier failures after a successful request."""
        self._failures = 0
        self._failing_since = None


class LogFollower:
    """The state of one `follow_logs` iteration: its cursor and what it has yielded.

    The first request does not wait, so the queue position of a PENDING job is known at once.
    Every later request is a long poll.

    Args:
        job: The job to follow; its status is updated from each page.
        after: Yield only lines whose ``seq`` is above this; None starts at the first line.
    """

    def __init__(self, job: JobAttributes[Any], *, after: int | None) -> None:
        self.job_id = job._require_id()
        self.done = False
        self._job = job
        self._last_seq = after or 0
        self._cursor = str(after) if after else None
        self._last_position: int | None = None
        self._first = True
        self._reconnector = Reconnector(self.job_id, "following")

    def next_call(self) -> ApiCall[models.LogPage]:
        """Return the next logs request."""
        wait = 0 if self._first else MAX_WAIT_SECONDS
        return _calls.get_job_logs(self.job_id, cursor=self._cursor, wait=wait)

    def retry_delay(self, error: MLPlatformError) -> float:
        """Return the seconds to sleep after a failed request; see `Reconnector.next_delay`."""
        return self._reconnector.next_delay(error)

    def accept(self, page: models.LogPage) -> tuple[list[LogLine], int | None]:
        """Take in a page and return its new lines and a queue position to report, if any."""
        self._reconnector.reset()
        self._first = False
        lines: list[LogLine] = []
        for model in page.lines:
            # Sequence numbers are stored line numbers, so this also guards against a server
            # that sends a line twice around a restart.
            if model.seq <= self._last_seq:
                continue
            self._last_seq = model.seq
            lines.append(LogLine._from_api(model))
        self._cursor = page.next_cursor

        status = unset_to_none(page.status)
        position = unset_to_none(page.queue_position)
        job_model = self._job._model
        if status is not None and job_model is not None:
            job_model.status = status
            job_model.queue_position = page.queue_position
        report: int | None = None
        if status == JobStatus.PENDING and position is not None and position != self._last_position:
            self._last_position = report = position
        self.done = page.complete
        return lines, report


class CompletionWaiter:
    """The state of one `wait_for_completion` call: its deadline and the next long poll.

    Args:
        job: The job to wait for; each fetched model is stored on it.
        timeout_seconds: The maximum time to wait; None waits as long as the job runs.
        poll_interval: The maximum ``wait`` of one request; None uses `MAX_WAIT_SECONDS`.

    Raises:
        ValidationError: ``timeout_seconds`` or ``poll_interval`` is not a positive number.
    """

    def __init__(
        self, job: JobAttributes[Any], *, timeout_seconds: float | None, poll_interval: float | None
    ) -> None:
        _check_positive("timeout_seconds", timeout_seconds)
        _check_positive("poll_interval", poll_interval)
        self.job_id = job._require_id()
        self._job = job
        self._timeout_seconds = timeout_seconds
        self._poll_interval = poll_interval
        started = time.monotonic()
        self.deadline = None if timeout_seconds is None else started + timeout_seconds
        self._reconnector = Reconnector(self.job_id, "waiting for")

    def retry_delay(self, error: MLPlatformError) -> float:
        """Return the seconds to sleep after a failed request, never past the deadline."""
        return self._reconnector.next_delay(error, deadline=self.deadline)

    def accept(self, model: models.Job) -> None:
        """Store a fetched job on the job being waited for."""
        self._reconnector.reset()
        self._job._model = model

    @property
    def status(self) -> JobStatus:
        """The job's last fetched status."""
        status = self._job.status
        assert status is not None  # the job has an id, so it has a model
        return status

    def next_call(self) -> ApiCall[models.Job] | None:
        """Return the next long poll, or None once the job has ended.

        Raises:
            WaitTimeoutError: ``timeout_seconds`` passed first.
        """
        model = self._job._model
        assert model is not None  # the job has an id, so it has a model
        if self.status.is_final:
            return None

        remaining = None if self.deadline is None else self.deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            assert self._timeout_seconds is not None
            raise WaitTimeoutError(
                f"Job {self.job_id} is still {model.status} after {self._timeout_seconds:g} s; "
                "wait longer with wait_for_completion(timeout_seconds=...), or stop it with "
                "job.cancel().",
                job_id=self.job_id,
                status=model.status,
                timeout_seconds=self._timeout_seconds,
            )

        limit = float(MAX_WAIT_SECONDS)
        if self._poll_interval is not None:
            limit = min(limit, self._poll_interval)
        if remaining is not None:
            limit = min(limit, remaining)
        # The API takes whole seconds, so a wait can end up to a second after the deadline.
        wait = max(1, math.ceil(limit))
        return _calls.get_job(self.job_id, wait=wait, status=model.status)


def follow_logs(
    job: TrainingJob, *, on_queued: Callable[[int], object] | None, after: int | None
) -> Iterator[LogLine]:
    """Yield every line of ``job``'s output once, following it until the output is complete.

    See `TrainingJob.follow_logs`.
    """
    follower = LogFollower(job, after=after)
    return _follow(job, follower, on_queued)


def _follow(
    job: TrainingJob, follower: LogFollower, on_queued: Callable[[int], object] | None
) -> Iterator[LogLine]:
    while not follower.done:
        try:
            page = job._session.call(follower.next_call())
        except TRANSIENT_ERRORS as error:
            time.sleep(follower.retry_delay(error))
            continue

        lines, position = follower.accept(page)
        if position is not None and on_queued is not None:
            on_queued(position)
        yield from lines
    job.refresh()


def wait_for_completion(
    job: TrainingJob,
    *,
    timeout_seconds: float | None,
    poll_interval: float | None,
    raise_on_failure: bool,
) -> JobStatus:
    """Wait for ``job`` to end; see `TrainingJob.wait_for_completion`."""
    waiter = CompletionWaiter(job, timeout_seconds=timeout_seconds, poll_interval=poll_interval)
    while (call := waiter.next_call()) is not None:
        try:
            waiter.accept(job._session.call(call))
        except TRANSIENT_ERRORS as error:
            time.sleep(waiter.retry_delay(error))

    if raise_on_failure and waiter.status is JobStatus.FAILED:
        try:
            last_lines = job.get_logs(tail=FAILURE_TAIL_LINES)
        except MLPlatformError as error:
            last_lines = log_missing_last_lines(waiter.job_id, error)
        raise job_failed_error(job, last_lines)
    return waiter.status


def job_failed_error(job: JobAttributes[Any], last_lines: list[LogLine]) -> JobFailedError:
    """Build the `JobFailedError` of a FAILED ``job`` with its last output lines."""
    job_id = job._require_id()
    reason = job.failure_reason or "unknown reason"
    code = f", exit code {job.exit_code}" if job.exit_code is not None else ""
    last = f"; its last output line was {last_lines[-1].text!r}" if last_lines else ""
    message = (
        f"Job {job_id} FAILED ({reason}{code}){last}; read its output with job.get_logs() "
        "and fix the script before submitting again."
    )
    return JobFailedError(
        message,
        job_id=job_id,
        exit_code=job.exit_code,
        failure_reason=job.failure_reason,
        last_lines=last_lines,
    )


def log_missing_last_lines(job_id: str, error: MLPlatformError) -> list[LogLine]:
    """Log why the last lines of a failed job could not be read; return none."""
    logger.info("could not read the last log lines of job %s: %s", job_id, error)
    return []


def _check_positive(name: str, value: float | None) -> None:
    if value is None:
        return
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    ):
        return
    raise ValidationError(
        f"Invalid {name}={value!r}: expected a positive number of seconds, or None.",
        field=name,
    )
