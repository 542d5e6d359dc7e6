"""Fixtures for the server's tests: real ``mlp-server`` processes on loopback ports."""

from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

START_TIMEOUT = 30.0
STOP_TIMEOUT = 30.0
SMALL_POOLS = "pools: {t4: 2, v100: 1}\ncpu: 8\nmemory: 16Gi\n"


def make_tar(files: dict[str, str | bytes]) -> bytes:
    """Build an uncompressed tar archive from a mapping of path to content."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, content in sorted(files.items()):
            data = content.encode() if isinstance(content, str) else content
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def digest_of(data: bytes) -> str:
    """Return the hex SHA-256 digest of bytes."""
    return hashlib.sha256(data).hexdigest()


@dataclass
class RunningServer:
    """A started ``mlp-server serve`` process."""

    process: subprocess.Popen[str]
    url: str
    key: str
    data_dir: Path
    stderr_path: Path
    clients: list[httpx.Client] = field(default_factory=list)

    @property
    def api(self) -> str:
        """The base URL of the API."""
        return self.url + "/api/v1"

    def client(self, key: str | None = None, **kwargs: Any) -> httpx.Client:
        """Return an HTTP client authenticated with ``key`` (the dev key by default)."""
        headers = {"Authorization": f"Bearer {key or self.key}"}
        client = httpx.Client(base_url=self.api, headers=headers, timeout=60, **kwargs)
        self.clients.append(client)
        return client

    def upload(self, files: dict[str, str | bytes], *, key: str | None = None) -> str:
        """Upload a code archive and return its digest."""
        data = make_tar(files)
        digest = digest_of(data)
        response = self.client(key).put(
            f"/code/{digest}",
            content=data,
            headers={"Content-Type": "application/octet-stream"},
        )
        assert response.status_code in (200, 201), response.text
        return digest

    def submit(self, script: str, body: str, **fields: Any) -> dict[str, Any]:
        """Upload ``script.py`` with ``body`` and create a job running it."""
        digest = self.upload({f"{script}.py": body})
        payload = {"name": script, "script": f"{script}.py", "code_digest": digest, **fields}
        response = self.client().post("/jobs", json=payload)
        assert response.status_code == 201, response.text
        job: dict[str, Any] = response.json()
        return job

    def wait_final(self, job_id: str, *, timeout: float = 60) -> dict[str, Any]:
        """Long-poll a job until it ends."""
        deadline = time.monotonic() + timeout
        client = self.client()
        while time.monotonic() < deadline:
            job: dict[str, Any] = client.get(f"/jobs/{job_id}", params={"wait": 5}).json()
            if job["status"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
                return job
        raise AssertionError(f"job {job_id} did not end within {timeout} s")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Signal the server and return its exit status."""
        for client in self.clients:
            client.close()
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=STOP_TIMEOUT)
            raise


def start_server(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> RunningServer:
    """Start ``mlp-server --dev --port 0`` and read its key and URL from stdout."""
    stderr_path = data_dir.parent / f"{data_dir.name}-stderr.log"
    command = [
        sys.executable,
        "-m",
        "ml_platform_server.cli",
        "--data-dir",
        str(data_dir),
        "--port",
        "0",
        "--dev",
        *args,
    ]
    with stderr_path.open("ab") as stderr:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            start_new_session=True,
            env={**os.environ, **(env or {})},
        )
    assert process.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT
    key = url = ""
    while time.monotonic() < deadline and not url:
        line = process.stdout.readline()
        if not line:
            break
        if line.startswith("Development API key: "):
            key = line.split(": ", 1)[1].strip()
        elif line.startswith("Listening on "):
            url = line.removeprefix("Listening on ").strip()
    if not url:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)
        raise AssertionError(f"server did not start: {stderr_path.read_text()}")
    return RunningServer(process, url, key, data_dir, stderr_path)


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[Callable[..., RunningServer]]:
    """Start servers on demand; every one is stopped at teardown."""
    started: list[RunningServer] = []
    pools = tmp_path / "pools.yaml"
    pools.write_text(SMALL_POOLS)

    def factory(*args: str, data_dir: Path | None = None, **kwargs: Any) -> RunningServer:
        server = start_server(
            data_dir or tmp_path / "data",
            "--pools",
            str(pools),
            "--grace-period",
            "2",
            *args,
            **kwargs,
        )
        started.append(server)
        return server

    yield factory
    for server in started:
        if server.process.poll() is None:
            server.stop(signal.SIGKILL)


@pytest.fixture
def server(server_factory: Callable[..., RunningServer]) -> RunningServer:
    """A fresh server with small pools (t4: 2, v100: 1) and no rate limit."""
    return server_factory("--rate-limit", "0", "--max-wait", "5")
