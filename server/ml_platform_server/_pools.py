"""GPU pools and the CPU and memory budget, loaded from YAML or defaulted.

A pools file looks like::

    pools: {t4: 8, v100: 4, a100: 2}
    cpu: 32
    memory: 128Gi
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ._quantities import cpu_to_millicores, format_memory, parse_memory

POOL_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
MAX_POOL_NAME_LENGTH = 32
MAX_GPUS_PER_POOL = 4096
DEFAULT_POOLS: dict[str, int] = {"t4": 8, "v100": 4, "a100": 2}
DEFAULT_CPU = 32
DEFAULT_MEMORY = "128Gi"


class PoolsFileError(ValueError):
    """A pools file that cannot be read or is invalid."""


@dataclass(frozen=True)
class ClusterConfig:
    """The simulated cluster: GPUs per pool, CPU millicores and memory bytes."""

    pools: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_POOLS))
    cpu_millicores: int = DEFAULT_CPU * 1000
    memory_bytes: int = 128 * 1024**3

    @property
    def gpu_types(self) -> list[str]:
        """The pool names, sorted."""
        return sorted(self.pools)


def load_cluster_config(path: Path | None) -> ClusterConfig:
    """Load the cluster from a pools file, or return the defaults when ``path`` is ``None``.

    Raises:
        PoolsFileError: The file cannot be read or does not match the format.
    """
    if path is None:
        return ClusterConfig()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise PoolsFileError(
            f"cannot read pools file {str(path)!r} ({err.__class__.__name__}: {err}); "
            "pass a readable UTF-8 YAML file to --pools"
        ) from err
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as err:
        problem = str(err).splitlines()[0] if str(err) else "syntax error"
        raise PoolsFileError(
            f"pools file {str(path)!r} is not valid YAML ({problem}); "
            "fix the syntax, for example 'pools: {t4: 2}'"
        ) from err
    return parse_cluster_document(document, source=str(path))


def parse_cluster_document(document: Any, *, source: str) -> ClusterConfig:
    """Validate a parsed pools document strictly and build the cluster from it.

    Raises:
        PoolsFileError: A key is unknown or a value is invalid.
    """
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise PoolsFileError(
            f"pools file {source!r} must be a mapping with the keys pools, cpu and memory, "
            f"not {type(document).__name__}; write for example 'pools: {{t4: 2}}'"
        )
    unknown = sorted(str(key) for key in document if key not in {"pools", "cpu", "memory"})
    if unknown:
        raise PoolsFileError(
            f"pools file {source!r} has unknown key {unknown[0]!r}; "
            "use only the keys pools, cpu and memory"
        )

    pools = _parse_pools(document.get("pools", DEFAULT_POOLS), source)
    cpu_millicores = _parse_cpu(document.get("cpu", DEFAULT_CPU), source)
    memory_bytes = _parse_memory(document.get("memory", DEFAULT_MEMORY), source)
    return ClusterConfig(pools=pools, cpu_millicores=cpu_millicores, memory_bytes=memory_bytes)


def _parse_pools(value: Any, source: str) -> dict[str, int]:
    if not isinstance(value, dict):
        raise PoolsFileError(
            f"'pools' in {source!r} must be a mapping of GPU type to GPU count, "
            f"not {value!r}; write for example 'pools: {{t4: 2, v100: 1}}'"
        )
    pools: dict[str, int] = {}
    for name, count in value.items():
        if (
            not isinstance(name, str)
            or len(name) > MAX_POOL_NAME_LENGTH
            or not POOL_NAME_PATTERN.match(name)
        ):
            raise PoolsFileError(
                f"pool name {name!r} in {source!r} is invalid; use up to "
                f"{MAX_POOL_NAME_LENGTH} characters matching {POOL_NAME_PATTERN.pattern}"
            )
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise PoolsFileError(
                f"GPU count {count!r} of pool {name!r} in {source!r} is invalid; "
                "use a whole number of 0 or more"
            )
        if count > MAX_GPUS_PER_POOL:
            raise PoolsFileError(
                f"GPU count {count} of pool {name!r} in {source!r} is above the maximum of "
                f"{MAX_GPUS_PER_POOL}; use a smaller count"
            )
        pools[name] = count
    return pools


def _parse_cpu(value: Any, source: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise PoolsFileError(
            f"'cpu' {value!r} in {source!r} is invalid; use a number of cores of 0 or more, "
            "for example 'cpu: 32'"
        )
    if value > 1_000_000:
        raise PoolsFileError(
            f"'cpu' {value!r} in {source!r} is above the maximum of 1000000 cores; "
            "use a smaller number"
        )
    return cpu_to_millicores(value)


def _parse_memory(value: Any, source: str) -> int:
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    parsed = parse_memory(text) if isinstance(text, str) else None
    if parsed is None:
        raise PoolsFileError(
            f"'memory' {value!r} in {source!r} is invalid; use a quantity such as "
            "'128Gi' or '512Mi'"
        )
    return parsed


def describe_cluster(config: ClusterConfig) -> str:
    """Describe the cluster in one line for the start-up log."""
    pools = ", ".join(f"{name}: {count}" for name, count in sorted(config.pools.items()))
    return (
        f"pools {{{pools}}}, cpu {config.cpu_millicores / 1000:g}, "
        f"memory {format_memory(config.memory_bytes)}"
    )
