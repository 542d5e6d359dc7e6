"""Malformed requests, unknown ids and bad keys get a 4xx problem naming the value, never a 500.

Every rejected submit is also checked to have created nothing: the caller's
job list is the same before and after.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from ml_platform_client import AuthenticatedClient

from tests.integration._api import (
    job_request,
    list_all_job_ids,
    make_client,
    raw_client,
    submit,
    upload,
    wait_until_finished,
)
from tests.integration._archive import build_archive, job_archive
from tests.integration._problems import assert_problem
from tests.integration._server import ServerProcess, create_key, run_admin

pytestmark = pytest.mark.timeout(60)

ARCHIVE = job_archive("quick.py")


@dataclass(frozen=True, kw_only=True)
class Caller:
    """A user of the shared server with an uploaded archive, for raw and generated requests."""

    user: str
    raw: httpx.Client
    client: AuthenticatedClient
    digest: str


@pytest.fixture(scope="module")
def caller(shared_server: ServerProcess) -> Iterator[Caller]:
    """A user of its own, so that its job list changes only through these tests."""
    user = f"bad-input-{secrets.token_hex(4)}"
    key = create_key(shared_server.data_dir, user)
    with raw_client(shared_server, key) as raw, make_client(shared_server, key) as client:
        upload(client, ARCHIVE)
        yield Caller(user=user, raw=raw, client=client, digest=ARCHIVE.digest)


def _valid_body(digest: str) -> dict[str, Any]:
    return {"name": "bad-input", "script": "main.py", "code_digest": digest}


@dataclass(frozen=True, kw_only=True)
class BadSubmit:
    """A submit that must be rejected: how to change a valid body, and the expected problem."""

    change: Callable[[dict[str, Any]], bytes]
    status: int | tuple[int, ...] = 400
    problem_type: str | tuple[str, ...] = "validation"
    mentions: tuple[str, ...] = ()
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)


def _json(**changes: Any) -> Callable[[dict[str, Any]], bytes]:
    def change(body: dict[str, Any]) -> bytes:
        return json.dumps({**body, **changes}).encode()

    return change


def _without(name: str) -> Callable[[dict[str, Any]], bytes]:
    def change(body: dict[str, Any]) -> bytes:
        return json.dumps({key: value for key, value in body.items() if key != name}).encode()

    return change


def _raw(data: bytes) -> Callable[[dict[str, Any]], bytes]:
    return lambda body: data


def _valid() -> Callable[[dict[str, Any]], bytes]:
    return lambda body: json.dumps(body).encode()


BAD_SUBMITS: dict[str, BadSubmit] = {
    "malformed-json": BadSubmit(change=_raw(b'{"name": "bad-input", ')),
    "non-utf8-body": BadSubmit(change=_raw(b'{"name": "\xff\xfe\xfa", "script": "main.py"}')),
    "json-array": BadSubmit(change=_raw(b"[]")),
    "json-string": BadSubmit(change=_raw(b'"job"')),
    "empty-body": BadSubmit(change=_raw(b"")),
    "text-plain": BadSubmit(
        change=_valid(),
        content_type="text/plain",
        status=(400, 415),
        problem_type=("validation", "unsupported-media-type"),
    ),
    "form-encoded": BadSubmit(
        change=_raw(b"name=bad-input&script=main.py"),
        content_type="application/x-www-form-urlencoded",
        status=(400, 415),
        problem_type=("validation", "unsupported-media-type"),
    ),
    "unknown-field": BadSubmit(change=_json(bogus_field=1), mentions=("bogus_field",)),
    "missing-script": BadSubmit(change=_without("script"), mentions=("script",)),
    "missing-code-digest": BadSubmit(change=_without("code_digest"), mentions=("code_digest",)),
    "invalid-name": BadSubmit(change=_json(name="bad name!"), mentions=("bad name!",)),
    "name-wrong-type": BadSubmit(change=_json(name=123456789), mentions=("123456789",)),
    "gpu-absurd": BadSubmit(change=_json(resources={"gpu": 10**9}), mentions=("1000000000",)),
    "gpu-negative": BadSubmit(change=_json(resources={"gpu": -3}), mentions=("-3",)),
    "gpu-not-integer": BadSubmit(change=_json(resources={"gpu": "two"}), mentions=("two",)),
    "cpu-absurd": BadSubmit(change=_json(resources={"cpu": 100000}), mentions=("100000",)),
    "memory-absurd": BadSubmit(
        change=_json(resources={"memory": "99999999Ti"}), mentions=("99999999Ti",)
    ),
    "memory-garbage": BadSubmit(change=_json(resources={"memory": "plenty"}), mentions=("plenty",)),
    "gpu-type-malformed": BadSubmit(
        change=_json(resources={"gpu": 1, "gpu_type": "T4!"}), mentions=("T4!",)
    ),
    # The contract requires gpu_type when gpu > 0 but names no problem type for its absence.
    "gpu-without-gpu-type": BadSubmit(
        change=_json(resources={"gpu": 1}),
        status=(400, 409),
        problem_type=("validation", "capacity-infeasible"),
        mentions=("gpu_type",),
    ),
    "gpu-type-unknown": BadSubmit(
        change=_json(resources={"gpu": 1, "gpu_type": "h100"}),
        status=409,
        problem_type="capacity-infeasible",
        mentions=("h100",),
    ),
    "more-gpus-than-pool": BadSubmit(
        change=_json(resources={"gpu": 8, "gpu_type": "t4"}),
        status=409,
        problem_type="capacity-infeasible",
        mentions=("t4",),
    ),
    "timeout-negative": BadSubmit(change=_json(timeout_seconds=-5), mentions=("-5",)),
    "timeout-zero": BadSubmit(change=_json(timeout_seconds=0), mentions=("timeout_seconds",)),
    "timeout-absurd": BadSubmit(change=_json(timeout_seconds=10**7), mentions=("10000000",)),
    "environment-name-starts-with-digit": BadSubmit(
        change=_json(environment={"1BAD": "x"}), mentions=("1BAD",)
    ),
    "environment-name-with-dash": BadSubmit(
        change=_json(environment={"BAD-NAME": "x"}), mentions=("BAD-NAME",)
    ),
    "environment-name-empty": BadSubmit(
        change=_json(environment={"": "x"}), mentions=("environment",)
    ),
    "environment-name-reserved": BadSubmit(
        change=_json(environment={"ML_PLATFORM_JOB_ID": "x"}), mentions=("ML_PLATFORM_JOB_ID",)
    ),
    "environment-value-with-nul": BadSubmit(
        change=_json(environment={"NUL_VALUE": "a\x00b"}), mentions=("NUL_VALUE",)
    ),
    "environment-value-not-string": BadSubmit(
        change=_json(environment={"COUNT": 987654321}), mentions=("987654321",)
    ),
    "hyperparameter-object": BadSubmit(
        change=_json(hyperparameters={"lr": {"nested_value": 1}}), mentions=("nested_value",)
    ),
    "code-digest-malformed": BadSubmit(
        change=_json(code_digest="NOT-A-DIGEST"), mentions=("NOT-A-DIGEST",)
    ),
    "code-digest-never-uploaded": BadSubmit(
        change=_json(code_digest="e" * 64), problem_type="code-not-found", mentions=("e" * 64,)
    ),
    "script-leaves-directory": BadSubmit(
        change=_json(script="../../outside.py"), mentions=("../../outside.py",)
    ),
    "script-absolute": BadSubmit(change=_json(script="/etc/passwd"), mentions=("/etc/passwd",)),
    "wait-for-capacity-string": BadSubmit(change=_json(wait_for_capacity="yes"), mentions=("yes",)),
    "idempotency-key-too-long": BadSubmit(
        change=_valid(), headers={"Idempotency-Key": "k" * 256}, mentions=("Idempotency-Key",)
    ),
    "dry-run-not-boolean": BadSubmit(
        change=_valid(), params={"dry_run": "perhaps"}, mentions=("perhaps",)
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_SUBMITS))
def test_bad_submit_creates_nothing(case: str, caller: Caller) -> None:
    bad = BAD_SUBMITS[case]
    before = list_all_job_ids(caller.client)

    response = caller.raw.post(
        "/jobs",
        content=bad.change(_valid_body(caller.digest)),
        headers={"Content-Type": bad.content_type, **bad.headers},
        params=bad.params,
    )

    problem = assert_problem(
        response, status=bad.status, problem_type=bad.problem_type, mentions=bad.mentions
    )
    assert list_all_job_ids(caller.client) == before, f"a rejected submit ({case}) created a job"
    if case == "code-digest-never-uploaded":
        assert problem.get("code_digest") == "e" * 64
    if problem["type"].endswith("capacity-infeasible"):
        assert sorted(problem.get("gpu_types", [])) == ["t4", "v100"]


def test_dry_run_of_bad_submit_rejected(caller: Caller) -> None:
    body = {**_valid_body(caller.digest), "resources": {"gpu": 10**9}}
    before = list_all_job_ids(caller.client)

    response = caller.raw.post("/jobs", json=body, params={"dry_run": "true"})

    assert_problem(response, status=400, problem_type="validation", mentions=["1000000000"])
    assert list_all_job_ids(caller.client) == before


BAD_QUERIES = {
    "list-limit-zero": ("/jobs", {"limit": "0"}, "limit"),
    "list-limit-too-large": ("/jobs", {"limit": "101"}, "101"),
    "list-limit-not-integer": ("/jobs", {"limit": "many"}, "many"),
    "list-cursor-garbage": ("/jobs", {"cursor": "not-a-real-cursor"}, "cursor"),
    "list-name-too-long": ("/jobs", {"name": "n" * 129}, "name"),
    "get-wait-too-long": ("/jobs/{job_id}", {"wait": "31"}, "31"),
    "get-wait-negative": ("/jobs/{job_id}", {"wait": "-1"}, "-1"),
    "logs-tail-zero": ("/jobs/{job_id}/logs", {"tail": "0"}, "tail"),
    "logs-tail-too-large": ("/jobs/{job_id}/logs", {"tail": "1001"}, "1001"),
    "logs-cursor-garbage": ("/jobs/{job_id}/logs", {"cursor": "garbage-cursor"}, "cursor"),
    "logs-wait-not-integer": ("/jobs/{job_id}/logs", {"wait": "soon"}, "soon"),
}


@pytest.fixture(scope="module")
def finished_job_id(caller: Caller) -> str:
    """The id of a finished job of the caller, for requests about an existing job."""
    job = submit(caller.client, job_request(caller.digest, name="bad-input-target"))
    return wait_until_finished(caller.client, job.id).id


@pytest.mark.parametrize("case", sorted(BAD_QUERIES))
def test_bad_query_parameter_rejected(case: str, caller: Caller, finished_job_id: str) -> None:
    path, params, mention = BAD_QUERIES[case]

    response = caller.raw.get(path.format(job_id=finished_job_id), params=params)

    assert_problem(response, status=400, problem_type="validation", mentions=[mention])


UNKNOWN_JOB_REQUESTS = {
    "get": ("GET", "/jobs/{job_id}"),
    "logs": ("GET", "/jobs/{job_id}/logs"),
    "metrics": ("GET", "/jobs/{job_id}/metrics"),
    "cancel": ("POST", "/jobs/{job_id}/cancel"),
}


@pytest.mark.parametrize("case", sorted(UNKNOWN_JOB_REQUESTS))
def test_unknown_job_id_is_not_found(case: str, caller: Caller) -> None:
    method, path = UNKNOWN_JOB_REQUESTS[case]
    job_id = f"no-such-job-{secrets.token_hex(4)}"

    response = caller.raw.request(method, path.format(job_id=job_id))

    problem = assert_problem(response, status=404, problem_type="job-not-found", mentions=[job_id])
    assert problem.get("job_id") == job_id


# Ids outside the contract's job_id pattern are invalid input, not unknown jobs.
MALFORMED_JOB_IDS = {
    "space": "x y",
    "non-ascii": "ünïcödé",
    "percent": "%",
    "delete-character": "a\x7fb",
    "tab": "a\tb",
    "newline": "a\nb",
}


@pytest.mark.parametrize("case", sorted(MALFORMED_JOB_IDS))
def test_malformed_job_id_rejected(case: str, caller: Caller) -> None:
    job_id = MALFORMED_JOB_IDS[case]

    response = caller.raw.get(f"/jobs/{quote(job_id, safe='')}")

    problem = assert_problem(response, status=400, problem_type="validation")
    assert problem.get("field") == "job_id"


def test_overlong_job_id_rejected(caller: Caller) -> None:
    job_id = "j" * 65

    response = caller.raw.get(f"/jobs/{job_id}")

    assert_problem(response, status=(400, 404), problem_type=("validation", "job-not-found"))


@pytest.mark.parametrize("case", sorted(UNKNOWN_JOB_REQUESTS))
def test_other_users_job_is_not_found(
    case: str,
    caller: Caller,
    finished_job_id: str,
    new_user_key: Callable[..., str],
    shared_server: ServerProcess,
) -> None:
    method, path = UNKNOWN_JOB_REQUESTS[case]

    with raw_client(shared_server, new_user_key()) as stranger:
        response = stranger.request(method, path.format(job_id=finished_job_id))

    assert_problem(response, status=404, problem_type="job-not-found", mentions=[finished_job_id])


WRONG_CREDENTIALS = {
    "missing": None,
    "unknown-key": "Bearer mlp_" + "0" * 40,
    "not-a-platform-key": "Bearer not-a-key",
    "basic-scheme": "Basic dXNlcjpwYXNz",
    "empty-bearer": "Bearer",
}


@pytest.mark.parametrize("case", sorted(WRONG_CREDENTIALS))
def test_wrong_credentials_unauthenticated(
    case: str, caller: Caller, shared_server: ServerProcess
) -> None:
    authorization = WRONG_CREDENTIALS[case]
    headers = {} if authorization is None else {"Authorization": authorization}
    before = list_all_job_ids(caller.client)

    with httpx.Client(base_url=shared_server.api_url, headers=headers, timeout=30) as anonymous:
        listed = anonymous.get("/jobs")
        created = anonymous.post("/jobs", json=_valid_body(caller.digest))

    for response in (listed, created):
        problem = assert_problem(response, status=401, problem_type="unauthenticated")
        if authorization is not None:
            token = authorization.partition(" ")[2]
            assert not token or token not in json.dumps(problem), "the problem echoes the key"
    assert list_all_job_ids(caller.client) == before


def test_revoked_key_unauthenticated(shared_server: ServerProcess) -> None:
    key = create_key(shared_server.data_dir, f"revoked-{secrets.token_hex(4)}")
    with raw_client(shared_server, key) as client:
        whoami = client.get("/whoami")
        assert whoami.status_code == 200
        key_id = whoami.json()["key_id"]
        run_admin("keys", "revoke", "--data-dir", str(shared_server.data_dir), key_id)

        response = client.get("/jobs")

    problem = assert_problem(response, status=401, problem_type="unauthenticated")
    assert key not in json.dumps(problem)


@pytest.fixture(scope="module")
def read_only(shared_server: ServerProcess, caller: Caller) -> Iterator[httpx.Client]:
    """A raw client with a read-only key of the caller's user, who owns jobs and archives."""
    key = create_key(shared_server.data_dir, caller.user, read_only=True)
    with raw_client(shared_server, key) as client:
        yield client


