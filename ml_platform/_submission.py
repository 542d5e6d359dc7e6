"""Submitting a job: pack and upload its code, then create it, or only check it (dry run)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ml_platform._exceptions import ValidationError
from ml_platform._resources import Resources
from ml_platform._types import DryRunResult
from ml_platform._validation import HyperparameterValue

if TYPE_CHECKING:
    from ml_platform_client import models

    from ml_platform._session import Session

__all__ = [
    "JobSpec",
    "new_idempotency_key",
    "prepare_submission",
    "send_dry_run",
    "send_submission",
]


@dataclass(frozen=True, kw_only=True)
class JobSpec:
    """The job request checked by `MLPlatformClient.create_job`, without the uploaded code."""

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


def new_idempotency_key() -> str:
    """Return a fresh idempotency key for one intended job."""
    return f"mlp-{uuid.uuid4()}"


def prepare_submission(
    session: Session, spec: JobSpec, *, wait_for_capacity: bool
) -> models.JobCreate:
    """Pack and upload the job's working directory and return the request body.

    Raises:
        ValidationError: The working directory cannot be packed or leaves out the script.
    """
    from ml_platform_client import models

    from ml_platform._upload import pack_directory, upload_archive

    archive = pack_directory(spec.workdir)
    if not archive.contains(spec.script):
        raise ValidationError(
            f"script {spec.script!r} is not in the code archive of {str(spec.workdir)!r}: "
            "it is a symbolic link, inside an excluded directory or listed in .mlpignore; "
            "make it a regular file that is packed.",
            field="script",
        )
    upload_archive(session, archive)

    return models.JobCreate.from_dict(
        {
            **spec.to_dict(),
            "code_digest": archive.digest,
            "wait_for_capacity": wait_for_capacity,
        }
    )


def send_dry_run(session: Session, body: models.JobCreate) -> DryRunResult:
    """Validate ``body`` and check whether it would fit now, creating nothing."""
    from ml_platform_client import models
    from ml_platform_client.api.jobs import create_job

    result = session.call(create_job.sync_detailed, models.DryRunResult, body=body, dry_run=True)
    return DryRunResult._from_api(result)


def send_submission(
    session: Session, body: models.JobCreate, *, idempotency_key: str
) -> models.Job:
    """Create the job; a retry with the same ``idempotency_key`` returns the same job."""
    from ml_platform_client import models
    from ml_platform_client.api.jobs import create_job

    return session.call(
        create_job.sync_detailed,
        models.Job,
        body=body,
        dry_run=False,
        idempotency_key=idempotency_key,
    )
