"""`AsyncTrainingJob`: `TrainingJob` for asyncio, with ``await`` wherever a request is made."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Literal, overload

from ml_platform import _calls
from ml_platform._job_attributes import JobAttributes
from ml_platform._paging import LogReader
from ml_platform._resources import JobStatus
from ml_platform._types import DryRunResult, JobMetrics, LogLine, MetricPoint
from ml_platform._validation import check_after, check_tail

if TYPE_CHECKING:
    from ml_platform_client import models

    from ml_platform._async_session import AsyncSession

__all__ = ["AsyncTrainingJob"]


class AsyncTrainingJob(JobAttributes["AsyncSession"]):
    """A training job of an `AsyncMLPlatformClient`; the async twin of `TrainingJob`.

    It has the same attributes and methods as `TrainingJob`, with the same parameters. The
    methods that make requests are coroutines, and `follow_logs` is an async iterator. A job
    belongs to the event loop of its client.

    Example:
        >>> import asyncio
        >>> async def train():
        ...     async with AsyncMLPlatformClient() as mlp:
        ...         job = mlp.create_job("tiny", "train.py", workdir="docs/snippets/tiny-train")
        ...         await job.submit()
        ...         async for line in job.follow_logs():
        ...             print(line.text)
        ...         return await job.wait_for_completion()
        >>> asyncio.run(train())
        epoch 1: loss=0.500 accuracy=0.750
        epoch 2: loss=0.250 accuracy=0.875
        epoch 3: loss=0.125 accuracy=0.938
        <JobStatus.SUCCEEDED: 'SUCCEEDED'>
    """

    # Submitting -------------------------------------------------------------------------------

    @overload
    async def submit(
        self,
        wait_for_capacity: bool = False,
        idempotency_key: str | None = None,
        dry_run: Literal[False] = False,
    ) -> AsyncTrainingJob: ...

    @overload
    async def submit(
        self,
        wait_for_capacity: bool = False,
        idempotency_key: str | None = None,
        *,
        dry_run: Literal[True],
    ) -> DryRunResult: ...

    @overload
    async def submit(
        self,
        wait_for_capacity: bool = False,
        idempotency_key: str | None = None,
        dry_run: bool = False,
    ) -> AsyncTrainingJob | DryRunResult: ...

    async def submit(
        self,
        wait_for_capacity: bool = False,
        idempotency_key: str | None = None,
        dry_run: bool = False,
    ) -> AsyncTrainingJob | DryRunResult:
        """Pack and upload the working directory, then submit the job; see `TrainingJob.submit`.

        Packing reads the working directory in the calling thread, before the first request.

        Returns:
            This job, now with an id and status; with ``dry_run``, a `DryRunResult`.
        """
        from ml_platform._upload import upload_archive_async

        submission = self._prepare_submission(
            wait_for_capacity=wait_for_capacity, idempotency_key=idempotency_key, dry_run=dry_run
        )
        await upload_archive_async(self._session, submission.archive)
        if dry_run:
            return DryRunResult._from_api(await self._session.call(submission.dry_run))
        self._model = await self._session.call(submission.create)
        return self

    # Reading ----------------------------------------------------------------------------------

    async def refresh(self) -> AsyncTrainingJob:
        """Fetch the job's current state from the server and return this job."""
        self._model = await self._session.call(_calls.get_job(self._require_id()))
        return self

    async def get_status(self) -> JobStatus:
        """Fetch and return the job's current status."""
        status = (await self.refresh()).status
        assert status is not None  # a fetched job always has a status
        return status

    async def get_logs(self, tail: int | None = 100) -> list[LogLine]:
        """Return the job's stored output, oldest first; see `TrainingJob.get_logs`."""
        tail = check_tail(tail)
        reader = LogReader(self._require_id(), tail)
        while (call := reader.next_call()) is not None:
            reader.accept(await self._session.call(call))
        return reader.lines

    def follow_logs(
        self,
        *,
        on_queued: Callable[[int], object] | None = None,
        after: int | None = None,
    ) -> AsyncIterator[LogLine]:
        """Yield the job's output as it is written, each line once; see `TrainingJob.follow_logs`.

        Use it with ``async for``. ``on_queued`` may be a plain function or a coroutine
        function, whose result is awaited.
        """
        from ml_platform._async_waiting import follow_logs

        return follow_logs(self, on_queued=on_queued, after=check_after(after))

    async def get_metrics(self, *, history: bool = True) -> JobMetrics:
        """Return the job's latest metric values and their history.

        Args:
            history: Fetch every reported point too. Pass False when only the latest values
                are needed: a job that reports often can have many thousands of points.
        """
        metrics = await self._session.call(
            _calls.get_job_metrics(self._require_id(), history=history)
        )
        return JobMetrics._from_api(metrics)

    async def metrics_history(self) -> list[MetricPoint]:
        """Return every metric point the job reported, oldest first."""
        return (await self.get_metrics()).history

    # Waiting and cancelling -------------------------------------------------------------------

    async def wait_for_completion(
        self,
        timeout_seconds: float | None = None,
        poll_interval: float | None = None,
        raise_on_failure: bool = False,
    ) -> JobStatus:
        """Wait until the job ends and return its final status.

        The arguments are those of `TrainingJob.wait_for_completion`.

        Raises:
            WaitTimeoutError: ``timeout_seconds`` passed first; the job keeps running.
            JobFailedError: The job FAILED and ``raise_on_failure`` is True.
        """
        from ml_platform._async_waiting import wait_for_completion

        return await wait_for_completion(
            self,
            timeout_seconds=timeout_seconds,
            poll_interval=poll_interval,
            raise_on_failure=raise_on_failure,
        )

    async def cancel(self) -> AsyncTrainingJob:
        """Cancel the job and return it, now CANCELLED; see `TrainingJob.cancel`.

        Raises:
            ConflictError: The job had already finished.
        """
        self._model = await self._session.call(_calls.cancel_job(self._require_id()))
        return self

    @classmethod
    def _from_model(cls, session: AsyncSession, model: models.Job) -> AsyncTrainingJob:
        return cls(session, model=model)
