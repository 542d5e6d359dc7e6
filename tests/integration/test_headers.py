"""Request ids, `Allow` on OPTIONS and 405, problem documents for unknown routes, and 429."""

from __future__ import annotations

import secrets

import httpx
import pytest

from tests.integration._api import raw_client
from tests.integration._problems import assert_problem, assert_request_id
from tests.integration._server import ServerFactory, ServerOptions, ServerProcess, create_key

pytestmark = pytest.mark.timeout(60)

UNKNOWN_DIGEST = "0" * 64


def _allowed_methods(response: httpx.Response) -> set[str]:
    return {method.strip().upper() for method in response.headers.get("Allow", "").split(",")} - {
        ""
    }


def test_every_response_has_request_id(raw_api: httpx.Client, shared_server: ServerProcess) -> None:
    requests = [
        raw_api.build_request("GET", "/whoami"),
        raw_api.build_request("GET", "/pools"),
        raw_api.build_request("GET", "/jobs"),
        raw_api.build_request("GET", "/jobs", params={"limit": "0"}),
        raw_api.build_request("HEAD", f"/code/{UNKNOWN_DIGEST}"),
        raw_api.build_request("HEAD", "/code/not-a-digest"),
        raw_api.build_request("GET", "/jobs/no-such-job"),
        raw_api.build_request("GET", "/jobs/no-such-job/logs"),
        raw_api.build_request("GET", "/jobs/no-such-job/metrics"),
        raw_api.build_request("POST", "/jobs/no-such-job/cancel"),
        raw_api.build_request(
            "POST", "/jobs", content=b"{", headers={"Content-Type": "application/json"}
        ),
        raw_api.build_request("DELETE", "/jobs"),
        raw_api.build_request("OPTIONS", "/jobs"),
        raw_api.build_request("GET", "/no-such-route"),
    ]
    responses = [raw_api.send(request) for request in requests]
    with httpx.Client(base_url=shared_server.api_url, timeout=30) as anonymous:
        responses.append(anonymous.get("/jobs"))
    with httpx.Client(base_url=shared_server.base_url, timeout=30) as outside_api:
        responses.append(outside_api.get("/definitely-not-here"))

    request_ids = [assert_request_id(response) for response in responses]
    assert all(response.status_code < 500 for response in responses), [
        (response.request.url.path, response.status_code) for response in responses
    ]
    assert len(set(request_ids)) == len(request_ids), "two responses share a request id"


def test_client_request_id_is_echoed(raw_api: httpx.Client) -> None:
    request_id = f"trace-{secrets.token_hex(6)}"

    success = raw_api.get("/whoami", headers={"X-Request-ID": request_id})
    failure = raw_api.get("/jobs/no-such-job", headers={"X-Request-ID": request_id})

    assert success.status_code == 200
    assert success.headers["X-Request-ID"] == request_id
    problem = assert_problem(failure, status=404, problem_type="job-not-found")
    assert problem["request_id"] == request_id


@pytest.mark.parametrize("request_id", ["r" * 129, "has space", "tab\tinside"])
def test_invalid_client_request_id_is_replaced(raw_api: httpx.Client, request_id: str) -> None:
    response = raw_api.get("/whoami", headers={"X-Request-ID": request_id})

    assert response.status_code == 200
    assert assert_request_id(response) != request_id


SPEC_METHODS = {
    "/jobs": {"GET", "POST"},
    "/jobs/some-job": {"GET"},
    "/jobs/some-job/cancel": {"POST"},
    "/jobs/some-job/logs": {"GET"},
    "/jobs/some-job/metrics": {"GET"},
    f"/code/{UNKNOWN_DIGEST}": {"HEAD", "PUT"},
    "/whoami": {"GET"},
    "/pools": {"GET"},
}
# OPTIONS itself and HEAD, which HTTP allows wherever GET is, may be listed too.
IMPLIED_METHODS = {"OPTIONS", "HEAD"}


@pytest.mark.parametrize("path", sorted(SPEC_METHODS))
def test_options_lists_spec_methods(raw_api: httpx.Client, path: str) -> None:
    response = raw_api.options(path)

    allowed = _allowed_methods(response)
    assert response.status_code in (200, 204), f"OPTIONS {path} returned {response.status_code}"
    assert SPEC_METHODS[path] <= allowed, f"OPTIONS {path} allows {sorted(allowed)}"
    assert allowed - SPEC_METHODS[path] <= IMPLIED_METHODS, f"OPTIONS {path} allows {allowed}"
    assert_request_id(response)


@pytest.mark.parametrize(
    ("method", "path"),
    [("DELETE", "/jobs"), ("PUT", "/jobs"), ("PATCH", "/jobs/some-job"), ("GET", "/pools/x")],
    ids=["delete-jobs", "put-jobs", "patch-job", "get-unknown-subpath"],
)
def test_unsupported_method_or_route_is_problem(
    raw_api: httpx.Client, method: str, path: str
) -> None:
    response = raw_api.request(method, path)

    if path == "/pools/x":
        assert_problem(response, status=404, problem_type="not-found")
        return
    problem = assert_problem(response, status=405, problem_type="method-not-allowed")
    expected = SPEC_METHODS.get(path, {"GET"})
    assert expected <= set(problem.get("allowed", []))
    assert expected <= _allowed_methods(response)


def test_unknown_route_is_not_found_problem(raw_api: httpx.Client) -> None:
    response = raw_api.get("/no-such-route")

    assert_problem(response, status=404, problem_type="not-found", mentions=["/no-such-route"])


@pytest.mark.timeout(90)
def test_rate_limit_answers_429_with_retry_after(server_factory: ServerFactory) -> None:
    server = server_factory.start(ServerOptions(rate_limit=1))
    other_key = create_key(server.data_dir, "other-user")

    with raw_client(server) as client:
        responses = [client.get("/whoami") for _ in range(20)]
    with raw_client(server, other_key) as other:
        other_response = other.get("/whoami")

    limited = [response for response in responses if response.status_code == 429]
    assert limited, f"20 quick requests at 1 request/s got {[r.status_code for r in responses]}"
    assert all(response.status_code in (200, 429) for response in responses)
    problem = assert_problem(limited[0], status=429, problem_type="rate-limited")
    retry_after = limited[0].headers.get("Retry-After", "")
    assert retry_after.isdigit(), f"Retry-After {retry_after!r} is not a whole number of seconds"
    assert int(retry_after) >= 1
    assert problem.get("retry_after") == int(retry_after)
    assert other_response.status_code == 200, "the limit of one key throttled another key"
