"""Start a reference ``mlp-server --dev`` on a free loopback port for a benchmark, then stop it.

Usage::

    with reference_server(["--rate-limit", "0"]) as server:
        ...  # server.url, server.api_key, server.data_dir

The server runs in its own process group with a fresh data directory. Stopping sends SIGTERM,
then SIGKILL to the group, each with a bounded wait, so a benchmark never leaves it running.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0


@dataclass(frozen=True)
class RunningServer:
    """A started server: its root URL, development API key and data directory."""

    url: str
    api_key: str
    data_dir: Path

    def __repr__(self) -> str:
        return f"RunningServer(url={self.url!r}, api_key='********')"


def server_executable() -> str:
    """Return ``mlp-server`` next to the running interpreter, where the project installs it."""
    return str(Path(sys.executable).with_name("mlp-server"))


@contextlib.contextmanager
def reference_server(
    extra_args: Sequence[str] = (), *, data_dir: Path | None = None
) -> Iterator[RunningServer]:
    """Run ``mlp-server --dev --port 0`` until the block ends.

    Args:
        extra_args: More ``mlp-server`` options, for example ``["--rate-limit", "0"]``.
        data_dir: A data directory prepared beforehand (for example by ``mlp-server seed``);
            a fresh temporary one when None.

    Raises:
        RuntimeError: The server exited or printed no URL and key within `START_TIMEOUT`.
    """
    with tempfile.TemporaryDirectory(prefix="mlp-bench-") as temporary:
        directory = data_dir if data_dir is not None else Path(temporary) / "data"
        command = [
            server_executable(),
            "--data-dir",
            str(directory),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--dev",
            *extra_args,
        ]
        environment = {k: v for k, v in os.environ.items() if not k.startswith("ML_PLATFORM_")}
        log_path = Path(temporary) / "server.log"
        with log_path.open("w", encoding="utf-8") as log:
            process = subprocess.Popen(
                command,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                env=environment,
                start_new_session=True,
            )
        try:
            url, api_key = _read_url_and_key(process, log_path)
            yield RunningServer(url=url, api_key=api_key, data_dir=directory)
        finally:
            _stop(process)


def _read_url_and_key(process: subprocess.Popen[str], log_path: Path) -> tuple[str, str]:
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    url = api_key = None
    while url is None or api_key is None:
        try:
            line = lines.get(timeout=START_TIMEOUT)
        except queue.Empty:
            line = None
        if line is None:
            raise RuntimeError(
                f"mlp-server printed no URL and key within {START_TIMEOUT:g} s; its log:\n"
                + log_path.read_text(encoding="utf-8", errors="replace")
            )
        if line.startswith("Development API key: "):
            api_key = line.split(": ", 1)[1].strip()
        elif line.startswith("Listening on "):
            url = line.removeprefix("Listening on ").strip()
    return url, api_key


def _stop(process: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=STOP_TIMEOUT)
    # SIGKILL the group in every case: it also ends job processes the server left behind.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=STOP_TIMEOUT)
