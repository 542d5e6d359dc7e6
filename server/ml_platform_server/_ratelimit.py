"""Per-key token bucket rate limiting."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Allow ``rate`` requests per second per key, with bursts of ``2 * rate``.

    Args:
        rate: Requests per second per key; 0 disables limiting.
        clock: A monotonic clock in seconds, replaceable in tests.
    """

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.capacity = 2 * rate
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def acquire(self, key_id: str) -> int:
        """Take one token for ``key_id``.

        Returns:
            0 when the request may proceed, else the whole seconds to wait (at least 1).
        """
        if self.rate <= 0:
            return 0
        now = self._clock()
        bucket = self._buckets.get(key_id)
        if bucket is None:
            bucket = self._buckets[key_id] = _Bucket(tokens=self.capacity, updated=now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0
        return max(1, math.ceil((1 - bucket.tokens) / self.rate))
