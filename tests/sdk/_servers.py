"""Start and stop real ``mlp-server`` processes for the SDK tests.

Every server runs in its own process group: stopping sends SIGTERM, then SIGKILL to the
group, each step with a bounded wait.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pytest

STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
_KEY_PREFIX = "Development API key: "
_LISTEN_PREFIX = "Listening on "


def server_executable() -> str | None:
    """Return the path of ``mlp-server`` next to the test interpreter, or on PATH."""
    beside = Path(sys.executable).with_name("mlp-server")
    if beside.exists():
        return str(beside)
    return shutil.which("mlp-server")


@dataclass
class ServerProcess:
    """A running ``mlp-server`` and what it printed on start."""

    process: subprocess.Popen[str]
    url: str
    api_key: str
    port: int
    data_dir: Path
    log_path: Path
    log_file: IO[str] | None = field(repr=False, default=None)

    def kill(self) -> None:
        """SIGKILL the server's process group (the server and the jobs it started)."""
        _signal_group(self.process, signal.SIGKILL)
        self.process.wait(timeout=STOP_TIMEOUT)

    def stop(self) -> None:
        """Stop the server gracefully, then forcibly if it does not exit in time."""
        if self.process.poll() is None:
            _signal_group(self.process, signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.kill()
        # A SIGKILL to the old group catches anything the server left in it.
        _signal_group(self.process, signal.SIGKILL)
        if self.log_file is not None:
            self.log_file.close()

    def log_tail(self, lines: int = 40) -> str:
        """Return the last lines the server wrote to stderr."""
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def _signal_group(process: subprocess.Popen[str], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


def start_server(
    data_dir: Path,
    *,
    port: int = 0,
    pools: str | None = None,
    extra_args: Sequence[str] = (),
) -> ServerProcess:
    """Start ``mlp-server --dev`` and wait until it prints its key and address."""
    executable = server_executable()
    if executable is None:
        pytest.skip("mlp-server is not installed in this environment")

    data_dir.mkdir(parents=True, exist_ok=True)
    command = [executable, "--data-dir", str(data_dir), "--port", str(port), "--dev"]
    if pools is not None:
        pools_file = data_dir.parent / f"{data_dir.name}-pools.yaml"
        pools_file.write_text(pools, encoding="utf-8")
        command += ["--pools", str(pools_file)]
    command += list(extra_args)

    log_path = data_dir.parent / f"{data_dir.name}-port{port}-{os.getpid()}.log"
    log_path = _unique(log_path)
    log_file = log_path.open("w", encoding="utf-8")
    env = {name: value for name, value in os.environ.items() if not name.startswith("ML_PLATFORM_")}
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=log_file,
        text=True,
        env=env,
        start_new_session=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_pump, args=(process, lines), daemon=True).start()

    api_key = url = None
    try:
        while url is None:
            line = lines.get(timeout=STARTUP_TIMEOUT)
            if line is None:
                raise RuntimeError(
                    f"mlp-server exited with {process.wait(timeout=STOP_TIMEOUT)} before "
                    f"listening:\n{log_path.read_text(encoding='utf-8')}"
                )
            if line.startswith(_KEY_PREFIX):
                api_key = line.removeprefix(_KEY_PREFIX).strip()
            elif line.startswith(_LISTEN_PREFIX):
                url = line.removeprefix(_LISTEN_PREFIX).strip()
    except BaseException:
        _signal_group(process, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT)
        log_file.close()
        raise

    assert api_key is not None, "mlp-server --dev printed no development key"
    return ServerProcess(
        process=process,
        url=url,
        api_key=api_key,
        port=int(url.rsplit(":", 1)[1]),
        data_dir=data_dir,
        log_path=log_path,
        log_file=log_file,
    )


def _pump(process: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.put(line)
    lines.put(None)


def _unique(path: Path) -> Path:
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


class ServerFactory:
    """Starts servers for one test and stops all of them at the end."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.servers: list[ServerProcess] = []

    def start(
        self,
        name: str = "server",
        *,
        port: int = 0,
        pools: str | None = None,
        extra_args: Sequence[str] = (),
    ) -> ServerProcess:
        server = start_server(self.root / name, port=port, pools=pools, extra_args=extra_args)
        self.servers.append(server)
        return server

    def close(self) -> None:
        for server in self.servers:
            server.stop()
