"""``mlp pools`` against a fresh reference server with the test pools (t4: 2, v100: 1)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import Result

from tests.cli._support import (
    RunCli,
    Server,
    assert_matches_schema,
    invoke,
    isolated_env,
    start_server,
    stop_server,
)

IDLE_TABLE = (
    "RESOURCE   TOTAL  ALLOCATED  AVAILABLE  QUEUED\n"
    "t4 GPU     2      0          2          0\n"
    "v100 GPU   1      0          1          0\n"
    "CPU cores  16     0          16         0\n"
    "memory     64Gi   0          64Gi       -\n"
)


@pytest.fixture(scope="module")
def pools_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of its own, so that no other test's job uses its capacity."""
    server = start_server(tmp_path_factory.mktemp("pools-server"))
    try:
        yield server
    finally:
        stop_server(server.process)


@pytest.fixture
def run_pools(pools_server: Server, tmp_path: Path, scripts_dir: Path) -> RunCli:
    """Invoke ``mlp ARGS`` in-process against ``pools_server``."""
    env = {**isolated_env(tmp_path), **pools_server.env()}

    def run(*args: str) -> Result:
        return invoke(args, env, scripts_dir, None)

    return run


def test_pools_table(run_pools: RunCli) -> None:
    result = run_pools("pools")

    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == IDLE_TABLE


def test_pools_wide(run_pools: RunCli) -> None:
    result = run_pools("pools", "-o", "wide")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "RESOURCE   TOTAL  ALLOCATED  AVAILABLE  QUEUED  USED\n"
        "t4 GPU     2      0          2          0       0%\n"
        "v100 GPU   1      0          1          0       0%\n"
        "CPU cores  16     0          16         0       0%\n"
        "memory     64Gi   0          64Gi       -       -\n"
    )


def test_pools_quiet(run_pools: RunCli) -> None:
    result = run_pools("pools", "-q")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "t4\nv100\n"


@pytest.mark.parametrize("output", ["json", "yaml"])
def test_pools_document_is_api_cluster(run_pools: RunCli, output: str) -> None:
    result = run_pools("pools", "-o", output)

    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout) if output == "json" else yaml.safe_load(result.stdout)
    assert_matches_schema(document, "Cluster")
    assert [pool["gpu_type"] for pool in document["pools"]] == ["t4", "v100"]
    assert document["cpu"] == {"total": 16, "allocated": 0, "available": 16}
    assert document["memory"]["total"] == "64Gi"


def test_pools_show_allocation_and_queue(run_pools: RunCli) -> None:
    gpu = ("--gpu", "1", "--gpu-type", "v100", "-q")
    holder = run_pools("job", "create", "hold", "--script", "slow.py", "--cpu", "2", *gpu)
    queued = run_pools("job", "create", "queued", "--script", "ok.py", "--wait-for-capacity", *gpu)
    try:
        assert holder.exit_code == 0, holder.stderr
        assert queued.exit_code == 0, queued.stderr

        result = run_pools("pools", "-o", "wide")
    finally:
        run_pools("job", "cancel", "--yes", holder.stdout.strip(), queued.stdout.strip())

    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "RESOURCE   TOTAL  ALLOCATED  AVAILABLE  QUEUED  USED\n"
        "t4 GPU     2      0          2          0       0%\n"
        "v100 GPU   1      1          0          1       100%\n"
        "CPU cores  16     2          14         0       12%\n"
        "memory     64Gi   2Gi        62Gi       -       -\n"
    )


def test_pools_usage_error(run_offline: RunCli) -> None:
    result = run_offline("pools", "-q", "-o", "json")

    assert result.exit_code == 2
    assert result.stderr == (
        "Usage: mlp pools [OPTIONS]\n"
        "Try 'mlp pools --help' for help.\n"
        "\n"
        "Error: -q prints only the GPU types, so -o json cannot be used.\n"
    )
