"""Run the release's commands with time-outs and readable failures."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from _release_project import ReleaseError

# Bin folder of the interpreter running the release, so tools installed next to it
# (openapi-python-client, ruff, twine) are found without activating the environment.
TOOL_BIN = Path(sys.executable).parent


def step(title: str) -> None:
    """Print a step header on stderr."""
    print(f"\n==> {title}", file=sys.stderr, flush=True)


def note(message: str) -> None:
    """Print a progress line on stderr."""
    print(f"    {message}", file=sys.stderr, flush=True)


def shown(command: Sequence[str | Path]) -> str:
    """Return COMMAND as a shell-quoted line."""
    return shlex.join(str(part) for part in command)


def tool_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return the current environment with TOOL_BIN first on PATH, plus EXTRA."""
    env = dict(os.environ)
    env["PATH"] = f"{TOOL_BIN}{os.pathsep}{env.get('PATH', os.defpath)}"
    env.update(extra or {})
    return env


def run(
    command: Sequence[str | Path],
    *,
    action: str,
    timeout: float,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    capture: bool = False,
    display: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run COMMAND and raise ReleaseError naming ACTION when it fails or times out.

    Output goes to stderr unless CAPTURE is set, in which case it is returned and shown
    only on failure. DISPLAY replaces the command in the progress line.

    Raises:
        ReleaseError: The command is missing, exits non-zero or exceeds TIMEOUT seconds.
    """
    note(f"$ {display or shown(command)}")
    try:
        result = subprocess.run(
            [str(part) for part in command],
            cwd=cwd,
            env=dict(env) if env is not None else None,
            timeout=timeout,
            check=False,
            text=True,
            stdin=subprocess.DEVNULL,
            # Progress of every step goes to stderr, so the child's stdout joins it there.
            stdout=subprocess.PIPE if capture else sys.stderr,
            stderr=subprocess.PIPE if capture else None,
        )
    except subprocess.TimeoutExpired as err:
        raise ReleaseError(f"{action} timed out after {timeout:.0f} s: {shown(command)}") from err
    except OSError as err:
        raise ReleaseError(f"{action} could not start: {err}") from err
    if result.returncode != 0:
        if capture:
            sys.stderr.write(result.stdout + result.stderr)
        raise ReleaseError(f"{action} failed with exit code {result.returncode}")
    return result
