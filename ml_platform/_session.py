"""The HTTP layer: the generated client on an httpx client that retries, logs and maps errors.

Every API call goes through the generated functions (``ml_platform_client.api``); this module
only supplies the `httpx.Client` they send with. That client

* retries by the rules of `ml_platform._retry`, with backoff and ``Retry-After``;
* gives a long-poll request (one with a ``wait`` query parameter) a read time-out of its wait
  plus the normal time-out, so the server can hold it that long;
* logs one line per attempt to the ``ml_platform`` logger, never with headers;
* raises the matching `APIStatusError` for an error response before the generated code tries
  to parse it, so a body that is not from this API never reaches the generated parsers.
"""

from __future__ import annotations

import contextlib
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from ml_platform_client import AuthenticatedClient, Client

from ml_platform._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    MLPlatformError,
)
from ml_platform._logging import logger
from ml_platform._problems import ErrorContext, error_from_response
from ml_platform._retry import (
    backoff_delay,
    parse_retry_after,
    retry_delay,
    should_retry_error,
    should_retry_status,
)
from ml_platform._version import __version__

if TYPE_CHECKING:
    from ml_platform_client.types import Response

    from ml_platform._config import ClientConfig

__all__ = ["DEFAULT_CONNECT_TIMEOUT", "Session"]

DEFAULT_CONNECT_TIMEOUT = 10.0
"""Seconds to wait for a TCP (and TLS) connection, capped by the configured time-out."""

_Model = TypeVar("_Model")
_JSON_TYPES = ("application/json", "application/problem+json")


