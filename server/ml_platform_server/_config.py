"""Server settings, with their defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ._archives import DEFAULT_MAX_FILES, DEFAULT_MAX_UNPACKED_BYTES, DEFAULT_MAX_UPLOAD_BYTES
from ._pools import ClusterConfig

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_GRACE_PERIOD = 10.0
DEFAULT_RATE_LIMIT = 20.0
DEFAULT_MAX_WAIT = 30.0
MAX_WAIT_LIMIT = 30.0


@dataclass(frozen=True, kw_only=True)
class ServerConfig:
    """Settings of one server process."""

    data_dir: Path
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    cluster: ClusterConfig = field(default_factory=ClusterConfig)
    dev: bool = False
    grace_period: float = DEFAULT_GRACE_PERIOD
    rate_limit: float = DEFAULT_RATE_LIMIT
    max_wait: float = DEFAULT_MAX_WAIT
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES
    max_files: int = DEFAULT_MAX_FILES
    log_level: str = "info"
