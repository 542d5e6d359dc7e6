"""Read the JSON Lines metrics file that a job appends to.

Each line is ``{"timestamp": "...Z", "epoch": 1, "step": 10, "values": {"loss": 0.5}}``.
``epoch`` and ``step`` are optional. A value is a JSON number or one of the
strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"``, which is how non-finite
floats are stored and returned.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from ._records import MetricPoint
from ._timeutil import parse_timestamp

NON_FINITE_STRINGS = frozenset({"NaN", "Infinity", "-Infinity"})
MAX_LINE_BYTES = 64 * 1024
MAX_READ_BYTES = 4 * 1024 * 1024
MAX_VALUES_PER_LINE = 256
_MAX_INTEGER = 2**63 - 1


def encode_metric_value(value: Any) -> float | int | str | None:
    """Return a storable metric value, or ``None`` when the value is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value if value in NON_FINITE_STRINGS else None
    if isinstance(value, int):
        if abs(value) <= _MAX_INTEGER:
            return value
        value = float(value) if abs(value) < 10**308 else math.inf
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    return None


def _counter(value: Any) -> tuple[bool, int | None]:
    if value is None:
        return True, None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_INTEGER:
        return False, None
    return True, value


def parse_metric_line(line: str, *, default_ms: int) -> MetricPoint | None:
    """Parse one metrics line, or return ``None`` when it is malformed.

    Args:
        line: One line of the file, without its newline.
        default_ms: The timestamp to use when the line has none.
    """
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("values"), dict):
        return None
    raw_values: dict[Any, Any] = record["values"]
    if not raw_values or len(raw_values) > MAX_VALUES_PER_LINE:
        return None

    values: dict[str, Any] = {}
    for name, raw in raw_values.items():
        encoded = encode_metric_value(raw)
        if encoded is None or not name or len(name) > 128:
            return None
        values[name] = encoded

    timestamp_ms = default_ms
    if "timestamp" in record:
        if not isinstance(record["timestamp"], str):
            return None
        parsed = parse_timestamp(record["timestamp"])
        if parsed is None:
            return None
        timestamp_ms = parsed

    epoch_ok, epoch = _counter(record.get("epoch"))
    step_ok, step = _counter(record.get("step"))
    if not (epoch_ok and step_ok):
        return None
    return MetricPoint(timestamp_ms=timestamp_ms, values=values, epoch=epoch, step=step)


class MetricsTail:
    """Follow a metrics file from where the previous read stopped.

    Args:
        path: The file the job appends to; it may not exist yet.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._offset = 0
        self._partial = b""
        self.malformed_lines = 0

    def read(self, *, now_ms: int, final: bool = False) -> list[MetricPoint]:
        """Return the points of the lines completed since the last read.

        Reads at most :data:`MAX_READ_BYTES` per call while the job runs, and
        everything that is left once it has ended.

        Args:
            now_ms: The timestamp for lines without one.
            final: The job has ended, so a last line without a newline counts too.
        """
        points: list[MetricPoint] = []
        while True:
            data = self._read_chunk()
            points.extend(self._parse(data, now_ms=now_ms))
            if not final or len(data) < MAX_READ_BYTES:
                break
        if final and self._partial:
            points.extend(self._parse_lines([self._partial], now_ms=now_ms))
            self._partial = b""
        return points

    def _read_chunk(self) -> bytes:
        try:
            with self.path.open("rb") as handle:
                handle.seek(self._offset)
                data = handle.read(MAX_READ_BYTES)
        except OSError:
            return b""
        self._offset += len(data)
        return data

    def _parse(self, data: bytes, *, now_ms: int) -> list[MetricPoint]:
        if not data:
            return []
        *complete, self._partial = (self._partial + data).split(b"\n")
        if len(self._partial) > MAX_LINE_BYTES:
            self._partial = b""
            self.malformed_lines += 1
        return self._parse_lines(complete, now_ms=now_ms)

    def _parse_lines(self, lines: list[bytes], *, now_ms: int) -> list[MetricPoint]:
        points: list[MetricPoint] = []
        for raw in lines:
            if not raw.strip():
                continue
            point = None
            if len(raw) <= MAX_LINE_BYTES:
                point = parse_metric_line(raw.decode("utf-8", errors="replace"), default_ms=now_ms)
            if point is None:
                self.malformed_lines += 1
            else:
                points.append(point)
        return points
