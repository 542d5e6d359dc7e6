"""Retries, time-outs, logging and foreign responses, against a scripted loopback HTTP server.

The reference server cannot be made to return 503 once, hold a request for a set time or
serve an HTML page on demand. These tests therefore use a small standard-library HTTP server
on 127.0.0.1 that replays scripted responses and records every request it receives.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from ml_platform import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    MLPlatformClient,
    RateLimitError,
    ServerError,
    ValidationError,
)
from ml_platform._upload import pack_directory

pytestmark = pytest.mark.timeout(60)

SECRET = "mlp_" + "k" * 40
JOB = {
    "id": "job-1",
    "name": "scripted",
    "script": "train.py",
    "code_digest": "0" * 64,
    "resources": {"cpu": 1, "memory": "2Gi", "gpu": 0},
    "environment": {},
    "hyperparameters": {},
    "status": "RUNNING",
    "created_at": "2026-01-01T00:00:00.000Z",
}
IDENTITY = {"user": "dev", "key_id": "key_1", "scope": "read-write"}


@dataclass
class Reply:
    """One scripted response."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    delay: float = 0.0


@dataclass
class Received:
    """One request the scripted server received."""

    method: str
    path: str
    headers: dict[str, str]


class ScriptedServer:
    """Return the queued replies of each (method, path without query) in order, then 404."""

    def __init__(self) -> None:
        self.replies: dict[tuple[str, str], deque[Reply]] = defaultdict(deque)
        self.received: list[Received] = []
        scripted = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                path = self.path.split("?", 1)[0]
                scripted.received.append(Received(self.command, self.path, dict(self.headers)))
                queue = scripted.replies[(self.command, path)]
                reply = (
                    queue.popleft()
                    if queue
                    else Reply(404, b"<html>nothing here</html>", content_type="text/html")
                )
                time.sleep(reply.delay)
                if isinstance(reply.body, bytes):
                    payload = reply.body
                elif reply.body is None:
                    payload = b""
                else:
                    payload = json.dumps(reply.body).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.send_header("X-Request-ID", f"req_{len(scripted.received)}")
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_HEAD = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def add(self, method: str, path: str, *replies: Reply) -> None:
        self.replies[(method, "/api/v1" + path)].extend(replies)

    def count(self, method: str, path: str) -> int:
        full = "/api/v1" + path
        return sum(1 for r in self.received if r.method == method and r.path.split("?")[0] == full)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def problem(status: int, kind: str, headers: dict[str, str] | None = None, **fields: Any) -> Reply:
    body = {"type": f"urn:mlp:problem:{kind}", "title": kind, "status": status, **fields}
    return Reply(status, body, headers=headers or {}, content_type="application/problem+json")


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    server = ScriptedServer()
    yield server
    server.close()


def make_client(server: ScriptedServer, **kwargs: Any) -> MLPlatformClient:
    return MLPlatformClient(api_key=SECRET, base_url=server.url, **kwargs)


def test_retries_503_after_retry_after(scripted: ScriptedServer) -> None:
    scripted.add(
        "GET",
        "/whoami",
        problem(503, "shutting-down", headers={"Retry-After": "1"}),
        Reply(200, IDENTITY),
    )
    with make_client(scripted) as client:
        assert client.whoami().user == "dev"
    assert scripted.count("GET", "/whoami") == 2


def test_bad_request_is_never_retried(scripted: ScriptedServer) -> None:
    scripted.add("GET", "/jobs/job-1", problem(400, "validation", field="job_id"))
    with make_client(scripted) as client, pytest.raises(ValidationError):
        client.get_job("job-1")
    assert scripted.count("GET", "/jobs/job-1") == 1


def test_get_retried_after_500(scripted: ScriptedServer) -> None:
    scripted.add("GET", "/jobs/job-1", problem(500, "internal"), Reply(200, JOB))
    with make_client(scripted) as client:
        assert client.get_job("job-1").id == "job-1"
    assert scripted.count("GET", "/jobs/job-1") == 2


def test_cancel_not_retried_after_500(scripted: ScriptedServer) -> None:
    scripted.add("GET", "/jobs/job-1", Reply(200, JOB))
    scripted.add("POST", "/jobs/job-1/cancel", problem(500, "internal"), Reply(200, JOB))
    with make_client(scripted) as client:
        job = client.get_job("job-1")
        with pytest.raises(ServerError):
            job.cancel()
    assert scripted.count("POST", "/jobs/job-1/cancel") == 1


def test_retries_stop_at_max_retries(scripted: ScriptedServer) -> None:
    refused = problem(503, "shutting-down", headers={"Retry-After": "0"})
    scripted.add("GET", "/pools", refused, refused, refused, refused)
    with make_client(scripted, max_retries=2) as client, pytest.raises(ServerError):
        client.pools()
    assert scripted.count("GET", "/pools") == 3


