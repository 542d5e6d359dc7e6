"""Checks and normalization of a job submission beyond the JSON schema."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from . import _problems as problems
from ._archives import normalize_member_path
from ._problems import ApiProblem, validation_error
from ._quantities import cpu_to_millicores, parse_memory
from ._records import CodeArchiveRecord
from ._scheduler import Demand

ENV_NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
RESERVED_ENV_PREFIX = "ML_PLATFORM_"
RESERVED_ENV_NAMES = frozenset({"CUDA_VISIBLE_DEVICES", "PYTHONUNBUFFERED"})
DEFAULT_CPU = 1
DEFAULT_MEMORY = "2Gi"


def canonical_body_hash(body: dict[str, Any]) -> str:
    """Hash a request body independently of key order and whitespace."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalize_resources(raw: dict[str, Any] | None) -> dict[str, Any]:
    """Fill in the defaults of ``resources``: 1 CPU, 2Gi of memory, no GPU."""
    raw = raw or {}
    resources: dict[str, Any] = {
        "cpu": raw.get("cpu", DEFAULT_CPU),
        "memory": raw.get("memory", DEFAULT_MEMORY),
        "gpu": raw.get("gpu", 0),
    }
    if raw.get("gpu_type") is not None:
        resources["gpu_type"] = raw["gpu_type"]
    return resources


def demand_of(resources: dict[str, Any]) -> Demand:
    """Convert normalized resources to the scheduler's integer units.

    Raises:
        ApiProblem: The memory quantity cannot be parsed.
    """
    memory = parse_memory(str(resources["memory"]))
    if memory is None:
        raise validation_error(
            "resources.memory",
            f"memory {resources['memory']!r} is not a quantity; use for example '512Mi' or '16Gi'",
        )
    return Demand(
        gpu=int(resources["gpu"]),
        gpu_type=resources.get("gpu_type"),
        cpu_millicores=cpu_to_millicores(resources["cpu"]),
        memory_bytes=memory,
    )


def check_environment(environment: dict[str, str]) -> None:
    """Reject environment names and values the job may not set.

    Raises:
        ApiProblem: A name is invalid or reserved, or a value contains NUL.
    """
    for name, value in environment.items():
        field = f"environment.{name}"
        if not ENV_NAME_PATTERN.match(name):
            raise validation_error(
                field,
                f"environment variable name {name!r} is invalid; use letters, digits and "
                "underscores, not starting with a digit",
            )
        if name.startswith(RESERVED_ENV_PREFIX) or name in RESERVED_ENV_NAMES:
            raise validation_error(
                field,
                f"environment variable {name!r} is set by the platform; choose another name "
                f"(names starting with {RESERVED_ENV_PREFIX}, CUDA_VISIBLE_DEVICES and "
                "PYTHONUNBUFFERED are reserved)",
            )
        if "\x00" in value:
            raise validation_error(
                field,
                f"the value of environment variable {name!r} contains a NUL character; remove it",
            )


def find_code_archive(archive: CodeArchiveRecord | None, digest: str) -> CodeArchiveRecord:
    """Return the archive, or raise ``code-not-found`` when the user never uploaded it.

    Raises:
        ApiProblem: The archive is missing.
    """
    if archive is None:
        raise ApiProblem(
            problems.CODE_NOT_FOUND,
            f"no code archive with digest {digest} was uploaded by this user; "
            f"upload it first with PUT /api/v1/code/{digest}",
            code_digest=digest,
        )
    return archive


def normalize_script(script: str, archive: CodeArchiveRecord) -> str:
    """Return the script's path inside the archive.

    Raises:
        ApiProblem: The path leaves the archive or is not a regular file in it.
    """
    normalized = normalize_member_path(script)
    if normalized is None or normalized == ".":
        raise validation_error(
            "script",
            f"script {script[:200]!r} must be a relative path inside the uploaded directory, "
            "without '..'; pass for example 'train.py'",
        )
    if normalized not in set(archive.files):
        raise validation_error(
            "script",
            f"script {script[:200]!r} is not a regular file in code archive "
            f"{archive.digest[:12]}...; check the path relative to the uploaded directory",
        )
    return normalized
