"""Helpers for the ``mlp`` tests: a real reference server, job scripts and ways to run ``mlp``."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO

import pytest
from click.testing import CliRunner, Result
from mlp_cli.main import cli

MLP = str(Path(sys.executable).parent / "mlp")
MLP_SERVER = str(Path(sys.executable).parent / "mlp-server")
SERVER_START_TIMEOUT = 30.0
SERVER_STOP_TIMEOUT = 20.0
COMMAND_TIMEOUT = 60.0

_KEY_LINE = re.compile(r"^Development API key: (mlp_\S+)$")
_LISTEN_LINE = re.compile(r"^Listening on (http://127\.0\.0\.1:\d+)$")

POOLS_FILE = "pools: {t4: 2, v100: 1}\ncpu: 16\nmemory: 64Gi\n"

# Job scripts run by the tests. Each prints known lines, so tests can compare whole outputs.
SCRIPTS: dict[str, str] = {
    "ok.py": """
        import ml_platform

        for epoch in (1, 2):
            print(f"epoch {epoch}", flush=True)
            ml_platform.report(epoch=epoch, loss=1.0 / epoch, accuracy=0.5 + epoch / 10)
        print("done", flush=True)
    """,
    "fail.py": """
        import sys

        print("starting", flush=True)
        print("something went wrong", file=sys.stderr, flush=True)
        sys.exit(3)
    """,
    "slow.py": """
        import time

        print("started", flush=True)
        for _ in range(600):
            time.sleep(0.5)
    """,
    "env.py": """
        import json
        import os

        print("GREETING=" + os.environ.get("GREETING", ""), flush=True)
        with open(os.environ["ML_PLATFORM_HYPERPARAMETERS_FILE"], encoding="utf-8") as file:
            print(json.dumps(json.load(file), sort_keys=True), flush=True)
    """,
    "nested/inner.py": """
        print("inner", flush=True)
    """,
}


@dataclasses.dataclass(frozen=True, kw_only=True)
class Server:
    """A running reference server."""

    url: str
    api_key: str = dataclasses.field(repr=False)
    data_dir: Path
    process: subprocess.Popen[str] = dataclasses.field(repr=False)

    def env(self) -> dict[str, str]:
        """Environment variables that point ``mlp`` at this server."""
        return {"ML_PLATFORM_URL": self.url, "ML_PLATFORM_API_KEY": self.api_key}


def _read_lines(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def stop_server(process: subprocess.Popen[str]) -> None:
    """Stop a server gracefully, which ends its running jobs, then kill what is left."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=SERVER_STOP_TIMEOUT)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=SERVER_STOP_TIMEOUT)


def seed_server(data_dir: Path, jobs: int) -> None:
    """Load finished job records of the user ``dev`` with ``mlp-server seed``.

    The seeded jobs are named ``seed-000000`` on, created one second apart, the newest a
    minute ago, and mix SUCCEEDED, FAILED and CANCELLED.
    """
    subprocess.run(
        [MLP_SERVER, "seed", "--data-dir", str(data_dir), "--jobs", str(jobs)],
        check=True,
        capture_output=True,
        timeout=SERVER_START_TIMEOUT,
    )


def start_server(root: Path, *, seed_jobs: int = 0) -> Server:
    """Start ``mlp-server --dev`` on a free port and wait until it prints where it listens.

    Args:
        root: A directory for the data directory, pools file and log.
        seed_jobs: Finished jobs to load before the start, see :func:`seed_server`.
    """
    data_dir = root / "data"
    if seed_jobs:
        seed_server(data_dir, seed_jobs)
    pools = root / "pools.yaml"
    pools.write_text(POOLS_FILE, encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ML_PLATFORM_")}
    command = [
        MLP_SERVER,
        "--data-dir",
        str(data_dir),
        "--port",
        "0",
        "--dev",
        "--pools",
        str(pools),
        "--grace-period",
        "1",
        "--max-wait",
        "2",
    ]
    with (root / "server.log").open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env=environment,
            start_new_session=True,
        )
    assert process.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True).start()

    api_key = url = None
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while url is None:
        try:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.01))
        except queue.Empty:
            line = None
        if line is None:
            stop_server(process)
            pytest.fail(
                f"mlp-server printed no 'Listening on' line within {SERVER_START_TIMEOUT:.0f}s; "
                f"see {root / 'server.log'}."
            )
        if key_match := _KEY_LINE.match(line):
            api_key = key_match.group(1)
        if listen_match := _LISTEN_LINE.match(line):
            url = listen_match.group(1)

    assert api_key is not None, "mlp-server --dev printed no 'Development API key' line"
    return Server(url=url, api_key=api_key, data_dir=data_dir, process=process)


def isolated_env(tmp_path: Path) -> dict[str, str | None]:
    """Remove every variable that could change what ``mlp`` does, and use an empty home.

    With no ``ML_PLATFORM_CONFIG`` and a fresh ``HOME``, no config file exists, so the
    developer's own configuration never leaks into a test.
    """
    unset: dict[str, str | None] = {
        name: None
        for name in os.environ
        if name.startswith("ML_PLATFORM_") or name in ("NO_COLOR", "FORCE_COLOR")
    }
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    unset["HOME"] = str(home)
    return unset


RunCli = Callable[..., Result]


