"""Start, stop and restart real `mlp-server --dev` processes on free loopback ports.

Each server runs in its own session with its own data directory. It prints
`Development API key: mlp_...` and then `Listening on http://127.0.0.1:PORT`
on stdout; its log on stderr goes to a file beside the data directory. The
API key is kept out of every repr and message.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from tests.integration import _processes

MLP_SERVER = str(Path(sys.executable).parent / "mlp-server")
STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
COMMAND_TIMEOUT = 30.0
# The shared server's environment has this variable; a job must never see it.
SERVER_ENV_MARKER = "MLP_TEST_SERVER_ONLY_MARKER"
# The shared server's long-poll bound in seconds (`--max-wait`).
SHARED_MAX_WAIT = 2

_KEY_LINE = re.compile(r"Development API key:\s*(mlp_\S+)")
_LISTEN_LINE = re.compile(r"Listening on (http://127\.0\.0\.1:(\d+))")
_KEY_TOKEN = re.compile(r"mlp_[A-Za-z0-9_\-]+")


@dataclass(frozen=True, kw_only=True)
class ServerOptions:
    """Command-line settings of one server; None leaves the server's default."""

    pools: Mapping[str, int] = field(default_factory=lambda: {"t4": 2, "v100": 1})
    cpu: int = 32
    memory: str = "128Gi"
    grace_period: float | None = None
    # Off unless a test is about rate limits: the server's default would throttle bulk tests.
    rate_limit: float | None = 0
    max_wait: float | None = None
    max_upload_bytes: int | None = None
    environment: Mapping[str, str] = field(default_factory=dict)

    def pools_document(self) -> str:
        """Render the pools file in the YAML shape `mlp-server --pools` reads."""
        pools = ", ".join(f"{name}: {count}" for name, count in self.pools.items())
        return f"pools: {{{pools}}}\ncpu: {self.cpu}\nmemory: {self.memory}\n"

    def arguments(self, pools_file: Path) -> list[str]:
        """Return the optional command-line flags, without `--data-dir` and `--port`."""
        flags = ["--pools", str(pools_file)]
        optional: dict[str, float | int | None] = {
            "--grace-period": self.grace_period,
            "--rate-limit": self.rate_limit,
            "--max-wait": self.max_wait,
            "--max-upload-bytes": self.max_upload_bytes,
        }
        for flag, value in optional.items():
            if value is not None:
                flags += [flag, _format_number(value)]
        return flags


def _format_number(value: float | int) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def shared_server_options() -> ServerOptions:
    """Return the options of the session's shared server.

    Pools t4: 2 and v100: 1, a long-poll bound of `SHARED_MAX_WAIT` seconds, a
    2-second grace period, and `SERVER_ENV_MARKER` in the server's environment.
    """
    return ServerOptions(
        pools={"t4": 2, "v100": 1},
        cpu=16,
        memory="64Gi",
        max_wait=SHARED_MAX_WAIT,
        grace_period=2,
        environment={SERVER_ENV_MARKER: secrets.token_hex(8)},
    )


class ServerStartError(RuntimeError):
    """The server exited or stayed silent before printing its listening address."""


