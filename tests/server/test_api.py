"""Tests of the HTTP API of a real server: errors, headers, auth and submission rules."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from .conftest import RunningServer, digest_of, make_tar

PROBLEM_FIELDS = {"type", "title", "status", "detail", "request_id"}


def assert_problem(response: httpx.Response, status: int, name: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert set(body) >= PROBLEM_FIELDS
    assert body["type"] == f"urn:mlp:problem:{name}"
    assert body["request_id"] == response.headers["x-request-id"]
    return body


def job_body(digest: str, **fields: Any) -> dict[str, Any]:
    return {"name": "train", "script": "train.py", "code_digest": digest, **fields}


@pytest.fixture
def digest(server: RunningServer) -> str:
    return server.upload({"train.py": "import time\ntime.sleep(60)\n"})


def test_every_response_has_request_id(server: RunningServer) -> None:
    client = server.client()

    own = client.get("/whoami", headers={"X-Request-ID": "my-id-1"})
    invalid = client.get("/whoami", headers={"X-Request-ID": "has space"})
    missing_route = client.get("/nope")

    assert own.headers["x-request-id"] == "my-id-1"
    assert invalid.headers["x-request-id"].startswith("req_")
    assert_problem(missing_route, 404, "not-found")


def test_options_lists_spec_methods_without_auth(server: RunningServer) -> None:
    response = httpx.options(server.api + "/jobs", timeout=30)
    code = httpx.options(server.api + "/code/" + "a" * 64, timeout=30)

    assert response.status_code == 204
    assert response.headers["allow"] == "GET, POST, OPTIONS"
    assert code.headers["allow"] == "HEAD, PUT, OPTIONS"


def test_wrong_method_is_405_with_allowed(server: RunningServer) -> None:
    response = server.client().delete("/jobs")

    body = assert_problem(response, 405, "method-not-allowed")
    assert body["allowed"] == ["GET", "POST", "OPTIONS"]
    assert response.headers["allow"] == "GET, POST, OPTIONS"


def test_auth_missing_rejected_and_read_only(server: RunningServer, digest: str) -> None:
    missing = httpx.get(server.api + "/whoami", timeout=30)
    rejected = server.client("mlp_" + "x" * 40).get("/whoami")
    read_only_key = subprocess.run(
        [
            sys.executable,
            "-m",
            "ml_platform_server.cli",
            "keys",
            "create",
            "--data-dir",
            str(server.data_dir),
            "--user",
            "dev",
            "--read-only",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.strip()
    reader = server.client(read_only_key)

    assert "no Authorization header" in assert_problem(missing, 401, "unauthenticated")["detail"]
    assert "rejected" in assert_problem(rejected, 401, "unauthenticated")["detail"]
    assert reader.get("/whoami").json()["scope"] == "read-only"
    assert_problem(reader.post("/jobs", json=job_body(digest)), 403, "forbidden")
    assert read_only_key not in rejected.text


def test_other_users_jobs_are_not_found(server: RunningServer, digest: str) -> None:
    job = server.client().post("/jobs", json=job_body(digest)).json()
    other_key = subprocess.run(
        [
            sys.executable,
            "-m",
            "ml_platform_server.cli",
            "keys",
            "create",
            "--data-dir",
            str(server.data_dir),
            "--user",
            "bob",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.strip()
    other = server.client(other_key)

    assert_problem(other.get(f"/jobs/{job['id']}"), 404, "job-not-found")
    assert other.get("/jobs").json() == {"jobs": []}
    code = other.post("/jobs", json=job_body(digest))
    assert_problem(code, 400, "code-not-found")


@pytest.mark.parametrize(
    ("content", "content_type", "status", "name"),
    [
        (b"{bad", "application/json", 400, "validation"),
        (b'{"name": "\xff"}', "application/json", 400, "validation"),
        (b"name=x", "text/plain", 415, "unsupported-media-type"),
        (
            b'{"name": "a", "script": "t.py", "code_digest": "x", "resources": {"cpu": NaN}}',
            "application/json",
            400,
            "validation",
        ),
    ],
)
def test_malformed_bodies_are_problems(
    server: RunningServer, content: bytes, content_type: str, status: int, name: str
) -> None:
    response = server.client().post(
        "/jobs", content=content, headers={"Content-Type": content_type}
    )

    assert_problem(response, status, name)
    assert server.client().get("/jobs").json()["jobs"] == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"resources": {"gpu": 10**9}}, "resources.gpu"),
        ({"resources": {"memory": "99999999Ti"}}, "resources.memory"),
        ({"timeout_seconds": -1}, "timeout_seconds"),
        ({"environment": {"1BAD": "x"}}, "environment.1BAD"),
        ({"environment": {"OK": "a\x00b"}}, "environment.OK"),
        ({"environment": {"ML_PLATFORM_JOB_ID": "x"}}, "environment.ML_PLATFORM_JOB_ID"),
        ({"environment": {"CUDA_VISIBLE_DEVICES": "0"}}, "environment.CUDA_VISIBLE_DEVICES"),
        ({"script": "missing.py"}, "script"),
        ({"script": "../train.py"}, "script"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_invalid_fields_are_named(
    server: RunningServer, digest: str, fields: dict[str, Any], field: str
) -> None:
    response = server.client().post("/jobs", json=job_body(digest, **fields))

    body = assert_problem(response, 400, "validation")
    assert body["field"] == field


def test_invalid_query_parameters_are_named(server: RunningServer) -> None:
    client = server.client()

    assert assert_problem(client.get("/jobs?limit=abc"), 400, "validation")["field"] == "limit"
    assert assert_problem(client.get("/jobs?extra=1"), 400, "validation")["field"] == "extra"
    assert assert_problem(client.get("/jobs?status=DONE"), 400, "validation")["field"] == "status"
    assert assert_problem(client.get("/jobs?cursor=abc"), 400, "validation")["field"] == "cursor"


def test_infeasible_and_unavailable_capacity(server: RunningServer, digest: str) -> None:
    client = server.client()
    too_many = client.post("/jobs", json=job_body(digest, resources={"gpu": 3, "gpu_type": "t4"}))
    unknown = client.post("/jobs", json=job_body(digest, resources={"gpu": 1, "gpu_type": "h100"}))
    first = client.post("/jobs", json=job_body(digest, resources={"gpu": 1, "gpu_type": "v100"}))
    second = client.post("/jobs", json=job_body(digest, resources={"gpu": 1, "gpu_type": "v100"}))

    assert assert_problem(too_many, 409, "capacity-infeasible")["gpu_types"] == ["t4", "v100"]
    assert assert_problem(unknown, 409, "capacity-infeasible")["gpu_types"] == ["t4", "v100"]
    assert first.status_code == 201
    body = assert_problem(second, 409, "capacity-unavailable")
    assert body["requested"]["gpu_type"] == "v100"
    assert body["available"]["gpu"] == 0
    kinds = [option["kind"] for option in body["alternatives"]]
    assert kinds == ["other_gpu_type", "wait_for_capacity"]


def test_queued_job_reports_position(server: RunningServer, digest: str) -> None:
    client = server.client()
    gpu = {"gpu": 1, "gpu_type": "v100"}
    client.post("/jobs", json=job_body(digest, resources=gpu))

    queued = client.post("/jobs", json=job_body(digest, resources=gpu, wait_for_capacity=True))
    dry_run = client.post(
        "/jobs?dry_run=true", json=job_body(digest, resources=gpu, wait_for_capacity=True)
    )
    rejected_run = client.post("/jobs?dry_run=true", json=job_body(digest, resources=gpu))
    pools = client.get("/pools").json()

    assert queued.json()["status"] == "PENDING"
    assert queued.json()["queue_position"] == 1
    assert dry_run.status_code == 200
    assert dry_run.json() == {
        "valid": True,
        "fits_now": False,
        "queue_position": 2,
        "job": job_body(digest, resources=gpu, wait_for_capacity=True),
    }
    # Without wait_for_capacity the submit would be rejected, so there is no queue position.
    assert rejected_run.json() == {
        "valid": True,
        "fits_now": False,
        "job": job_body(digest, resources=gpu),
    }
    v100 = next(pool for pool in pools["pools"] if pool["gpu_type"] == "v100")
    assert (v100["allocated"], v100["queued"]) == (1, 1)


def test_idempotency_key_replays_and_conflicts(server: RunningServer, digest: str) -> None:
    client = server.client()
    headers = {"Idempotency-Key": "retry-1"}

    first = client.post("/jobs", json=job_body(digest), headers=headers)
    again = client.post("/jobs", json=job_body(digest), headers=headers)
    other = client.post("/jobs", json=job_body(digest, name="other"), headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    assert first.headers["location"] == f"/api/v1/jobs/{first.json()['id']}"
    assert assert_problem(other, 409, "idempotency-conflict")["job_id"] == first.json()["id"]
    assert len(client.get("/jobs").json()["jobs"]) == 1


def test_list_pages_with_cursor(
    server_factory: Callable[..., RunningServer], tmp_path: Any
) -> None:
    data_dir = tmp_path / "seeded"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "ml_platform_server.cli",
            "seed",
            "--data-dir",
            str(data_dir),
            "--jobs",
            "45",
        ],
        capture_output=True,
        timeout=60,
        check=True,
    )
    server = server_factory("--rate-limit", "0", data_dir=data_dir)
    client = server.client()

    seen: list[str] = []
    cursor = None
    for _ in range(10):
        params: dict[str, Any] = {"limit": 20}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/jobs", params=params).json()
        seen.extend(job["id"] for job in page["jobs"])
        cursor = page.get("next_cursor")
        if cursor is None:
            break
    failed = client.get("/jobs", params={"status": "FAILED", "limit": 100}).json()["jobs"]

    assert len(seen) == len(set(seen)) == 45
    assert seen == sorted(seen, reverse=True)
    assert all(job["status"] == "FAILED" for job in failed)


def test_upload_rules(server_factory: Callable[..., RunningServer]) -> None:
    server = server_factory("--rate-limit", "0", "--max-upload-bytes", "20000")
    client = server.client()
    archive = make_tar({"train.py": "print(1)\n"})
    digest = digest_of(archive)
    octet = {"Content-Type": "application/octet-stream"}

    assert client.head(f"/code/{digest}").status_code == 404
    created = client.put(f"/code/{digest}", content=archive, headers=octet)
    again = client.put(f"/code/{digest}", content=archive, headers=octet)
    mismatch = client.put(f"/code/{'0' * 64}", content=archive, headers=octet)
    big = b"x" * 30000
    too_large = client.put(f"/code/{digest_of(big)}", content=big, headers=octet)
    chunked = client.put(
        f"/code/{digest_of(big)}", content=iter([big[:15000], big[15000:]]), headers=octet
    )
    evil = make_tar({"../evil.py": "x"})
    traversal = client.put(f"/code/{digest_of(evil)}", content=evil, headers=octet)

    assert created.status_code == 201
    assert created.json() == {"digest": digest, "size": len(archive), "files": 1}
    assert again.status_code == 200
    assert client.head(f"/code/{digest}").status_code == 200
    assert assert_problem(mismatch, 400, "validation")["field"] == "digest"
    assert assert_problem(too_large, 413, "payload-too-large")["limit"] == 20000
    assert assert_problem(chunked, 413, "payload-too-large")["limit"] == 20000
    assert "../evil.py" in assert_problem(traversal, 400, "validation")["detail"]


def test_rate_limit_answers_429(server_factory: Callable[..., RunningServer]) -> None:
    server = server_factory("--rate-limit", "1")
    client = server.client()

    statuses = [client.get("/whoami") for _ in range(4)]

    limited = [response for response in statuses if response.status_code == 429]
    assert limited, [response.status_code for response in statuses]
    body = assert_problem(limited[0], 429, "rate-limited")
    assert body["retry_after"] >= 1
    assert limited[0].headers["retry-after"] == str(body["retry_after"])


def test_parameter_bounds_are_validation_problems(server: RunningServer) -> None:
    client = server.client()

    bad_digest = client.put("/code/not-a-digest", content=b"x")
    long_wait = client.get("/jobs/job-000001", params={"wait": 31})
    empty_key = client.post("/jobs", json={}, headers={"Idempotency-Key": ""})

    assert assert_problem(bad_digest, 400, "validation")["field"] == "digest"
    assert assert_problem(long_wait, 400, "validation")["field"] == "wait"
    assert assert_problem(empty_key, 400, "validation")["field"] in ("Idempotency-Key", "name")
