"""Tests of job execution by a real server: processes, logs, metrics, stop and restart."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable
from typing import Any

import pytest

from .conftest import RunningServer, start_server

ENV_SCRIPT = """
import json, os, sys
import ml_platform
names = ["CUDA_VISIBLE_DEVICES", "ML_PLATFORM_GPU_TYPE", "ML_PLATFORM_JOB_ID", "HOME",
         "LANG", "PYTHONUNBUFFERED", "MY_SETTING", "SERVER_MARKER", "TMPDIR"]
report = {name: os.environ.get(name) for name in names}
report["cwd"] = os.getcwd()
report["own_session"] = os.getsid(0) == os.getpid()
with open(os.environ["ML_PLATFORM_HYPERPARAMETERS_FILE"]) as handle:
    report["hyperparameters"] = json.load(handle)
print(json.dumps(report))
"""

METRICS_SCRIPT = """
import json, os
for epoch in range(3):
    print(f"epoch {epoch}")
    values = {"loss": 1.0 / (epoch + 1), "acc": "NaN" if epoch == 1 else 0.5}
    with open(os.environ["ML_PLATFORM_METRICS_FILE"], "a") as handle:
        handle.write(json.dumps({"epoch": epoch, "values": values}) + "\\n")
        handle.write("not json\\n")
"""

CHILD_SCRIPT = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
print(f"child {child.pid}", flush=True)
while True:
    print("tick", flush=True)
    time.sleep(0.2)
"""


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def wait_until_gone(pid: int) -> bool:
    """Poll for up to 10 s until a process has exited; init reaps orphans asynchronously."""
    deadline = time.monotonic() + 10
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not pid_alive(pid)


def wait_for_line(server: RunningServer, job_id: str, prefix: str) -> str:
    client = server.client()
    cursor = "0"
    for _ in range(30):
        page = client.get(f"/jobs/{job_id}/logs", params={"cursor": cursor, "wait": 5}).json()
        for line in page["lines"]:
            if line["text"].startswith(prefix):
                return str(line["text"])
        cursor = page["next_cursor"]
    raise AssertionError(f"job {job_id} printed no line starting with {prefix!r}")


def follow(server: RunningServer, job_id: str) -> list[dict[str, Any]]:
    client = server.client()
    cursor = "0"
    lines: list[dict[str, Any]] = []
    for _ in range(60):
        page = client.get(f"/jobs/{job_id}/logs", params={"cursor": cursor, "wait": 5}).json()
        lines.extend(page["lines"])
        cursor = page["next_cursor"]
        if page["complete"]:
            return lines
    raise AssertionError(f"logs of job {job_id} never completed")


def test_job_environment_is_built_from_scratch(
    server_factory: Callable[..., RunningServer],
) -> None:
    server = server_factory("--rate-limit", "0", env={"SERVER_MARKER": "leak"})

    job = server.submit(
        "env",
        ENV_SCRIPT,
        resources={"gpu": 2, "gpu_type": "t4"},
        environment={"MY_SETTING": "on", "HOME": "/elsewhere"},
        hyperparameters={"lr": 0.1, "epochs": 3, "tag": "x"},
    )
    final = server.wait_final(job["id"])
    report = json.loads(follow(server, job["id"])[0]["text"])

    work_dir = str(server.data_dir / "jobs" / job["id"] / "work")
    assert final["status"] == "SUCCEEDED", follow(server, job["id"])
    assert final["devices"] == ["0", "1"]
    assert report["CUDA_VISIBLE_DEVICES"] == "0,1"
    assert report["ML_PLATFORM_GPU_TYPE"] == "t4"
    assert report["ML_PLATFORM_JOB_ID"] == job["id"]
    assert report["PYTHONUNBUFFERED"] == "1"
    assert report["MY_SETTING"] == "on"
    assert report["HOME"] == "/elsewhere"
    assert report["SERVER_MARKER"] is None
    assert report["cwd"] == work_dir
    assert report["own_session"] is True
    assert report["hyperparameters"] == {"lr": 0.1, "epochs": 3, "tag": "x"}


def test_logs_and_metrics_of_a_finished_job(server: RunningServer) -> None:
    job = server.submit("metrics", METRICS_SCRIPT)

    lines = follow(server, job["id"])
    final = server.wait_final(job["id"])
    metrics = server.client().get(f"/jobs/{job['id']}/metrics").json()
    latest_only = (
        server.client().get(f"/jobs/{job['id']}/metrics", params={"history": "false"}).json()
    )
    tail = server.client().get(f"/jobs/{job['id']}/logs", params={"tail": 2}).json()

    assert [line["text"] for line in lines] == ["epoch 0", "epoch 1", "epoch 2"]
    assert [line["seq"] for line in lines] == [1, 2, 3]
    assert (final["status"], final["exit_code"]) == ("SUCCEEDED", 0)
    assert metrics["latest"] == {"loss": pytest.approx(1 / 3), "acc": 0.5}
    assert metrics["epoch"] == 2
    assert metrics["history"][1]["values"]["acc"] == "NaN"
    assert len(metrics["history"]) == 3
    assert latest_only["history"] == []
    assert latest_only["latest"] == metrics["latest"]
    assert latest_only["epoch"] == 2
    assert [line["seq"] for line in tail["lines"]] == [2, 3]
    assert tail["complete"] is True


