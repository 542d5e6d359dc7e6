"""UTC timestamps: integer milliseconds inside, ISO 8601 with ``Z`` outside."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now_ms() -> int:
    """Return the current time in milliseconds since the Unix epoch."""
    return time.time_ns() // 1_000_000


def format_ms(epoch_ms: int) -> str:
    """Format epoch milliseconds as ``2024-01-02T03:04:05.678Z``."""
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"


def parse_timestamp(text: str) -> int | None:
    """Parse an ISO 8601 timestamp into epoch milliseconds, or ``None`` when invalid.

    A timestamp without a zone is taken as UTC.
    """
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)
