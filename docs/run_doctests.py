"""Run every code example in the docs against a reference server started for the run.

Usage::

    .venv/bin/python docs/run_doctests.py [--output DIR]

The script starts ``mlp-server --dev`` on a free loopback port with a fresh data directory,
points the SDK at it through ``ML_PLATFORM_URL`` and ``ML_PLATFORM_API_KEY`` (with
``ML_PLATFORM_CONFIG`` naming an empty file, so no personal config leaks in), and
runs ``sphinx-build -W --keep-going -b doctest`` from the repository root. The build prints how
many examples it found, ran and skipped (see ``docs/_ext/mlp_doctest_report.py``) and fails when
an example fails or is skipped without a ``+SKIP`` mark. The exit status is sphinx-build's, or 1
when the server does not start.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
BIN = Path(sys.executable).parent

SERVER_START_TIMEOUT = 60.0
SERVER_STOP_TIMEOUT = 30.0
BUILD_TIMEOUT = 900.0

_LISTENING = re.compile(r"Listening on (http://\S+)")
_DEV_KEY = re.compile(r"Development API key: (\S+)")


class ServerStartError(RuntimeError):
    """The reference server exited or printed no URL and key in time."""


@dataclass(frozen=True)
class RunningServer:
    """A reference server started for the doctest run."""

    url: str
    api_key: str

    def __repr__(self) -> str:
        return f"RunningServer(url={self.url!r}, api_key='***')"


@contextmanager
def reference_server(workdir: Path) -> Iterator[RunningServer]:
    """Start ``mlp-server --dev`` on a free loopback port and stop it with SIGTERM on exit.

    Raises:
        ServerStartError: The server exited or printed no URL and key within the start
            time-out.
    """
    log_path = workdir / "server.log"
    command = [
        str(BIN / "mlp-server"),
        "--data-dir",
        str(workdir / "data"),
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--dev",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=workdir)
    try:
        yield _wait_until_listening(process, log_path)
    finally:
        _stop(process)


def _wait_until_listening(process: subprocess.Popen[bytes], log_path: Path) -> RunningServer:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        text = log_path.read_text(encoding="utf-8", errors="replace")
        url, key = _LISTENING.search(text), _DEV_KEY.search(text)
        if url and key:
            return RunningServer(url=url.group(1), api_key=key.group(1))
        if process.poll() is not None:
            break
        time.sleep(0.1)

    output = _DEV_KEY.sub("Development API key: ***", log_path.read_text(errors="replace"))
    raise ServerStartError(
        f"mlp-server did not print its URL and development key within "
        f"{SERVER_START_TIMEOUT:g} s (exit status {process.poll()}); its output was:\n{output}"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=SERVER_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=SERVER_STOP_TIMEOUT)


def doctest_environment(server: RunningServer, workdir: Path) -> dict[str, str]:
    """Return the environment for the build: the server's URL and key, and nothing personal.

    ``ML_PLATFORM_CONFIG`` names an empty config file, so the reader's own profiles and
    ``~/.mlplatform/config.yaml`` play no part.
    """
    empty_config = workdir / "config.yaml"
    empty_config.write_text("", encoding="utf-8")
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("ML_PLATFORM_") and name not in {"NO_COLOR", "FORCE_COLOR"}
    }
    environment.update(
        ML_PLATFORM_URL=server.url,
        ML_PLATFORM_API_KEY=server.api_key,
        ML_PLATFORM_CONFIG=str(empty_config),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return environment


def run(output: Path) -> int:
    """Build the docs with the doctest builder into ``output`` and return the exit status."""
    with tempfile.TemporaryDirectory(prefix="mlp-doctest-") as temporary:
        workdir = Path(temporary)
        try:
            with reference_server(workdir) as server:
                return _build(server, workdir, output)
        except ServerStartError as err:
            print(f"Error: {err}", file=sys.stderr)
            return 1


def _build(server: RunningServer, workdir: Path, output: Path) -> int:
    command = [
        str(BIN / "sphinx-build"),
        "-W",
        "--keep-going",
        "-b",
        "doctest",
        "-d",
        str(workdir / "doctrees"),
        str(DOCS),
        str(output),
    ]
    completed = subprocess.run(
        command,
        cwd=ROOT,
        env=doctest_environment(server, workdir),
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    return completed.returncode


def main() -> None:
    """Parse the command line and run the doctests."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output",
        type=Path,
        default=DOCS / "_build" / "doctest",
        help="Directory for output.txt and doctest-report.json (default: docs/_build/doctest).",
    )
    arguments = parser.parse_args()
    sys.exit(run(arguments.output))


if __name__ == "__main__":
    main()
