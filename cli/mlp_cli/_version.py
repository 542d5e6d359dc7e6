"""The text of ``mlp --version``, read from installed package metadata.

Reading metadata imports neither the SDK nor the generated client, so ``--version`` stays fast.
"""

from __future__ import annotations

from importlib import metadata

_PACKAGES = (
    ("ml-platform", "SDK and mlp command line"),
    ("ml-platform-client", "generated API client"),
)


def _installed_version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def version_text() -> str:
    """Return one line per package: its distribution name, version and role."""
    # TODO: also print the server's API version, from `whoami`, when a server is reachable.
    return "\n".join(f"{name} {_installed_version(name)} ({role})" for name, role in _PACKAGES)
