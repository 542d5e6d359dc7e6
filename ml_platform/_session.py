"""`Session`: the generated client's sync functions on the SDK's `RetryingClient`."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

import httpx

from ml_platform._session_base import SessionBase
from ml_platform._transport import RetryingClient

if TYPE_CHECKING:
    from ml_platform_client import AuthenticatedClient, Client

    from ml_platform._calls import ApiCall

__all__ = ["Session"]

_Model = TypeVar("_Model")


class Session(SessionBase[RetryingClient]):
    """The generated API client, sending with this SDK's transport, time-outs and errors."""

    _http_type = RetryingClient

    def _attach(
        self, api: AuthenticatedClient | Client, http: RetryingClient
    ) -> AuthenticatedClient | Client:
        return api.set_httpx_client(http)

    def call(self, call: ApiCall[_Model]) -> _Model:
        """Send ``call`` with the generated ``sync_detailed`` function; return its model.

        Raises:
            APIConnectionError: The server could not be reached.
            APIStatusError: The server returned an error status, or a body that does not
                match the API contract.
        """
        return self.call_detailed(call)[0]

    def call_detailed(self, call: ApiCall[_Model]) -> tuple[_Model, httpx.Headers]:
        """Send ``call`` like `call` and return its model and the response headers."""
        assert call.expected is not None  # calls without a body go through call_status
        with self.translate_errors():
            response = call.operation.sync_detailed(client=self.api, **call.arguments)
        return self.parsed(response, call.expected), httpx.Headers(response.headers)

    def call_status(self, call: ApiCall[None]) -> int:
        """Send a ``call`` whose response has no body and return the HTTP status."""
        with self.translate_errors():
            response = call.operation.sync_detailed(client=self.api, **call.arguments)
        return int(response.status_code)

    def put_bytes(self, path: str, data: bytes) -> None:
        """PUT ``data`` as ``application/octet-stream`` to ``path`` below the API root."""
        with self.translate_errors():
            self.http.put(path, content=data, headers={"Content-Type": "application/octet-stream"})

    def close(self) -> None:
        """Close the connection pool; later requests raise `MLPlatformError`."""
        http = self._detach()
        if http is not None:
            http.close()
