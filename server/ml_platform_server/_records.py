"""Plain records that the storage layer reads and writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PENDING = "PENDING"
RUNNING = "RUNNING"
SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"
CANCELLED = "CANCELLED"
KNOWN_STATUSES = (PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED)
FINAL_STATUSES = frozenset({SUCCEEDED, FAILED, CANCELLED})

READ_WRITE = "read-write"
READ_ONLY = "read-only"


@dataclass(frozen=True)
class KeyRecord:
    """An API key as stored: the SHA-256 hash of the key, never the key."""

    key_id: str
    user: str
    scope: str
    name: str | None
    key_hash: str
    created_ms: int
    revoked_ms: int | None = None

    def __repr__(self) -> str:
        return f"KeyRecord(key_id={self.key_id!r}, user={self.user!r}, scope={self.scope!r})"


@dataclass(frozen=True)
class CodeArchiveRecord:
    """A stored code archive and the regular files it contains."""

    user: str
    digest: str
    size: int
    files: list[str]
    created_ms: int


@dataclass(frozen=True)
class NewJob:
    """The fields of a job at submission, before it has an id."""

    user: str
    name: str
    script: str
    code_digest: str
    resources: dict[str, Any]
    environment: dict[str, str]
    hyperparameters: dict[str, Any]
    timeout_seconds: int | None
    created_ms: int
    status: str = PENDING


@dataclass
class JobRecord:
    """A job as stored. ``seq`` orders jobs by submission and never repeats."""

    seq: int
    id: str
    user: str
    name: str
    script: str
    code_digest: str
    resources: dict[str, Any]
    environment: dict[str, str]
    hyperparameters: dict[str, Any]
    timeout_seconds: int | None
    status: str
    created_ms: int
    started_ms: int | None = None
    finished_ms: int | None = None
    exit_code: int | None = None
    failure_reason: str | None = None
    devices: list[str] | None = None
    pid: int | None = None

    @property
    def is_final(self) -> bool:
        """Whether the job has ended."""
        return self.status in FINAL_STATUSES


@dataclass(frozen=True)
class LogLine:
    """One stored line of a job's output."""

    seq: int
    timestamp_ms: int
    stream: str
    text: str


@dataclass(frozen=True)
class MetricPoint:
    """One line of a job's metrics file."""

    timestamp_ms: int
    values: dict[str, Any]
    epoch: int | None = None
    step: int | None = None


@dataclass(frozen=True)
class JobUpdate:
    """Fields to change on a job; ``None`` leaves a field unchanged."""

    status: str | None = None
    started_ms: int | None = None
    finished_ms: int | None = None
    exit_code: int | None = None
    failure_reason: str | None = None
    devices: list[str] | None = None
    pid: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
