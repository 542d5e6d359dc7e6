"""The text of ``mlp --version``: local package versions, and the server's when it responds.

Package versions come from installed metadata, which imports neither the SDK nor the generated
client. The server line needs more only when a server is configured: its address is first
tried with a plain TCP connection, and only when something listens there is the SDK imported to
ask ``whoami`` for the server and API versions. So with nothing configured, or with a server
that is down, ``--version`` imports neither httpx nor the generated client and returns at once
for a loopback address.
"""

from __future__ import annotations

import os
import socket
import urllib.parse
from importlib import metadata
from pathlib import Path

_PACKAGES = (
    ("ml-platform", "SDK and mlp command line"),
    ("ml-platform-client", "generated API client"),
)

CONNECT_TIMEOUT = 1.0
"""Seconds to wait for a TCP connection to the configured server."""

REQUEST_TIMEOUT = 2.0
"""Seconds to wait for the server's response to ``whoami``."""


def _installed_version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def _config_file() -> Path:
    if os.environ.get("ML_PLATFORM_CONFIG"):
        return Path(os.environ["ML_PLATFORM_CONFIG"]).expanduser()
    return Path(os.environ.get("HOME") or Path.home()) / ".mlplatform" / "config.yaml"


def _display_url(url: str) -> str:
    """Return ``url`` without user name, password, query or fragment, safe to print."""
    parts = urllib.parse.urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))


def _accepts_connections(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    if not parts.hostname:
        return False
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=CONNECT_TIMEOUT):
            return True
    except OSError:
        return False


def _ask_server(url: str, profile: str | None) -> str:
    """Return the server line from ``whoami``, or why the versions are unknown."""
    from ml_platform import AuthenticationError, MLPlatformClient, MLPlatformError

    safe_url = _display_url(url)
    try:
        with MLPlatformClient(
            base_url=url, profile=profile, timeout=REQUEST_TIMEOUT, max_retries=0
        ) as client:
            identity = client.whoami()
    except AuthenticationError:
        return (
            f"server: reachable at {safe_url}, but no accepted API key is configured, so its "
            "version is unknown"
        )
    except MLPlatformError as error:
        return f"server: no answer from {safe_url} ({type(error).__name__})"

    server = identity.server_version or "unknown"
    api = identity.api_version or "unknown"
    return f"server: ml-platform-server {server}, API {api}, at {safe_url}"


def server_line(url: str | None, profile: str | None) -> str:
    """Return the line about the configured server for ``mlp --version``.

    The server is the one ``--url``, ``ML_PLATFORM_URL`` or the config file names. The SDK is
    imported only to read an existing config file or to ask a server that accepts connections.

    Args:
        url: The ``--url`` option, or None.
        profile: The ``--profile`` option, or None.
    """
    configured = url or os.environ.get("ML_PLATFORM_URL")
    if not configured:
        if not _config_file().is_file():
            return "server: not configured; run mlp init or set ML_PLATFORM_URL"

        from ml_platform import ConfigError
        from ml_platform._config import resolve_config

        try:
            configured = resolve_config(profile=profile).base_url
        except ConfigError as error:
            return f"server: unknown, because the configuration is invalid: {error}"

    if not _accepts_connections(configured):
        return f"server: not reachable at {_display_url(configured)}"
    return _ask_server(configured, profile)


def version_text(*, url: str | None = None, profile: str | None = None) -> str:
    """Return one line per installed package, then one about the configured server.

    Args:
        url: The ``--url`` option, or None.
        profile: The ``--profile`` option, or None.
    """
    lines = [f"{name} {_installed_version(name)} ({role})" for name, role in _PACKAGES]
    lines.append(server_line(url, profile))
    return "\n".join(lines)
