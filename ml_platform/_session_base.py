"""The shared part of the sync and async sessions: settings, lazy clients, errors, parsing.

Every API call goes through the generated functions (``ml_platform_client.api``). A session
only supplies the httpx client they send with (see `ml_platform._transport`), and it turns
what goes wrong into SDK exceptions. `Session` serves `MLPlatformClient`, and `AsyncSession`
serves `AsyncMLPlatformClient`.
"""

from __future__ import annotations

import contextlib
import os
import ssl
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import httpx
from ml_platform_client import AuthenticatedClient, Client

from ml_platform._exceptions import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    MLPlatformError,
)
from ml_platform._problems import ErrorContext, error_from_response
from ml_platform._transport import DEFAULT_CONNECT_TIMEOUT, TransportPolicy
from ml_platform._version import __version__

if TYPE_CHECKING:
    from ml_platform_client.types import Response

    from ml_platform._config import ClientConfig

__all__ = ["SessionBase"]

_Model = TypeVar("_Model")
_Http = TypeVar("_Http", bound="httpx.Client | httpx.AsyncClient")


class _ApiKey(str):
    """An API key whose ``repr`` hides it, so the generated client's ``repr`` cannot leak it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'********'"


class SessionBase(Generic[_Http]):
    """The parts of a session that do not send: settings, the lazy clients and errors.

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
        self._closed = False
        self._http: _Http | None = None
        self._api: AuthenticatedClient | Client | None = None

    _http_type: ClassVar[type[Any]]
    """The httpx client class to build: `RetryingClient` or `AsyncRetryingClient`."""

    @property
    def http(self) -> _Http:
        """The httpx client that every request goes through."""
        return self._connect()[0]

    @property
    def api(self) -> AuthenticatedClient | Client:
        """The generated client, sending through `http`."""
        return self._connect()[1]

    def _connect(self) -> tuple[_Http, AuthenticatedClient | Client]:
        # The async session builds here too: nothing in this block awaits, so the lock is
        # never held across a suspension point.
        with self._lock:
            if self._closed:
                raise MLPlatformError("The client was closed; make a new client to send requests.")
            if self._http is None or self._api is None:
                settings = self._http_settings()
                http: _Http = self._http_type(**settings)
                self._http, self._api = http, self._attach(self._api_client(settings), http)
            return self._http, self._api

    def _attach(
        self, api: AuthenticatedClient | Client, http: _Http
    ) -> AuthenticatedClient | Client:
        """Make the generated client send through ``http``."""
        raise NotImplementedError

    def _detach(self) -> _Http | None:
        """Mark the session closed and return its httpx client, if one was built."""
        with self._lock:
            self._closed = True
            http, self._http, self._api = self._http, None, None
        return http

    def _http_settings(self) -> dict[str, Any]:
        """Return the keyword arguments of the SDK's httpx client, sync or async."""
        config = self.config
        context = ErrorContext(
            base_url=config.base_url,
            url_source=str(config.sources["base_url"]),
            key_missing=config.api_key is None,
            key_source=None if config.api_key is None else str(config.sources["api_key"]),
            config_file=config.config_file,
        )
        headers = {"User-Agent": f"ml-platform-python/{__version__}"}
        if config.api_key is not None:
            headers["Authorization"] = f"Bearer {config.api_key}"
        policy = TransportPolicy(
            max_retries=self._max_retries,
            timeout_seconds=config.timeout,
            error_factory=lambda response: error_from_response(response, context),
        )
        return {
            "base_url": config.api_url,
            "headers": headers,
            "timeout": self._timeout(),
            "verify": self._ssl_verify(),
            "follow_redirects": False,
            "policy": policy,
        }

    def _api_client(self, settings: dict[str, Any]) -> AuthenticatedClient | Client:
        """Return the generated client; the caller sets the httpx client it sends with.

        That httpx client replaces the one the generated client would build, so it carries
        the Authorization header itself (see `_http_settings`).
        """
        config = self.config
        common: dict[str, Any] = {
            "base_url": config.api_url,
            "timeout": settings["timeout"],
            "verify_ssl": settings["verify"],
            "raise_on_unexpected_status": False,
        }
        if config.api_key is not None:
            return AuthenticatedClient(token=_ApiKey(config.api_key), **common)
        return Client(**common)

    def _timeout(self) -> httpx.Timeout:
        timeout = self.config.timeout
        return httpx.Timeout(timeout, connect=min(timeout, DEFAULT_CONNECT_TIMEOUT))

    def _ssl_verify(self) -> bool | ssl.SSLContext:
        if isinstance(self._verify, str):
            return ssl.create_default_context(cafile=self._verify)
        if self._verify is True and _plain_http_without_proxy(self.config.api_url):
            # No TLS handshake happens on a plain-http URL, so skip loading the CA bundle, which
            # costs tens of milliseconds. The context still requires a verified certificate, so
            # an unexpected handshake fails closed.
            return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        return self._verify

    @staticmethod
    def parsed(response: Response[Any], expected: type[_Model]) -> _Model:
        """Return the parsed body of a generated ``Response`` when it is an ``expected`` model.

        Raises:
            APIStatusError: The body does not match the API contract.
        """
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
        if self.config.sources["base_url"].kind == "default":
            return (
                f"Could not reach the ML Platform server at {self._url_of(error)} ({reason}), "
                "the default address, because no URL is configured; set base_url or "
                "ML_PLATFORM_URL, or save a profile with `mlp init`."
            )
        return (
            f"Could not reach the ML Platform server at {self._url_of(error)} ({reason}); check "
            "that it is running and that base_url or ML_PLATFORM_URL "
            f"(now from {self.config.sources['base_url']}) is right."
        )


def _plain_http_without_proxy(url: str) -> bool:
    """Return whether requests to ``url`` go over plain HTTP with no proxy that might use TLS."""
    if not url.startswith("http://"):
        return False
    proxy_variables = ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")
    return not any(os.environ.get(name) for name in proxy_variables)
