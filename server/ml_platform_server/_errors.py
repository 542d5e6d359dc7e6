"""Turn every exception raised while handling a request into a problem response.

Connexion raises its own exceptions for failed validation and security
checks, Starlette raises ``HTTPException``, and handlers raise
:class:`~._problems.ApiProblem`. All of them end here, so every error
response has the same shape. Anything else is a bug: it is logged with its
traceback and answered with a 500 ``internal`` problem naming the request id.
"""

from __future__ import annotations

import logging

from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from starlette.exceptions import HTTPException

from . import _problems as problems
from ._problems import ApiProblem, render_problem, validation_error
from ._requestid import current_request_id, current_route

logger = logging.getLogger("ml_platform_server.errors")


def problem_from_exception(exc: Exception, *, has_authorization: bool) -> ApiProblem:
    """Map an exception to the problem it stands for."""
    if isinstance(exc, ApiProblem):
        return exc
    if isinstance(exc, ProblemException | HTTPException):
        status = exc.status_code
        detail = str(exc.detail or "")
        headers = dict(exc.headers or {})
        return _problem_for_status(status, detail, headers, has_authorization=has_authorization)
    return ApiProblem(
        problems.INTERNAL,
        "the server failed to handle the request because of a bug; report it with the request id",
    )


def _problem_for_status(
    status: int, detail: str, headers: dict[str, str], *, has_authorization: bool
) -> ApiProblem:
    if status == 401:
        if has_authorization:
            return ApiProblem(
                problems.UNAUTHENTICATED,
                "the Authorization header was rejected: expected 'Bearer mlp_...' with an "
                "active API key; create one with 'mlp-server keys create'",
            )
        return ApiProblem(
            problems.UNAUTHENTICATED,
            "the request has no Authorization header; send 'Authorization: Bearer mlp_...' "
            "with a key from 'mlp-server keys create'",
        )
    if status == 403:
        return ApiProblem(problems.FORBIDDEN, detail or "the API key may not do this")
    if status == 404:
        template = current_route.get()
        if template is not None and "{" in template:
            # The path has the shape of a spec path, but Connexion's router rejected
            # the value of its parameter, so the parameter is what is invalid.
            name = template[template.rindex("{") + 1 : template.rindex("}")]
            return validation_error(
                name,
                f"path parameter {name!r} has an invalid value; check the {name} in the URL",
            )
        return ApiProblem(problems.NOT_FOUND, "no such route; check the URL against the API")
    if status == 405:
        allowed = [m.strip() for m in headers.get("Allow", "").split(",") if m.strip()]
        return ApiProblem(
            problems.METHOD_NOT_ALLOWED,
            f"this method is not allowed here; use one of: {', '.join(allowed)}",
            allowed=allowed,
            headers={"Allow": ", ".join(allowed)} if allowed else None,
        )
    if status == 413:
        return ApiProblem(problems.PAYLOAD_TOO_LARGE, detail or "the request body is too large")
    if status == 415:
        return ApiProblem(
            problems.UNSUPPORTED_MEDIA_TYPE,
            f"the request body's content type is not accepted ({detail}); "
            "send the content type the API lists for this operation",
        )
    if 400 <= status < 500:
        return ApiProblem(
            problems.VALIDATION,
            f"the request is invalid: {detail or 'bad request'}; fix it and retry",
            field="request",
        )
    return ApiProblem(
        problems.INTERNAL,
        "the server failed to handle the request because of a bug; report it with the request id",
    )


async def handle_exception(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    """Render any exception as a problem response (Connexion error handler)."""
    request_id = current_request_id.get()
    has_authorization = bool(request.headers.get("authorization"))
    problem = problem_from_exception(exc, has_authorization=has_authorization)
    if problem.status >= 500:
        logger.error("request %s failed: %s", request_id, exc.__class__.__name__, exc_info=exc)
    else:
        logger.info(
            "request %s: %s %s (%s)",
            request_id,
            problem.status,
            problem.problem_type.name,
            problem.fields.get("field", ""),
        )
    status, headers, body = render_problem(problem, request_id)
    return ConnexionResponse(
        status_code=status,
        mimetype=problems.PROBLEM_CONTENT_TYPE,
        body=body,
        headers=headers,
    )
