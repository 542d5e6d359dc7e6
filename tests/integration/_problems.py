"""Assertions on RFC 9457 problem responses as the contract shapes them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import httpx

PROBLEM_TYPE_PREFIX = "urn:mlp:problem:"
REQUIRED_FIELDS = ("type", "title", "status", "detail", "request_id")


def assert_request_id(response: httpx.Response) -> str:
    """Assert that the response carries an `X-Request-ID` of 1 to 128 visible ASCII characters."""
    request_id = str(response.headers.get("X-Request-ID", ""))
    assert request_id, (
        f"{response.request.method} {response.request.url.raw_path.decode('ascii')} returned "
        f"{response.status_code} without an X-Request-ID header"
    )
    assert 1 <= len(request_id) <= 128, f"X-Request-ID {request_id!r} is not 1 to 128 characters"
    assert all(33 <= ord(char) <= 126 for char in request_id), (
        f"X-Request-ID {request_id!r} contains characters other than visible ASCII"
    )
    return request_id


def assert_problem(
    response: httpx.Response,
    *,
    status: int | Sequence[int],
    problem_type: str | Sequence[str] | None = None,
    mentions: Sequence[str] = (),
) -> dict[str, Any]:
    """Assert that `response` is a problem document and return it parsed.

    Args:
        response: The response to check.
        status: The expected HTTP status, or the statuses that are all acceptable.
        problem_type: The expected short type name (`validation`) or names, if any.
        mentions: Text that `detail` must contain, such as the offending value.

    Raises:
        AssertionError: The first rule of the contract that the response breaks.
    """
    # The raw path keeps percent-encoding, so a control character in an id stays readable.
    method = response.request.method
    path = response.request.url.raw_path.decode("ascii", errors="replace")
    statuses = (status,) if isinstance(status, int) else tuple(status)
    assert response.status_code < 500, (
        f"{method} {path} returned {response.status_code}, a server error: {response.text[:500]}"
    )
    assert response.status_code in statuses, (
        f"{method} {path} returned {response.status_code}; expected {statuses}: "
        f"{response.text[:500]}"
    )
    content_type = response.headers.get("Content-Type", "")
    assert content_type.split(";")[0].strip() == "application/problem+json", (
        f"{method} {path} returned Content-Type {content_type!r}; expected application/problem+json"
    )
    request_id = assert_request_id(response)

    try:
        problem = response.json()
    except json.JSONDecodeError as error:
        raise AssertionError(f"{method} {path} returned a body that is not JSON") from error
    assert isinstance(problem, dict), f"{method} {path} returned a problem that is not an object"
    missing = [name for name in REQUIRED_FIELDS if name not in problem]
    assert not missing, f"{method} {path} returned a problem without {missing}: {problem}"
    assert problem["status"] == response.status_code, (
        f"problem status {problem['status']} differs from the HTTP status {response.status_code}"
    )
    assert problem["request_id"] == request_id, (
        f"problem request_id {problem['request_id']!r} differs from X-Request-ID {request_id!r}"
    )
    assert str(problem["type"]).startswith(PROBLEM_TYPE_PREFIX), (
        f"problem type {problem['type']!r} does not start with {PROBLEM_TYPE_PREFIX}"
    )

    if problem_type is not None:
        names = (problem_type,) if isinstance(problem_type, str) else tuple(problem_type)
        expected = [PROBLEM_TYPE_PREFIX + name for name in names]
        assert problem["type"] in expected, (
            f"{method} {path} returned problem type {problem['type']!r}; expected {expected}: "
            f"{problem.get('detail')!r}"
        )
    for text in mentions:
        assert text in str(problem["detail"]), (
            f"the problem detail {problem['detail']!r} does not name {text!r}"
        )
    return problem
