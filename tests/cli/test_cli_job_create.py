"""``mlp job create`` against the real reference server, in-process through Click's runner."""

from __future__ import annotations

import json
import re

import yaml

from tests.cli._support import RunCli, assert_matches_schema

JOB_ID = r"[A-Za-z0-9._-]+"
DURATION = r"[0-9.]+s|\d+m \d\ds"


def _hints(job_id: str) -> str:
    return (
        "Next:\n"
        f"  mlp job logs {job_id} -f  # follow its logs\n"
        f"  mlp job status {job_id}   # show its status and metrics\n"
        f"  mlp job cancel {job_id}   # cancel it\n"
    )


def test_create_prints_id_and_hints(run_cli: RunCli, job_ids: list[str]) -> None:
    result = run_cli("job", "create", "demo", "--script", "slow.py")

    assert result.exit_code == 0, result.stderr
    job_id = result.stdout.strip()
    job_ids.append(job_id)
    assert re.fullmatch(JOB_ID, job_id)
    assert result.stdout == f"{job_id}\n"
    assert result.stderr == f"Submitted job {job_id} (RUNNING).\n" + _hints(job_id)


def test_create_hints_repeat_connection_options(
    run_cli: RunCli, job_ids: list[str], cli_server: object
) -> None:
    url = cli_server.url  # type: ignore[attr-defined]
    result = run_cli("--url", url, "job", "create", "demo", "--script", "slow.py")

    assert result.exit_code == 0, result.stderr
    job_id = result.stdout.strip()
    job_ids.append(job_id)
    assert f"  mlp --url {url} job cancel {job_id}   # cancel it\n" in result.stderr


def test_create_quiet_prints_only_id(run_cli: RunCli, job_ids: list[str]) -> None:
    result = run_cli("job", "create", "demo", "--script", "slow.py", "-q")

    assert result.exit_code == 0, result.stderr
    job_ids.append(result.stdout.strip())
    assert re.fullmatch(f"{JOB_ID}\n", result.stdout)
    assert result.stderr == ""


def test_create_json_is_api_job(run_cli: RunCli, job_ids: list[str]) -> None:
    result = run_cli(
        "job",
        "create",
        "demo-json",
        "--script",
        "slow.py",
        "--param",
        "epochs=3",
        "--param",
        "lr=0.5",
        "--param",
        "shuffle=false",
        "--param",
        'tag="7"',
        "--env",
        "GREETING=hello world",
        "--cpu",
        "0.5",
        "--memory",
        "512Mi",
        "--timeout",
        "600",
        "-o",
        "json",
    )

    assert result.exit_code == 0, result.stderr
    job = json.loads(result.stdout)
    job_ids.append(job["id"])
    assert_matches_schema(job, "Job")
    assert job["name"] == "demo-json"
    assert job["script"] == "slow.py"
    assert job["status"] == "RUNNING"
    assert job["hyperparameters"] == {"epochs": 3, "lr": 0.5, "shuffle": False, "tag": "7"}
    assert job["environment"] == {"GREETING": "hello world"}
    assert job["resources"]["cpu"] == 0.5
    assert job["resources"]["memory"] == "512Mi"
    assert job["resources"]["gpu"] == 0
    assert job["timeout_seconds"] == 600
    assert job["created_at"].endswith("Z")
    assert result.stderr.startswith(f"Submitted job {job['id']} (RUNNING).\nNext:\n")


def test_create_yaml_matches_status_json(run_cli: RunCli, job_ids: list[str]) -> None:
    result = run_cli("job", "create", "demo-yaml", "--script", "slow.py", "-o", "yaml")

    assert result.exit_code == 0, result.stderr
    job = yaml.safe_load(result.stdout)
    job_ids.append(job["id"])
    assert_matches_schema(job, "Job")
    status = json.loads(run_cli("job", "status", job["id"], "-o", "json").stdout)
    assert job["id"] == status["id"]
    assert job["created_at"] == status["created_at"]
    assert job["resources"] == status["resources"]


def test_follow_streams_logs_and_summary(run_cli: RunCli) -> None:
    result = run_cli("job", "create", "demo", "--script", "ok.py", "--follow")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "epoch 1\nepoch 2\ndone\n"
    match = re.fullmatch(
        rf"Submitted job ({JOB_ID}) \(RUNNING\)\.\n"
        rf"Job \1 SUCCEEDED after ({DURATION}) \(exit code 0\)\.\n"
        r"Metrics: epoch 2: accuracy=0\.7 loss=0\.5\n",
        result.stderr,
    )
    assert match, result.stderr


