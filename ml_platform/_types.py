"""Typed results returned by the client: log lines, metrics, pools, identity and dry runs.

Each type is made from the generated client's model of the same response (the ``_from_api``
class methods) and has a ``to_dict()`` that returns the API's own JSON shape, with timestamps
in UTC ISO 8601 with a ``Z`` suffix.
"""

from __future__ import annotations

import datetime
import email.utils
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from ml_platform_client import models
    from ml_platform_client.types import Unset


__all__ = [
    "Cluster",
    "DryRunResult",
    "GPUPool",
    "Identity",
    "JobMetrics",
    "LogLine",
    "MetricPoint",
    "decode_metric_value",
    "format_timestamp",
    "parse_http_date",
    "unset_to_none",
]

_T = TypeVar("_T")
_logger = logging.getLogger("ml_platform")


def format_timestamp(moment: datetime.datetime) -> str:
    """Format an aware datetime as UTC ISO 8601 with milliseconds and a ``Z`` suffix."""
    utc = moment.astimezone(datetime.UTC)
    return utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_http_date(value: str | None) -> datetime.datetime | None:
    """Parse an HTTP date such as ``Fri, 04 Dec 2026 21:01:24 GMT`` into an aware UTC datetime.

    Returns:
        The moment, or None when ``value`` is None or not an HTTP date.
    """
    if value is None:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC)


def decode_metric_value(value: object) -> float | None:
    """Decode one metric value: a JSON number, or ``"NaN"``, ``"Infinity"`` or ``"-Infinity"``.

    Returns:
        The value as a float, or None when it is neither a number nor one of those strings.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value in _NON_FINITE:
        return _NON_FINITE[value]
    return None


_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _encode_metric_value(value: float) -> float | str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _decode_metric_values(values: Mapping[str, object]) -> dict[str, float]:
    decoded: dict[str, float] = {}
    for name, raw in values.items():
        value = decode_metric_value(raw)
        if value is None:
            _logger.warning("ignoring metric %r with undecodable value %r", name, raw)
            continue
        decoded[name] = value
    return decoded


def unset_to_none(value: _T | Unset) -> _T | None:
    """Return None for the generated client's UNSET marker, the value otherwise."""
    from ml_platform_client.types import Unset

    return None if isinstance(value, Unset) else value


@dataclass(frozen=True, kw_only=True)
class LogLine:
    """One stored line of a job's output.

    Attributes:
        seq: The stored line number, starting at 1; it never changes, even across restarts.
        timestamp: When the server stored the line (aware, UTC).
        stream: ``stdout``, ``stderr`` or ``system`` (lines the platform adds).
        text: The line without its trailing newline.
    """

    seq: int
    timestamp: datetime.datetime
    stream: str
    text: str

    @classmethod
    def _from_api(cls, model: models.LogLine) -> LogLine:
        return cls(seq=model.seq, timestamp=model.timestamp, stream=model.stream, text=model.text)

    def to_dict(self) -> dict[str, Any]:
        """Return the line in the API's JSON shape."""
        return {
            "seq": self.seq,
            "timestamp": format_timestamp(self.timestamp),
            "stream": self.stream,
            "text": self.text,
        }