@dataclass(kw_only=True)
class ServerProcess:
    """A running reference server and what it printed on start."""

    process: subprocess.Popen[str] = field(repr=False)
    data_dir: Path
    options: ServerOptions
    port: int
    api_key: str = field(repr=False)
    log_path: Path
    pool_file: Path
    stdout_reader: threading.Thread = field(repr=False)
    _descendants: dict[int, _processes.ProcessId] = field(default_factory=dict, repr=False)

    @property
    def pid(self) -> int:
        """The pid of the server process."""
        return self.process.pid

    @property
    def base_url(self) -> str:
        """The server root URL, for example `http://127.0.0.1:8123`."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """The URL that every API path is relative to."""
        return f"{self.base_url}/api/v1"

    def is_running(self) -> bool:
        """Tell whether the server process has not exited yet."""
        return self.process.poll() is None

    def remember_descendants(self) -> None:
        """Record the server's current child processes so that they can be ended later."""
        for child in _processes.descendants(self.pid):
            self._descendants[child.pid] = child

    def kill(self) -> None:
        """Send SIGKILL to the server process alone, as a crash would, and reap it."""
        self.remember_descendants()
        if self.is_running():
            os.kill(self.pid, signal.SIGKILL)
        self.process.wait(timeout=STOP_TIMEOUT)

    def terminate(self, *, timeout: float = STOP_TIMEOUT) -> int | None:
        """Send SIGTERM and wait up to `timeout` seconds; return the exit code, or None."""
        self.remember_descendants()
        if self.is_running():
            os.kill(self.pid, signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def close(self) -> None:
        """Stop the server gracefully, then kill whatever it and its jobs left behind."""
        if self.is_running():
            self.terminate()
        if self.is_running():
            self.remember_descendants()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
            self.process.wait(timeout=STOP_TIMEOUT)
        _processes.kill_processes(list(self._descendants.values()))
        # The reader ends at end of file, which comes once the server and its children are gone.
        self.stdout_reader.join(timeout=STOP_TIMEOUT)

    def log_tail(self, *, lines: int = 60) -> str:
        """Return the last `lines` lines of the server's stderr log, with API keys masked."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""
        return _KEY_TOKEN.sub("mlp_***", "\n".join(text.splitlines()[-lines:]))


def _server_environment(extra: Mapping[str, str]) -> dict[str, str]:
    # Settings of an outer platform or server in the test runner's environment must not leak in.
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("ML_PLATFORM_", "MLP_SERVER_"))
    }
    environment.update(extra)
    return environment


def _drain(stream: IO[str], lines: queue.Queue[str | None], copy: Path) -> None:
    with copy.open("a", encoding="utf-8") as out:
        for line in stream:
            lines.put(line)
            out.write(_KEY_TOKEN.sub("mlp_***", line))
            out.flush()
    lines.put(None)


def start_server(data_dir: Path, options: ServerOptions, *, name: str = "server") -> ServerProcess:
    """Start `mlp-server --dev` on a free port with `data_dir` and wait until it listens.

    Args:
        data_dir: The data directory; reuse one to restart a server on the same store.
        options: Pools and flags for the command line.
        name: A prefix for the pools file and log file names beside `data_dir`.

    Raises:
        ServerStartError: The server exited or printed no listening address within
            `STARTUP_TIMEOUT` seconds.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    run_dir = data_dir.parent
    pool_file = run_dir / f"{name}-pools.yaml"
    pool_file.write_text(options.pools_document(), encoding="utf-8")
    log_path = run_dir / f"{name}.stderr.log"
    stdout_copy = run_dir / f"{name}.stdout.log"

    command = [MLP_SERVER, "--data-dir", str(data_dir), "--port", "0", "--dev"]
    command += options.arguments(pool_file)
    with log_path.open("a", encoding="utf-8") as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            cwd=run_dir,
            env=_server_environment(options.environment),
            start_new_session=True,
        )
    assert process.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(
        target=_drain, args=(process.stdout, lines, stdout_copy), daemon=True, name=f"{name}-stdout"
    )
    reader.start()

    api_key: str | None = None
    listen_match: re.Match[str] | None = None
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while listen_match is None:
        line = _next_line(lines, deadline)
        if line is None:
            _abandon(process)
            message = (
                f"mlp-server printed no 'Listening on' line within {STARTUP_TIMEOUT:.0f} s "
                f"(exit code {process.poll()}); expected it on stdout after binding. "
                f"Its log is {log_path}."
            )
            raise ServerStartError(message)
        key_match = _KEY_LINE.search(line)
        if key_match:
            api_key = key_match.group(1)
        listen_match = _LISTEN_LINE.search(line)

    if api_key is None:
        _abandon(process)
        message = (
            "mlp-server --dev printed 'Listening on' without a 'Development API key: mlp_...' "
            f"line before it; expected the key first. Its log is {log_path}."
        )
        raise ServerStartError(message)
    return ServerProcess(
        process=process,
        data_dir=data_dir,
        options=options,
        port=int(listen_match.group(2)),
        api_key=api_key,
        log_path=log_path,
        pool_file=pool_file,
        stdout_reader=reader,
    )


def _next_line(lines: queue.Queue[str | None], deadline: float) -> str | None:
    try:
        return lines.get(timeout=max(deadline - time.monotonic(), 0.01))
    except queue.Empty:
        return None


def _abandon(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=STOP_TIMEOUT)


def run_admin(*arguments: str) -> str:
    """Run `mlp-server ARGUMENTS` to completion and return its stdout.

    Raises:
        AssertionError: The command failed; the message carries its stderr.
    """
    result = subprocess.run(
        [MLP_SERVER, *arguments],
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
        env=_server_environment({}),
    )
    stderr = _KEY_TOKEN.sub("mlp_***", result.stderr)
    assert result.returncode == 0, (
        f"mlp-server {arguments[0]} {arguments[1] if len(arguments) > 1 else ''} exited with "
        f"{result.returncode}: {stderr.strip()}"
    )
    return result.stdout


def create_key(data_dir: Path, user: str, *, read_only: bool = False) -> str:
    """Create an API key for `user` with `mlp-server keys create` and return it."""
    arguments = ["keys", "create", "--data-dir", str(data_dir), "--user", user]
    if read_only:
        arguments.append("--read-only")
    output = run_admin(*arguments)
    match = _KEY_TOKEN.search(output)
    assert match is not None, "mlp-server keys create printed no key of the form mlp_..."
    return match.group(0)


class ServerFactory:
    """Start servers in numbered folders under one directory and close them all at the end."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._servers: list[ServerProcess] = []

    @property
    def servers(self) -> list[ServerProcess]:
        """Every server started so far, oldest first."""
        return list(self._servers)

    def start(self, options: ServerOptions | None = None) -> ServerProcess:
        """Start a server on a fresh data directory."""
        number = len(self._servers)
        data_dir = self._root / f"server-{number}" / "data"
        return self._track(start_server(data_dir, options or ServerOptions(), name="server"))

    def restart(self, server: ServerProcess) -> ServerProcess:
        """Start a new server on the data directory and with the options of `server`.

        The old process must have ended; kill or terminate it first.
        """
        assert not server.is_running(), f"server pid {server.pid} still runs; stop it first"
        number = len(self._servers)
        restarted = start_server(server.data_dir, server.options, name=f"restart-{number}")
        return self._track(restarted)

    def _track(self, server: ServerProcess) -> ServerProcess:
        self._servers.append(server)
        return server

    def close(self) -> None:
        """Close every server started here, newest first."""
        for server in reversed(self._servers):
            server.close()
