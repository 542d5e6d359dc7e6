"""`AsyncSession`: the generated client's asyncio functions on the SDK's `httpx.AsyncClient`."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

import httpx

from ml_platform._session_base import SessionBase
from ml_platform._transport import AsyncRetryingClient

if TYPE_CHECKING:
    from ml_platform_client import AuthenticatedClient, Client

    from ml_platform._calls import ApiCall

__all__ = ["AsyncSession"]

_Model = TypeVar("_Model")


class AsyncSession(SessionBase[AsyncRetryingClient]):
    """The generated API client on an `AsyncRetryingClient`, for `AsyncMLPlatformClient`.

    The httpx client is built on the first request. It belongs to the event loop that sends
    that request, as every `httpx.AsyncClient` does.
    """

    _http_type = AsyncRetryingClient

    def _attach(
        self, api: AuthenticatedClient | Client, http: AsyncRetryingClient
    ) -> AuthenticatedClient | Client:
        return api.set_async_httpx_client(http)

    async def call(self, call: ApiCall[_Model]) -> _Model:
        """Send ``call`` with the generated ``asyncio_detailed`` function; return its model.

        Raises:
            APIConnectionError: The server could not be reached.
            APIStatusError: The server returned an error status, or a body that does not
                match the API contract.
        """
        return (await self.call_detailed(call))[0]

    async def call_detailed(self, call: ApiCall[_Model]) -> tuple[_Model, httpx.Headers]:
        """Send ``call`` like `call` and return its model and the response headers."""
        assert call.expected is not None  # calls without a body go through call_status
        with self.translate_errors():
            response = await call.operation.asyncio_detailed(client=self.api, **call.arguments)
        return self.parsed(response, call.expected), httpx.Headers(response.headers)

    async def call_status(self, call: ApiCall[None]) -> int:
        """Send a ``call`` whose response has no body and return the HTTP status."""
        with self.translate_errors():
            response = await call.operation.asyncio_detailed(client=self.api, **call.arguments)
        return int(response.status_code)

    async def put_bytes(self, path: str, data: bytes) -> None:
        """PUT ``data`` as ``application/octet-stream`` to ``path`` below the API root."""
        with self.translate_errors():
            await self.http.put(
                path, content=data, headers={"Content-Type": "application/octet-stream"}
            )

    async def aclose(self) -> None:
        """Close the connection pool; later requests raise `MLPlatformError`."""
        http = self._detach()
        if http is not None:
            await http.aclose()