def invoke(
    args: Sequence[str], env: Mapping[str, str | None], cwd: Path | None, input_text: str | None
) -> Result:
    runner = CliRunner()
    previous = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return runner.invoke(cli, list(args), env=env, input=input_text, prog_name="mlp")
    finally:
        os.chdir(previous)


def subprocess_env(overrides: Mapping[str, str | None]) -> dict[str, str]:
    """Build a subprocess environment from ``os.environ`` and overrides (None removes)."""
    environment = dict(os.environ)
    for name, value in overrides.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return environment


REPO_ROOT = Path(__file__).resolve().parents[2]


def _api_version() -> str:
    import yaml

    spec = yaml.safe_load((REPO_ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    return str(spec["info"]["version"])


API_VERSION = _api_version()
"""The version of the API contract, which the server reports from ``whoami``."""


def closed_port() -> int:
    """Return a loopback port that nothing listens on (it was free a moment ago)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def api_schema(name: str) -> dict[str, object]:
    """Return a JSON Schema for one schema of openapi.yaml, with its references resolvable."""
    import yaml

    spec = yaml.safe_load((REPO_ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    return {"$ref": f"#/components/schemas/{name}", "components": spec["components"]}


def assert_matches_schema(document: object, name: str) -> None:
    """Check a document against a schema of the API contract, and that it has no other keys."""
    import jsonschema

    schema = api_schema(name)
    jsonschema.validate(document, schema)
    properties = schema["components"]["schemas"][name]["properties"]  # type: ignore[index]
    assert isinstance(document, dict)
    assert set(document) <= set(properties), set(document) - set(properties)


CLI_SCHEMAS = REPO_ROOT / "docs" / "reference" / "cli-schemas"
"""The JSON Schemas of the documented outputs that are not API documents."""


def assert_matches_cli_schema(document: object, name: str) -> None:
    """Check a document against a schema the CLI reference publishes, ``NAME.schema.json``."""
    import json

    import jsonschema

    schema = json.loads((CLI_SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(document)


def read_line(stream: IO[str], timeout: float) -> str:
    """Read one line from a subprocess pipe, failing the test when none comes in time."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        pytest.fail(f"no line arrived within {timeout:.0f}s")


class Terminal:
    """The installed ``mlp`` running on a pseudo-terminal that is its controlling terminal.

    stdin, stdout and stderr are the terminal unless ``stdin`` is given, and ``/dev/tty``
    opens it too, as in an interactive shell.

    Args:
        args: The arguments after ``mlp``.
        env: Environment overrides, None removing a variable.
        cwd: The working directory.
        stdin: A file descriptor to use as stdin instead of the terminal.
    """

    def __init__(
        self,
        args: Sequence[str],
        env: Mapping[str, str | None],
        cwd: Path,
        *,
        stdin: int | None = None,
    ) -> None:
        import fcntl
        import pty
        import termios

        self._leader, follower = pty.openpty()

        def take_terminal() -> None:
            # start_new_session made this process a session leader, so it may adopt the
            # terminal on its stdout as its controlling terminal, which /dev/tty opens.
            fcntl.ioctl(1, termios.TIOCSCTTY, 0)

        self.process = subprocess.Popen(
            [MLP, *args],
            stdin=follower if stdin is None else stdin,
            stdout=follower,
            stderr=follower,
            cwd=cwd,
            env=subprocess_env({"TERM": "xterm", "COLUMNS": "120", "LINES": "40", **env}),
            start_new_session=True,
            preexec_fn=take_terminal,
        )
        os.close(follower)
        self.screen = b""

    def read_until(self, marker: bytes, *, count: int = 1, timeout: float = COMMAND_TIMEOUT) -> str:
        """Read output until ``marker`` has appeared ``count`` times, or fail the test."""
        import select

        deadline = time.monotonic() + timeout
        while self.screen.count(marker) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                pytest.fail(f"{marker!r} did not appear within {timeout:.0f}s: {self.text()!r}")
            ready, _, _ = select.select([self._leader], [], [], min(remaining, 0.5))
            if ready:
                try:
                    chunk = os.read(self._leader, 4096)
                except OSError:
                    chunk = b""
                if not chunk and self.process.poll() is not None:
                    pytest.fail(f"mlp exited before {marker!r} appeared: {self.text()!r}")
                self.screen += chunk
        return self.text()

    def write(self, data: bytes) -> None:
        """Type ``data`` on the terminal."""
        os.write(self._leader, data)

    def finish(self, *, timeout: float = COMMAND_TIMEOUT) -> tuple[int, str]:
        """Read what is left until the process exits; return its exit code and the screen."""
        import select

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self._leader], [], [], 0.2)
            if not ready:
                if self.process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(self._leader, 4096)
            except OSError:
                # Linux reports EIO once the last process holding the terminal has exited.
                chunk = b""
            if not chunk:
                break
            self.screen += chunk
        try:
            code = self.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"mlp did not exit within {timeout:.0f}s: {self.text()!r}")
        os.close(self._leader)
        return code, self.text()

    def kill(self) -> None:
        """Kill the process if it still runs."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=COMMAND_TIMEOUT)

    def text(self) -> str:
        """Return the output so far, decoded, with the terminal's CRLF line ends as LF."""
        return self.screen.decode("utf-8", "replace").replace("\r\n", "\n")
