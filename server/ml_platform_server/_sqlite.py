"""Embedded SQLite implementation of :class:`~._storage.Storage`.

The database is one file, ``DATA_DIR/mlp.sqlite3``, in WAL mode. Every write
commits before the call returns, so a log line that a reader has seen
survives a SIGKILL of the server. Schema changes are applied in order by
``PRAGMA user_version``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ._records import (
    PENDING,
    RUNNING,
    CodeArchiveRecord,
    JobRecord,
    JobUpdate,
    KeyRecord,
    LogLine,
    MetricPoint,
    NewJob,
)
from ._storage import IdempotencyRecord, Storage

DATABASE_NAME = "mlp.sqlite3"

# Each entry upgrades the schema by one version; never edit an entry once released.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE api_keys (
        key_id TEXT PRIMARY KEY,
        user TEXT NOT NULL,
        scope TEXT NOT NULL,
        name TEXT,
        key_hash TEXT NOT NULL UNIQUE,
        created_ms INTEGER NOT NULL,
        revoked_ms INTEGER
    );
    CREATE TABLE code_archives (
        user TEXT NOT NULL,
        digest TEXT NOT NULL,
        size INTEGER NOT NULL,
        files TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        PRIMARY KEY (user, digest)
    );
    CREATE TABLE jobs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        user TEXT NOT NULL,
        name TEXT NOT NULL,
        script TEXT NOT NULL,
        code_digest TEXT NOT NULL,
        resources TEXT NOT NULL,
        environment TEXT NOT NULL,
        hyperparameters TEXT NOT NULL,
        timeout_seconds INTEGER,
        status TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        started_ms INTEGER,
        finished_ms INTEGER,
        exit_code INTEGER,
        failure_reason TEXT,
        devices TEXT,
        pid INTEGER
    );
    CREATE INDEX jobs_by_user_created ON jobs (user, created_ms DESC, seq DESC);
    CREATE INDEX jobs_by_status ON jobs (status, seq);
    CREATE TABLE idempotency_keys (
        user TEXT NOT NULL,
        key TEXT NOT NULL,
        body_hash TEXT NOT NULL,
        job_id TEXT NOT NULL REFERENCES jobs (id),
        created_ms INTEGER NOT NULL,
        PRIMARY KEY (user, key)
    );
    CREATE TABLE log_lines (
        job_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        timestamp_ms INTEGER NOT NULL,
        stream TEXT NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (job_id, seq)
    ) WITHOUT ROWID;
    CREATE TABLE metric_points (
        job_id TEXT NOT NULL,
        n INTEGER NOT NULL,
        timestamp_ms INTEGER NOT NULL,
        epoch INTEGER,
        step INTEGER,
        metric_values TEXT NOT NULL,
        PRIMARY KEY (job_id, n)
    ) WITHOUT ROWID;
    """,
)

_JOB_COLUMNS = (
    "seq, id, user, name, script, code_digest, resources, environment, hyperparameters, "
    "timeout_seconds, status, created_ms, started_ms, finished_ms, exit_code, failure_reason, "
    "devices, pid"
)


def format_job_id(seq: int) -> str:
    """Return the public id of the job with this sequence number."""
    return f"job-{seq:06d}"


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _job_from_row(row: sqlite3.Row) -> JobRecord:
    devices = row["devices"]
    return JobRecord(
        seq=row["seq"],
        id=row["id"],
        user=row["user"],
        name=row["name"],
        script=row["script"],
        code_digest=row["code_digest"],
        resources=json.loads(row["resources"]),
        environment=json.loads(row["environment"]),
        hyperparameters=json.loads(row["hyperparameters"]),
        timeout_seconds=row["timeout_seconds"],
        status=row["status"],
        created_ms=row["created_ms"],
        started_ms=row["started_ms"],
        finished_ms=row["finished_ms"],
        exit_code=row["exit_code"],
        failure_reason=row["failure_reason"],
        devices=json.loads(devices) if devices is not None else None,
        pid=row["pid"],
    )