def test_follow_failing_job_exits_3(run_cli: RunCli) -> None:
    result = run_cli("job", "create", "broken", "--script", "fail.py", "--follow")

    assert result.exit_code == 3
    assert sorted(result.stdout.splitlines()) == ["something went wrong", "starting"]
    match = re.fullmatch(
        rf"Submitted job ({JOB_ID}) \(RUNNING\)\.\n"
        rf"Job \1 FAILED after ({DURATION}) \(reason script_error, exit code 3\)\.\n"
        r"Last 2 log lines:\n"
        r"  (starting|something went wrong)\n"
        r"  (starting|something went wrong)\n",
        result.stderr,
    )
    assert match, result.stderr


def test_wait_prints_id_then_summary(run_cli: RunCli) -> None:
    result = run_cli("job", "create", "demo", "--script", "ok.py", "--wait")

    assert result.exit_code == 0, result.stderr
    job_id = result.stdout.strip()
    assert result.stdout == f"{job_id}\n"
    match = re.fullmatch(
        rf"Submitted job {job_id} \(RUNNING\)\.\n"
        rf"Waiting for job {job_id} to finish \(Ctrl-C stops waiting; the job keeps running\)\.\n"
        rf"Job {job_id} SUCCEEDED after ({DURATION}) \(exit code 0\)\.\n"
        r"Metrics: epoch 2: accuracy=0\.7 loss=0\.5\n",
        result.stderr,
    )
    assert match, result.stderr


def test_wait_failing_job_shows_tail(run_cli: RunCli) -> None:
    result = run_cli("job", "create", "broken", "--script", "fail.py", "--wait")

    assert result.exit_code == 3
    job_id = result.stdout.strip()
    assert f"Job {job_id} FAILED after " in result.stderr
    assert "(reason script_error, exit code 3).\nLast 2 log lines:\n" in result.stderr
    assert "  something went wrong\n" in result.stderr


def test_wait_quiet_prints_only_id(run_cli: RunCli) -> None:
    result = run_cli("job", "create", "demo", "--script", "ok.py", "--wait", "-q")

    assert result.exit_code == 0, result.stderr
    assert re.fullmatch(f"{JOB_ID}\n", result.stdout)
    assert result.stderr == ""


def test_wait_quiet_reports_failure(run_cli: RunCli) -> None:
    result = run_cli("job", "create", "broken", "--script", "fail.py", "--wait", "-q")

    assert result.exit_code == 3
    job_id = result.stdout.strip()
    assert result.stderr.startswith(f"Job {job_id} FAILED after ")
    assert "(reason script_error, exit code 3).\nLast 2 log lines:\n" in result.stderr


def test_wait_json_prints_final_job(run_cli: RunCli) -> None:
    result = run_cli("job", "create", "demo", "--script", "ok.py", "--wait", "-o", "json")

    assert result.exit_code == 0, result.stderr
    job = json.loads(result.stdout)
    assert_matches_schema(job, "Job")
    assert job["status"] == "SUCCEEDED"
    assert job["exit_code"] == 0
    assert job["finished_at"].endswith("Z")


def test_wait_timeout_exits_5(run_cli: RunCli, job_ids: list[str]) -> None:
    result = run_cli(
        "job", "create", "demo", "--script", "slow.py", "--wait", "--wait-timeout", "1"
    )

    assert result.exit_code == 5
    job_id = result.stdout.strip()
    job_ids.append(job_id)
    assert result.stderr.endswith(
        f"Stopped waiting after 1s; job {job_id} is RUNNING and keeps running. "
        f"Cancel it with: mlp job cancel {job_id}\n"
    )
    status = json.loads(run_cli("job", "status", job_id, "-o", "json").stdout)
    assert status["status"] == "RUNNING"


def test_job_timeout_fails_job(run_cli: RunCli) -> None:
    result = run_cli("job", "create", "demo", "--script", "slow.py", "--timeout", "1", "--wait")

    assert result.exit_code == 3
    assert "FAILED after" in result.stderr
    assert "(reason timeout, exit code " in result.stderr


def test_environment_and_params_reach_job(run_cli: RunCli) -> None:
    result = run_cli(
        "job",
        "create",
        "env",
        "--script",
        "env.py",
        "--env",
        "GREETING=hi there",
        "--param",
        "epochs=2",
        "--param",
        "rate=1e-3",
        "--param",
        "fast=TRUE",
        "--follow",
    )

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ('GREETING=hi there\n{"epochs": 2, "fast": true, "rate": 0.001}\n')


