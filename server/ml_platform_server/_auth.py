"""Bearer authentication and per-key rate limiting for Connexion's security layer.

The spec's ``bearerAuth`` scheme is checked by Connexion's
``BearerSecurityHandler``; this module gives it a token-info function bound
to the server's key store. The function returns the caller's identity, which
Connexion passes to handlers as ``token_info``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connexion.security import BearerSecurityHandler

from . import _problems as problems
from ._keys import lookup_key
from ._problems import ApiProblem
from ._ratelimit import RateLimiter
from ._records import READ_ONLY
from ._storage import Storage


@dataclass(frozen=True)
class Principal:
    """The authenticated caller."""

    user: str
    key_id: str
    scope: str

    @classmethod
    def from_token_info(cls, token_info: dict[str, Any]) -> Principal:
        """Rebuild the principal from Connexion's ``token_info``."""
        return cls(user=token_info["sub"], key_id=token_info["key_id"], scope=token_info["scope"])

    def require_write(self) -> None:
        """Raise ``forbidden`` when the key is read-only.

        Raises:
            ApiProblem: The key's scope is ``read-only``.
        """
        if self.scope == READ_ONLY:
            raise ApiProblem(
                problems.FORBIDDEN,
                f"API key {self.key_id} is read-only and cannot change anything; "
                "use a read-write key from 'mlp-server keys create'",
            )


class Authenticator:
    """Check bearer keys against storage and apply the per-key rate limit.

    Args:
        storage: The key store.
        limiter: The per-key rate limiter.
    """

    def __init__(self, storage: Storage, limiter: RateLimiter) -> None:
        self.storage = storage
        self.limiter = limiter

    def token_info(self, token: str) -> dict[str, Any]:
        """Return the identity behind a key (Connexion's bearer info function).

        Raises:
            ApiProblem: The key is unknown or revoked (401), or over its rate (429).
        """
        record = lookup_key(self.storage, token.strip())
        if record is None:
            raise ApiProblem(
                problems.UNAUTHENTICATED,
                "the API key was rejected because it is unknown or revoked; "
                "create a new one with 'mlp-server keys create'",
            )
        retry_after = self.limiter.acquire(record.key_id)
        if retry_after:
            raise ApiProblem(
                problems.RATE_LIMITED,
                f"API key {record.key_id} sent more than {self.limiter.rate:g} requests per "
                f"second; retry after {retry_after} s",
                retry_after=retry_after,
                headers={"Retry-After": str(retry_after)},
            )
        return {"sub": record.user, "key_id": record.key_id, "scope": record.scope}

    def security_handler(self) -> type[BearerSecurityHandler]:
        """Return a bearer handler class that uses :meth:`token_info`."""
        authenticator = self

        class _BearerHandler(BearerSecurityHandler):
            def _resolve_func(self, security_scheme: dict[str, Any]) -> Any:
                return authenticator.token_info

        return _BearerHandler