def test_script_error_and_timeout(server: RunningServer) -> None:
    failing = server.submit("fail", "import sys\nprint('bad', file=sys.stderr)\nsys.exit(3)\n")
    slow = server.submit("slow", "import time\ntime.sleep(60)\n", timeout_seconds=1)

    failed = server.wait_final(failing["id"])
    timed_out = server.wait_final(slow["id"])

    assert (failed["status"], failed["failure_reason"], failed["exit_code"]) == (
        "FAILED",
        "script_error",
        3,
    )
    assert follow(server, failing["id"])[0]["stream"] == "stderr"
    assert (timed_out["status"], timed_out["failure_reason"]) == ("FAILED", "timeout")
    assert timed_out["exit_code"] == -signal.SIGTERM


def test_cancel_kills_the_process_group(server: RunningServer) -> None:
    job = server.submit("child", CHILD_SCRIPT)
    child_pid = int(wait_for_line(server, job["id"], "child ").split()[1])

    cancelled = server.client().post(f"/jobs/{job['id']}/cancel")
    again = server.client().post(f"/jobs/{job['id']}/cancel")

    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "CANCELLED"
    assert cancelled.json()["failure_reason"] == "cancelled"
    assert wait_until_gone(child_pid)
    assert again.status_code == 409
    assert again.json()["final_status"] == "CANCELLED"
    assert follow(server, job["id"])[-1]["text"] == "tick"


def test_pending_job_follow_waits_and_cancel(server: RunningServer) -> None:
    gpu = {"gpu": 1, "gpu_type": "v100"}
    running = server.submit("hold", "import time\ntime.sleep(60)\n", resources=gpu)
    pending = server.submit("queued", "print('ran')\n", resources=gpu, wait_for_capacity=True)
    client = server.client()

    page = client.get(f"/jobs/{pending['id']}/logs", params={"wait": 1}).json()
    waited = client.get(f"/jobs/{pending['id']}", params={"wait": 1, "status": "PENDING"})
    cancelled = client.post(f"/jobs/{pending['id']}/cancel").json()
    client.post(f"/jobs/{running['id']}/cancel")

    assert page == {
        "lines": [],
        "next_cursor": "0",
        "complete": False,
        "status": "PENDING",
        "queue_position": 1,
    }
    assert waited.json()["status"] == "PENDING"
    assert cancelled["status"] == "CANCELLED"
    assert "started_at" not in cancelled


def test_queued_job_starts_when_resources_free(server: RunningServer) -> None:
    gpu = {"gpu": 1, "gpu_type": "v100"}
    first = server.submit("first", "import time\ntime.sleep(1)\n", resources=gpu)
    second = server.submit("second", "print('second')\n", resources=gpu, wait_for_capacity=True)

    done_first = server.wait_final(first["id"])
    done_second = server.wait_final(second["id"])

    assert second["status"] == "PENDING"
    assert done_first["status"] == done_second["status"] == "SUCCEEDED"
    assert done_second["started_at"] >= done_first["finished_at"]
    assert done_second["devices"] == ["0"]


def test_graceful_shutdown_ends_running_jobs(server: RunningServer) -> None:
    job = server.submit("child", CHILD_SCRIPT)
    child_pid = int(wait_for_line(server, job["id"], "child ").split()[1])

    status = server.stop(signal.SIGTERM)
    restarted = restart(server)
    final = restarted.client().get(f"/jobs/{job['id']}").json()

    assert status == 0
    assert wait_until_gone(child_pid)
    assert (final["status"], final["failure_reason"]) == ("FAILED", "server_shutdown")
    assert restarted.client().get(f"/jobs/{job['id']}/logs").json()["complete"] is True
    restarted.stop()


def test_restart_after_kill_recovers(server: RunningServer) -> None:
    gpu = {"gpu": 1, "gpu_type": "v100"}
    running = server.submit("child", CHILD_SCRIPT, resources=gpu)
    child_pid = int(wait_for_line(server, running["id"], "child ").split()[1])
    digest = server.upload({"q.py": "print('queued ran')\n"})
    queued = (
        server.client()
        .post(
            "/jobs",
            json={
                "name": "q",
                "script": "q.py",
                "code_digest": digest,
                "resources": gpu,
                "wait_for_capacity": True,
            },
            headers={"Idempotency-Key": "once"},
        )
        .json()
    )
    seen = server.client().get(f"/jobs/{running['id']}/logs").json()["lines"]

    os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait(timeout=30)
    restarted = restart(server)
    client = restarted.client()
    failed = client.get(f"/jobs/{running['id']}").json()
    done = restarted.wait_final(queued["id"])
    replay = client.post(
        "/jobs",
        json={
            "name": "q",
            "script": "q.py",
            "code_digest": digest,
            "resources": gpu,
            "wait_for_capacity": True,
        },
        headers={"Idempotency-Key": "once"},
    )
    fresh = restarted.submit("fresh", "print(1)\n")
    stored = client.get(f"/jobs/{running['id']}/logs").json()["lines"]

    assert (failed["status"], failed["failure_reason"]) == ("FAILED", "server_restart")
    assert wait_until_gone(child_pid)
    assert done["status"] == "SUCCEEDED"
    assert replay.json()["id"] == queued["id"]
    assert fresh["id"] > queued["id"]
    assert stored[: len(seen)] == seen
    restarted.stop()