def test_no_retries_when_max_retries_is_zero(scripted: ScriptedServer) -> None:
    scripted.add("GET", "/pools", problem(503, "shutting-down"), problem(503, "shutting-down"))
    with make_client(scripted, max_retries=0) as client, pytest.raises(ServerError):
        client.pools()
    assert scripted.count("GET", "/pools") == 1


def test_long_retry_after_is_not_waited_for(scripted: ScriptedServer) -> None:
    scripted.add("GET", "/pools", problem(429, "rate-limited", headers={"Retry-After": "120"}))
    with make_client(scripted) as client, pytest.raises(RateLimitError) as caught:
        client.pools()
    assert caught.value.retry_after == 120.0
    assert scripted.count("GET", "/pools") == 1


def test_submit_retry_reuses_idempotency_key(scripted: ScriptedServer, tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text("print(1)\n", encoding="utf-8")
    digest = pack_directory(tmp_path).digest
    scripted.add("HEAD", f"/code/{digest}", Reply(200))
    with make_client(scripted) as client:
        job = client.create_job("scripted", "train.py", workdir=tmp_path)
        scripted.add(
            "POST",
            "/jobs",
            problem(503, "shutting-down", headers={"Retry-After": "0"}),
            Reply(201, JOB),
        )
        job.submit()

    posts = [r for r in scripted.received if r.method == "POST"]
    assert len(posts) == 2
    keys = {r.headers.get("Idempotency-Key") for r in posts}
    assert len(keys) == 1
    assert None not in keys
    assert job.id == "job-1"


def test_html_page_is_reported_as_wrong_url(scripted: ScriptedServer) -> None:
    with make_client(scripted) as client, pytest.raises(APIStatusError) as caught:
        client.whoami()
    assert caught.value.status_code == 404
    assert "does not look like an ML Platform API" in str(caught.value)


def test_html_success_is_reported_as_wrong_url(scripted: ScriptedServer) -> None:
    scripted.add("GET", "/whoami", Reply(200, b"<html>portal</html>", content_type="text/html"))
    with make_client(scripted) as client, pytest.raises(APIStatusError) as caught:
        client.whoami()
    assert "does not look like an ML Platform API" in str(caught.value)


def test_json_of_wrong_shape_is_reported(scripted: ScriptedServer) -> None:
    scripted.add("GET", "/whoami", Reply(200, {"unexpected": True}))
    with make_client(scripted) as client, pytest.raises(APIStatusError) as caught:
        client.whoami()
    assert "does not match the ML Platform API contract" in str(caught.value)


def test_connection_refused_is_connection_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = MLPlatformClient(api_key=SECRET, base_url=f"http://127.0.0.1:{port}", max_retries=0)
    with client, pytest.raises(APIConnectionError) as caught:
        client.whoami()
    assert not isinstance(caught.value, APITimeoutError)
    assert f"http://127.0.0.1:{port}/api/v1/whoami" in str(caught.value)
    assert "ML_PLATFORM_URL" in str(caught.value)


def test_slow_response_times_out(scripted: ScriptedServer) -> None:
    scripted.add("GET", "/pools", Reply(200, {}, delay=2.0))
    client = make_client(scripted, timeout=0.5, max_retries=0)
    with client, pytest.raises(APITimeoutError) as caught:
        client.pools()
    assert "timeout / ML_PLATFORM_TIMEOUT" in str(caught.value)


def test_long_poll_gets_longer_read_timeout(scripted: ScriptedServer) -> None:
    scripted.add("GET", "/jobs/job-1", Reply(200, JOB))
    done = dict(JOB, status="SUCCEEDED", finished_at="2026-01-01T00:00:05.000Z", exit_code=0)
    scripted.add("GET", "/jobs/job-1", Reply(200, done, delay=1.5))
    with make_client(scripted, timeout=1.0, max_retries=0) as client:
        job = client.get_job("job-1")
        assert job.wait_for_completion(poll_interval=2).value == "SUCCEEDED"
    polls = [r.path for r in scripted.received if r.method == "GET"]
    assert "wait=2" in polls[-1]
    assert "status=RUNNING" in polls[-1]


def test_one_log_line_per_request_without_secrets(
    scripted: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    scripted.add(
        "GET",
        "/whoami",
        problem(503, "shutting-down", headers={"Retry-After": "0"}),
        Reply(200, IDENTITY),
    )
    with caplog.at_level(logging.DEBUG, logger="ml_platform"), make_client(scripted) as client:
        client.whoami()

    info = [
        r.getMessage()
        for r in caplog.records
        if r.name == "ml_platform" and r.levelno == logging.INFO
    ]
    debug = [
        r.getMessage()
        for r in caplog.records
        if r.name == "ml_platform" and r.levelno == logging.DEBUG
    ]
    assert len(info) == 2
    assert info[0].startswith("GET /api/v1/whoami 503 ")
    assert info[0].endswith("request_id=req_1")
    assert info[1].startswith("GET /api/v1/whoami 200 ")
    assert any(message.startswith("retrying GET /api/v1/whoami") for message in debug)
    assert SECRET not in caplog.text
    assert "Authorization" not in caplog.text
