"""Run the main job end to end: start a reference server, submit examples/train.py, follow it.

`make demo` calls this after installing everything into .venv. The server runs with a
development key on a fresh data directory under .mlp-demo/ and a free loopback port; its log
goes to .mlp-demo/server.log. The demo writes its own config file, .mlp-demo/config.yaml, and
ignores the user's config and ML_PLATFORM_* variables, so it never talks to another server.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
STARTUP_TIMEOUT_SECONDS = 60
SHUTDOWN_TIMEOUT_SECONDS = 30


def _read_startup(server: subprocess.Popen[str]) -> tuple[str, str]:
    """Return the development key and base URL that the server prints once it is bound."""
    assert server.stdout is not None
    key = ""
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        if not line:
            break
        if match := re.match(r"Development API key: (\S+)", line):
            key = match.group(1)
        elif match := re.match(r"Listening on (http://\S+)", line):
            return key, match.group(1)
    raise RuntimeError(
        "the reference server did not start; see .mlp-demo/server.log for the reason"
    )


def _write_config(demo_dir: Path, url: str, key: str) -> Path:
    """Write a config file for this demo's server, owner-only because it contains the key."""
    path = demo_dir / "config.yaml"
    text = f"default_profile: demo\nprofiles:\n  demo:\n    url: {url}\n    api_key: {key}\n"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
    os.chmod(path, 0o600)
    return path


def _stop(server: subprocess.Popen[str]) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=SHUTDOWN_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def main() -> int:
    demo_dir = ROOT / ".mlp-demo"
    data_dir = demo_dir / time.strftime("data-%Y%m%d-%H%M%S")
    data_dir.mkdir(parents=True)
    log_path = demo_dir / "server.log"

    with log_path.open("w", encoding="utf-8") as server_log:
        server = subprocess.Popen(
            [str(BIN / "mlp-server"), "--data-dir", str(data_dir), "--port", "0", "--dev"],
            stdout=subprocess.PIPE,
            stderr=server_log,
            text=True,
        )
        try:
            key, url = _read_startup(server)
            print(
                f"Reference server on {url} (data in {data_dir}, log in {log_path})",
                file=sys.stderr,
                flush=True,
            )
            config_path = _write_config(demo_dir, url, key)
            env = {
                name: value
                for name, value in os.environ.items()
                if not name.startswith("ML_PLATFORM_")
            }
            env["ML_PLATFORM_CONFIG"] = str(config_path)
            command = [
                str(BIN / "mlp"),
                "job",
                "create",
                "digits-demo",
                "--script",
                "train.py",
                "--workdir",
                str(ROOT / "examples"),
                "--param",
                "epochs=20",
                "--follow",
            ]
            print("$ mlp " + " ".join(command[1:]), file=sys.stderr, flush=True)
            return subprocess.run(command, env=env, check=False).returncode
        finally:
            _stop(server)


if __name__ == "__main__":
    raise SystemExit(main())
