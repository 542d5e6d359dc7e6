"""The API key never appears in a repr, a message, a traceback or a log line."""

from __future__ import annotations

import os
import secrets
import string
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ml_platform import MLPlatformClient
from ml_platform._logging import redact

from ._servers import ServerProcess


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
                traceback.print_exception(error)
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

    outcomes = [line.split()[0] for line in result.stdout.splitlines()[1:]]
    assert outcomes == ["AuthenticationError"] * 5
    assert "GET /api/v1/whoami 401" in result.stderr
    assert key not in result.stdout
    assert key not in result.stderr
    assert key not in sdk_server.log_path.read_text(encoding="utf-8", errors="replace")
    for database in sdk_server.data_dir.rglob("*.db*"):
        assert key.encode() not in database.read_bytes()
