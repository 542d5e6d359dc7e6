"""Tests of API keys and rate limiting."""

from __future__ import annotations

from pathlib import Path

import pytest
from ml_platform_server._keys import KEY_PATTERN, create_key, hash_key, lookup_key
from ml_platform_server._ratelimit import RateLimiter
from ml_platform_server._sqlite import SqliteStorage


def test_created_key_is_stored_as_hash_only(tmp_path: Path) -> None:
    storage = SqliteStorage(tmp_path)

    created = create_key(storage, user="ana", read_only=True, name="ci")

    assert KEY_PATTERN.match(created.key)
    assert created.key not in repr(created)
    record = storage.list_keys()[0]
    assert record.key_hash == hash_key(created.key)
    assert created.key not in repr(record)
    assert record.scope == "read-only"
    database = (tmp_path / "mlp.sqlite3").read_bytes() + (tmp_path / "mlp.sqlite3-wal").read_bytes()
    assert created.key.encode() not in database


def test_revoked_and_unknown_keys_are_rejected(tmp_path: Path) -> None:
    storage = SqliteStorage(tmp_path)
    created = create_key(storage, user="ana")

    assert lookup_key(storage, created.key) is not None
    assert lookup_key(storage, created.key[:-1] + "x") is None
    storage.revoke_key(created.record.key_id, 1)
    assert lookup_key(storage, created.key) is None


def test_invalid_user_name_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="user name"):
        create_key(SqliteStorage(tmp_path), user="bad user")


def test_rate_limiter_allows_burst_then_refills() -> None:
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])

    results = [limiter.acquire("k") for _ in range(5)]
    now[0] = 0.5
    after_refill = limiter.acquire("k")

    assert results == [0, 0, 0, 0, 1]
    assert after_refill == 0
    assert limiter.acquire("other") == 0


def test_rate_limiter_zero_disables() -> None:
    limiter = RateLimiter(0)

    assert all(limiter.acquire("k") == 0 for _ in range(1000))
