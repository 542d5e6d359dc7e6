"""The shared part of `TrainingJob` and `AsyncTrainingJob`: attributes, ``repr``, submit checks.

The attributes read the job's last fetched state, or its local description before submit.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ml_platform._exceptions import MLPlatformError
from ml_platform._resources import JobStatus, Resources
from ml_platform._submission import (
    JobSpec,
    Submission,
    new_idempotency_key,
    prepare_submission,
)
from ml_platform._types import format_timestamp, unset_to_none
from ml_platform._validation import HyperparameterValue, check_idempotency_key

if TYPE_CHECKING:
    import datetime

    from ml_platform_client import models

__all__ = ["JobAttributes"]

_Session = TypeVar("_Session")

_TIMESTAMP_FIELDS = ("created_at", "started_at", "finished_at")


class JobAttributes(Generic[_Session]):
    """Read-only attributes of a job, from the job the server returned last or its `JobSpec`.

    Before submit only the spec exists; afterwards every attribute reads the model that the
    server returned last, without fetching again.

    Args:
        session: The session of the client that made the job.
        spec: The local description, for a job made by ``create_job``.
        model: The server's job, for a job that was fetched or submitted.
    """

    def __init__(
        self,
        session: _Session,
        *,
        spec: JobSpec | None = None,
        model: models.Job | None = None,
    ) -> None:
        if spec is None and model is None:
            raise TypeError("A job needs a spec or a model; use client.create_job()")
        self._session = session
        self._spec = spec
        self._model = model
        self._idempotency_key: str | None = None

    def __repr__(self) -> str:
        status = self.status.value if self.status is not None else None
        return f"{type(self).__name__}(id={self.id!r}, name={self.name!r}, status={status!r})"

    @property
    def id(self) -> str | None:
        """The job id, or None before `submit`."""
        return self._model.id if self._model is not None else None

    @property
    def name(self) -> str:
        """The job's name."""
        return self._model.name if self._model is not None else self._require_spec().name

    @property
    def script(self) -> str:
        """The script the job runs, as a POSIX path relative to the uploaded directory."""
        return self._model.script if self._model is not None else self._require_spec().script

    @property
    def status(self) -> JobStatus | None:
        """The status last fetched from the server (not fetched again), or None before submit."""
        return JobStatus(self._model.status) if self._model is not None else None

    @property
    def resources(self) -> Resources:
        """The resources the job requested."""
        if self._model is None:
            return self._require_spec().resources
        return Resources.from_dict(self._model.resources.to_dict())

    @property
    def environment(self) -> dict[str, str]:
        """The environment variables the job sets for its script."""
        if self._model is None:
            return dict(self._require_spec().environment)
        return dict(self._model.environment.additional_properties)

    @property
    def hyperparameters(self) -> dict[str, HyperparameterValue]:
        """The hyperparameters passed to the script."""
        if self._model is None:
            return dict(self._require_spec().hyperparameters)
        return dict(self._model.hyperparameters.to_dict())

    @property
    def timeout_seconds(self) -> int | None:
        """The run-time limit in seconds, counted from RUNNING, or None for no limit."""
        if self._model is None:
            return self._require_spec().timeout_seconds
        return unset_to_none(self._model.timeout_seconds)

    @property
    def workdir(self) -> Path | None:
        """The local directory uploaded on submit; None for jobs fetched from the server."""
        return self._spec.workdir if self._spec is not None else None

    @property
    def code_digest(self) -> str | None:
        """The SHA-256 digest of the uploaded code archive, or None before submit."""
        return self._model.code_digest if self._model is not None else None

    @property
    def created_at(self) -> datetime.datetime | None:
        """When the job was submitted (aware, UTC), or None before submit."""
        return self._model.created_at if self._model is not None else None

    @property
    def started_at(self) -> datetime.datetime | None:
        """When the job started RUNNING (aware, UTC), or None."""
        return unset_to_none(self._model.started_at) if self._model is not None else None

    @property
    def finished_at(self) -> datetime.datetime | None:
        """When the job ended (aware, UTC), or None."""
        return unset_to_none(self._model.finished_at) if self._model is not None else None

    @property
    def exit_code(self) -> int | None:
        """The exit code of the job's process, or None while it runs.

        A negative value -N means that signal N ended the process.
        """
        return unset_to_none(self._model.exit_code) if self._model is not None else None

    @property
    def failure_reason(self) -> str | None:
        """Why the job FAILED or was CANCELLED, for example ``script_error``, or None."""
        return unset_to_none(self._model.failure_reason) if self._model is not None else None

    @property
    def devices(self) -> list[str]:
        """The allocated device ids, as in ``CUDA_VISIBLE_DEVICES``; empty without GPUs."""
        if self._model is None:
            return []
        return list(unset_to_none(self._model.devices) or [])

    @property
    def queue_position(self) -> int | None:
        """The 1-based position in the pool's queue while PENDING, else None."""
        return unset_to_none(self._model.queue_position) if self._model is not None else None

    def to_dict(self) -> dict[str, Any]:
        """Return the job in the API's JSON shape and field names, timestamps in UTC with ``Z``.

        Before submit this is the request that `submit` will send, without ``code_digest``.
        """
        if self._model is None:
            return self._require_spec().to_dict()
        body = self._model.to_dict()
        for name in _TIMESTAMP_FIELDS:
            moment = unset_to_none(getattr(self._model, name))
            if moment is not None:
                body[name] = format_timestamp(moment)
        return body

    def _require_spec(self) -> JobSpec:
        assert self._spec is not None  # __init__ ensures a spec or a model
        return self._spec

    def _require_id(self) -> str:
        if self._model is None:
            raise MLPlatformError(
                f"Job {self.name!r} has not been submitted yet, so it has no id; "
                "call submit() first."
            )
        return self._model.id

    def _prepare_submission(
        self, *, wait_for_capacity: bool, idempotency_key: str | None, dry_run: bool
    ) -> Submission:
        """Check that the job is new, pack its code and build its requests.

        The idempotency key is generated on the first submit that is not a dry run and kept,
        so calling submit again after a lost response returns the job created the first time.
        """
        if self._model is not None:
            raise MLPlatformError(
                f"Job {self._model.id!r} was already submitted; make a new job with "
                "client.create_job() to run it again."
            )
        spec = self._require_spec()
        key = check_idempotency_key(idempotency_key)
        if not dry_run and key is not None:
            self._idempotency_key = key
        elif not dry_run and self._idempotency_key is None:
            self._idempotency_key = new_idempotency_key()
        return prepare_submission(
            spec, wait_for_capacity=wait_for_capacity, idempotency_key=self._idempotency_key
        )
