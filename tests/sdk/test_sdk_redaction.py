"""The API key never appears in a repr, a message, a traceback or a log line."""

from __future__ import annotations

import os
import secrets
import socket
import string
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from ml_platform import MLPlatformClient
from ml_platform._logging import redact

from ._proxy import Fault, FaultProxy
from ._servers import ServerProcess, server_executable

ProxyFactory = Callable[[ServerProcess], FaultProxy]

# Each call below raises a different exception, with the key configured on the client.
ERROR_PATHS_PROGRAM = """
import asyncio
import sys
import traceback

import ml_platform
from ml_platform import AsyncMLPlatformClient, MLPlatformClient, Resources

key, read_only_key, url, proxy_url, closed_url, workdir = sys.argv[1:]
seen = []


def show(error):
    seen.append(type(error).__name__)
    print(type(error).__name__, repr(error), str(error), getattr(error, "problem", None))
    print("".join(traceback.format_exception(error)))


def attempt(call):
    try:
        call()
    except ml_platform.MLPlatformError as error:
        show(error)


client = MLPlatformClient(api_key=key, base_url=url)
proxied = MLPlatformClient(api_key=key, base_url=proxy_url, max_retries=0)
closed = MLPlatformClient(api_key=key, base_url=closed_url, max_retries=0)
read_only = MLPlatformClient(api_key=read_only_key, base_url=url)
print(repr(client), repr(client.config), client.config.describe(), repr(client._session.api))
done = client.create_job("done", "ok.py", workdir=workdir).submit()
done.wait_for_completion(timeout_seconds=60)
failing = client.create_job("fails", "fail.py", workdir=workdir).submit()
sleeper = client.create_job("sleeps", "sleep.py", workdir=workdir).submit()
huge = Resources(gpu=1, gpu_type="h100")

for call in [
    lambda: client.get_job("job-404"),
    lambda: client.list_jobs_page(cursor="bad"),
    lambda: done.cancel(),
    lambda: failing.wait_for_completion(timeout_seconds=60, raise_on_failure=True),
    lambda: sleeper.wait_for_completion(timeout_seconds=1, poll_interval=1),
    lambda: client.create_job("big", "ok.py", workdir=workdir, resources=huge).submit(),
    lambda: read_only.create_job("ro", "ok.py", workdir=workdir).submit(),
    lambda: proxied.pools(),
    lambda: proxied.whoami(),
    lambda: proxied.get_job(done.id).get_metrics(),
    lambda: closed.whoami(),
    lambda: MLPlatformClient(api_key=key, base_url="ftp://example.invalid"),
]:
    attempt(call)
sleeper.cancel()


async def async_paths():
    async with AsyncMLPlatformClient(api_key=key, base_url=url) as aclient:
        print(repr(aclient), repr(aclient._session.api))
        for coroutine in [
            lambda: aclient.get_job("job-404"),
            lambda: aclient.list_jobs_page(cursor="bad"),
            lambda: aclient.create_job("big", "ok.py", workdir=workdir, resources=huge).submit(),
        ]:
            try:
                await coroutine()
            except ml_platform.MLPlatformError as error:
                show(error)
    for base in (proxy_url, closed_url):
        async with AsyncMLPlatformClient(api_key=key, base_url=base, max_retries=0) as aclient:
            for coroutine in [aclient.pools, aclient.whoami]:
                try:
                    await coroutine()
                except ml_platform.MLPlatformError as error:
                    show(error)


asyncio.run(async_paths())
print("SEEN", " ".join(seen))
"""


def random_key() -> str:
    alphabet = string.ascii_letters + string.digits
    return "mlp_" + "".join(secrets.choice(alphabet) for _ in range(40))


def test_reprs_hide_key() -> None:
    key = random_key()
    with MLPlatformClient(api_key=key, base_url="http://127.0.0.1:9") as client:
        texts = [
            repr(client),
            repr(client.config),
            str(client.config),
            client.config.describe(),
            repr(client._session.api),
            repr(client._session.http.headers),
        ]
    for text in texts:
        assert key not in text
        assert key[4:] not in text
    assert "********" in repr(client.config)


def test_redact_masks_keys_and_bearer_values() -> None:
    key = random_key()
    assert redact(f"sent {key} now") == "sent mlp_******** now"
    assert redact("Authorization: Bearer abc.def") == "Authorization: Bearer ********"
    assert redact("GET /api/v1/jobs 200") == "GET /api/v1/jobs 200"


