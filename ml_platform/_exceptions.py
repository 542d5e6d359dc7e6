"""Exceptions raised by the ML Platform SDK.

Every exception derives from `MLPlatformError`, so one ``except`` clause catches them all::

    MLPlatformError
    ├── APIConnectionError            the server could not be reached
    │   └── APITimeoutError           connecting or reading timed out
    ├── APIStatusError                the server returned an error status
    │   ├── ValidationError           400: invalid input (also raised before sending)
    │   ├── AuthenticationError       401: the API key is missing or rejected
    │   ├── PermissionDeniedError     403: the API key is read-only
    │   ├── JobNotFoundError          404: no such job for this API key
    │   ├── ConflictError             409: the request conflicts with the job's state
    │   │   ├── ResourceUnavailableError   the job does not fit, now or ever
    │   │   └── IdempotencyConflictError   the idempotency key was used for another body
    │   ├── RateLimitError            429: too many requests for this API key
    │   └── ServerError               5xx: the server failed or is shutting down
    ├── JobFailedError                a waited-for job ended FAILED
    ├── WaitTimeoutError              waiting for a job took longer than allowed
    └── ConfigError                   the configuration is invalid

`ValidationError` is also a `ValueError` and `WaitTimeoutError` is also a `TimeoutError`,
so code written against the built-in exceptions keeps working.

Every `APIStatusError` carries the HTTP status (`status_code`), the server's request id
(`request_id`, quote it when reporting a problem) and the parsed RFC 9457 problem document
(`problem`). Its message is one sentence naming the value and the fix; it never contains the
API key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ml_platform._types import LogLine

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "ConfigError",
    "ConflictError",
    "IdempotencyConflictError",
    "JobFailedError",
    "JobNotFoundError",
    "MLPlatformError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResourceUnavailableError",
    "ServerError",
    "ValidationError",
    "WaitTimeoutError",
]


class MLPlatformError(Exception):
    """Base class of every exception the SDK raises.

    Attributes:
        message: The one-sentence description, the same as ``str(error)``.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class APIConnectionError(MLPlatformError):
    """The request did not get an HTTP response: the connection failed or dropped.

    Attributes:
        url: The URL that was requested, without credentials.
    """

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class APITimeoutError(APIConnectionError):
    """Connecting to the server or reading its response timed out."""


class APIStatusError(MLPlatformError):
    """The server returned an error status, or the SDK rejected input before sending.

    Attributes:
        status_code: The HTTP status, or None when the SDK detected the problem locally
            before sending any request.
        request_id: The server's ``X-Request-ID`` for the failed request, when known.
        problem: The parsed problem document (empty when the body was not one).
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        request_id: str | None = None,
        problem: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.request_id = request_id
        self.problem: dict[str, Any] = dict(problem or {})


class ValidationError(APIStatusError, ValueError):
    """The input is invalid (HTTP 400, or found locally before sending).

    Attributes:
        field: The invalid input, for example ``resources.gpu`` or ``script``, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
        problem: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, request_id=request_id, problem=problem)
        self.field = field


class AuthenticationError(APIStatusError):
    """The API key is missing, unknown or revoked (HTTP 401).

    Attributes:
        key_missing: True when no API key was configured, False when the server rejected it.
        key_source: Where the rejected key came from (for example ``environment variable
            ML_PLATFORM_API_KEY``), or None when no key was configured.
    """

    def __init__(
        self,
        message: str,
        *,
        key_missing: bool,
        key_source: str | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
        problem: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, request_id=request_id, problem=problem)
        self.key_missing = key_missing
        self.key_source = key_source


class PermissionDeniedError(APIStatusError):
    """The API key may not do this, for example write with a read-only key (HTTP 403)."""


class JobNotFoundError(APIStatusError):
    """No job with this id exists for the caller's API key (HTTP 404).

    Attributes:
        job_id: The job id that was not found.
    """

    def __init__(
        self,
        message: str,
        *,
        job_id: str | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
        problem: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, request_id=request_id, problem=problem)
        self.job_id = job_id


