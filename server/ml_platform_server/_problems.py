"""Registry of problem types and the exception that carries one.

Every 4xx and 5xx response of the server is an RFC 9457 problem document
(``application/problem+json``). Handlers raise :class:`ApiProblem`; the error
handlers and the front middleware render it with :func:`render_problem`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:mlp:problem:"


@dataclass(frozen=True)
class ProblemType:
    """A known problem type: its short name, HTTP status and title."""

    name: str
    status: int
    title: str

    @property
    def uri(self) -> str:
        """The ``type`` URI of the problem document."""
        return TYPE_PREFIX + self.name


VALIDATION = ProblemType("validation", 400, "Invalid request")
UNAUTHENTICATED = ProblemType("unauthenticated", 401, "Authentication required")
FORBIDDEN = ProblemType("forbidden", 403, "Forbidden")
JOB_NOT_FOUND = ProblemType("job-not-found", 404, "Job not found")
NOT_FOUND = ProblemType("not-found", 404, "Not found")
METHOD_NOT_ALLOWED = ProblemType("method-not-allowed", 405, "Method not allowed")
CAPACITY_UNAVAILABLE = ProblemType("capacity-unavailable", 409, "Capacity unavailable")
CAPACITY_INFEASIBLE = ProblemType("capacity-infeasible", 409, "Capacity infeasible")
IDEMPOTENCY_CONFLICT = ProblemType("idempotency-conflict", 409, "Idempotency key conflict")
ALREADY_FINISHED = ProblemType("already-finished", 409, "Job already finished")
CODE_NOT_FOUND = ProblemType("code-not-found", 400, "Code archive not found")
PAYLOAD_TOO_LARGE = ProblemType("payload-too-large", 413, "Payload too large")
UNSUPPORTED_MEDIA_TYPE = ProblemType("unsupported-media-type", 415, "Unsupported media type")
RATE_LIMITED = ProblemType("rate-limited", 429, "Too many requests")
INTERNAL = ProblemType("internal", 500, "Internal server error")
SHUTTING_DOWN = ProblemType("shutting-down", 503, "Server shutting down")

ALL_TYPES: tuple[ProblemType, ...] = (
    VALIDATION,
    UNAUTHENTICATED,
    FORBIDDEN,
    JOB_NOT_FOUND,
    NOT_FOUND,
    METHOD_NOT_ALLOWED,
    CAPACITY_UNAVAILABLE,
    CAPACITY_INFEASIBLE,
    IDEMPOTENCY_CONFLICT,
    ALREADY_FINISHED,
    CODE_NOT_FOUND,
    PAYLOAD_TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    RATE_LIMITED,
    INTERNAL,
    SHUTTING_DOWN,
)


class ApiProblem(Exception):
    """An error that becomes one problem response.

    Args:
        problem_type: The registered problem type.
        detail: One sentence with the offending value, what was expected and the fix.
        headers: Extra response headers, such as ``Retry-After``.
        **fields: Type-specific members of the problem document (``field``,
            ``job_id``, ``limit`` ...). ``None`` values are left out.
    """

    def __init__(
        self,
        problem_type: ProblemType,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **fields: Any,
    ) -> None:
        super().__init__(detail)
        self.problem_type = problem_type
        self.detail = detail
        self.headers = dict(headers or {})
        self.fields = {name: value for name, value in fields.items() if value is not None}

    @property
    def status(self) -> int:
        """The HTTP status code; Connexion's security layer reads this attribute."""
        return self.problem_type.status

    @property
    def status_code(self) -> int:
        """The HTTP status code, under the name Starlette uses."""
        return self.problem_type.status

    def document(self, request_id: str) -> dict[str, Any]:
        """Build the problem document for a request."""
        body: dict[str, Any] = {
            "type": self.problem_type.uri,
            "title": self.problem_type.title,
            "status": self.problem_type.status,
            "detail": self.detail,
            "request_id": request_id,
        }
        body.update(self.fields)
        return body

    def __repr__(self) -> str:
        return f"ApiProblem({self.problem_type.name!r}, {self.detail!r})"


def validation_error(field: str, detail: str) -> ApiProblem:
    """Build a ``validation`` problem naming the invalid input."""
    return ApiProblem(VALIDATION, detail, field=field)


def render_problem(problem: ApiProblem, request_id: str) -> tuple[int, dict[str, str], bytes]:
    """Render a problem as status, headers and a JSON body."""
    body = json.dumps(problem.document(request_id), separators=(",", ":")).encode()
    headers = {"Content-Type": PROBLEM_CONTENT_TYPE, **problem.headers}
    return problem.status, headers, body