@pytest.mark.timeout(90)
def test_key_absent_from_every_error_path(sdk_server: ServerProcess, tmp_path: Path) -> None:
    key = random_key()
    (tmp_path / "train.py").write_text("print(1)\n", encoding="utf-8")
    program = textwrap.dedent(
        f"""
        import traceback
        import ml_platform

        client = ml_platform.MLPlatformClient(api_key={key!r}, base_url={sdk_server.url!r})
        print(repr(client), repr(client.config))
        calls = [
            client.whoami,
            client.pools,
            lambda: client.get_job("job-404"),
            lambda: list(client.list_jobs()),
            lambda: client.create_job("x", "train.py", workdir={str(tmp_path)!r}).submit(),
        ]
        for call in calls:
            try:
                call()
            except ml_platform.MLPlatformError as error:
                print(type(error).__name__, repr(error), error.problem)
                print("".join(traceback.format_exception(error)))
        """
    )
    env = {name: value for name, value in os.environ.items() if not name.startswith("ML_PLATFORM")}
    env["ML_PLATFORM_LOG"] = "debug"
    env["HOME"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=True,
    )

    outcomes = [line.split()[0] for line in result.stdout.splitlines()[1:] if line[:1].isupper()]
    assert outcomes.count("AuthenticationError") == 5
    assert "GET /api/v1/whoami 401" in result.stderr
    assert "Traceback (most recent call last)" in result.stdout
    assert key not in result.stdout
    assert key not in result.stderr
    assert_not_stored(key, sdk_server)


def assert_not_stored(key: str, server: ServerProcess) -> None:
    """Check the server's log and every SQLite file in its data directory for ``key``."""
    assert key not in server.log_path.read_text(encoding="utf-8", errors="replace")
    databases = list(server.data_dir.rglob("*.sqlite3*"))
    assert any(path.name == "mlp.sqlite3" for path in databases), databases
    for database in databases:
        content = database.read_bytes()
        assert key.encode() not in content, database
        assert key[4:].encode() not in content, database


def create_key(server: ServerProcess, *, read_only: bool = False) -> str:
    executable = server_executable()
    assert executable is not None
    command = [executable, "keys", "create", "--data-dir", str(server.data_dir), "--user", "dev"]
    created = subprocess.run(
        command + (["--read-only"] if read_only else []),
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return created.stdout.strip()


@pytest.mark.timeout(150)
def test_valid_key_absent_from_every_error_path(
    unlimited_server: ServerProcess, fault_proxy: ProxyFactory, tmp_path: Path
) -> None:
    key = create_key(unlimited_server)
    read_only_key = create_key(unlimited_server, read_only=True)
    proxy = fault_proxy(unlimited_server)
    proxy.add(Fault("GET", "/api/v1/pools", "respond", status=502, times=100))
    proxy.add(Fault("GET", "/api/v1/whoami", "drop", times=100))
    proxy.add(
        Fault(
            "GET",
            "/api/v1/jobs/[^/]+/metrics",
            "respond",
            status=429,
            headers={"Retry-After": "120"},
            times=100,
        )
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    workdir = tmp_path / "code"
    workdir.mkdir()
    (workdir / "ok.py").write_text("print('ok')\n", encoding="utf-8")
    (workdir / "fail.py").write_text("raise SystemExit(3)\n", encoding="utf-8")
    (workdir / "sleep.py").write_text("import time\ntime.sleep(60)\n", encoding="utf-8")
    env = {name: value for name, value in os.environ.items() if not name.startswith("ML_PLATFORM")}
    env["ML_PLATFORM_LOG"] = "debug"
    env["HOME"] = str(tmp_path)

    arguments = [key, read_only_key, unlimited_server.url, proxy.url, closed_url, str(workdir)]
    result = subprocess.run(
        [sys.executable, "-c", ERROR_PATHS_PROGRAM, *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=True,
    )

    seen = result.stdout.splitlines()[-1].split()[1:]
    assert seen[:12] == [
        "JobNotFoundError",
        "ValidationError",
        "ConflictError",
        "JobFailedError",
        "WaitTimeoutError",
        "ResourceUnavailableError",
        "PermissionDeniedError",
        "ServerError",
        "APIConnectionError",
        "RateLimitError",
        "APIConnectionError",
        "ConfigError",
    ]
    assert seen[12:] == [
        "JobNotFoundError",
        "ValidationError",
        "ResourceUnavailableError",
        "ServerError",
        "APIConnectionError",
        "APIConnectionError",
        "APIConnectionError",
    ]
    assert result.stdout.count("Traceback (most recent call last)") >= len(seen)
    assert "The above exception was the direct cause" in result.stdout
    assert "DEBUG ml_platform: packed" in result.stderr
    assert "GET /api/v1/jobs/job-404 404" in result.stderr
    for secret in (key, read_only_key):
        assert secret not in result.stdout
        assert secret not in result.stderr
        assert_not_stored(secret, unlimited_server)
