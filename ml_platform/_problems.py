"""Turn an error response into the matching `APIStatusError` subclass with an actionable message.

The problem ``type`` URN selects the class, and the HTTP status selects it only when the type
is one this SDK does not know. A response that is not a problem document (for example an
HTML page from a proxy or from a wrong URL) becomes an error stating that the URL does not
look like the ML Platform API and how to set it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ml_platform._capacity import (
    WAIT_FOR_CAPACITY_CODE,
    describe_available,
    join_or,
    list_of,
    mapping_of,
    render_alternatives,
)
from ml_platform._config import DEFAULT_BASE_URL, ENV_API_KEY, ENV_URL, display_url
from ml_platform._exceptions import (
    APIStatusError,
    AuthenticationError,
    ConflictError,
    IdempotencyConflictError,
    JobNotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResourceUnavailableError,
    ServerError,
    ValidationError,
)
from ml_platform._resources import render_resources_code
from ml_platform._retry import parse_retry_after

if TYPE_CHECKING:
    import httpx

__all__ = ["PROBLEM_TYPE_PREFIX", "ErrorContext", "error_from_response"]

PROBLEM_TYPE_PREFIX = "urn:mlp:problem:"
_JOB_PATH = re.compile(r"/jobs/(?P<job_id>[^/]+)")


@dataclass(frozen=True, kw_only=True)
class ErrorContext:
    """The client's configuration details that error messages use to explain a fix.

    Attributes:
        base_url: The server root URL in use.
        url_source: Where the URL came from, for example ``the default``.
        key_missing: Whether no API key was configured.
        key_source: Where the API key came from, when one was configured.
        config_file: The config file that was consulted.
    """

    base_url: str
    url_source: str
    key_missing: bool
    key_source: str | None
    config_file: Path


@dataclass(frozen=True, kw_only=True)
class _Details:
    """The parts of an error response that every exception carries."""

    status_code: int
    request_id: str | None
    problem: dict[str, Any]
    method: str
    path: str


def error_from_response(response: httpx.Response, context: ErrorContext) -> APIStatusError:
    """Build the exception for an error response (status 300 or above).

    Args:
        response: A response whose body has been read.
        context: The client's configuration, used to explain fixes.

    Returns:
        The exception to raise; the caller raises it.
    """
    problem = _parse_problem(response)
    request_id = response.headers.get("X-Request-ID") or _string(problem, "request_id")
    details = _Details(
        status_code=response.status_code,
        request_id=request_id,
        problem=problem or {},
        method=response.request.method,
        path=response.request.url.path,
    )
    if problem is None and response.request.method != "HEAD":
        return _foreign_response_error(response, details, context)

    kind = _string(problem, "type") or ""
    if kind.startswith(PROBLEM_TYPE_PREFIX):
        builder = _BY_TYPE.get(kind.removeprefix(PROBLEM_TYPE_PREFIX))
        if builder is not None:
            return builder(details, context, response)
    return _by_status(details, context, response)


def _parse_problem(response: httpx.Response) -> dict[str, Any] | None:
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type not in ("application/problem+json", "application/json"):
        return None
    try:
        document = json.loads(response.content)
    except ValueError:
        return None
    if not isinstance(document, dict) or not isinstance(document.get("type"), str):
        return None
    return document


def _string(problem: Mapping[str, Any] | None, name: str) -> str | None:
    value = (problem or {}).get(name)
    return value if isinstance(value, str) else None


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _detail(details: _Details, fallback: str) -> str:
    return _sentence(_string(details.problem, "detail") or fallback)


def _common(details: _Details) -> dict[str, Any]:
    return {
        "status_code": details.status_code,
        "request_id": details.request_id,
        "problem": details.problem,
    }


def _key_fix(context: ErrorContext) -> str:
    return (
        f"set a key with the api_key parameter, the {ENV_API_KEY} environment variable, "
        f"the api_key of a profile in {context.config_file}, or run `mlp init`"
    )


def _validation(
    details: _Details, context: ErrorContext, response: httpx.Response
) -> APIStatusError:
    field = _string(details.problem, "field")
    fallback = f"The request was invalid{f' ({field})' if field else ''}; correct it and retry"
    return ValidationError(_detail(details, fallback), field=field, **_common(details))


def _code_not_found(
    details: _Details, context: ErrorContext, response: httpx.Response
) -> APIStatusError:
    digest = _string(details.problem, "code_digest") or "(unknown)"
    message = (
        f"The server has no code archive {digest} for this API key; submit the job again "
        "so that the SDK uploads its working directory first."
    )
    return ValidationError(message, field="code_digest", **_common(details))


def _payload_too_large(
    details: _Details, context: ErrorContext, response: httpx.Response
) -> APIStatusError:
    limit = details.problem.get("limit")
    size = response.request.headers.get("Content-Length", "unknown")
    limit_text = f"{limit} bytes" if isinstance(limit, int) else "the server's limit"
    message = (
        f"The code archive of {size} bytes is larger than {limit_text}; list large data files, "
        "checkpoints and outputs in the working directory's .mlpignore file."
    )
    return ValidationError(message, field="workdir", **_common(details))


def _unauthenticated(
    details: _Details, context: ErrorContext, response: httpx.Response
) -> APIStatusError:
    url = display_url(context.base_url)
    if context.key_missing:
        message = f"No API key was sent to {url}; {_key_fix(context)}."
    else:
        message = (
            f"The server at {url} rejected the API key from {context.key_source} as unknown or "
            f"revoked; {_key_fix(context)}."
        )
    return AuthenticationError(
        message,
        key_missing=context.key_missing,
        key_source=context.key_source,
        **_common(details),
    )


def _forbidden(
    details: _Details, context: ErrorContext, response: httpx.Response
) -> APIStatusError:
    source = context.key_source or "the configuration"
    reason = _detail(details, "the key is read-only").rstrip(".")
    # The server's detail already names the fix, so it is quoted as the reason on its own.
    message = f"The API key from {source} may not {details.method} {details.path}: {reason}."
    return PermissionDeniedError(message, **_common(details))


def _job_not_found(
    details: _Details, context: ErrorContext, response: httpx.Response
) -> APIStatusError:
    job_id = _string(details.problem, "job_id")
    if job_id is None:
        match = _JOB_PATH.search(details.path)
        job_id = match["job_id"] if match else None
    message = (
        f"Job {job_id!r} was not found for this API key; check the id, for example with "
        "client.list_jobs(), and that the key belongs to the job's owner."
    )
    return JobNotFoundError(message, job_id=job_id, **_common(details))


def _route_not_found(
    details: _Details, context: ErrorContext, response: httpx.Response
) -> APIStatusError:
    message = (
        f"The server at {display_url(context.base_url)} has no route {details.method} "
        f"{details.path}; set base_url or {ENV_URL} (now from {context.url_source}) to the "
        f"server root, for example {DEFAULT_BASE_URL}, or update the SDK to match the server."
    )
    return APIStatusError(message, **_common(details))


def _capacity_unavailable(
    details: _Details, context: ErrorContext, response: httpx.Response
) -> APIStatusError:
    requested = mapping_of(details.problem.get("requested"))
    available = mapping_of(details.problem.get("available"))
    alternatives = render_alternatives(details.problem.get("alternatives"))
    if WAIT_FOR_CAPACITY_CODE not in alternatives:
        alternatives.append(WAIT_FOR_CAPACITY_CODE)
    message = (
        f"The job does not fit now: it requested {render_resources_code(requested)} and "
        f"{describe_available(available)}; try {join_or(alternatives)}."
    )
    return ResourceUnavailableError(
        message,
        requested=requested,
        available=available,
        alternatives=alternatives,
        feasible=True,
        **_common(details),
    )


def _capacity_infeasible(
    details: _Details, context: ErrorContext, response: httpx.Response
) -> APIStatusError:
    requested = mapping_of(details.problem.get("requested"))
    gpu_types = [str(name) for name in list_of(details.problem.get("gpu_types"))]
    types_text = ", ".join(gpu_types) if gpu_types else "none"
    fallback = (
        f"The job can never fit as requested ({render_resources_code(requested)}); ask for a "
        f"gpu_type that exists ({types_text}) and no more GPUs than its pool holds, as listed "
        "by client.pools()"
    )
    message = _detail(details, fallback)
    return ResourceUnavailableError(
        message,
        requested=requested,
        available=mapping_of(details.problem.get("available")),
        alternatives=render_alternatives(details.problem.get("alternatives")),
        gpu_types=gpu_types,
        feasible=False,
        **_common(details),
    )


def _idempotency_conflict(
    details: _Details, context: ErrorContext, response: httpx.Response
) -> APIStatusError:
    job_id = _string(details.problem, "job_id")
    message = (
        f"The idempotency key was already used for job {job_id!r} with a different request; "
        "pass a new idempotency_key, or none to have one generated."
    )
    return IdempotencyConflictError(message, job_id=job_id, **_common(details))


def _already_finished(
    details: _Details, context: ErrorContext, response: httpx.Response
) -> APIStatusError:
    job_id = _string(details.problem, "job_id")
    final_status = _string(details.problem, "final_status") or "a final status"
    job_text = f"Job {job_id!r}" if job_id else "The job"
    message = (
        f"{job_text} already finished with status {final_status}, so there is nothing to "
        "cancel; read its outcome with job.refresh()."
    )
    return ConflictError(message, **_common(details))


def _rate_limited(
    details: _Details, context: ErrorContext, response: httpx.Response
) -> APIStatusError:
    retry_after = _retry_after(details, response)
    wait = f"{retry_after:g} s" if retry_after is not None else "a moment"
    message = (
        f"Too many requests for this API key ({details.method} {details.path}); wait {wait} "
        "and retry, or raise max_retries so the client waits by itself."
    )
    return RateLimitError(message, retry_after=retry_after, **_common(details))


def _server_error(
    details: _Details, context: ErrorContext, response: httpx.Response
) -> APIStatusError:
    retry_after = _retry_after(details, response)
    kind = _string(details.problem, "type") or ""
    if kind.endswith(":shutting-down"):
        wait = f"{retry_after:g} s" if retry_after is not None else "a moment"
        message = f"The server is shutting down and accepts no new work; retry in {wait}."
    else:
        message = (
            f"The server failed on {details.method} {details.path} with HTTP "
            f"{details.status_code} ({_detail(details, 'internal error').rstrip('.')}); retry "
            f"later and quote request id {details.request_id or '(none)'} when reporting it."
        )
    return ServerError(message, retry_after=retry_after, **_common(details))


def _generic(details: _Details, context: ErrorContext, response: httpx.Response) -> APIStatusError:
    title = _string(details.problem, "title")
    fallback = f"{details.method} {details.path} failed with HTTP {details.status_code}"
    if title:
        fallback += f" ({title})"
    return APIStatusError(_detail(details, fallback), **_common(details))


def _by_status(
    details: _Details, context: ErrorContext, response: httpx.Response
) -> APIStatusError:
    status = details.status_code
    if status in (400, 413, 422):
        return _validation(details, context, response)
    if status == 401:
        return _unauthenticated(details, context, response)
    if status == 403:
        return _forbidden(details, context, response)
    if status == 404 and _JOB_PATH.search(details.path):
        return _job_not_found(details, context, response)
    if status == 409:
        return ConflictError(
            _detail(details, "The request conflicts with the job's state"), **_common(details)
        )
    if status == 429:
        return _rate_limited(details, context, response)
    if status >= 500:
        return _server_error(details, context, response)
    return _generic(details, context, response)


def _foreign_response_error(
    response: httpx.Response, details: _Details, context: ErrorContext
) -> APIStatusError:
    """Explain a response that did not come from the ML Platform API."""
    # A gateway in front of the API may answer 429 or 5xx itself, but 501 Not Implemented means
    # the server does not support the method at all, which this API's servers always do.
    if details.status_code != 501 and (details.status_code == 429 or details.status_code >= 500):
        return _by_status(details, context, response)

    url = display_url(context.base_url)
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip() or "no"
    location = response.headers.get("Location")
    reply = f"HTTP {details.status_code} with {content_type} content"
    if location:
        reply += f" redirecting to {location}"
    message = (
        f"{details.method} {details.path} returned {reply} instead of an ML Platform API "
        f"response, so {url} does not look like an ML Platform API; set base_url or {ENV_URL} "
        f"(now from {context.url_source}) to the server root, for example {DEFAULT_BASE_URL}."
    )
    return APIStatusError(message, **_common(details))


def _retry_after(details: _Details, response: httpx.Response) -> float | None:
    header = parse_retry_after(response.headers.get("Retry-After"))
    if header is not None:
        return header
    value = details.problem.get("retry_after")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


_BY_TYPE = {
    "validation": _validation,
    "code-not-found": _code_not_found,
    "payload-too-large": _payload_too_large,
    "unauthenticated": _unauthenticated,
    "forbidden": _forbidden,
    "job-not-found": _job_not_found,
    "not-found": _route_not_found,
    "capacity-unavailable": _capacity_unavailable,
    "capacity-infeasible": _capacity_infeasible,
    "idempotency-conflict": _idempotency_conflict,
    "already-finished": _already_finished,
    "rate-limited": _rate_limited,
    "shutting-down": _server_error,
    "internal": _server_error,
    "method-not-allowed": _generic,
    "unsupported-media-type": _generic,
}