@dataclass(frozen=True, kw_only=True)
class MetricPoint:
    """The metrics a job reported at one moment.

    Attributes:
        timestamp: When the job reported them (aware, UTC).
        epoch: The epoch the job reported with them, if any.
        step: The step the job reported with them, if any.
        values: Named values such as ``loss``; non-finite values are ``nan``, ``inf`` or ``-inf``.
    """

    timestamp: datetime.datetime
    epoch: int | None = None
    step: int | None = None
    values: dict[str, float] = field(default_factory=dict)

    @classmethod
    def _from_api(cls, model: models.MetricPoint) -> MetricPoint:
        return cls(
            timestamp=model.timestamp,
            epoch=unset_to_none(model.epoch),
            step=unset_to_none(model.step),
            values=_decode_metric_values(model.values.additional_properties),
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the point in the API's JSON shape, with non-finite values as strings."""
        body: dict[str, Any] = {"timestamp": format_timestamp(self.timestamp)}
        if self.epoch is not None:
            body["epoch"] = self.epoch
        if self.step is not None:
            body["step"] = self.step
        body["values"] = {name: _encode_metric_value(v) for name, v in self.values.items()}
        return body


@dataclass(frozen=True, kw_only=True)
class JobMetrics:
    """A job's latest metric values and their full history.

    Attributes:
        latest: The most recent value of each named metric.
        history: Every reported point, oldest first.
        epoch: The most recent epoch reported, if any.
        step: The most recent step reported, if any.
    """

    latest: dict[str, float] = field(default_factory=dict)
    history: list[MetricPoint] = field(default_factory=list)
    epoch: int | None = None
    step: int | None = None

    @classmethod
    def _from_api(cls, model: models.JobMetrics) -> JobMetrics:
        return cls(
            latest=_decode_metric_values(model.latest.additional_properties),
            history=[MetricPoint._from_api(point) for point in model.history],
            epoch=unset_to_none(model.epoch),
            step=unset_to_none(model.step),
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the metrics in the API's JSON shape, with non-finite values as strings."""
        body: dict[str, Any] = {
            "latest": {name: _encode_metric_value(v) for name, v in self.latest.items()},
            "history": [point.to_dict() for point in self.history],
        }
        if self.epoch is not None:
            body["epoch"] = self.epoch
        if self.step is not None:
            body["step"] = self.step
        return body


@dataclass(frozen=True, kw_only=True)
class GPUPool:
    """The capacity, allocation and queue of one GPU type.

    Attributes:
        gpu_type: The GPU type, for example ``t4``.
        total: GPUs in the pool.
        allocated: GPUs held by running jobs.
        available: GPUs free now.
        queued: PENDING jobs waiting for this pool.
    """

    gpu_type: str
    total: int
    allocated: int
    available: int
    queued: int

    @classmethod
    def _from_api(cls, model: models.GpuPool) -> GPUPool:
        return cls(
            gpu_type=model.gpu_type,
            total=model.total,
            allocated=model.allocated,
            available=model.available,
            queued=model.queued,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the pool in the API's JSON shape."""
        return {
            "gpu_type": self.gpu_type,
            "total": self.total,
            "allocated": self.allocated,
            "available": self.available,
            "queued": self.queued,
        }


@dataclass(frozen=True, kw_only=True)
class Cluster:
    """The GPU pools and the server-wide CPU and memory budget.

    Attributes:
        pools: One entry per GPU type.
        cpu_total: CPU cores in the budget.
        cpu_allocated: CPU cores held by running jobs.
        cpu_available: CPU cores free now.
        memory_total: Memory in the budget, as a quantity such as ``128Gi``.
        memory_allocated: Memory held by running jobs.
        memory_available: Memory free now.
        cpu_queued: PENDING jobs that request no GPU.
    """

    pools: list[GPUPool]
    cpu_total: float
    cpu_allocated: float
    cpu_available: float
    memory_total: str
    memory_allocated: str
    memory_available: str
    cpu_queued: int = 0

    @classmethod
    def _from_api(cls, model: models.Cluster) -> Cluster:
        return cls(
            pools=[GPUPool._from_api(pool) for pool in model.pools],
            cpu_total=model.cpu.total,
            cpu_allocated=model.cpu.allocated,
            cpu_available=model.cpu.available,
            memory_total=model.memory.total,
            memory_allocated=model.memory.allocated,
            memory_available=model.memory.available,
            cpu_queued=unset_to_none(model.cpu_queued) or 0,
        )

    def pool(self, gpu_type: str) -> GPUPool | None:
        """Return the pool of ``gpu_type``, or None when no such pool exists."""
        return next((pool for pool in self.pools if pool.gpu_type == gpu_type), None)

    def to_dict(self) -> dict[str, Any]:
        """Return the cluster in the API's JSON shape."""
        return {
            "pools": [pool.to_dict() for pool in self.pools],
            "cpu": {
                "total": self.cpu_total,
                "allocated": self.cpu_allocated,
                "available": self.cpu_available,
            },
            "memory": {
                "total": self.memory_total,
                "allocated": self.memory_allocated,
                "available": self.memory_available,
            },
            "cpu_queued": self.cpu_queued,
        }


@dataclass(frozen=True, kw_only=True)
class Identity:
    """The user and API key behind the client's requests.

    Attributes:
        user: The user that owns the API key.
        key_id: The public id of the API key (never the key itself).
        scope: ``read-write`` or ``read-only``.
        server_version: The version of the server software, if the server sends it.
        api_version: The version of the API contract, if the server sends it.
    """

    user: str
    key_id: str
    scope: str
    server_version: str | None = None
    api_version: str | None = None

    @property
    def read_only(self) -> bool:
        """Whether the key may only read (submits, uploads and cancels are refused)."""
        return self.scope == "read-only"

    @classmethod
    def _from_api(cls, model: models.Identity) -> Identity:
        return cls(
            user=model.user,
            key_id=model.key_id,
            scope=model.scope,
            server_version=unset_to_none(model.server_version),
            api_version=unset_to_none(model.api_version),
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the identity in the API's JSON shape."""
        body: dict[str, Any] = {"user": self.user, "key_id": self.key_id, "scope": self.scope}
        if self.server_version is not None:
            body["server_version"] = self.server_version
        if self.api_version is not None:
            body["api_version"] = self.api_version
        return body


@dataclass(frozen=True, kw_only=True)
class DryRunResult:
    """The outcome of ``TrainingJob.submit(dry_run=True)``, which creates nothing.

    Attributes:
        valid: Always True: an invalid request raises `ValidationError` instead.
        fits_now: Whether the job would start at once.
        queue_position: The position the job would take in its pool's queue, when it would queue.
        job: The validated request body, in the API's JSON shape.
    """

    valid: bool
    fits_now: bool
    queue_position: int | None = None
    job: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def _from_api(cls, model: models.DryRunResult) -> DryRunResult:
        return cls(
            valid=model.valid,
            fits_now=model.fits_now,
            queue_position=unset_to_none(model.queue_position),
            job=model.job.to_dict(),
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the result in the API's JSON shape."""
        body: dict[str, Any] = {"valid": self.valid, "fits_now": self.fits_now}
        if self.queue_position is not None:
            body["queue_position"] = self.queue_position
        body["job"] = dict(self.job)
        return body
