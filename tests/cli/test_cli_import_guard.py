"""Help and ``--version`` of the installed ``mlp`` import none of the heavy packages."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.cli._support import MLP, subprocess_env

HEAVY_MODULES = ("httpx", "ml_platform_client", "rich.table", "yaml", "ml_platform")


def _imported_modules(*args: str) -> set[str]:
    """Run the installed ``mlp`` with ``-X importtime`` and return every module it imported."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", MLP, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=subprocess_env({"ML_PLATFORM_URL": None, "ML_PLATFORM_API_KEY": None}),
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
        ["job", "--help"],
        ["job", "create", "--help"],
        ["job", "status", "--help"],
        ["job", "get", "--help"],
        ["job", "logs", "--help"],
        ["job", "cancel", "--help"],
    ],
    ids=" ".join,
)
def test_help_imports_nothing_heavy(args: list[str]) -> None:
    modules = _imported_modules(*args)

    assert "click" in modules, "the -X importtime report was not parsed"
    for heavy in HEAVY_MODULES:
        assert heavy not in modules, f"mlp {' '.join(args)} imported {heavy}"
