"""Real job execution: processes, directories, devices, environment, cancel and time-out."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

import pytest
from ml_platform_client import AuthenticatedClient
from ml_platform_client.api.jobs import cancel_job
from ml_platform_client.models import Job, LogLine

from tests.integration import _processes
from tests.integration._api import (
    cancel,
    fetch,
    follow_logs,
    job_request,
    read_all_logs,
    submit,
    upload,
    wait_until_finished,
)
from tests.integration._archive import Archive, job_archive, read_job_script
from tests.integration._server import SERVER_ENV_MARKER, ServerProcess

pytestmark = pytest.mark.timeout(90)

HYPERPARAMETERS: dict[str, str | float | bool] = {
    "learning_rate": 0.05,
    "epochs": 3,
    "optimizer": "adam",
    "shuffle": True,
}


def _prepared(client: AuthenticatedClient, script: str) -> Archive:
    archive = job_archive(script)
    upload(client, archive)
    return archive


def _probe_facts(lines: list[LogLine]) -> dict[str, Any]:
    probes = [line.text for line in lines if line.text.startswith("PROBE ")]
    assert len(probes) == 1, f"expected one PROBE line, got {[line.text for line in lines]}"
    facts: dict[str, Any] = json.loads(probes[0].removeprefix("PROBE "))
    return facts


def _run_probe(client: AuthenticatedClient, **request: Any) -> tuple[dict[str, Any], Any]:
    archive = _prepared(client, "probe.py")
    job = submit(client, job_request(archive.digest, name="probe", **request))
    finished = wait_until_finished(client, job.id)
    assert finished.status == "SUCCEEDED", f"probe job ended {finished.status}"
    return _probe_facts(read_all_logs(client, job.id)), finished


def test_job_process_separate_from_server(
    api_client: AuthenticatedClient, shared_server: ServerProcess
) -> None:
    facts, _ = _run_probe(api_client)

    assert facts["pid"] != shared_server.pid
    assert facts["sid"] != os.getsid(shared_server.pid)
    assert facts["pgid"] != os.getpgid(shared_server.pid)
    assert facts["sid"] == facts["pgid"], "the job process is not the leader of its own session"


def test_job_runs_in_own_directory(
    api_client: AuthenticatedClient, shared_server: ServerProcess
) -> None:
    first, _ = _run_probe(api_client)
    second, _ = _run_probe(api_client)

    assert "main.py" in first["files"]
    assert first["cwd"] != second["cwd"]
    assert os.path.realpath(first["cwd"]) != os.path.realpath(shared_server.data_dir.parent)
    assert os.path.realpath(first["cwd"]) != os.path.realpath(os.getcwd())


def test_job_sees_allocated_devices(api_client: AuthenticatedClient) -> None:
    facts, job = _run_probe(api_client, gpu=2, gpu_type="t4")
    environment = facts["environment"]

    assert isinstance(job.devices, list)
    assert len(job.devices) == 2
    assert environment["CUDA_VISIBLE_DEVICES"] == ",".join(job.devices)
    assert environment["ML_PLATFORM_GPU_TYPE"] == "t4"
    assert environment["ML_PLATFORM_JOB_ID"] == job.id


def test_cpu_job_sees_no_devices(api_client: AuthenticatedClient) -> None:
    facts, job = _run_probe(api_client)

    assert not job.devices
    assert facts["environment"].get("CUDA_VISIBLE_DEVICES") == "", (
        "a job without GPUs must get an empty CUDA_VISIBLE_DEVICES, which hides every device"
    )


def test_job_environment_isolated_from_server(api_client: AuthenticatedClient) -> None:
    facts, _ = _run_probe(
        api_client,
        environment={"USER_SETTING": "from-the-request"},
        hyperparameters=HYPERPARAMETERS,
    )
    environment = facts["environment"]

    assert SERVER_ENV_MARKER not in environment
    assert environment["USER_SETTING"] == "from-the-request"
    assert "ML_PLATFORM_METRICS_FILE" in environment
    assert facts["hyperparameters"] == HYPERPARAMETERS


def test_failing_script_reports_exit_code(
    api_client: AuthenticatedClient, submit_files: Callable[..., Job]
) -> None:
    job = submit_files({"main.py": read_job_script("failing.py")}, name="failing")
    finished = wait_until_finished(api_client, job.id)
    lines = read_all_logs(api_client, job.id)

    assert finished.status == "FAILED"
    assert finished.failure_reason == "script_error"
    assert finished.exit_code == 3
    assert ("stdout", "about to fail") in [(line.stream, line.text) for line in lines]
    assert ("stderr", "failure details on stderr") in [(line.stream, line.text) for line in lines]


def test_first_line_arrives_while_running(api_client: AuthenticatedClient) -> None:
    archive = _prepared(api_client, "idle.py")
    job = submit(api_client, job_request(archive.digest, name="idle"))

    lines = follow_logs(api_client, job.id, until=lambda received: len(received) > 0, timeout=30)
    status_after_first_line = fetch(api_client, job.id).status
    cancel(api_client, job.id)

    assert [line.text for line in lines if line.stream == "stdout"][:1] == ["ready"]
    assert status_after_first_line == "RUNNING"


def test_cancel_kills_child_process(api_client: AuthenticatedClient) -> None:
    archive = _prepared(api_client, "spawner.py")
    job = submit(api_client, job_request(archive.digest, name="spawner"))
    lines = follow_logs(
        api_client, job.id, until=lambda got: any(x.text.startswith("pids ") for x in got)
    )
    own_pid, child_pid = (int(part) for part in _line_starting(lines, "pids ").split()[1:3])
    job_process = _processes.identify(own_pid)
    child = _processes.identify(child_pid)
    assert job_process is not None and child is not None, "the job's processes ended too early"

    cancelled = cancel(api_client, job.id)

    assert cancelled.status == "CANCELLED"
    assert cancelled.failure_reason == "cancelled"
    assert _processes.wait_until_gone(job_process, timeout=10), f"job pid {own_pid} still runs"
    assert _processes.wait_until_gone(child, timeout=10), f"child pid {child_pid} still runs"


def test_cancel_kills_process_ignoring_sigterm(api_client: AuthenticatedClient) -> None:
    archive = _prepared(api_client, "stubborn.py")
    job = submit(api_client, job_request(archive.digest, name="stubborn"))
    lines = follow_logs(
        api_client, job.id, until=lambda got: any(x.text.startswith("ready ") for x in got)
    )
    process = _processes.identify(int(_line_starting(lines, "ready ").split()[1]))
    assert process is not None

    cancelled = cancel(api_client, job.id)

    assert cancelled.status == "CANCELLED"
    assert cancelled.exit_code == -9, "a process that ignores SIGTERM must end by SIGKILL"
    assert _processes.wait_until_gone(process, timeout=10)


def test_cancel_finished_job_conflicts(api_client: AuthenticatedClient) -> None:
    archive = _prepared(api_client, "quick.py")
    job = submit(api_client, job_request(archive.digest, name="quick"))
    finished = wait_until_finished(api_client, job.id)

    response = cancel_job.sync_detailed(job.id, client=api_client)

    assert response.status_code == 409
    problem = json.loads(response.content)
    assert problem["type"] == "urn:mlp:problem:already-finished"
    assert problem["final_status"] == finished.status
    assert fetch(api_client, job.id).status == finished.status


def test_timeout_fails_job(api_client: AuthenticatedClient) -> None:
    archive = _prepared(api_client, "idle.py")

    job = submit(api_client, job_request(archive.digest, name="timeout", timeout_seconds=2))
    finished = wait_until_finished(api_client, job.id, timeout=45)

    assert finished.status == "FAILED"
    assert finished.failure_reason == "timeout"
    assert "ready" in [line.text for line in read_all_logs(api_client, job.id)]


def _line_starting(lines: list[LogLine], prefix: str) -> str:
    return next(line.text for line in lines if line.text.startswith(prefix))
