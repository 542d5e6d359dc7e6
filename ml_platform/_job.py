"""`TrainingJob`: a job described locally, then submitted and followed on the server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Literal, overload

from ml_platform._exceptions import MLPlatformError
from ml_platform._job_attributes import JobAttributes
from ml_platform._resources import JobStatus
from ml_platform._submission import (
    JobSpec,
    new_idempotency_key,
    prepare_submission,
    send_dry_run,
    send_submission,
)
from ml_platform._types import (
    DryRunResult,
    JobMetrics,
    LogLine,
    MetricPoint,
)
from ml_platform._validation import check_idempotency_key, check_tail

if TYPE_CHECKING:
    from ml_platform_client import models

    from ml_platform._session import Session

__all__ = ["TrainingJob"]


class TrainingJob(JobAttributes):
    """A training job: a local description until `submit`, then a handle on the server's job.

    Get one from `MLPlatformClient.create_job` (not yet submitted), `MLPlatformClient.get_job`
    or `MLPlatformClient.list_jobs`. Attributes read the last state fetched from the server;
    `refresh` fetches it again. A `TrainingJob` is not safe to share between threads.

    Example:
        >>> job = client.create_job("mnist", "train.py", workdir="examples")  # doctest: +SKIP
        >>> job.submit()  # doctest: +SKIP
        TrainingJob(id='job-1', name='mnist', status='RUNNING')
        >>> for line in job.follow_logs():  # doctest: +SKIP
        ...     print(line.text)
        >>> job.wait_for_completion()  # doctest: +SKIP
        <JobStatus.SUCCEEDED: 'SUCCEEDED'>
    """

    def __init__(
        self,
        session: Session,
        *,
        spec: JobSpec | None = None,
        model: models.Job | None = None,
    ) -> None:
        if spec is None and model is None:
            raise TypeError("TrainingJob needs a spec or a model; use client.create_job()")
        self._session = session
        self._spec = spec
        self._model = model
        self._idempotency_key: str | None = None

    def __repr__(self) -> str:
        status = self.status.value if self.status is not None else None
        return f"TrainingJob(id={self.id!r}, name={self.name!r}, status={status!r})"

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
            >>> job = client.create_job("mnist", "train.py", workdir="examples")  # doctest: +SKIP
            >>> job.submit(wait_for_capacity=True).id  # doctest: +SKIP
            'job-7'
        """
        spec = self._require_unsubmitted()
        key = check_idempotency_key(idempotency_key)
        body = prepare_submission(self._session, spec, wait_for_capacity=wait_for_capacity)
        if dry_run:
            return send_dry_run(self._session, body)

        if key is not None:
            self._idempotency_key = key
        elif self._idempotency_key is None:
            self._idempotency_key = new_idempotency_key()
        self._model = send_submission(self._session, body, idempotency_key=self._idempotency_key)
        return self

    # Reading ----------------------------------------------------------------------------------

    def refresh(self) -> TrainingJob:
        """Fetch the job's current state from the server.

        Returns:
            This job.

        Raises:
            JobNotFoundError: The job does not exist for this API key.
        """
        self._model = self._fetch(wait=0)
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
        job_id = self._require_id()
        if tail is not None:
            page = self._fetch_logs(job_id, tail=tail)
            return [LogLine._from_api(line) for line in page.lines]

        lines: list[LogLine] = []
        cursor: str | None = None
        while True:
            page = self._fetch_logs(job_id, cursor=cursor)
            lines.extend(LogLine._from_api(line) for line in page.lines)
            if not page.lines or page.complete:
                return lines
            cursor = page.next_cursor

    def follow_logs(self, *, on_queued: Callable[[int], object] | None = None) -> Iterator[LogLine]:
        """Yield the job's output as it is written, each line exactly once, until the job ends.

        Long-polls the server, so a line arrives as soon as it is stored. After a dropped
        connection, a server restart, a 5xx or a 429, it resumes from its cursor with backoff,
        and raises after two minutes of failed requests. The iterator ends after the last
        line, once the server reports the output complete.

        Args:
            on_queued: Called with the queue position while the job is PENDING, each time the
                position changes.

        Raises:
            APIConnectionError: The server stayed unreachable.

        Example:
            >>> def show_position(position):
            ...     print("queued at", position)
            >>> for line in job.follow_logs(on_queued=show_position):  # doctest: +SKIP
            ...     print(line.text)
        """
        from ml_platform._waiting import follow_logs

        return follow_logs(self, on_queued=on_queued)

    def get_metrics(self) -> JobMetrics:
        """Return the job's latest metric values and their history."""
        from ml_platform_client import models
        from ml_platform_client.api.jobs import get_job_metrics

        job_id = self._require_id()
        metrics = self._session.call(
            get_job_metrics.sync_detailed, models.JobMetrics, job_id=job_id
        )
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
            >>> job.wait_for_completion(timeout_seconds=600)  # doctest: +SKIP
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
        from ml_platform_client import models
        from ml_platform_client.api.jobs import cancel_job

        job_id = self._require_id()
        self._model = self._session.call(cancel_job.sync_detailed, models.Job, job_id=job_id)
        return self

    # Internals used by the client and the waiting helpers -------------------------------------

    def _require_id(self) -> str:
        if self._model is None:
            raise MLPlatformError(
                f"Job {self.name!r} has not been submitted yet, so it has no id; "
                "call submit() first."
            )
        return self._model.id

    def _require_unsubmitted(self) -> JobSpec:
        if self._model is not None:
            raise MLPlatformError(
                f"Job {self._model.id!r} was already submitted; make a new job with "
                "client.create_job() to run it again."
            )
        return self._require_spec()

    def _fetch(self, *, wait: int, status: str | None = None) -> models.Job:
        from ml_platform_client import models
        from ml_platform_client.api.jobs import get_job
        from ml_platform_client.types import UNSET

        job_id = self._require_id()
        return self._session.call(
            get_job.sync_detailed,
            models.Job,
            job_id=job_id,
            wait=wait,
            status=UNSET if status is None else status,
        )

    def _fetch_logs(
        self,
        job_id: str,
        *,
        cursor: str | None = None,
        tail: int | None = None,
        wait: int = 0,
    ) -> models.LogPage:
        from ml_platform_client import models
        from ml_platform_client.api.jobs import get_job_logs
        from ml_platform_client.types import UNSET

        return self._session.call(
            get_job_logs.sync_detailed,
            models.LogPage,
            job_id=job_id,
            cursor=UNSET if cursor is None else cursor,
            tail=UNSET if tail is None else tail,
            wait=wait,
        )

    @classmethod
    def _from_model(cls, session: Session, model: models.Job) -> TrainingJob:
        return cls(session, model=model)
