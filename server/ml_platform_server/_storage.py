"""The storage interface of the server.

The server reaches its database only through :class:`Storage`, so another
database can be added by implementing this class. :mod:`._sqlite` is the
embedded implementation.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence

from ._records import (
    CodeArchiveRecord,
    JobRecord,
    JobUpdate,
    KeyRecord,
    LogLine,
    MetricPoint,
    NewJob,
)


class IdempotencyRecord:
    """The job an idempotency key created and the hash of its request body."""

    __slots__ = ("body_hash", "job_id")

    def __init__(self, *, body_hash: str, job_id: str) -> None:
        self.body_hash = body_hash
        self.job_id = job_id


class Storage(abc.ABC):
    """Operations the server needs from its database. Calls are synchronous and short."""

    # API keys

    @abc.abstractmethod
    def add_key(self, key: KeyRecord) -> None:
        """Store a new API key."""

    @abc.abstractmethod
    def find_key_by_hash(self, key_hash: str) -> KeyRecord | None:
        """Return the key with this SHA-256 hash, revoked or not."""

    @abc.abstractmethod
    def list_keys(self) -> list[KeyRecord]:
        """Return every key, oldest first."""

    @abc.abstractmethod
    def revoke_key(self, key_id: str, revoked_ms: int) -> KeyRecord | None:
        """Mark a key revoked and return it, or ``None`` when no key has this id."""

    # Code archives

    @abc.abstractmethod
    def add_code_archive(self, archive: CodeArchiveRecord) -> bool:
        """Store an archive record; return ``False`` when the user already had it."""

    @abc.abstractmethod
    def get_code_archive(self, user: str, digest: str) -> CodeArchiveRecord | None:
        """Return the user's archive with this digest."""

    # Jobs

    @abc.abstractmethod
    def create_job(
        self, job: NewJob, *, idempotency_key: str | None, body_hash: str | None
    ) -> JobRecord:
        """Insert a job and, with a key, its idempotency record in one transaction."""

    @abc.abstractmethod
    def find_idempotency(self, user: str, key: str) -> IdempotencyRecord | None:
        """Return what an idempotency key of the user created, if anything."""

    @abc.abstractmethod
    def get_job(self, job_id: str, *, user: str | None = None) -> JobRecord | None:
        """Return a job; with ``user``, only when that user owns it."""

    @abc.abstractmethod
    def list_jobs(
        self,
        user: str,
        *,
        status: str | None,
        name_prefix: str | None,
        limit: int,
        before: tuple[int, int] | None,
    ) -> list[JobRecord]:
        """Return the user's jobs newest first by (created_ms, seq), after the filters.

        ``before`` is the (created_ms, seq) of the last job of the previous page.
        """

    @abc.abstractmethod
    def jobs_with_status(self, status: str) -> list[JobRecord]:
        """Return every job with this status, in submission order."""

    @abc.abstractmethod
    def update_job(self, job_id: str, update: JobUpdate) -> None:
        """Change the given fields of a job."""

    @abc.abstractmethod
    def fail_running_jobs(self, reason: str, finished_ms: int) -> list[JobRecord]:
        """Mark every RUNNING job FAILED with ``reason``; return them as they were."""

    @abc.abstractmethod
    def seed_finished_jobs(
        self, jobs: Sequence[tuple[JobRecord, list[LogLine], list[MetricPoint]]]
    ) -> int:
        """Insert finished jobs with their logs and metrics in one transaction."""

    # Logs

    @abc.abstractmethod
    def append_log_lines(self, job_id: str, lines: Sequence[LogLine]) -> None:
        """Store lines of a job's output and commit them."""

    @abc.abstractmethod
    def read_log_lines(self, job_id: str, *, after: int, limit: int) -> list[LogLine]:
        """Return up to ``limit`` lines with a seq above ``after``, oldest first."""

    @abc.abstractmethod
    def tail_log_lines(self, job_id: str, *, after: int, count: int) -> list[LogLine]:
        """Return the last ``count`` lines with a seq above ``after``, oldest first."""

    @abc.abstractmethod
    def last_log_seq(self, job_id: str) -> int:
        """Return the highest stored seq of a job's lines, 0 when none."""

    # Metrics

    @abc.abstractmethod
    def append_metrics(self, job_id: str, points: Sequence[MetricPoint]) -> None:
        """Store metric points of a job and commit them."""

    @abc.abstractmethod
    def read_metrics(self, job_id: str) -> list[MetricPoint]:
        """Return every metric point of a job, oldest first."""

    @abc.abstractmethod
    def close(self) -> None:
        """Close the database."""
