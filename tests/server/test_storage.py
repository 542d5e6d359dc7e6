"""Tests of the SQLite storage."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from ml_platform_server._records import PENDING, RUNNING, JobUpdate, LogLine, NewJob
from ml_platform_server._seed import seed_jobs
from ml_platform_server._sqlite import MIGRATIONS, SqliteStorage


def new_job(user: str = "ana", created_ms: int = 1000, name: str = "train") -> NewJob:
    return NewJob(
        user=user,
        name=name,
        script="train.py",
        code_digest="a" * 64,
        resources={"cpu": 1, "memory": "2Gi", "gpu": 0},
        environment={},
        hyperparameters={},
        timeout_seconds=None,
        created_ms=created_ms,
    )


def test_schema_version_is_recorded(tmp_path: Path) -> None:
    storage = SqliteStorage(tmp_path)

    assert storage.schema_version == len(MIGRATIONS)
    mode = sqlite3.connect(storage.path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_job_ids_are_never_reused(tmp_path: Path) -> None:
    storage = SqliteStorage(tmp_path)
    first = storage.create_job(new_job(), idempotency_key=None, body_hash=None)
    second = storage.create_job(new_job(), idempotency_key=None, body_hash=None)
    storage.close()
    connection = sqlite3.connect(tmp_path / "mlp.sqlite3")
    connection.execute("DELETE FROM jobs WHERE id = ?", (second.id,))
    connection.commit()
    connection.close()

    third = SqliteStorage(tmp_path).create_job(new_job(), idempotency_key=None, body_hash=None)

    assert (first.id, second.id, third.id) == ("job-000001", "job-000002", "job-000003")


def test_idempotency_record_is_written_with_the_job(tmp_path: Path) -> None:
    storage = SqliteStorage(tmp_path)

    job = storage.create_job(new_job(), idempotency_key="k1", body_hash="h1")

    record = storage.find_idempotency("ana", "k1")
    assert record is not None
    assert (record.job_id, record.body_hash) == (job.id, "h1")
    assert storage.find_idempotency("bob", "k1") is None


def test_duplicate_idempotency_key_rolls_back_the_job(tmp_path: Path) -> None:
    storage = SqliteStorage(tmp_path)
    storage.create_job(new_job(), idempotency_key="k1", body_hash="h1")

    with pytest.raises(sqlite3.IntegrityError):
        storage.create_job(new_job(), idempotency_key="k1", body_hash="h2")

    assert len(storage.list_jobs("ana", status=None, name_prefix=None, limit=10, before=None)) == 1


def test_list_is_newest_first_with_filters_before_limit(tmp_path: Path) -> None:
    storage = SqliteStorage(tmp_path)
    for index in range(5):
        storage.create_job(
            new_job(created_ms=1000 + index, name=f"a{index}" if index % 2 else f"b{index}"),
            idempotency_key=None,
            body_hash=None,
        )
    storage.create_job(new_job(user="bob"), idempotency_key=None, body_hash=None)

    page = storage.list_jobs("ana", status=None, name_prefix="a", limit=1, before=None)
    rest = storage.list_jobs(
        "ana", status=None, name_prefix="a", limit=5, before=(page[0].created_ms, page[0].seq)
    )

    assert [job.name for job in page] == ["a3"]
    assert [job.name for job in rest] == ["a1"]


def test_name_prefix_matches_literally(tmp_path: Path) -> None:
    storage = SqliteStorage(tmp_path)
    storage.create_job(new_job(name="a_b"), idempotency_key=None, body_hash=None)
    storage.create_job(new_job(name="axb"), idempotency_key=None, body_hash=None)

    jobs = storage.list_jobs("ana", status=None, name_prefix="a_", limit=10, before=None)

    assert [job.name for job in jobs] == ["a_b"]


def test_fail_running_jobs_returns_them(tmp_path: Path) -> None:
    storage = SqliteStorage(tmp_path)
    job = storage.create_job(new_job(), idempotency_key=None, body_hash=None)
    storage.update_job(job.id, JobUpdate(status=RUNNING, pid=4242))
    pending = storage.create_job(new_job(), idempotency_key=None, body_hash=None)

    failed = storage.fail_running_jobs("server_restart", 2000)

    assert [(j.id, j.pid) for j in failed] == [(job.id, 4242)]
    after = storage.get_job(job.id)
    assert after is not None
    assert (after.status, after.failure_reason) == ("FAILED", "server_restart")
    assert storage.jobs_with_status(PENDING)[0].id == pending.id


def test_logs_read_and_tail(tmp_path: Path) -> None:
    storage = SqliteStorage(tmp_path)
    storage.append_log_lines("job-1", [LogLine(i, i, "stdout", f"line {i}") for i in range(1, 6)])

    assert [line.seq for line in storage.read_log_lines("job-1", after=2, limit=2)] == [3, 4]
    assert [line.seq for line in storage.tail_log_lines("job-1", after=0, count=2)] == [4, 5]
    assert storage.last_log_seq("job-1") == 5
    assert storage.last_log_seq("job-2") == 0


def test_seed_loads_jobs_in_one_call(tmp_path: Path) -> None:
    storage = SqliteStorage(tmp_path)

    count = seed_jobs(storage, count=1000, user="dev")

    jobs = storage.list_jobs("dev", status=None, name_prefix=None, limit=1000, before=None)
    assert count == 1000
    assert len(jobs) == 1000
    assert {job.status for job in jobs} == {"SUCCEEDED", "FAILED", "CANCELLED"}
    assert len(storage.read_metrics(jobs[0].id)) == 2
    assert storage.last_log_seq(jobs[0].id) == 3