def restart(previous: RunningServer) -> RunningServer:
    """Start a server again on the data directory of a stopped one."""
    pools = previous.data_dir.parent / "pools.yaml"
    return start_server(
        previous.data_dir, "--pools", str(pools), "--rate-limit", "0", "--grace-period", "2"
    )


@pytest.mark.timeout(90)
def test_cancel_right_after_start_stops_the_process(server: RunningServer) -> None:
    """A cancel that arrives while the process is still being created must still stop it."""
    sleeper = "import time\ntime.sleep(120)\n"
    client = server.client()

    for attempt in range(3):
        job = server.submit(f"fresh{attempt}", sleeper)
        cancelled = client.post(f"/jobs/{job['id']}/cancel").json()
        assert cancelled["status"] == "CANCELLED"
        assert cancelled["failure_reason"] == "cancelled"
        assert cancelled.get("exit_code") != 0

    # Cancelling the running job frees the pool, so the queued one starts at that moment.
    blocker = server.submit("blocker", sleeper, resources={"gpu": 1, "gpu_type": "v100"})
    queued = server.submit(
        "queued", sleeper, resources={"gpu": 1, "gpu_type": "v100"}, wait_for_capacity=True
    )
    assert queued["status"] == "PENDING"
    assert client.post(f"/jobs/{blocker['id']}/cancel").json()["status"] == "CANCELLED"
    second = client.post(f"/jobs/{queued['id']}/cancel").json()
    assert second["status"] == "CANCELLED"
    assert second.get("exit_code") != 0


@pytest.mark.timeout(60)
def test_job_ends_when_main_exits_before_children(server: RunningServer) -> None:
    """A child that inherited the output pipes must not keep a finished job running."""
    script = (
        "import subprocess, sys\n"
        "child = subprocess.Popen(['sleep', '300'])\n"
        "print(f'child {child.pid}', flush=True)\n"
        "sys.exit(0)\n"
    )
    job = server.submit("orphans", script)

    final = server.wait_final(job["id"], timeout=30)

    assert final["status"] == "SUCCEEDED"
    assert final["exit_code"] == 0
    logs = server.client().get(f"/jobs/{job['id']}/logs").json()
    child_pid = int(logs["lines"][0]["text"].split()[1])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _is_running(child_pid):
        time.sleep(0.1)
    assert not _is_running(child_pid), f"child {child_pid} of the finished job is still running"


def _is_running(pid: int) -> bool:
    """Return whether a process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.timeout(90)
def test_restart_with_smaller_pools_fails_unfittable_jobs(server: RunningServer) -> None:
    """Queued jobs that no longer fit the pools after a restart end FAILED; the rest still run."""
    sleeper = "import time\ntime.sleep(120)\n"
    server.submit("holder", sleeper, resources={"gpu": 1, "gpu_type": "v100"})
    gone = server.submit(
        "gone", "print('x')\n", resources={"gpu": 1, "gpu_type": "v100"}, wait_for_capacity=True
    )
    server.submit("t4-holder", sleeper, resources={"gpu": 1, "gpu_type": "t4"})
    too_big = server.submit(
        "big", "print('x')\n", resources={"gpu": 2, "gpu_type": "t4"}, wait_for_capacity=True
    )
    fits = server.submit(
        "fits", "print('ran')\n", resources={"gpu": 1, "gpu_type": "t4"}, wait_for_capacity=True
    )
    assert fits["status"] == "PENDING"
    os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait(timeout=30)

    pools = server.data_dir.parent / "smaller-pools.yaml"
    pools.write_text("pools: {t4: 1}\ncpu: 8\nmemory: 16Gi\n")
    restarted = start_server(server.data_dir, "--pools", str(pools), "--rate-limit", "0")
    try:
        client = restarted.client()
        for job in (gone, too_big):
            record = client.get(f"/jobs/{job['id']}").json()
            assert record["status"] == "FAILED"
            assert record["failure_reason"] == "unschedulable"
            lines = client.get(f"/jobs/{job['id']}/logs").json()["lines"]
            assert "can never fit" in lines[-1]["text"]
        assert restarted.wait_final(fits["id"])["status"] == "SUCCEEDED"
    finally:
        restarted.stop()
