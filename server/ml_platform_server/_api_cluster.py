"""Handlers of the ``cluster`` operations: the caller's identity and the pools."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from ._auth import Principal
from ._context import AppContext
from ._serialize import json_response
from ._version import __version__


class ClusterApi:
    """Handlers for ``/whoami`` and ``/pools``."""

    def __init__(self, context: AppContext) -> None:
        self.context = context

    async def whoami(self, token_info: dict[str, Any]) -> Response:
        """Describe the caller's API key."""
        principal = Principal.from_token_info(token_info)
        return json_response(
            {
                "user": principal.user,
                "key_id": principal.key_id,
                "scope": principal.scope,
                "server_version": __version__,
                "api_version": self.context.api_version,
            }
        )

    async def list_pools(self, token_info: dict[str, Any]) -> Response:
        """Describe the GPU pools and the CPU and memory budget."""
        Principal.from_token_info(token_info)
        return json_response(self.context.scheduler.cluster_state())