class _ApiKey(str):
    """An API key whose ``repr`` hides it, so the generated client's ``repr`` cannot leak it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'********'"


class RetryingClient(httpx.Client):
    """An `httpx.Client` that retries transient failures, logs requests and raises API errors.

    Args:
        max_retries: Retries after the first attempt.
        timeout_seconds: The normal read time-out; long polls get their wait on top.
        error_factory: Builds the exception for an error response.
        **kwargs: Passed to `httpx.Client`.
    """

    def __init__(
        self,
        *,
        max_retries: int,
        timeout_seconds: float,
        error_factory: Callable[[httpx.Response], APIStatusError],
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._max_retries = max_retries
        self._timeout_seconds = timeout_seconds
        self._error_factory = error_factory

    def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        """Send ``request``, retrying when safe; raise an `APIStatusError` on an error status."""
        self._extend_timeout_for_long_poll(request)
        retries = 0
        while True:
            started = time.monotonic()
            try:
                response = super().send(request, **kwargs)
            except httpx.TransportError as error:
                elapsed_ms = (time.monotonic() - started) * 1000
                logger.info(
                    "%s %s failed after %.0f ms: %s",
                    request.method,
                    request.url.path,
                    elapsed_ms,
                    type(error).__name__,
                )
                if retries >= self._max_retries or not should_retry_error(error, request):
                    raise
                delay = backoff_delay(retries)
                self._log_retry(request, retries, delay, type(error).__name__)
                time.sleep(delay)
                retries += 1
                continue

            elapsed_ms = (time.monotonic() - started) * 1000
            logger.info(
                "%s %s %d %.0f ms request_id=%s",
                request.method,
                request.url.path,
                response.status_code,
                elapsed_ms,
                response.headers.get("X-Request-ID", "-"),
            )
            if retries < self._max_retries and should_retry_status(response.status_code, request):
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                wait = retry_delay(retries, retry_after)
                if wait is not None:
                    response.close()
                    self._log_retry(request, retries, wait, f"HTTP {response.status_code}")
                    time.sleep(wait)
                    retries += 1
                    continue

            self._raise_for_response(response)
            return response

    def _extend_timeout_for_long_poll(self, request: httpx.Request) -> None:
        wait = request.url.params.get("wait", "")
        if wait.isdigit() and int(wait) > 0:
            read = self._timeout_seconds + int(wait)
            connect = min(self._timeout_seconds, DEFAULT_CONNECT_TIMEOUT)
            request.extensions["timeout"] = httpx.Timeout(read, connect=connect).as_dict()

    def _log_retry(self, request: httpx.Request, retries: int, delay: float, reason: str) -> None:
        logger.debug(
            "retrying %s %s in %.2f s (retry %d of %d) after %s",
            request.method,
            request.url.path,
            delay,
            retries + 1,
            self._max_retries,
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


class Session:
    """The generated API client, configured with this SDK's transport, time-outs and errors.

    The httpx client is built on the first request, because building it loads the CA
    certificates (about 0.2 s per client in this project's test runs).

    Args:
        config: The resolved configuration.
        max_retries: Retries after the first attempt.
        verify: TLS verification: True, False, a CA bundle path or an `ssl.SSLContext`.
    """

    def __init__(
        self,
        config: ClientConfig,
        *,
        max_retries: int,
        verify: bool | str | ssl.SSLContext = True,
    ) -> None:
        self.config = config
        self._max_retries = max_retries
        self._verify = verify
        self._lock = threading.Lock()
        self._http: RetryingClient | None = None
        self._api: AuthenticatedClient | Client | None = None
        self._closed = False

    @property
    def http(self) -> RetryingClient:
        """The httpx client that every request goes through."""
        return self._connect()[0]

    @property
    def api(self) -> AuthenticatedClient | Client:
        """The generated client, sending through `http`."""
        return self._connect()[1]

    def _connect(self) -> tuple[RetryingClient, AuthenticatedClient | Client]:
        with self._lock:
            if self._closed:
                raise MLPlatformError(
                    "The client was closed; make a new MLPlatformClient to send requests."
                )
            if self._http is None or self._api is None:
                self._http, self._api = self._build()
            return self._http, self._api

    def _build(self) -> tuple[RetryingClient, AuthenticatedClient | Client]:
        config = self.config
        context = ErrorContext(
            base_url=config.base_url,
            url_source=str(config.sources["base_url"]),
            key_missing=config.api_key is None,
            key_source=None if config.api_key is None else str(config.sources["api_key"]),
            config_file=config.config_file,
        )
        timeout = httpx.Timeout(
            config.timeout, connect=min(config.timeout, DEFAULT_CONNECT_TIMEOUT)
        )
        verify = self._verify
        if isinstance(verify, str):
            verify = ssl.create_default_context(cafile=verify)

        headers = {"User-Agent": f"ml-platform-python/{__version__}"}
        if config.api_key is not None:
            headers["Authorization"] = f"Bearer {config.api_key}"
        http = RetryingClient(
            base_url=config.api_url,
            headers=headers,
            timeout=timeout,
            verify=verify,
            follow_redirects=False,
            max_retries=self._max_retries,
            timeout_seconds=config.timeout,
            error_factory=lambda response: error_from_response(response, context),
        )

        # The httpx client set below replaces the one the generated client would build, so it
        # carries the Authorization header itself (added above).
        api: AuthenticatedClient | Client
        if config.api_key is not None:
            api = AuthenticatedClient(
                base_url=config.api_url,
                token=_ApiKey(config.api_key),
                timeout=timeout,
                verify_ssl=verify,
                raise_on_unexpected_status=False,
            )
        else:
            api = Client(
                base_url=config.api_url,
                timeout=timeout,
                verify_ssl=verify,
                raise_on_unexpected_status=False,
            )
        api.set_httpx_client(http)
        return http, api

    def call(
        self, operation: Callable[..., Response[Any]], expected: type[_Model], **kwargs: Any
    ) -> _Model:
        """Call a generated ``sync_detailed`` function and return its parsed ``expected`` model.

        Raises:
            APIConnectionError: The server could not be reached.
            APIStatusError: The server returned an error status, or a body that does not
                match the API contract.
        """
        with self.translate_errors():
            response = operation(client=self.api, **kwargs)
        parsed = response.parsed
        if not isinstance(parsed, expected):
            raise APIStatusError(
                f"The server returned HTTP {int(response.status_code)} with a body that is not "
                f"the expected {expected.__name__}; check that base_url points at an ML Platform "
                "server whose API version matches this SDK.",
                status_code=int(response.status_code),
                request_id=response.headers.get("X-Request-ID"),
            )
        return parsed

    def call_status(self, operation: Callable[..., Response[Any]], **kwargs: Any) -> int:
        """Call a generated ``sync_detailed`` function that returns no body; return the status."""
        with self.translate_errors():
            response = operation(client=self.api, **kwargs)
        return int(response.status_code)

    @contextlib.contextmanager
    def translate_errors(self) -> Iterator[None]:
        """Turn httpx and parsing exceptions raised inside the block into SDK exceptions."""
        try:
            yield
        except MLPlatformError:
            raise
        except httpx.TimeoutException as error:
            raise APITimeoutError(self._timeout_message(error), url=self._url_of(error)) from error
        except httpx.RequestError as error:
            raise APIConnectionError(
                self._connection_message(error), url=self._url_of(error)
            ) from error
        except (KeyError, TypeError, ValueError) as error:
            raise APIStatusError(
                f"The server's response does not match the ML Platform API contract "
                f"({type(error).__name__}: {error}); check that base_url points at an ML Platform "
                "server whose API version matches this SDK."
            ) from error

    def close(self) -> None:
        """Close the connection pool; later requests raise `MLPlatformError`."""
        with self._lock:
            self._closed = True
            http, self._http, self._api = self._http, None, None
        if http is not None:
            http.close()

    def _url_of(self, error: httpx.RequestError) -> str:
        try:
            url = error.request.url
        except RuntimeError:
            return self.config.base_url
        return str(url.copy_with(query=None, fragment=None, username=None, password=None))

    def _timeout_message(self, error: httpx.TimeoutException) -> str:
        phase = "connecting to" if isinstance(error, httpx.ConnectTimeout) else "waiting for"
        return (
            f"Timed out {phase} {self._url_of(error)} after {self.config.timeout:g} s; check "
            "that the server is up, or raise timeout / ML_PLATFORM_TIMEOUT "
            f"(now from {self.config.sources['timeout']})."
        )

    def _connection_message(self, error: httpx.RequestError) -> str:
        reason = " ".join(str(error).split()) or type(error).__name__
        return (
            f"Could not reach the ML Platform server at {self._url_of(error)} ({reason}); check "
            "that it is running and that base_url or ML_PLATFORM_URL "
            f"(now from {self.config.sources['base_url']}) is right."
        )
