"""Rendering capacity problems: the server's alternatives as code, and what is free."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ml_platform._resources import render_resources_code

__all__ = [
    "WAIT_FOR_CAPACITY_CODE",
    "describe_available",
    "join_or",
    "list_of",
    "mapping_of",
    "render_alternatives",
]

WAIT_FOR_CAPACITY_CODE = "submit(wait_for_capacity=True)"


def mapping_of(value: object) -> dict[str, Any]:
    """Return ``value`` as a dict, or an empty dict when it is not a mapping."""
    return dict(value) if isinstance(value, Mapping) else {}


def list_of(value: object) -> Sequence[object]:
    """Return ``value`` when it is a list, else an empty list."""
    return value if isinstance(value, list) else []


def render_alternatives(value: object) -> list[str]:
    """Render the server's alternatives as code a caller can paste."""
    rendered: list[str] = []
    for item in list_of(value):
        alternative = mapping_of(item)
        resources = alternative.get("resources")
        if alternative.get("kind") == "wait_for_capacity":
            code = WAIT_FOR_CAPACITY_CODE
        elif isinstance(resources, Mapping):
            code = render_resources_code(resources)
        else:
            continue
        if code not in rendered:
            rendered.append(code)
    return rendered


def describe_available(available: Mapping[str, Any]) -> str:
    """Describe what is free, for example ``only 2 t4 GPUs and 8 CPU cores are free``."""
    parts = []
    if isinstance(available.get("gpu"), int):
        pool = f" {available['gpu_type']}" if available.get("gpu_type") else ""
        parts.append(f"{available['gpu']}{pool} GPUs")
    if isinstance(available.get("cpu"), int | float):
        parts.append(f"{available['cpu']:g} CPU cores")
    if isinstance(available.get("memory"), str):
        parts.append(f"{available['memory']} memory")
    free = join_and(parts) or "less than that"
    queued = available.get("queued")
    queue_text = f" with {queued} jobs queued ahead" if isinstance(queued, int) and queued else ""
    return f"only {free} are free{queue_text}"


def join_or(items: Sequence[str]) -> str:
    """Join ``items`` as ``a, b or c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def join_and(items: Sequence[str]) -> str:
    """Join ``items`` as ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
