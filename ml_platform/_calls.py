"""Requests to the API, built once and sent by the sync or the async session.

Each function returns an `ApiCall`: the generated module of one operation, the model its
success response parses into and the keyword arguments for it. `Session.call` sends it with
the module's ``sync_detailed`` function and `AsyncSession.call` with ``asyncio_detailed``, so
the SDK describes every request in one place for both clients.

The generated client is imported when a call is built, which happens only right before it is
sent, so ``import ml_platform`` stays free of httpx.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from ml_platform_client import models

__all__ = [
    "ApiCall",
    "cancel_job",
    "code_exists",
    "create_job",
    "get_job",
    "get_job_logs",
    "get_job_metrics",
    "list_jobs",
    "list_pools",
    "whoami",
]

_Model = TypeVar("_Model")


@dataclass(frozen=True)
class ApiCall(Generic[_Model]):
    """One request: the generated operation module, the expected model and the arguments.

    Attributes:
        operation: The generated module, with ``sync_detailed`` and ``asyncio_detailed``.
        expected: The model of a successful response, or None for a response without body.
        arguments: Keyword arguments for the operation, without ``client``.
    """

    operation: ModuleType
    expected: type[_Model] | None
    arguments: dict[str, Any] = field(default_factory=dict)


def _unset_if_none(value: object) -> object:
    from ml_platform_client.types import UNSET

    return UNSET if value is None else value


def get_job(job_id: str, *, wait: int = 0, status: str | None = None) -> ApiCall[models.Job]:
    """Fetch a job; with ``wait``, the server holds the request until ``status`` changes."""
    from ml_platform_client import models
    from ml_platform_client.api.jobs import get_job as operation

    arguments = {"job_id": job_id, "wait": wait, "status": _unset_if_none(status)}
    return ApiCall(operation, models.Job, arguments)


def list_jobs(
    *, status: str | None, name_prefix: str | None, limit: int | None, cursor: str | None
) -> ApiCall[models.JobList]:
    """Fetch one page of the caller's jobs, newest first."""
    from ml_platform_client import models
    from ml_platform_client.api.jobs import list_jobs as operation

    arguments = {
        "status": _unset_if_none(status),
        "name": _unset_if_none(name_prefix),
        "limit": _unset_if_none(limit),
        "cursor": _unset_if_none(cursor),
    }
    return ApiCall(operation, models.JobList, arguments)


def get_job_logs(
    job_id: str, *, cursor: str | None = None, tail: int | None = None, wait: int = 0
) -> ApiCall[models.LogPage]:
    """Read a page of a job's output after ``cursor``, or its last ``tail`` lines."""
    from ml_platform_client import models
    from ml_platform_client.api.jobs import get_job_logs as operation

    arguments = {
        "job_id": job_id,
        "cursor": _unset_if_none(cursor),
        "tail": _unset_if_none(tail),
        "wait": wait,
    }
    return ApiCall(operation, models.LogPage, arguments)


def get_job_metrics(job_id: str, *, history: bool = True) -> ApiCall[models.JobMetrics]:
    """Read a job's latest metric values and, unless ``history`` is false, every point."""
    from ml_platform_client import models
    from ml_platform_client.api.jobs import get_job_metrics as operation

    return ApiCall(operation, models.JobMetrics, {"job_id": job_id, "history": history})


def cancel_job(job_id: str) -> ApiCall[models.Job]:
    """Cancel a job; the server responds once a running job has ended."""
    from ml_platform_client import models
    from ml_platform_client.api.jobs import cancel_job as operation

    return ApiCall(operation, models.Job, {"job_id": job_id})


def create_job(body: models.JobCreate, *, idempotency_key: str | None) -> ApiCall[models.Job]:
    """Create a job; a retry with the same ``idempotency_key`` returns the same job."""
    from ml_platform_client import models
    from ml_platform_client.api.jobs import create_job as operation

    arguments = {
        "body": body,
        "dry_run": False,
        "idempotency_key": _unset_if_none(idempotency_key),
    }
    return ApiCall(operation, models.Job, arguments)


def dry_run_job(body: models.JobCreate) -> ApiCall[models.DryRunResult]:
    """Validate a job request and check whether it would fit now, creating nothing."""
    from ml_platform_client import models
    from ml_platform_client.api.jobs import create_job as operation

    return ApiCall(operation, models.DryRunResult, {"body": body, "dry_run": True})


def code_exists(digest: str) -> ApiCall[None]:
    """Ask whether the server stores the code archive ``digest`` (200) or not (404)."""
    from ml_platform_client.api.code import code_exists as operation

    return ApiCall(operation, None, {"digest": digest})


def list_pools() -> ApiCall[models.Cluster]:
    """Read the GPU pools and the CPU and memory budget."""
    from ml_platform_client import models
    from ml_platform_client.api.cluster import list_pools as operation

    return ApiCall(operation, models.Cluster)


def whoami() -> ApiCall[models.Identity]:
    """Read the user and API key behind the client's requests."""
    from ml_platform_client import models
    from ml_platform_client.api.cluster import whoami as operation

    return ApiCall(operation, models.Identity)
