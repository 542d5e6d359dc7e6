"""`Resources` (the resources a job requests) and `JobStatus` (the stage of a job's life)."""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ml_platform._exceptions import ValidationError

__all__ = ["JobStatus", "Resources"]

# Bounds and patterns mirror the `Resources` schema of the API contract (openapi.yaml).
MIN_CPU = 0.1
MAX_CPU = 256.0
MAX_GPU = 64
MAX_MEMORY_LENGTH = 16
MAX_GPU_TYPE_LENGTH = 32
_MEMORY_PATTERN = re.compile(r"^(?P<number>[0-9]{1,7}(\.[0-9]{1,3})?)(Ki|Mi|Gi|Ti|k|M|G|T)?$")
_GPU_TYPE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class JobStatus(enum.StrEnum):
    """The status of a training job.

    The server may add statuses in later versions; a value this SDK does not know becomes
    `JobStatus.UNKNOWN` instead of an error.

    Example:
        >>> JobStatus("RUNNING").is_final
        False
        >>> JobStatus("PAUSED")
        <JobStatus.UNKNOWN: 'UNKNOWN'>
    """

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    UNKNOWN = "UNKNOWN"

    @classmethod
    def _missing_(cls, value: object) -> JobStatus:
        return cls.UNKNOWN

    @property
    def is_final(self) -> bool:
        """Whether the job has ended and its status can no longer change."""
        return self in _FINAL_STATUSES


_FINAL_STATUSES = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})


@dataclass(frozen=True, kw_only=True)
class Resources:
    """The resources a job needs: CPU cores and memory from the budget, GPUs from one pool.

    Values are checked when the object is made, with the same bounds the server applies.

    Args:
        cpu: CPU cores, from 0.1 to 256.
        memory: A Kubernetes-style quantity such as ``"512Mi"`` or ``"16Gi"``.
        gpu: The number of GPUs, from 0 to 64.
        gpu_type: The GPU pool, for example ``"t4"``; required when ``gpu`` is above 0.

    Raises:
        ValidationError: A value is out of range or malformed; the message names the fix.

    Example:
        >>> Resources(gpu=2, gpu_type="t4")
        Resources(cpu=1.0, memory='2Gi', gpu=2, gpu_type='t4')
    """

    cpu: float = 1.0
    memory: str = "2Gi"
    gpu: int = 0
    gpu_type: str | None = None

    def __post_init__(self) -> None:
        _check_cpu(self.cpu)
        _check_memory(self.memory)
        _check_gpu(self.gpu, self.gpu_type)

    def to_dict(self) -> dict[str, Any]:
        """Return the resources in the API's JSON shape, leaving out an unset `gpu_type`."""
        body: dict[str, Any] = {"cpu": self.cpu, "memory": self.memory, "gpu": self.gpu}
        if self.gpu_type is not None:
            body["gpu_type"] = self.gpu_type
        return body

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Resources:
        """Make resources from the API's JSON shape; absent fields take their defaults.

        Raises:
            ValidationError: A value is out of range or malformed.
        """
        return cls(
            cpu=data.get("cpu", 1.0),
            memory=data.get("memory", "2Gi"),
            gpu=data.get("gpu", 0),
            gpu_type=data.get("gpu_type"),
        )

    def to_code(self) -> str:
        """Return Python source that makes these resources, naming only non-default fields.

        Example:
            >>> Resources(gpu=2, gpu_type="t4").to_code()
            'Resources(gpu=2, gpu_type="t4")'
        """
        return render_resources_code(self.to_dict())


def render_resources_code(data: Mapping[str, Any]) -> str:
    """Render a resources mapping as a ``Resources(...)`` call with non-default fields only."""
    defaults: dict[str, Any] = {"cpu": 1.0, "memory": "2Gi", "gpu": 0, "gpu_type": None}
    arguments = []
    for name, default in defaults.items():
        value = data.get(name, default)
        if value is None or value == default:
            continue
        rendered = f'"{value}"' if isinstance(value, str) else repr(value)
        arguments.append(f"{name}={rendered}")
    return f"Resources({', '.join(arguments)})"


def _check_cpu(cpu: object) -> None:
    if (
        isinstance(cpu, int | float)
        and not isinstance(cpu, bool)
        and math.isfinite(cpu)
        and MIN_CPU <= cpu <= MAX_CPU
    ):
        return
    raise ValidationError(
        f"Invalid cpu={cpu!r}: expected a number of cores from {MIN_CPU} to {MAX_CPU:g}, "
        "for example Resources(cpu=4).",
        field="resources.cpu",
    )


def _check_memory(memory: object) -> None:
    if not isinstance(memory, str) or len(memory) > MAX_MEMORY_LENGTH:
        match = None
    else:
        match = _MEMORY_PATTERN.match(memory)
    if match is None:
        raise ValidationError(
            f"Invalid memory={memory!r}: expected a Kubernetes-style quantity such as "
            '"512Mi" or "16Gi", for example Resources(memory="16Gi").',
            field="resources.memory",
        )

    if float(match["number"]) == 0:
        raise ValidationError(
            f"Invalid memory={memory!r}: a job needs more than zero memory; "
            'ask for a quantity such as Resources(memory="2Gi").',
            field="resources.memory",
        )


def _check_gpu(gpu: object, gpu_type: object) -> None:
    if not isinstance(gpu, int) or isinstance(gpu, bool) or not 0 <= gpu <= MAX_GPU:
        raise ValidationError(
            f"Invalid gpu={gpu!r}: expected a whole number of GPUs from 0 to {MAX_GPU}, "
            'for example Resources(gpu=1, gpu_type="t4").',
            field="resources.gpu",
        )
    if gpu_type is not None:
        valid_type = (
            isinstance(gpu_type, str)
            and len(gpu_type) <= MAX_GPU_TYPE_LENGTH
            and _GPU_TYPE_PATTERN.match(gpu_type) is not None
        )
        if not valid_type:
            raise ValidationError(
                f"Invalid gpu_type={gpu_type!r}: expected a pool name of lowercase letters, "
                'digits, "-" and "_" such as "t4"; client.pools() lists the pools that exist.',
                field="resources.gpu_type",
            )
    if gpu > 0 and gpu_type is None:
        raise ValidationError(
            f"Resources(gpu={gpu}) needs a gpu_type: pass for example "
            f'Resources(gpu={gpu}, gpu_type="t4"); client.pools() lists the pools that exist.',
            field="resources.gpu_type",
        )
