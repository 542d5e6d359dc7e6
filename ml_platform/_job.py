"""`TrainingJob`: a job described locally, then submitted and followed on the server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Literal, overload

from ml_platform import _calls
from ml_platform._job_attributes import JobAttributes
from ml_platform._paging import LogReader
from ml_platform._resources import JobStatus
from ml_platform._types import DryRunResult, JobMetrics, LogLine, MetricPoint
from ml_platform._validation import check_after, check_tail

if TYPE_CHECKING:
    from ml_platform_client import models

    from ml_platform._session import Session

__all__ = ["TrainingJob"]


class TrainingJob(JobAttributes["Session"]):
    """A training job: a local description until `submit`, then a handle on the server's job.

    Get one from `MLPlatformClient.create_job` (not yet submitted), `MLPlatformClient.get_job`
    or `MLPlatformClient.list_jobs`. Attributes read the last state fetched from the server;
    `refresh` fetches it again. A `TrainingJob` is not safe to share between threads.

    Example:
        >>> job = client.create_job("tiny", "train.py", workdir="docs/snippets/tiny-train")
        >>> job.submit()
        TrainingJob(id='job-...', name='tiny', status='RUNNING')
        >>> for line in job.follow_logs():
        ...     print(line.text)
        epoch 1: loss=0.500 accuracy=0.750
        epoch 2: loss=0.250 accuracy=0.875
        epoch 3: loss=0.125 accuracy=0.938
        >>> job.wait_for_completion()
        <JobStatus.SUCCEEDED: 'SUCCEEDED'>
    """

    # Submitting -------------------------------------------------------------------------------

    @overload
    def submit(
        self,
        wait_for_capacity: bool = False,
        idempotency_key: str | None = None,
        dry_run: Literal[False] = False,
    ) -> TrainingJob: ...

    @overload
    def submit(
        self,
        wait_for_capacity: bool = False,
        idempotency_key: str | None = None,
        *,
        dry_run: Literal[True],
    ) -> DryRunResult: ...

    @overload
    def submit(
        self,
        wait_for_capacity: bool = False,
        idempotency_key: str | None = None,
        dry_run: bool = False,
    ) -> TrainingJob | DryRunResult: ...

    def submit(
        self,
        wait_for_capacity: bool = False,
        idempotency_key: str | None = None,
        dry_run: bool = False,
    ) -> TrainingJob | DryRunResult:
        """Pack and upload the working directory, then submit the job.

        The directory is uploaded only when the server does not already store an archive
        with the same digest. The submit carries an idempotency key, generated when none is
        given and kept on this object. So a retry after a lost response, made by the client or
        by calling `submit` again, returns the job created the first time, not a second job.

        Args:
            wait_for_capacity: Queue the job as PENDING when it does not fit now, instead of
                raising `ResourceUnavailableError`.
            idempotency_key: A key unique to this intended job; generated when None.
            dry_run: Only validate the job and check whether it would fit; create nothing.

        Returns:
            This job, now with an id and status; with ``dry_run``, a `DryRunResult`.

        Raises:
            ValidationError: The job or its working directory is invalid.
            ResourceUnavailableError: The job does not fit and ``wait_for_capacity`` is False,
                or it can never fit.
            IdempotencyConflictError: ``idempotency_key`` was used for a different job.
            MLPlatformError: The job was already submitted, or another API error.

        Example:
            >>> job = client.create_job("tiny", "train.py", workdir="docs/snippets/tiny-train")
            >>> job.submit(dry_run=True).fits_now
            True
            >>> job.submit(wait_for_capacity=True).id
            'job-...'
        """
        from ml_platform._upload import upload_archive

        submission = self._prepare_submission(
            wait_for_capacity=wait_for_capacity, idempotency_key=idempotency_key, dry_run=dry_run
        )
        upload_archive(self._session, submission.archive)
        if dry_run:
            return DryRunResult._from_api(self._session.call(submission.dry_run))
        self._model = self._session.call(submission.create)
        return self

    # Reading ----------------------------------------------------------------------------------

    def refresh(self) -> TrainingJob:
        """Fetch the job's current state from the server.

        Returns:
            This job.

        Raises:
            JobNotFoundError: The job does not exist for this API key.
        """
        self._model = self._session.call(_calls.get_job(self._require_id()))
        return self

    def get_status(self) -> JobStatus:
        """Fetch and return the job's current status."""
        status = self.refresh().status
        assert status is not None  # a fetched job always has a status
        return status

    def get_logs(self, tail: int | None = 100) -> list[LogLine]:
        """Return the job's stored output.

        Args:
            tail: How many of the last lines to return, from 1 to 1000; None returns every
                line, reading page after page.

        Returns:
            The lines, oldest first.
        """
        tail = check_tail(tail)
        reader = LogReader(self._require_id(), tail)
        while (call := reader.next_call()) is not None:
            reader.accept(self._session.call(call))
        return reader.lines

    def follow_logs(
        self,
        *,
        on_queued: Callable[[int], object] | None = None,
        after: int | None = None,
    ) -> Iterator[LogLine]:
        """Yield the job's output as it is written, each line exactly once, until the job ends.

        Long-polls the server, so a line arrives as soon as it is stored. After a dropped
        connection, a server restart, a 5xx or a 429, it resumes from its cursor with backoff,
        and raises after two minutes of failed requests. The iterator ends after the last
        line, once the server reports the output complete.

        Args:
            on_queued: Called with the queue position while the job is PENDING: from the
                first response, which the server sends at once, and then each time a
                response shows a new position.
            after: Start after the line with this ``seq``, for example the last line that
                `get_logs` returned; None starts at the first line.

        Raises:
            ValidationError: ``after`` is not a whole number of 0 or more.
            APIConnectionError: The server stayed unreachable.

        Example:
            >>> def show_position(position):
            ...     print("queued at", position)
            >>> job = client.create_job("tiny", "train.py", workdir="docs/snippets/tiny-train")
            >>> for line in job.submit().follow_logs(on_queued=show_position):
            ...     print(line.seq, line.text)
            1 epoch 1: loss=0.500 accuracy=0.750
            2 epoch 2: loss=0.250 accuracy=0.875
            3 epoch 3: loss=0.125 accuracy=0.938
            >>> [line.text for line in job.follow_logs(after=2)]
            ['epoch 3: loss=0.125 accuracy=0.938']
        """
        from ml_platform._waiting import follow_logs

        return follow_logs(self, on_queued=on_queued, after=check_after(after))

    def get_metrics(self, *, history: bool = True) -> JobMetrics:
        """Return the job's latest metric values and their history.

        Args:
            history: Fetch every reported point too. Pass False when only the latest values
                are needed: a job that reports often can have many thousands of points.
        """
        metrics = self._session.call(_calls.get_job_metrics(self._require_id(), history=history))
        return JobMetrics._from_api(metrics)

    def metrics_history(self) -> list[MetricPoint]:
        """Return every metric point the job reported, oldest first."""
        return self.get_metrics().history

    # Waiting and cancelling -------------------------------------------------------------------

    def wait_for_completion(
        self,
        timeout_seconds: float | None = None,
        poll_interval: float | None = None,
        raise_on_failure: bool = False,
    ) -> JobStatus:
        """Wait until the job ends and return its final status.

        Each request is a long poll that the server completes as soon as the status changes,
        so the call returns within moments of the job ending, without fixed sleeps.

        Args:
            timeout_seconds: The maximum time to wait; None waits as long as the job runs.
            poll_interval: The maximum time one request waits, in seconds (the server caps it
                at 30); None uses the cap. Lower values make more requests.
            raise_on_failure: Raise `JobFailedError` when the job ends FAILED.

        Returns:
            SUCCEEDED, FAILED or CANCELLED.

        Raises:
            WaitTimeoutError: ``timeout_seconds`` passed first; the job keeps running.
            JobFailedError: The job FAILED and ``raise_on_failure`` is True.

        Example:
            >>> job = client.create_job("tiny", "train.py", workdir="docs/snippets/tiny-train")
            >>> job.submit().wait_for_completion(timeout_seconds=600)
            <JobStatus.SUCCEEDED: 'SUCCEEDED'>
        """
        from ml_platform._waiting import wait_for_completion

        return wait_for_completion(
            self,
            timeout_seconds=timeout_seconds,
            poll_interval=poll_interval,
            raise_on_failure=raise_on_failure,
        )

    def cancel(self) -> TrainingJob:
        """Cancel the job: at once while PENDING; a RUNNING job is stopped before this returns.

        Returns:
            This job, now CANCELLED.

        Raises:
            ConflictError: The job had already finished.
        """
        self._model = self._session.call(_calls.cancel_job(self._require_id()))
        return self

    @classmethod
    def _from_model(cls, session: Session, model: models.Job) -> TrainingJob:
        return cls(session, model=model)
