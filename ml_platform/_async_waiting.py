"""The async loops of following a job's output and waiting for it to end.

They make the same requests as the sync loops in `ml_platform._waiting`, decided by the same
`LogFollower` and `CompletionWaiter`, and sleep with `asyncio.sleep` only after
a failed request.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

from ml_platform._exceptions import MLPlatformError
from ml_platform._resources import JobStatus
from ml_platform._waiting import (
    FAILURE_TAIL_LINES,
    TRANSIENT_ERRORS,
    CompletionWaiter,
    LogFollower,
    job_failed_error,
    log_missing_last_lines,
)

if TYPE_CHECKING:
    from ml_platform._async_job import AsyncTrainingJob
    from ml_platform._types import LogLine

__all__ = ["follow_logs", "wait_for_completion"]


def follow_logs(
    job: AsyncTrainingJob, *, on_queued: Callable[[int], object] | None, after: int | None
) -> AsyncIterator[LogLine]:
    """Yield every line of ``job``'s output once; see `AsyncTrainingJob.follow_logs`."""
    follower = LogFollower(job, after=after)
    return _follow(job, follower, on_queued)


async def _follow(
    job: AsyncTrainingJob, follower: LogFollower, on_queued: Callable[[int], object] | None
) -> AsyncIterator[LogLine]:
    while not follower.done:
        try:
            page = await job._session.call(follower.next_call())
        except TRANSIENT_ERRORS as error:
            await asyncio.sleep(follower.retry_delay(error))
            continue

        lines, position = follower.accept(page)
        if position is not None and on_queued is not None:
            outcome = on_queued(position)
            if inspect.isawaitable(outcome):
                await outcome
        for line in lines:
            yield line
    await job.refresh()


async def wait_for_completion(
    job: AsyncTrainingJob,
    *,
    timeout_seconds: float | None,
    poll_interval: float | None,
    raise_on_failure: bool,
) -> JobStatus:
    """Wait for ``job`` to end; see `AsyncTrainingJob.wait_for_completion`."""
    waiter = CompletionWaiter(job, timeout_seconds=timeout_seconds, poll_interval=poll_interval)
    while (call := waiter.next_call()) is not None:
        try:
            waiter.accept(await job._session.call(call))
        except TRANSIENT_ERRORS as error:
            await asyncio.sleep(waiter.retry_delay(error))

    if raise_on_failure and waiter.status is JobStatus.FAILED:
        try:
            last_lines = await job.get_logs(tail=FAILURE_TAIL_LINES)
        except MLPlatformError as error:
            last_lines = log_missing_last_lines(waiter.job_id, error)
        raise job_failed_error(job, last_lines)
    return waiter.status
