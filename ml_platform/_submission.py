"""Describing and submitting a job: the checked request, its packed code and the API calls.

Everything here is shared by `TrainingJob` and `AsyncTrainingJob`; only sending differs.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ml_platform import _calls
from ml_platform._exceptions import ValidationError
from ml_platform._resources import Resources
from ml_platform._validation import (
    HyperparameterValue,
    check_environment,
    check_hyperparameters,
    check_name,
    check_timeout_seconds,
    resolve_script,
)

if TYPE_CHECKING:
    from ml_platform_client import models

    from ml_platform._calls import ApiCall
    from ml_platform._upload import CodeArchive

__all__ = [
    "JobSpec",
    "Submission",
    "build_job_spec",
    "new_idempotency_key",
    "prepare_submission",
]


@dataclass(frozen=True, kw_only=True)
class JobSpec:
    """The job request checked by ``create_job``, without the uploaded code."""

    name: str
    script: str
    workdir: Path
    resources: Resources
    environment: dict[str, str] = field(default_factory=dict)
    hyperparameters: dict[str, HyperparameterValue] = field(default_factory=dict)
    timeout_seconds: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the job request in the API's JSON shape, without code digest."""
        body: dict[str, Any] = {
            "name": self.name,
            "script": self.script,
            "resources": self.resources.to_dict(),
            "environment": dict(self.environment),
            "hyperparameters": dict(self.hyperparameters),
        }
        if self.timeout_seconds is not None:
            body["timeout_seconds"] = self.timeout_seconds
        return body


def build_job_spec(
    name: str,
    script: str | os.PathLike[str],
    *,
    workdir: str | os.PathLike[str],
    resources: Resources | None,
    environment: Mapping[str, str] | None,
    hyperparameters: Mapping[str, HyperparameterValue] | None,
    timeout_seconds: int | None,
) -> JobSpec:
    """Check the arguments of ``create_job`` and return the job request.

    Raises:
        ValidationError: An argument is invalid; the message names the fix.
    """
    if resources is not None and not isinstance(resources, Resources):
        raise ValidationError(
            f"Invalid resources of type {type(resources).__name__}: expected a Resources "
            'object, for example Resources(gpu=1, gpu_type="t4").',
            field="resources",
        )
    root, relative_script = resolve_script(script, workdir)
    return JobSpec(
        name=check_name(name),
        script=relative_script,
        workdir=root,
        resources=resources if resources is not None else Resources(),
        environment=check_environment(environment),
        hyperparameters=check_hyperparameters(hyperparameters),
        timeout_seconds=check_timeout_seconds(timeout_seconds),
    )


def new_idempotency_key() -> str:
    """Return a fresh idempotency key for one intended job."""
    return f"mlp-{uuid.uuid4()}"


@dataclass(frozen=True)
class Submission:
    """A packed job, ready to send: upload ``archive``, then send ``create`` or ``dry_run``.

    Attributes:
        archive: The packed working directory.
        create: The request that creates the job, with its idempotency key.
        dry_run: The request that only checks the job.
    """

    archive: CodeArchive
    create: ApiCall[models.Job]
    dry_run: ApiCall[models.DryRunResult]


def prepare_submission(
    spec: JobSpec, *, wait_for_capacity: bool, idempotency_key: str | None
) -> Submission:
    """Pack the job's working directory and build its create and dry-run requests.

    Raises:
        ValidationError: The working directory cannot be packed or leaves out the script.
    """
    from ml_platform_client import models

    from ml_platform._upload import pack_directory

    archive = pack_directory(spec.workdir)
    if not archive.contains(spec.script):
        raise ValidationError(
            f"script {spec.script!r} is not in the code archive of {str(spec.workdir)!r}: "
            "it is a symbolic link, inside an excluded directory or listed in .mlpignore; "
            "make it a regular file that is packed.",
            field="script",
        )
    body = models.JobCreate.from_dict(
        {
            **spec.to_dict(),
            "code_digest": archive.digest,
            "wait_for_capacity": wait_for_capacity,
        }
    )
    return Submission(
        archive=archive,
        create=_calls.create_job(body, idempotency_key=idempotency_key),
        dry_run=_calls.dry_run_job(body),
    )
