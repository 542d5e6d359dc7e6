"""Help, ``--version`` and ``completion`` of the installed ``mlp`` import nothing heavy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli._support import MLP, closed_port, isolated_env, subprocess_env

HEAVY_MODULES = ("httpx", "ml_platform_client", "rich.table", "yaml", "ml_platform")


def _imported_modules(home: Path, *args: str, env: dict[str, str] | None = None) -> set[str]:
    """Run the installed ``mlp`` with ``-X importtime`` and return every module it imported.

    The environment has no ``ML_PLATFORM_*`` variable and an empty home, so no config file.
    """
    result = subprocess.run(
        [sys.executable, "-X", "importtime", MLP, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=subprocess_env({**isolated_env(home), **(env or {})}),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    # Each line reads "import time: SELF | CUMULATIVE | <indent>module".
    return {
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--version"],
        ["completion", "bash"],
        ["completion", "zsh"],
        ["completion", "fish"],
        ["init", "--help"],
        ["pools", "--help"],
        ["config", "--help"],
        ["config", "show", "--help"],
        ["config", "profiles", "--help"],
        ["config", "set", "--help"],
        ["config", "use-profile", "--help"],
        ["job", "--help"],
        ["job", "create", "--help"],
        ["job", "list", "--help"],
        ["job", "status", "--help"],
        ["job", "get", "--help"],
        ["job", "logs", "--help"],
        ["job", "metrics", "--help"],
        ["job", "wait", "--help"],
        ["job", "cancel", "--help"],
    ],
    ids=" ".join,
)
def test_help_imports_nothing_heavy(tmp_path: Path, args: list[str]) -> None:
    modules = _imported_modules(tmp_path, *args)

    assert "click" in modules, "the -X importtime report was not parsed"
    for heavy in HEAVY_MODULES:
        assert heavy not in modules, f"mlp {' '.join(args)} imported {heavy}"


def test_version_with_server_down_imports_nothing_heavy(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"

    modules = _imported_modules(tmp_path, "--version", env={"ML_PLATFORM_URL": url})

    assert "socket" in modules, "the -X importtime report was not parsed"
    for heavy in HEAVY_MODULES:
        assert heavy not in modules, f"mlp --version with {url} down imported {heavy}"