def test_script_path_from_current_directory(run_cli: RunCli) -> None:
    result = run_cli(
        "job", "create", "inner", "--script", "nested/inner.py", "--workdir", "nested", "--follow"
    )

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "inner\n"


def test_dry_run_table(run_cli: RunCli) -> None:
    result = run_cli(
        "job", "create", "dry", "--script", "ok.py", "--param", "epochs=2", "--dry-run"
    )

    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert re.fullmatch(
        r"Valid:            yes\n"
        r"Fits now:         yes, it would start now\n"
        r"Name:             dry\n"
        r"Script:           ok\.py\n"
        r"Code digest:      [0-9a-f]{64}\n"
        r"Resources:        1 CPU, 2Gi memory\n"
        r"Hyperparameters:  epochs=2\n",
        result.stdout,
    ), result.stdout


def test_dry_run_json_creates_nothing(run_cli: RunCli) -> None:
    result = run_cli("job", "create", "dry-only", "--script", "ok.py", "--dry-run", "-o", "json")

    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert_matches_schema(document, "DryRunResult")
    assert document["valid"] is True
    assert document["job"]["name"] == "dry-only"
    assert "id" not in document["job"]


def test_idempotency_key_returns_same_job(run_cli: RunCli, job_ids: list[str]) -> None:
    args = ("job", "create", "once", "--script", "slow.py", "-q", "--idempotency-key", "k-1")
    first = run_cli(*args)
    second = run_cli(*args)

    assert first.exit_code == 0, first.stderr
    assert second.exit_code == 0, second.stderr
    job_ids.append(first.stdout.strip())
    assert first.stdout == second.stdout


def test_idempotency_key_reused_for_other_job(run_cli: RunCli, job_ids: list[str]) -> None:
    first = run_cli("job", "create", "one", "--script", "slow.py", "-q", "--idempotency-key", "k-2")
    job_ids.append(first.stdout.strip())
    second = run_cli("job", "create", "two", "--script", "slow.py", "--idempotency-key", "k-2")

    assert second.exit_code == 1
    assert second.stdout == ""
    assert re.fullmatch(r"Error: [^\n]*\(request id [^)\n]+\)\n", second.stderr), second.stderr
    assert first.stdout.strip() in second.stderr


def test_gpu_count_above_pool_is_error(run_cli: RunCli) -> None:
    result = run_cli("job", "create", "big", "--script", "ok.py", "--gpu", "3", "--gpu-type", "t4")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert re.fullmatch(r"Error: [^\n]*\(request id [^)\n]+\)\n", result.stderr), result.stderr
    assert "t4" in result.stderr


def test_unknown_gpu_type_is_error(run_cli: RunCli) -> None:
    result = run_cli(
        "job", "create", "big", "--script", "ok.py", "--gpu", "1", "--gpu-type", "h100"
    )

    assert result.exit_code == 1
    assert result.stdout == ""
    assert re.fullmatch(r"Error: [^\n]*\(request id [^)\n]+\)\n", result.stderr), result.stderr
    assert "h100" in result.stderr


def test_full_pool_suggests_options(run_cli: RunCli, job_ids: list[str]) -> None:
    holder = run_cli(
        "job", "create", "hold", "--script", "slow.py", "--gpu", "2", "--gpu-type", "t4", "-q"
    )
    assert holder.exit_code == 0, holder.stderr
    job_ids.append(holder.stdout.strip())

    result = run_cli("job", "create", "more", "--script", "ok.py", "--gpu", "1", "--gpu-type", "t4")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert re.fullmatch(
        r"Error: The job does not fit now: it requested 1 CPU, 2Gi memory, 1 t4 GPU and only "
        r"0 t4 GPUs, [0-9.]+ CPU, [0-9.]+[KMGT]i? memory free; retry with --gpu-type v100 or "
        r"--wait-for-capacity to queue the job\. \(request id [^)\n]+\)\n",
        result.stderr,
    ), result.stderr

    queued = run_cli(
        "job",
        "create",
        "more",
        "--script",
        "ok.py",
        "--gpu",
        "1",
        "--gpu-type",
        "t4",
        "--wait-for-capacity",
    )

    assert queued.exit_code == 0, queued.stderr
    job_id = queued.stdout.strip()
    job_ids.append(job_id)
    assert queued.stderr == (
        f"Submitted job {job_id} (PENDING).\n"
        "It is queued at position 1 and starts when capacity frees up.\n" + _hints(job_id)
    )
