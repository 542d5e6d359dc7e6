"""The objects one server process shares between its handlers."""

from __future__ import annotations

from dataclasses import dataclass

from ._auth import Authenticator
from ._config import ServerConfig
from ._events import ChangeFeed
from ._jobs import JobService
from ._scheduler import Scheduler
from ._storage import Storage


@dataclass(frozen=True)
class AppContext:
    """Settings, storage and services of a running server."""

    config: ServerConfig
    storage: Storage
    scheduler: Scheduler
    feed: ChangeFeed
    service: JobService
    authenticator: Authenticator
    api_version: str