def test_read_only_key_reads(read_only: httpx.Client, finished_job_id: str) -> None:
    whoami = read_only.get("/whoami")
    listed = read_only.get("/jobs")
    job = read_only.get(f"/jobs/{finished_job_id}")

    assert whoami.status_code == 200
    assert whoami.json()["scope"] == "read-only"
    assert listed.status_code == 200
    assert finished_job_id in [item["id"] for item in listed.json()["jobs"]]
    assert job.status_code == 200


def test_read_only_key_cannot_submit(read_only: httpx.Client, caller: Caller) -> None:
    before = list_all_job_ids(caller.client)

    response = read_only.post("/jobs", json=_valid_body(caller.digest))

    assert_problem(response, status=403, problem_type="forbidden")
    assert list_all_job_ids(caller.client) == before


def test_read_only_key_cannot_upload(read_only: httpx.Client) -> None:
    archive = build_archive({"main.py": f"print({secrets.token_hex(8)!r})\n"})

    response = read_only.put(
        f"/code/{archive.digest}",
        content=archive.data,
        headers={"Content-Type": "application/octet-stream"},
    )

    assert_problem(response, status=403, problem_type="forbidden")
    assert read_only.head(f"/code/{archive.digest}").status_code == 404


def test_read_only_key_cannot_cancel(read_only: httpx.Client, caller: Caller) -> None:
    job = submit(caller.client, job_request(caller.digest, name="reader-target"))

    response = read_only.post(f"/jobs/{job.id}/cancel")

    assert_problem(response, status=403, problem_type="forbidden")
    wait_until_finished(caller.client, job.id)
