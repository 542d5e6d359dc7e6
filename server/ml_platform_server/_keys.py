"""API keys: creation, hashing and lookup.

A key is ``mlp_`` followed by 40 random URL-safe characters (240 bits from
:func:`secrets.token_urlsafe`). Only its SHA-256 hash is stored. A fast,
unsalted hash is enough here because the keys are random and long: unlike a
password, a 240-bit key cannot be guessed from a stolen hash by trying
likely values, so a slow password hash would only add latency to every
request.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from ._records import READ_ONLY, READ_WRITE, KeyRecord
from ._storage import Storage
from ._timeutil import now_ms

KEY_PREFIX = "mlp_"
KEY_PATTERN = re.compile(r"^mlp_[A-Za-z0-9_-]{40}$")
USER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


@dataclass(frozen=True)
class CreatedKey:
    """A new key and its stored record. The key is shown once and never stored."""

    key: str
    record: KeyRecord

    def __repr__(self) -> str:
        return f"CreatedKey(key_id={self.record.key_id!r}, key='mlp_***')"


def hash_key(key: str) -> str:
    """Return the hex SHA-256 hash of a key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(
    storage: Storage, *, user: str, read_only: bool = False, name: str | None = None
) -> CreatedKey:
    """Create, store and return a new API key for ``user``.

    Raises:
        ValueError: ``user`` is not a valid user name.
    """
    if not USER_PATTERN.match(user):
        raise ValueError(
            f"user name {user!r} is invalid; use 1 to 64 letters, digits or '._@-', "
            "starting with a letter or digit"
        )
    key = KEY_PREFIX + secrets.token_urlsafe(30)
    record = KeyRecord(
        key_id="key_" + secrets.token_hex(6),
        user=user,
        scope=READ_ONLY if read_only else READ_WRITE,
        name=name,
        key_hash=hash_key(key),
        created_ms=now_ms(),
    )
    storage.add_key(record)
    return CreatedKey(key=key, record=record)


def lookup_key(storage: Storage, key: str) -> KeyRecord | None:
    """Return the active key record for a presented key, or ``None`` when rejected."""
    if not KEY_PATTERN.match(key):
        return None
    record = storage.find_key_by_hash(hash_key(key))
    if record is None or record.revoked_ms is not None:
        return None
    return record