def _key_from_row(row: sqlite3.Row) -> KeyRecord:
    return KeyRecord(
        key_id=row["key_id"],
        user=row["user"],
        scope=row["scope"],
        name=row["name"],
        key_hash=row["key_hash"],
        created_ms=row["created_ms"],
        revoked_ms=row["revoked_ms"],
    )


class SqliteStorage(Storage):
    """Storage in one SQLite file in WAL mode.

    Args:
        data_dir: The server's data directory; the database file is created in it.
    """

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / DATABASE_NAME
        # The server uses the connection from its event loop thread only. The flag
        # allows that thread to differ from the one that opened the connection.
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._migrate()

    @property
    def schema_version(self) -> int:
        """The schema version recorded in the database."""
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        current = self.schema_version
        if current > len(MIGRATIONS):
            raise RuntimeError(
                f"database {str(self.path)!r} has schema version {current}, newer than "
                f"the {len(MIGRATIONS)} this server knows; upgrade ml-platform-server"
            )
        for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
            with self._transaction():
                for statement in script.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version={version}")

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # API keys

    def add_key(self, key: KeyRecord) -> None:
        self._db.execute(
            "INSERT INTO api_keys (key_id, user, scope, name, key_hash, created_ms, revoked_ms) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (key.key_id, key.user, key.scope, key.name, key.key_hash, key.created_ms, None),
        )

    def find_key_by_hash(self, key_hash: str) -> KeyRecord | None:
        row = self._db.execute("SELECT * FROM api_keys WHERE key_hash = ?", (key_hash,)).fetchone()
        return _key_from_row(row) if row else None

    def list_keys(self) -> list[KeyRecord]:
        rows = self._db.execute("SELECT * FROM api_keys ORDER BY created_ms, key_id").fetchall()
        return [_key_from_row(row) for row in rows]

    def revoke_key(self, key_id: str, revoked_ms: int) -> KeyRecord | None:
        with self._transaction():
            self._db.execute(
                "UPDATE api_keys SET revoked_ms = ? WHERE key_id = ? AND revoked_ms IS NULL",
                (revoked_ms, key_id),
            )
            row = self._db.execute("SELECT * FROM api_keys WHERE key_id = ?", (key_id,)).fetchone()
        return _key_from_row(row) if row else None

    # Code archives

    def add_code_archive(self, archive: CodeArchiveRecord) -> bool:
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO code_archives (user, digest, size, files, created_ms) "
            "VALUES (?, ?, ?, ?, ?)",
            (archive.user, archive.digest, archive.size, _dumps(archive.files), archive.created_ms),
        )
        return cursor.rowcount == 1

    def get_code_archive(self, user: str, digest: str) -> CodeArchiveRecord | None:
        row = self._db.execute(
            "SELECT * FROM code_archives WHERE user = ? AND digest = ?", (user, digest)
        ).fetchone()
        if row is None:
            return None
        return CodeArchiveRecord(
            user=row["user"],
            digest=row["digest"],
            size=row["size"],
            files=json.loads(row["files"]),
            created_ms=row["created_ms"],
        )

    # Jobs

    def create_job(
        self, job: NewJob, *, idempotency_key: str | None, body_hash: str | None
    ) -> JobRecord:
        with self._transaction():
            seq = self._insert_job(job, status=job.status)
            job_id = format_job_id(seq)
            if idempotency_key is not None:
                self._db.execute(
                    "INSERT INTO idempotency_keys (user, key, body_hash, job_id, created_ms) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (job.user, idempotency_key, body_hash or "", job_id, job.created_ms),
                )
        record = self.get_job(job_id)
        assert record is not None
        return record

    def _insert_job(self, job: NewJob, *, status: str, **extra: Any) -> int:
        # The id is derived from the AUTOINCREMENT seq, which SQLite never hands out twice.
        cursor = self._db.execute(
            "INSERT INTO jobs (id, user, name, script, code_digest, resources, environment, "
            "hyperparameters, timeout_seconds, status, created_ms, started_ms, finished_ms, "
            "exit_code, failure_reason) "
            "VALUES ('pending-' || hex(randomblob(16)), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                job.user,
                job.name,
                job.script,
                job.code_digest,
                _dumps(job.resources),
                _dumps(job.environment),
                _dumps(job.hyperparameters),
                job.timeout_seconds,
                status,
                job.created_ms,
                extra.get("started_ms"),
                extra.get("finished_ms"),
                extra.get("exit_code"),
                extra.get("failure_reason"),
            ),
        )
        seq = cursor.lastrowid
        assert seq is not None
        self._db.execute("UPDATE jobs SET id = ? WHERE seq = ?", (format_job_id(seq), seq))
        return seq

    def find_idempotency(self, user: str, key: str) -> IdempotencyRecord | None:
        row = self._db.execute(
            "SELECT body_hash, job_id FROM idempotency_keys WHERE user = ? AND key = ?",
            (user, key),
        ).fetchone()
        if row is None:
            return None
        return IdempotencyRecord(body_hash=row["body_hash"], job_id=row["job_id"])

    def get_job(self, job_id: str, *, user: str | None = None) -> JobRecord | None:
        if user is None:
            row = self._db.execute(
                f"SELECT {_JOB_COLUMNS} FROM jobs WHERE id = ?", (job_id,)
            ).fetchone()
        else:
            row = self._db.execute(
                f"SELECT {_JOB_COLUMNS} FROM jobs WHERE id = ? AND user = ?", (job_id, user)
            ).fetchone()
        return _job_from_row(row) if row else None

    def list_jobs(
        self,
        user: str,
        *,
        status: str | None,
        name_prefix: str | None,
        limit: int,
        before: tuple[int, int] | None,
    ) -> list[JobRecord]:
        clauses = ["user = ?"]
        params: list[Any] = [user]
        if status is not None:
            clauses.append("status = ?")
            params.append(status)
        if name_prefix is not None:
            # substr() instead of LIKE, so '%' and '_' in the prefix match literally.
            clauses.append("substr(name, 1, ?) = ?")
            params.extend([len(name_prefix), name_prefix])
        if before is not None:
            clauses.append("(created_ms < ? OR (created_ms = ? AND seq < ?))")
            params.extend([before[0], before[0], before[1]])
        params.append(limit)
        rows = self._db.execute(
            f"SELECT {_JOB_COLUMNS} FROM jobs WHERE {' AND '.join(clauses)} "
            "ORDER BY created_ms DESC, seq DESC LIMIT ?",
            params,
        ).fetchall()
        return [_job_from_row(row) for row in rows]

    def jobs_with_status(self, status: str) -> list[JobRecord]:
        rows = self._db.execute(
            f"SELECT {_JOB_COLUMNS} FROM jobs WHERE status = ? ORDER BY seq", (status,)
        ).fetchall()
        return [_job_from_row(row) for row in rows]

    def update_job(self, job_id: str, update: JobUpdate) -> None:
        assignments: list[str] = []
        params: list[Any] = []
        for column in ("status", "started_ms", "finished_ms", "exit_code", "failure_reason", "pid"):
            value = getattr(update, column)
            if value is not None:
                assignments.append(f"{column} = ?")
                params.append(value)
        if update.devices is not None:
            assignments.append("devices = ?")
            params.append(_dumps(update.devices))
        if not assignments:
            return
        params.append(job_id)
        self._db.execute(f"UPDATE jobs SET {', '.join(assignments)} WHERE id = ?", params)

    def fail_running_jobs(self, reason: str, finished_ms: int) -> list[JobRecord]:
        with self._transaction():
            running = self.jobs_with_status(RUNNING)
            self._db.execute(
                "UPDATE jobs SET status = 'FAILED', failure_reason = ?, finished_ms = ? "
                "WHERE status = ?",
                (reason, finished_ms, RUNNING),
            )
        return running

    def seed_finished_jobs(
        self, jobs: Sequence[tuple[JobRecord, list[LogLine], list[MetricPoint]]]
    ) -> int:
        with self._transaction():
            for job, lines, points in jobs:
                new_job = NewJob(
                    user=job.user,
                    name=job.name,
                    script=job.script,
                    code_digest=job.code_digest,
                    resources=job.resources,
                    environment=job.environment,
                    hyperparameters=job.hyperparameters,
                    timeout_seconds=job.timeout_seconds,
                    created_ms=job.created_ms,
                )
                seq = self._insert_job(
                    new_job,
                    status=job.status,
                    started_ms=job.started_ms,
                    finished_ms=job.finished_ms,
                    exit_code=job.exit_code,
                    failure_reason=job.failure_reason,
                )
                job_id = format_job_id(seq)
                self._insert_log_lines(job_id, lines)
                self._insert_metrics(job_id, points, first=1)
        return len(jobs)

    # Logs

    def append_log_lines(self, job_id: str, lines: Sequence[LogLine]) -> None:
        if lines:
            with self._transaction():
                self._insert_log_lines(job_id, lines)

    def _insert_log_lines(self, job_id: str, lines: Sequence[LogLine]) -> None:
        self._db.executemany(
            "INSERT INTO log_lines (job_id, seq, timestamp_ms, stream, text) "
            "VALUES (?, ?, ?, ?, ?)",
            [(job_id, line.seq, line.timestamp_ms, line.stream, line.text) for line in lines],
        )

    def read_log_lines(self, job_id: str, *, after: int, limit: int) -> list[LogLine]:
        rows = self._db.execute(
            "SELECT seq, timestamp_ms, stream, text FROM log_lines "
            "WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?",
            (job_id, after, limit),
        ).fetchall()
        return [LogLine(row[0], row[1], row[2], row[3]) for row in rows]

    def tail_log_lines(self, job_id: str, *, after: int, count: int) -> list[LogLine]:
        rows = self._db.execute(
            "SELECT seq, timestamp_ms, stream, text FROM log_lines "
            "WHERE job_id = ? AND seq > ? ORDER BY seq DESC LIMIT ?",
            (job_id, after, count),
        ).fetchall()
        return [LogLine(row[0], row[1], row[2], row[3]) for row in reversed(rows)]

    def last_log_seq(self, job_id: str) -> int:
        row = self._db.execute(
            "SELECT max(seq) FROM log_lines WHERE job_id = ?", (job_id,)
        ).fetchone()
        return int(row[0] or 0)

    # Metrics

    def append_metrics(self, job_id: str, points: Sequence[MetricPoint]) -> None:
        if not points:
            return
        with self._transaction():
            row = self._db.execute(
                "SELECT max(n) FROM metric_points WHERE job_id = ?", (job_id,)
            ).fetchone()
            self._insert_metrics(job_id, points, first=int(row[0] or 0) + 1)

    def _insert_metrics(self, job_id: str, points: Sequence[MetricPoint], *, first: int) -> None:
        self._db.executemany(
            "INSERT INTO metric_points (job_id, n, timestamp_ms, epoch, step, metric_values) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (job_id, first + index, p.timestamp_ms, p.epoch, p.step, _dumps(p.values))
                for index, p in enumerate(points)
            ],
        )

    def read_metrics(self, job_id: str) -> list[MetricPoint]:
        rows = self._db.execute(
            "SELECT timestamp_ms, epoch, step, metric_values FROM metric_points "
            "WHERE job_id = ? ORDER BY n",
            (job_id,),
        ).fetchall()
        return [
            MetricPoint(timestamp_ms=row[0], epoch=row[1], step=row[2], values=json.loads(row[3]))
            for row in rows
        ]

    def close(self) -> None:
        self._db.close()


__all__ = ["DATABASE_NAME", "PENDING", "SqliteStorage", "format_job_id"]
