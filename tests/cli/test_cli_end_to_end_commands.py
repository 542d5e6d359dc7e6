"""The installed ``mlp`` end to end for list, metrics, wait, pools, config and --version."""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import pytest
import yaml

from tests.cli._support import (
    API_VERSION,
    COMMAND_TIMEOUT,
    MLP,
    Server,
    assert_matches_cli_schema,
    assert_matches_schema,
    closed_port,
    isolated_env,
    read_line,
    subprocess_env,
)

RunMlp = Callable[..., subprocess.CompletedProcess[str]]


def _run(env: dict[str, str | None], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [MLP, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=subprocess_env(env),
        stdin=subprocess.DEVNULL,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )


def _load(output: str, text: str) -> object:
    return json.loads(text) if output == "json" else yaml.safe_load(text)


@pytest.mark.parametrize("output", ["json", "yaml"])
def test_list_document(seeded_server: Server, tmp_path: Path, output: str) -> None:
    env = {**isolated_env(tmp_path), **seeded_server.env()}

    result = _run(env, tmp_path, "job", "list", "-o", output)

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    document = _load(output, result.stdout)
    assert_matches_schema(document, "JobList")
    assert len(document["jobs"]) == 20  # type: ignore[index]


def test_list_quiet_piped_into_status(seeded_server: Server, tmp_path: Path) -> None:
    env = {**isolated_env(tmp_path), **seeded_server.env()}
    pipeline = f"set -o pipefail; {MLP} job list --limit 2 -q | xargs -n 1 {MLP} job status -q"

    result = subprocess.run(
        ["bash", "-c", pipeline],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=subprocess_env(env),
        timeout=COMMAND_TIMEOUT,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    statuses = result.stdout.split()
    assert len(statuses) == 2
    assert set(statuses) <= {"SUCCEEDED", "FAILED", "CANCELLED"}


def test_metrics_and_plot(run_mlp: RunMlp) -> None:
    job_id = run_mlp("job", "create", "e2e", "--script", "ok.py", "--wait", "-q").stdout.strip()

    as_json = run_mlp("job", "metrics", job_id, "-o", "json")
    plot = run_mlp("job", "metrics", job_id, "--plot", "--metric", "loss")

    assert as_json.returncode == 0, as_json.stderr
    assert_matches_schema(json.loads(as_json.stdout), "JobMetrics")
    assert plot.returncode == 0, plot.stderr
    assert plot.stdout.splitlines()[0] == "loss"
    assert plot.stdout.splitlines()[-1] == "      1     2  epoch"


@pytest.mark.parametrize(
    ("script", "cancel", "options", "code"),
    [
        ("ok.py", False, [], 0),
        ("fail.py", False, [], 3),
        ("slow.py", True, [], 4),
        ("slow.py", False, ["--timeout", "1"], 5),
    ],
    ids=["succeeded-0", "failed-3", "cancelled-4", "timed-out-5"],
)
def test_wait_exit_codes(
    run_mlp: RunMlp, script: str, cancel: bool, options: list[str], code: int
) -> None:
    job_id = run_mlp("job", "create", "e2e-wait", "--script", script, "-q").stdout.strip()
    try:
        if cancel:
            assert run_mlp("job", "cancel", "--yes", job_id).returncode == 0

        result = run_mlp("job", "wait", job_id, *options, "-o", "json")
    finally:
        run_mlp("job", "cancel", "--yes", job_id)

    assert result.returncode == code, result.stderr
    job = json.loads(result.stdout)
    assert_matches_schema(job, "Job")
    assert job["id"] == job_id


def test_pools_yaml(run_mlp: RunMlp) -> None:
    result = run_mlp("pools", "-o", "yaml")

    assert result.returncode == 0, result.stderr
    document = yaml.safe_load(result.stdout)
    assert_matches_schema(document, "Cluster")
    assert {pool["gpu_type"]: pool["total"] for pool in document["pools"]} == {"t4": 2, "v100": 1}


@pytest.mark.parametrize("output", ["json", "yaml"])
def test_config_documents(cli_server: Server, tmp_path: Path, output: str) -> None:
    env = isolated_env(tmp_path)
    init = subprocess.run(
        [MLP, "init", "--url", cli_server.url, "--api-key-stdin", "--profile", "e2e"],
        input=cli_server.api_key,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=subprocess_env(env),
        timeout=COMMAND_TIMEOUT,
        check=False,
    )

    show = _run(env, tmp_path, "config", "show", "-o", output)
    profiles = _run(env, tmp_path, "config", "profiles", "-o", output)
    pools = _run(env, tmp_path, "pools", "-q")

    assert init.returncode == 0, init.stderr
    assert show.returncode == 0, show.stderr
    assert_matches_cli_schema(_load(output, show.stdout), "config-show")
    assert_matches_cli_schema(_load(output, profiles.stdout), "config-profiles")
    assert cli_server.api_key not in show.stdout + profiles.stdout
    assert pools.returncode == 0, pools.stderr
    assert pools.stdout == "t4\nv100\n"


def test_version_with_server(cli_server: Server, tmp_path: Path) -> None:
    env = {**isolated_env(tmp_path), **cli_server.env()}

    result = _run(env, tmp_path, "--version")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        f"server: ml-platform-server {metadata.version('ml-platform-server')}, API {API_VERSION}, "
        f"at {cli_server.url}"
    )


def test_version_with_closed_port(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    env = {**isolated_env(tmp_path), "ML_PLATFORM_URL": url}

    result = _run(env, tmp_path, "--version")

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        f"ml-platform {metadata.version('ml-platform')} (SDK and mlp command line)",
        f"ml-platform-client {metadata.version('ml-platform-client')} (generated API client)",
        f"server: not reachable at {url}",
    ]


def test_wait_interrupted_leaves_job_running(
    run_mlp: RunMlp, cli_env: dict[str, str | None], scripts_dir: Path
) -> None:
    job_id = run_mlp("job", "create", "e2e-ctrl-c", "--script", "slow.py", "-q").stdout.strip()
    waiting = subprocess.Popen(
        [MLP, "job", "wait", job_id],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=scripts_dir,
        env=subprocess_env(cli_env),
    )
    try:
        assert waiting.stderr is not None
        progress = read_line(waiting.stderr, COMMAND_TIMEOUT)
        waiting.send_signal(signal.SIGINT)
        stdout, stderr = waiting.communicate(timeout=COMMAND_TIMEOUT)
        status = run_mlp("job", "status", job_id, "-q").stdout
    finally:
        if waiting.poll() is None:
            waiting.kill()
        run_mlp("job", "cancel", "--yes", job_id)

    assert progress == (
        f"Waiting for job {job_id} to finish (Ctrl-C stops waiting; the job keeps running).\n"
    )
    assert waiting.returncode == 130
    assert stdout == ""
    assert stderr == (
        f"Stopped watching job {job_id}; it keeps running. Cancel it with: mlp job cancel "
        f"{job_id}\n"
    )
    assert status == "RUNNING\n"
