"""When to retry a request and how long to wait first.

A request is retried when retrying cannot do the work twice:

* a connection that failed before anything was sent: always;
* HTTP 429 (rate-limited) and 503 (shutting down), where the server refused before acting: always;
* other lost responses (read errors, time-outs) and HTTP 408, 500, 502 and 504: only for
  idempotent requests, that is GET, HEAD, PUT, OPTIONS and DELETE, and POST with an
  ``Idempotency-Key`` header (every job submit carries one).

Other 4xx responses are never retried. The wait is exponential backoff with jitter, or the
server's ``Retry-After`` when it sends one. A ``Retry-After`` above `MAX_RETRY_AFTER` is not
waited for: the error is raised at once and carries the delay in its ``retry_after``.
"""

from __future__ import annotations

import datetime
import math
import random
from typing import TYPE_CHECKING

from ml_platform._types import parse_http_date

if TYPE_CHECKING:
    import httpx

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "INITIAL_BACKOFF",
    "MAX_BACKOFF",
    "MAX_RETRY_AFTER",
    "backoff_delay",
    "is_idempotent",
    "parse_retry_after",
    "retry_delay",
    "should_retry_error",
    "should_retry_status",
]

DEFAULT_MAX_RETRIES = 2
"""Retries after the first attempt, so a request is sent at most three times by default."""

INITIAL_BACKOFF = 0.5
"""Seconds before the first retry when the server gives no ``Retry-After``."""

MAX_BACKOFF = 8.0
"""The maximum backoff, in seconds, between two attempts."""

MAX_RETRY_AFTER = 60.0
"""The maximum ``Retry-After``, in seconds, that the client waits out by itself."""

_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "OPTIONS", "DELETE"})
_REFUSED_STATUSES = frozenset({429, 503})
_TRANSIENT_STATUSES = frozenset({408, 500, 502, 504})


def is_idempotent(request: httpx.Request) -> bool:
    """Return whether sending ``request`` twice has the same effect as sending it once."""
    return request.method in _IDEMPOTENT_METHODS or "Idempotency-Key" in request.headers


def should_retry_status(status_code: int, request: httpx.Request) -> bool:
    """Return whether a response with ``status_code`` to ``request`` may be retried."""
    if status_code in _REFUSED_STATUSES:
        return True
    return status_code in _TRANSIENT_STATUSES and is_idempotent(request)


def should_retry_error(error: Exception, request: httpx.Request) -> bool:
    """Return whether a request that failed with the transport ``error`` may be retried."""
    import httpx

    if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return True
    return isinstance(error, httpx.TransportError) and is_idempotent(request)


def parse_retry_after(value: str | None) -> float | None:
    """Parse a ``Retry-After`` header (seconds or an HTTP date) into seconds from now.

    Returns:
        The delay in seconds, or None when the header is absent or invalid.
    """
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        moment = parse_http_date(text)
        if moment is None:
            return None
        seconds = (moment - datetime.datetime.now(datetime.UTC)).total_seconds()
    if math.isnan(seconds):
        return None
    return max(0.0, seconds)


def backoff_delay(attempt: int) -> float:
    """Return the delay before retry number ``attempt`` (0-based): exponential with jitter."""
    ceiling = min(MAX_BACKOFF, INITIAL_BACKOFF * 2.0**attempt)
    return ceiling * random.uniform(0.5, 1.0)


def retry_delay(attempt: int, retry_after: float | None) -> float | None:
    """Return the delay before retry ``attempt``, or None when the server asked for too long.

    Args:
        attempt: The number of retries made so far.
        retry_after: The server's ``Retry-After`` in seconds, if it sent one.
    """
    if retry_after is None:
        return backoff_delay(attempt)
    if retry_after > MAX_RETRY_AFTER:
        return None
    # A little jitter on top spreads out clients that received the same Retry-After.
    return retry_after + random.uniform(0.0, 0.1 * max(retry_after, 1.0))
