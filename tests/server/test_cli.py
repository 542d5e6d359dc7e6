"""Tests of the ``mlp-server`` command line, run as real processes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

TIMEOUT = 60


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ml_platform_server.cli", *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "value"),
    [
        (["--port", "70000"], "70000"),
        (["--port", "abc"], "abc"),
        (["--max-wait", "31"], "31"),
        (["--rate-limit", "-1"], "-1"),
        (["--log-level", "loud"], "loud"),
        (["--bogus"], "--bogus"),
    ],
)
def test_bad_flags_exit_2_with_one_error_line(tmp_path: Path, args: list[str], value: str) -> None:
    result = run_cli("--data-dir", str(tmp_path), *args)

    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert value in lines[0]


@pytest.mark.parametrize("content", ["pools: {t4: -1}\n", "pools: [\n"])
def test_invalid_pools_file_exits_2(tmp_path: Path, content: str) -> None:
    pools = tmp_path / "pools.yaml"
    pools.write_text(content)

    result = run_cli("serve", "--data-dir", str(tmp_path / "d"), "--pools", str(pools))

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_missing_pools_file_exits_2(tmp_path: Path) -> None:
    result = run_cli("--data-dir", str(tmp_path), "--pools", str(tmp_path / "nope.yaml"))

    assert result.returncode == 2
    assert "nope.yaml" in result.stderr


def test_keys_create_list_revoke(tmp_path: Path) -> None:
    created = run_cli("keys", "create", "--data-dir", str(tmp_path), "--user", "ana", "--read-only")
    key = created.stdout.strip()

    listed = run_cli("keys", "list", "--data-dir", str(tmp_path))
    key_id = listed.stdout.splitlines()[1].split()[0]
    revoked = run_cli("keys", "revoke", "--data-dir", str(tmp_path), key_id)
    listed_after = run_cli("keys", "list", "--data-dir", str(tmp_path))
    unknown = run_cli("keys", "revoke", "--data-dir", str(tmp_path), "key_missing")

    assert created.returncode == 0
    assert key.startswith("mlp_")
    assert created.stdout == key + "\n"
    assert listed.stdout.split()[:6] == ["KEY_ID", "USER", "SCOPE", "CREATED", "REVOKED", "NAME"]
    assert listed.stdout.splitlines()[1].split()[1:3] == ["ana", "read-only"]
    assert key not in listed.stdout
    assert revoked.returncode == 0
    assert listed_after.stdout.splitlines()[1].split()[4] != "-"
    assert unknown.returncode == 1
    assert unknown.stderr.startswith("Error: ")


def test_seed_loads_jobs(tmp_path: Path) -> None:
    result = run_cli("seed", "--data-dir", str(tmp_path), "--jobs", "1200", "--user", "ana")

    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "1200" in result.stderr


def test_help_names_environment_variables() -> None:
    result = run_cli("serve", "--help")

    assert result.returncode == 0
    assert "MLP_SERVER_DATA_DIR" in result.stdout
    assert "--max-upload-bytes" in result.stdout


def test_keys_reject_mistyped_data_dir(tmp_path: Path) -> None:
    missing = tmp_path / "typo"

    created = run_cli("keys", "create", "--data-dir", str(missing), "--user", "ana")
    listed = run_cli("keys", "list", "--data-dir", str(tmp_path))

    assert created.returncode == 2
    assert created.stdout == ""
    assert created.stderr.startswith("Error: --data-dir")
    assert not missing.exists()
    assert listed.returncode == 2
    assert "holds no server database" in listed.stderr
