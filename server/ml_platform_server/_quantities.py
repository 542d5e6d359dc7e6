"""Kubernetes-style memory quantities (``512Mi``, ``16Gi``, ``1.5G``) and CPU amounts.

Memory is counted in bytes and CPU in millicores inside the server, so the
scheduler adds and compares integers only.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

MEMORY_PATTERN = re.compile(r"^([0-9]{1,7}(?:\.[0-9]{1,3})?)(Ki|Mi|Gi|Ti|k|M|G|T)?$")

_UNITS = {
    None: 1,
    "k": 1000,
    "M": 1000**2,
    "G": 1000**3,
    "T": 1000**4,
    "Ki": 1024,
    "Mi": 1024**2,
    "Gi": 1024**3,
    "Ti": 1024**4,
}
_FORMAT_UNITS = (
    ("Ti", 1024**4),
    ("Gi", 1024**3),
    ("Mi", 1024**2),
    ("T", 1000**4),
    ("G", 1000**3),
    ("M", 1000**2),
    ("Ki", 1024),
    ("k", 1000),
)


def parse_memory(text: str) -> int | None:
    """Parse a memory quantity into bytes (rounded up), or ``None`` when invalid."""
    match = MEMORY_PATTERN.match(text)
    if match is None:
        return None
    try:
        number = Decimal(match.group(1))
    except InvalidOperation:
        return None
    return math.ceil(number * _UNITS[match.group(2)])


def format_memory(num_bytes: int) -> str:
    """Format bytes with the first unit that divides them exactly, such as ``16Gi`` or ``1500M``."""
    if num_bytes <= 0:
        return "0"
    for suffix, factor in _FORMAT_UNITS:
        if num_bytes % factor == 0:
            return f"{num_bytes // factor}{suffix}"
    return str(num_bytes)


def cpu_to_millicores(cores: float) -> int:
    """Convert cores to millicores, rounding up so a request never gets less than it asked."""
    return math.ceil(Decimal(str(cores)) * 1000)


def millicores_to_cpu(millicores: int) -> float | int:
    """Convert millicores to cores, as an integer when whole."""
    if millicores % 1000 == 0:
        return millicores // 1000
    return millicores / 1000
