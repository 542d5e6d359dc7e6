"""Following a job's output and waiting for it to end, both on the server's long polls.

Neither loop sleeps between requests: each request is held by the server until something
changes or its wait runs out. Sleeping happens only after a failed request, with backoff.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

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
    from ml_platform._job import TrainingJob

__all__ = [
    "FAILURE_TAIL_LINES",
    "MAX_WAIT_SECONDS",
    "RECONNECT_SECONDS",
    "follow_logs",
    "wait_for_completion",
]

MAX_WAIT_SECONDS = 30
"""The maximum ``wait`` of one long-poll request, in seconds; the API caps it at 30."""

RECONNECT_SECONDS = 120.0
"""How long following or waiting keeps retrying while the server is unreachable or failing."""

FAILURE_TAIL_LINES = 20
"""How many of the last log lines a `JobFailedError` carries."""

_TRANSIENT_ERRORS = (APIConnectionError, ServerError, RateLimitError)


class _Reconnector:
    """Backoff between failed requests, giving up after `RECONNECT_SECONDS` of failures."""

    def __init__(self, job_id: str, activity: str) -> None:
        self._job_id = job_id
        self._activity = activity
        self._failures = 0
        self._failing_since: float | None = None

    def pause(self, error: MLPlatformError, *, deadline: float | None = None) -> None:
        """Sleep before the next attempt, or re-raise ``error`` when failing for too long."""
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
        time.sleep(delay)
        self._failures += 1

    def reset(self) -> None:
        """Forget earlier failures after a successful request."""
        self._failures = 0
        self._failing_since = None


def follow_logs(
    job: TrainingJob, *, on_queued: Callable[[int], object] | None = None
) -> Iterator[LogLine]:
    """Yield every line of ``job``'s output once, following it until the output is complete.

    See `TrainingJob.follow_logs`.
    """
    job_id = job._require_id()
    return _follow(job, job_id, on_queued)


def _follow(
    job: TrainingJob, job_id: str, on_queued: Callable[[int], object] | None
) -> Iterator[LogLine]:
    cursor: str | None = None
    last_seq = 0
    last_position: int | None = None
    reconnector = _Reconnector(job_id, "following")

    while True:
        try:
            page = job._fetch_logs(job_id, cursor=cursor, wait=MAX_WAIT_SECONDS)
        except _TRANSIENT_ERRORS as error:
            reconnector.pause(error)
            continue
        reconnector.reset()

        for model in page.lines:
            # Sequence numbers are stored line numbers, so this also guards against a server
            # that sends a line twice around a restart.
            if model.seq <= last_seq:
                continue
            last_seq = model.seq
            yield LogLine._from_api(model)
        cursor = page.next_cursor

        status = unset_to_none(page.status)
        position = unset_to_none(page.queue_position)
        if status is not None and job._model is not None:
            job._model.status = status
            job._model.queue_position = page.queue_position
        if status == JobStatus.PENDING and position is not None and position != last_position:
            last_position = position
            if on_queued is not None:
                on_queued(position)

        if page.complete:
            break

    job.refresh()


def wait_for_completion(
    job: TrainingJob,
    *,
    timeout_seconds: float | None,
    poll_interval: float | None,
    raise_on_failure: bool,
) -> JobStatus:
    """Wait for ``job`` to end; see `TrainingJob.wait_for_completion`."""
    job_id = job._require_id()
    _check_positive("timeout_seconds", timeout_seconds)
    _check_positive("poll_interval", poll_interval)

    started = time.monotonic()
    deadline = None if timeout_seconds is None else started + timeout_seconds
    reconnector = _Reconnector(job_id, "waiting for")

    while True:
        status = job.status
        assert status is not None and job._model is not None  # _require_id ensured a model
        if status.is_final:
            break

        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            assert timeout_seconds is not None
            raise WaitTimeoutError(
                f"Job {job_id} is still {job._model.status} after {timeout_seconds:g} s; wait "
                "longer with wait_for_completion(timeout_seconds=...), or stop it with "
                "job.cancel().",
                job_id=job_id,
                status=job._model.status,
                timeout_seconds=timeout_seconds,
            )

        limit = float(MAX_WAIT_SECONDS)
        if poll_interval is not None:
            limit = min(limit, poll_interval)
        if remaining is not None:
            limit = min(limit, remaining)
        # The API takes whole seconds, so a wait can end up to a second after the deadline.
        wait = max(1, math.ceil(limit))

        try:
            job._model = job._fetch(wait=wait, status=job._model.status)
        except _TRANSIENT_ERRORS as error:
            reconnector.pause(error, deadline=deadline)
            continue
        reconnector.reset()

    if raise_on_failure and status is JobStatus.FAILED:
        raise _job_failed_error(job, job_id)
    return status


def _job_failed_error(job: TrainingJob, job_id: str) -> JobFailedError:
    try:
        last_lines = job.get_logs(tail=FAILURE_TAIL_LINES)
    except MLPlatformError as error:
        logger.info("could not read the last log lines of job %s: %s", job_id, error)
        last_lines = []

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
