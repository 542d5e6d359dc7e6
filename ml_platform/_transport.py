"""The httpx clients under the generated client: retries, long-poll time-outs, logging, errors.

`RetryingClient` (an `httpx.Client`) and `AsyncRetryingClient` (an `httpx.AsyncClient`) run
the same loop, one with `time.sleep` and one with `asyncio.sleep`. Every decision in it is
made by a shared `TransportPolicy`:

* retries by the rules of `ml_platform._retry`, with backoff and jitter, and the server's
  ``Retry-After`` up to `ml_platform._retry.MAX_RETRY_AFTER`;
* a long-poll request (one with a ``wait`` query parameter) gets a read time-out of its wait
  plus the normal time-out, so the server can hold it that long;
* one log line per attempt to the ``ml_platform`` logger, never with headers;
* an error response raises the matching `APIStatusError` before the generated code tries to
  parse it, so a body that is not from this API never reaches the generated parsers.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx

from ml_platform._exceptions import APIStatusError
from ml_platform._logging import logger
from ml_platform._retry import (
    backoff_delay,
    parse_retry_after,
    retry_delay,
    should_retry_error,
    should_retry_status,
)

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "AsyncRetryingClient",
    "RetryingClient",
    "TransportPolicy",
]

DEFAULT_CONNECT_TIMEOUT = 10.0
"""Seconds to wait for a TCP (and TLS) connection, capped by the configured time-out."""

CANCEL_ALLOWANCE_SECONDS = 120.0
"""Seconds added to the read time-out of a cancel, which returns once the job has ended.

The reference server waits its grace period (10 s by default) between SIGTERM and SIGKILL, so
a server configured with a grace period above this makes cancels time out on the client.
"""

_JSON_TYPES = ("application/json", "application/problem+json")


class TransportPolicy:
    """The retry, time-out, logging and error decisions of both httpx clients.

    Args:
        max_retries: Retries after the first attempt.
        timeout_seconds: The normal read time-out; long polls get their wait on top.
        error_factory: Builds the exception for an error response.
    """

    def __init__(
        self,
        *,
        max_retries: int,
        timeout_seconds: float,
        error_factory: Callable[[httpx.Response], APIStatusError],
    ) -> None:
        self.max_retries = max_retries
        self.timeout_seconds = timeout_seconds
        self._error_factory = error_factory

    def prepare(self, request: httpx.Request) -> None:
        """Give long polls and cancels a read time-out longer than the server may hold them."""
        wait = request.url.params.get("wait", "")
        extra = 0.0
        if wait.isdigit() and int(wait) > 0:
            extra = int(wait)
        elif request.method == "POST" and request.url.path.endswith("/cancel"):
            # The server answers a cancel once the job has ended, up to its grace period later.
            extra = CANCEL_ALLOWANCE_SECONDS
        if extra:
            read = self.timeout_seconds + extra
            connect = min(self.timeout_seconds, DEFAULT_CONNECT_TIMEOUT)
            request.extensions["timeout"] = httpx.Timeout(read, connect=connect).as_dict()

    def delay_after_error(
        self, request: httpx.Request, error: httpx.TransportError, retries: int, started: float
    ) -> float | None:
        """Log a failed attempt and return the delay before the next one, or None to raise.

        Args:
            request: The request that failed.
            error: The transport error it failed with.
            retries: The retries made so far.
            started: The `time.monotonic` reading when the attempt started.
        """
        logger.info(
            "%s %s failed after %.0f ms: %s",
            request.method,
            request.url.path,
            (time.monotonic() - started) * 1000,
            type(error).__name__,
        )
        if retries >= self.max_retries or not should_retry_error(error, request):
            return None
        delay = backoff_delay(retries)
        self._log_retry(request, retries, delay, type(error).__name__)
        return delay

    def delay_after_response(
        self, request: httpx.Request, response: httpx.Response, retries: int, started: float
    ) -> float | None:
        """Log an attempt that got a response; return the delay before a retry, or None to keep it.

        Raises:
            APIStatusError: The response is final and is an error, or a success whose body is
                not JSON.
        """
        logger.info(
            "%s %s %d %.0f ms request_id=%s",
            request.method,
            request.url.path,
            response.status_code,
            (time.monotonic() - started) * 1000,
            response.headers.get("X-Request-ID", "-"),
        )
        if retries < self.max_retries and should_retry_status(response.status_code, request):
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            delay = retry_delay(retries, retry_after)
            if delay is not None:
                self._log_retry(request, retries, delay, f"HTTP {response.status_code}")
                return delay

        self._raise_for_response(response)
        return None

    def _log_retry(self, request: httpx.Request, retries: int, delay: float, reason: str) -> None:
        logger.debug(
            "retrying %s %s in %.2f s (retry %d of %d) after %s",
            request.method,
            request.url.path,
            delay,
            retries + 1,
            self.max_retries,
            reason,
        )

    def _raise_for_response(self, response: httpx.Response) -> None:
        method = response.request.method
        if response.status_code < 300:
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
            if method == "HEAD" or not response.content or content_type in _JSON_TYPES:
                return
            raise self._error_factory(response)
        # The server returns 404 to a HEAD request to mean "not stored", which the caller handles.
        if method == "HEAD" and response.status_code == 404:
            return
        raise self._error_factory(response)


class RetryingClient(httpx.Client):
    """An `httpx.Client` that retries transient failures, logs requests and raises API errors.

    Args:
        policy: The decisions shared with `AsyncRetryingClient`.
        **kwargs: Passed to `httpx.Client`.
    """

    def __init__(self, *, policy: TransportPolicy, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.policy = policy

    def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        """Send ``request``, retrying when safe; raise an `APIStatusError` on an error status."""
        self.policy.prepare(request)
        retries = 0
        while True:
            started = time.monotonic()
            try:
                response = super().send(request, **kwargs)
            except httpx.TransportError as error:
                delay = self.policy.delay_after_error(request, error, retries, started)
                if delay is None:
                    raise
            else:
                delay = self.policy.delay_after_response(request, response, retries, started)
                if delay is None:
                    return response
                response.close()
            time.sleep(delay)
            retries += 1


class AsyncRetryingClient(httpx.AsyncClient):
    """An `httpx.AsyncClient` with the retries, logging and errors of `RetryingClient`.

    Args:
        policy: The decisions shared with `RetryingClient`.
        **kwargs: Passed to `httpx.AsyncClient`.
    """

    def __init__(self, *, policy: TransportPolicy, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.policy = policy

    async def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        """Send ``request``, retrying when safe; raise an `APIStatusError` on an error status."""
        self.policy.prepare(request)
        retries = 0
        while True:
            started = time.monotonic()
            try:
                response = await super().send(request, **kwargs)
            except httpx.TransportError as error:
                delay = self.policy.delay_after_error(request, error, retries, started)
                if delay is None:
                    raise
            else:
                delay = self.policy.delay_after_response(request, response, retries, started)
                if delay is None:
                    return response
                await response.aclose()
            await asyncio.sleep(delay)
            retries += 1
