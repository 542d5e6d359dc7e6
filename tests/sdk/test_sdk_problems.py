"""Mapping error responses to exceptions, from problem documents built here.

The responses are real `httpx.Response` objects constructed directly; nothing is mocked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from ml_platform import (
    APIStatusError,
    AuthenticationError,
    ConflictError,
    IdempotencyConflictError,
    JobNotFoundError,
    MLPlatformError,
    PermissionDeniedError,
    RateLimitError,
    ResourceUnavailableError,
    ServerError,
    ValidationError,
)
from ml_platform._problems import ErrorContext, error_from_response

BASE_URL = "http://127.0.0.1:8000"
SECRET = "mlp_" + "s" * 40
CONTEXT = ErrorContext(
    base_url=BASE_URL,
    url_source="the environment variable ML_PLATFORM_URL",
    key_missing=False,
    key_source="the environment variable ML_PLATFORM_API_KEY",
    config_file=Path("/home/user/.mlplatform/config.yaml"),
)


def problem_response(
    status: int,
    kind: str,
    *,
    method: str = "GET",
    path: str = "/api/v1/jobs",
    headers: dict[str, str] | None = None,
    **fields: Any,
) -> httpx.Response:
    body = {
        "type": f"urn:mlp:problem:{kind}",
        "title": kind.replace("-", " "),
        "status": status,
        "request_id": "req_body",
        **fields,
    }
    request = httpx.Request(method, BASE_URL + path, headers={"Authorization": f"Bearer {SECRET}"})
    return httpx.Response(
        status,
        headers={"Content-Type": "application/problem+json", **(headers or {})},
        content=json.dumps(body).encode(),
        request=request,
    )


def test_status_error_carries_status_request_id_and_problem() -> None:
    response = problem_response(
        400,
        "validation",
        headers={"X-Request-ID": "req_header"},
        field="resources.gpu",
        detail="resources.gpu=1000 is above the maximum 64; ask for 64 GPUs or fewer",
    )
    error = error_from_response(response, CONTEXT)

    assert type(error) is ValidationError
    assert isinstance(error, ValueError)
    assert error.status_code == 400
    assert error.request_id == "req_header"
    assert error.problem["field"] == "resources.gpu"
    assert error.field == "resources.gpu"
    assert str(error) == "Resources.gpu=1000 is above the maximum 64; ask for 64 GPUs or fewer."


def test_request_id_falls_back_to_body() -> None:
    error = error_from_response(problem_response(400, "validation"), CONTEXT)
    assert error.request_id == "req_body"


@pytest.mark.parametrize(
    ("status", "kind", "cls"),
    [
        (400, "validation", ValidationError),
        (400, "code-not-found", ValidationError),
        (413, "payload-too-large", ValidationError),
        (401, "unauthenticated", AuthenticationError),
        (403, "forbidden", PermissionDeniedError),
        (404, "job-not-found", JobNotFoundError),
        (404, "not-found", APIStatusError),
        (405, "method-not-allowed", APIStatusError),
        (409, "capacity-unavailable", ResourceUnavailableError),
        (409, "capacity-infeasible", ResourceUnavailableError),
        (409, "idempotency-conflict", IdempotencyConflictError),
        (409, "already-finished", ConflictError),
        (415, "unsupported-media-type", APIStatusError),
        (429, "rate-limited", RateLimitError),
        (503, "shutting-down", ServerError),
        (500, "internal", ServerError),
    ],
)
def test_problem_type_selects_class(status: int, kind: str, cls: type[APIStatusError]) -> None:
    error = error_from_response(problem_response(status, kind, path="/api/v1/jobs/job-1"), CONTEXT)

    assert type(error) is cls
    assert error.status_code == status
    assert error.problem["type"] == f"urn:mlp:problem:{kind}"
    assert str(error).endswith(".")
    assert SECRET not in str(error)


def test_type_wins_over_status() -> None:
    error = error_from_response(problem_response(400, "job-not-found", job_id="job-9"), CONTEXT)
    assert type(error) is JobNotFoundError


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, ValidationError),
        (422, ValidationError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (409, ConflictError),
        (429, RateLimitError),
        (500, ServerError),
        (502, ServerError),
        (418, APIStatusError),
    ],
)
def test_unknown_type_falls_back_to_status(status: int, cls: type[APIStatusError]) -> None:
    error = error_from_response(problem_response(status, "something-new"), CONTEXT)
    assert type(error) is cls


def test_unknown_404_on_job_path() -> None:
    response = problem_response(404, "something-new", path="/api/v1/jobs/job-77/logs")
    error = error_from_response(response, CONTEXT)
    assert isinstance(error, JobNotFoundError)
    assert error.job_id == "job-77"


def test_job_not_found_names_job() -> None:
    error = error_from_response(problem_response(404, "job-not-found", job_id="job-42"), CONTEXT)
    assert isinstance(error, JobNotFoundError)
    assert error.job_id == "job-42"
    assert "'job-42'" in str(error)
    assert "list_jobs" in str(error)


def test_rejected_key_lists_every_source() -> None:
    error = error_from_response(problem_response(401, "unauthenticated"), CONTEXT)
    assert isinstance(error, AuthenticationError)
    message = str(error)

    assert error.key_missing is False
    assert "rejected the API key from the environment variable ML_PLATFORM_API_KEY" in message
    for way in ("api_key parameter", "ML_PLATFORM_API_KEY", "/home/user/.mlplatform/config.yaml"):
        assert way in message
    assert "`mlp init`" in message
    assert SECRET not in message


def test_missing_key_says_none_was_sent() -> None:
    context = ErrorContext(
        base_url=BASE_URL,
        url_source="the default",
        key_missing=True,
        key_source=None,
        config_file=Path("/cfg.yaml"),
    )
    error = error_from_response(problem_response(401, "unauthenticated"), context)
    assert isinstance(error, AuthenticationError)
    assert error.key_missing is True
    assert error.key_source is None
    assert str(error).startswith("No API key was sent to http://127.0.0.1:8000;")
    assert "ML_PLATFORM_API_KEY" in str(error)


def test_capacity_unavailable_renders_alternatives_as_code() -> None:
    response = problem_response(
        409,
        "capacity-unavailable",
        method="POST",
        requested={"cpu": 1, "memory": "2Gi", "gpu": 4, "gpu_type": "a100"},
        available={"gpu": 2, "gpu_type": "a100", "cpu": 30, "memory": "100Gi", "queued": 0},
        alternatives=[
            {
                "kind": "smaller_gpu_count",
                "description": "2 a100 GPUs are free",
                "resources": {"cpu": 1, "memory": "2Gi", "gpu": 2, "gpu_type": "a100"},
            },
            {
                "kind": "other_gpu_type",
                "description": "t4 has room",
                "resources": {"cpu": 1, "memory": "2Gi", "gpu": 4, "gpu_type": "t4"},
            },
            {"kind": "wait_for_capacity", "description": "queue it"},
        ],
    )
    error = error_from_response(response, CONTEXT)
    assert isinstance(error, ResourceUnavailableError)

    assert error.alternatives == [
        'Resources(gpu=2, gpu_type="a100")',
        'Resources(gpu=4, gpu_type="t4")',
        "submit(wait_for_capacity=True)",
    ]
    assert error.requested["gpu"] == 4
    assert error.available["gpu"] == 2
    assert error.feasible is True
    message = str(error)
    assert 'requested Resources(gpu=4, gpu_type="a100")' in message
    assert "only 2 a100 GPUs, 30 CPU cores and 100Gi memory are free" in message
    assert 'try Resources(gpu=2, gpu_type="a100"), Resources(gpu=4, gpu_type="t4") or ' in message
    assert message.endswith("submit(wait_for_capacity=True).")


def test_capacity_unavailable_always_offers_waiting() -> None:
    response = problem_response(409, "capacity-unavailable", requested={"gpu": 1, "gpu_type": "t4"})
    error = error_from_response(response, CONTEXT)
    assert isinstance(error, ResourceUnavailableError)
    assert error.alternatives == ["submit(wait_for_capacity=True)"]


def test_capacity_infeasible_lists_gpu_types() -> None:
    response = problem_response(
        409,
        "capacity-infeasible",
        requested={"gpu": 1, "gpu_type": "h100"},
        gpu_types=["a100", "t4"],
    )
    error = error_from_response(response, CONTEXT)
    assert isinstance(error, ResourceUnavailableError)
    assert error.feasible is False
    assert error.gpu_types == ["a100", "t4"]
    assert "a100, t4" in str(error)


def test_idempotency_conflict_names_first_job() -> None:
    error = error_from_response(
        problem_response(409, "idempotency-conflict", job_id="job-3"), CONTEXT
    )
    assert isinstance(error, IdempotencyConflictError)
    assert error.job_id == "job-3"
    assert "idempotency_key" in str(error)


def test_already_finished_names_final_status() -> None:
    response = problem_response(409, "already-finished", job_id="job-5", final_status="FAILED")
    error = error_from_response(response, CONTEXT)
    assert type(error) is ConflictError
    assert "'job-5' already finished with status FAILED" in str(error)


def test_rate_limit_reads_retry_after_header() -> None:
    response = problem_response(429, "rate-limited", headers={"Retry-After": "3"}, retry_after=9)
    error = error_from_response(response, CONTEXT)
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 3.0
    assert "wait 3 s" in str(error)


def test_rate_limit_falls_back_to_body_retry_after() -> None:
    error = error_from_response(problem_response(429, "rate-limited", retry_after=4), CONTEXT)
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 4.0


def test_shutting_down_is_server_error_with_retry_after() -> None:
    response = problem_response(503, "shutting-down", headers={"Retry-After": "5"})
    error = error_from_response(response, CONTEXT)
    assert isinstance(error, ServerError)
    assert error.retry_after == 5.0
    assert "shutting down" in str(error)


def test_internal_error_quotes_request_id() -> None:
    response = problem_response(500, "internal", headers={"X-Request-ID": "req_abc"})
    error = error_from_response(response, CONTEXT)
    assert "req_abc" in str(error)


def test_route_not_found_explains_base_url() -> None:
    error = error_from_response(
        problem_response(404, "not-found", path="/api/v1/api/v1/jobs"), CONTEXT
    )
    message = str(error)
    assert type(error) is APIStatusError
    assert "no route GET /api/v1/api/v1/jobs" in message
    assert "ML_PLATFORM_URL (now from the environment variable ML_PLATFORM_URL)" in message


def test_html_404_says_url_is_not_the_api() -> None:
    request = httpx.Request("GET", BASE_URL + "/api/v1/jobs/job-1")
    response = httpx.Response(
        404,
        headers={"Content-Type": "text/html; charset=utf-8"},
        content=b"<html><body>Not Found</body></html>",
        request=request,
    )
    error = error_from_response(response, CONTEXT)

    assert type(error) is APIStatusError
    assert error.status_code == 404
    assert error.problem == {}
    message = str(error)
    assert "HTTP 404 with text/html content" in message
    assert "does not look like an ML Platform API" in message
    assert "set base_url or ML_PLATFORM_URL" in message


def test_json_without_problem_type_is_not_the_api() -> None:
    request = httpx.Request("GET", BASE_URL + "/api/v1/whoami")
    response = httpx.Response(401, json={"error": "nope"}, request=request)
    error = error_from_response(response, CONTEXT)
    assert type(error) is APIStatusError
    assert "does not look like an ML Platform API" in str(error)


def test_redirect_names_location() -> None:
    request = httpx.Request("GET", BASE_URL + "/api/v1/whoami")
    response = httpx.Response(
        301, headers={"Location": "https://ml.example.test/api/v1/whoami"}, request=request
    )
    error = error_from_response(response, CONTEXT)
    assert "redirecting to https://ml.example.test/api/v1/whoami" in str(error)


def test_html_502_from_proxy_is_server_error() -> None:
    request = httpx.Request("GET", BASE_URL + "/api/v1/pools")
    response = httpx.Response(502, content=b"<html>Bad Gateway</html>", request=request)
    assert isinstance(error_from_response(response, CONTEXT), ServerError)


def test_head_error_without_body_maps_by_status() -> None:
    request = httpx.Request("HEAD", BASE_URL + "/api/v1/code/" + "0" * 64)
    error = error_from_response(httpx.Response(401, request=request), CONTEXT)
    assert isinstance(error, AuthenticationError)


def test_every_status_error_is_an_ml_platform_error() -> None:
    error = error_from_response(problem_response(418, "teapot"), CONTEXT)
    assert isinstance(error, MLPlatformError)


def test_501_from_another_server_is_not_the_api() -> None:
    request = httpx.Request("PUT", BASE_URL + "/api/v1/code/" + "0" * 64)
    response = httpx.Response(
        501,
        headers={"Content-Type": "text/html"},
        content=b"<html><body>Unsupported method ('PUT')</body></html>",
        request=request,
    )
    error = error_from_response(response, CONTEXT)

    assert type(error) is APIStatusError
    assert "HTTP 501 with text/html content" in str(error)
    assert "does not look like an ML Platform API" in str(error)


def test_html_502_from_a_gateway_is_a_server_error() -> None:
    request = httpx.Request("GET", BASE_URL + "/api/v1/jobs")
    response = httpx.Response(
        502,
        headers={"Content-Type": "text/html"},
        content=b"<html>Bad Gateway</html>",
        request=request,
    )
    error = error_from_response(response, CONTEXT)

    assert isinstance(error, ServerError)