class ConflictError(APIStatusError):
    """The request conflicts with the current state, for example cancelling a finished job (409)."""


class ResourceUnavailableError(ConflictError):
    """The job does not fit in the cluster now (or never can) (HTTP 409).

    Attributes:
        requested: The resources the job asked for, as the server reported them.
        available: What is free now in the requested pool and the CPU and memory budget.
        alternatives: Ready-to-use code for each way out, for example
            ``Resources(gpu=2, gpu_type="t4")`` or ``submit(wait_for_capacity=True)``.
        gpu_types: The GPU types that exist, when the request can never fit.
        feasible: False when the request can never fit as asked (too many GPUs for the pool,
            or an unknown GPU type), True when it would fit once capacity frees up.
    """

    def __init__(
        self,
        message: str,
        *,
        requested: Mapping[str, Any] | None = None,
        available: Mapping[str, Any] | None = None,
        alternatives: Sequence[str] = (),
        gpu_types: Sequence[str] = (),
        feasible: bool = True,
        status_code: int | None = None,
        request_id: str | None = None,
        problem: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, request_id=request_id, problem=problem)
        self.requested: dict[str, Any] = dict(requested or {})
        self.available: dict[str, Any] = dict(available or {})
        self.alternatives: list[str] = list(alternatives)
        self.gpu_types: list[str] = list(gpu_types)
        self.feasible = feasible


class IdempotencyConflictError(ConflictError):
    """The idempotency key was already used for a submit with another body (HTTP 409).

    Attributes:
        job_id: The job created by the first submit with this key.
    """

    def __init__(
        self,
        message: str,
        *,
        job_id: str | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
        problem: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, request_id=request_id, problem=problem)
        self.job_id = job_id


class RateLimitError(APIStatusError):
    """Too many requests for this API key (HTTP 429), after the SDK's own retries.

    Attributes:
        retry_after: Seconds the server requested the client to wait, if it sent a value.
    """

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
        problem: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, request_id=request_id, problem=problem)
        self.retry_after = retry_after


class ServerError(APIStatusError):
    """The server failed (HTTP 5xx) or is shutting down, after the SDK's own retries.

    Attributes:
        retry_after: Seconds the server requested the client to wait, if it sent a value.
    """

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
        problem: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, request_id=request_id, problem=problem)
        self.retry_after = retry_after


class JobFailedError(MLPlatformError):
    """A job ended FAILED while `TrainingJob.wait_for_completion` was asked to raise on failure.

    Attributes:
        job_id: The failed job's id.
        exit_code: The exit code of the job's process (negative: the signal that ended it).
        failure_reason: Why it failed, for example ``script_error`` or ``timeout``.
        last_lines: The last lines of its output, oldest first.
    """

    def __init__(
        self,
        message: str,
        *,
        job_id: str,
        exit_code: int | None,
        failure_reason: str | None,
        last_lines: Sequence[LogLine] = (),
    ) -> None:
        super().__init__(message)
        self.job_id = job_id
        self.exit_code = exit_code
        self.failure_reason = failure_reason
        self.last_lines: list[LogLine] = list(last_lines)


class WaitTimeoutError(MLPlatformError, TimeoutError):
    """Waiting for a job took longer than the caller allowed; the job itself keeps running.

    Attributes:
        job_id: The job that was waited for.
        status: The job's last known status, as a string.
        timeout_seconds: The time-out that ran out.
    """

    def __init__(self, message: str, *, job_id: str, status: str, timeout_seconds: float) -> None:
        super().__init__(message)
        self.job_id = job_id
        self.status = status
        self.timeout_seconds = timeout_seconds


class ConfigError(MLPlatformError):
    """The configuration (parameters, environment variables or config file) is invalid."""
