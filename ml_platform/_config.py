"""Client configuration: where the URL, API key and time-out come from, and saving profiles.

Each setting is taken from the first of these that sets it:

1. the `MLPlatformClient` parameter (``base_url``, ``api_key``, ``timeout``, ``profile``,
   ``config_file``);
2. the environment: ``ML_PLATFORM_URL``, ``ML_PLATFORM_API_KEY``, ``ML_PLATFORM_TIMEOUT``,
   ``ML_PLATFORM_PROFILE``, ``ML_PLATFORM_CONFIG``;
3. the selected profile of the config file (``ML_PLATFORM_CONFIG`` or
   ``~/.mlplatform/config.yaml``), shaped as::

       default_profile: dev
       profiles:
         dev:
           url: http://127.0.0.1:8000
           api_key: mlp_...
           timeout: 30

   The profile is the ``profile`` parameter, else ``ML_PLATFORM_PROFILE``, else the file's
   ``default_profile``, else a profile named ``default`` when there is one;
4. the defaults: `DEFAULT_BASE_URL` and `DEFAULT_TIMEOUT`; there is no default API key.

`ClientConfig.sources` records where each value came from.
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import os
import urllib.parse
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ml_platform._config_file import (
    read_config_file,
    warn_if_readable_by_others,
    write_private_file,
)
from ml_platform._exceptions import ConfigError

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_CONFIG_FILE",
    "DEFAULT_TIMEOUT",
    "ClientConfig",
    "ConfigSource",
    "InsecureTransportWarning",
    "display_url",
    "mask_api_key",
    "resolve_config",
    "save_profile",
]

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
"""A reference server on this machine, at the port `mlp-server` binds by default."""

DEFAULT_TIMEOUT = 30.0
"""Seconds to wait for a response; long-poll requests get their wait time on top of it."""

DEFAULT_CONFIG_FILE = Path("~") / ".mlplatform" / "config.yaml"
"""The config file read when neither ``config_file`` nor ``ML_PLATFORM_CONFIG`` names one."""

ENV_API_KEY = "ML_PLATFORM_API_KEY"
ENV_URL = "ML_PLATFORM_URL"
ENV_TIMEOUT = "ML_PLATFORM_TIMEOUT"
ENV_PROFILE = "ML_PLATFORM_PROFILE"
ENV_CONFIG = "ML_PLATFORM_CONFIG"

API_PREFIX = "/api/v1"
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


class InsecureTransportWarning(UserWarning):
    """An API key is about to be sent without TLS to a host other than this machine."""


@dataclass(frozen=True)
class ConfigSource:
    """The origin of one configuration value.

    Attributes:
        kind: ``parameter``, ``environment``, ``config file`` or ``default``.
        detail: The parameter name, the environment variable, or the profile and file.
    """

    kind: Literal["parameter", "environment", "config file", "default"]
    detail: str = ""

    def __str__(self) -> str:
        if self.kind == "parameter":
            return f"the {self.detail} parameter"
        if self.kind == "environment":
            return f"the environment variable {self.detail}"
        if self.kind == "config file":
            return self.detail
        return "the default"


@dataclass(frozen=True, kw_only=True)
class ClientConfig:
    """The resolved configuration of a client, with the source of each value.

    The API key is never shown by ``repr`` or `describe`.

    Attributes:
        base_url: The server root URL, without ``/api/v1``.
        api_key: The API key, or None when none is configured.
        timeout: Seconds to wait for a response.
        profile: The selected config-file profile, or None.
        config_file: The config file that was consulted (it may not exist).
        sources: For each of ``base_url``, ``api_key``, ``timeout``, ``profile`` and
            ``config_file``, where its value came from.

    Example:
        >>> with MLPlatformClient(base_url="http://127.0.0.1:8000") as local:
        ...     print(local.config.sources["base_url"])
        ...     print(local.config.sources["timeout"].kind)
        the base_url parameter
        default
    """

    base_url: str
    api_key: str | None = field(repr=False)
    timeout: float
    profile: str | None
    config_file: Path
    sources: Mapping[str, ConfigSource] = field(repr=False)

    def __repr__(self) -> str:
        return (
            f"ClientConfig(base_url={self.base_url!r}, api_key={mask_api_key(self.api_key)!r}, "
            f"timeout={self.timeout!r}, profile={self.profile!r}, "
            f"config_file={str(self.config_file)!r})"
        )

    @property
    def api_url(self) -> str:
        """The URL that API paths are relative to: `base_url` plus ``/api/v1``."""
        return self.base_url + API_PREFIX

    def describe(self) -> str:
        """Return one line per setting with its value (the key masked) and its source."""
        values = {
            "base_url": self.base_url,
            "api_key": mask_api_key(self.api_key),
            "timeout": f"{self.timeout:g}",
            "profile": self.profile or "(none)",
            "config_file": str(self.config_file),
        }
        return "\n".join(
            f"{name} = {value}  ({self.sources[name]})" for name, value in values.items()
        )


def mask_api_key(api_key: str | None) -> str:
    """Return a stand-in for an API key that reveals nothing about it."""
    return "(not set)" if api_key is None else "********"


def display_url(url: str) -> str:
    """Return ``url`` without user name, password, query or fragment, safe to show in messages."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def resolve_config(
    api_key: str | None = None,
    base_url: str | None = None,
    *,
    profile: str | None = None,
    config_file: str | os.PathLike[str] | None = None,
    timeout: float | None = None,
    environ: Mapping[str, str] | None = None,
) -> ClientConfig:
    """Resolve the client configuration from parameters, environment, config file and defaults.

    Args:
        api_key: The API key; takes precedence over every other source.
        base_url: The server root URL, for example ``http://127.0.0.1:8000``.
        profile: The config-file profile to use.
        config_file: The config file to read instead of ``~/.mlplatform/config.yaml``.
        timeout: Seconds to wait for a response.
        environ: The environment to read; `os.environ` when None.

    Returns:
        The resolved configuration with the source of each value.

    Raises:
        ConfigError: A value is invalid, the named config file is missing or malformed, or
            the selected profile does not exist.
    """
    env = os.environ if environ is None else environ
    sources: dict[str, ConfigSource] = {}

    path, sources["config_file"] = _pick_config_file(config_file, env)
    explicit_file = sources["config_file"].kind != "default"
    profiles, default_profile = _load_profiles(path, required=explicit_file)

    profile_name, sources["profile"] = _pick_profile(profile, env, profiles, default_profile)
    if profile_name is not None and profile_name not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        raise ConfigError(
            f"Profile {profile_name!r} (from {sources['profile']}) is not in {path} "
            f"(profiles there: {known}); create it with `mlp init --profile {profile_name}` "
            "or select an existing profile."
        )
    settings = profiles.get(profile_name, {}) if profile_name is not None else {}
    profile_source = ConfigSource("config file", f"profile {profile_name!r} in {path}")

    raw_url, sources["base_url"] = _pick(
        base_url, "base_url", env, ENV_URL, settings.get("url"), profile_source, DEFAULT_BASE_URL
    )
    raw_key, sources["api_key"] = _pick(
        api_key, "api_key", env, ENV_API_KEY, settings.get("api_key"), profile_source, None
    )
    raw_timeout, sources["timeout"] = _pick(
        timeout,
        "timeout",
        env,
        ENV_TIMEOUT,
        settings.get("timeout"),
        profile_source,
        DEFAULT_TIMEOUT,
    )

    config = ClientConfig(
        base_url=_parse_url(raw_url, sources["base_url"]),
        api_key=_parse_api_key(raw_key, sources["api_key"]),
        timeout=_parse_timeout(raw_timeout, sources["timeout"]),
        profile=profile_name,
        config_file=path,
        sources=sources,
    )
    if config.api_key is not None:
        _warn_if_key_sent_in_clear(config.base_url)
        warn_if_readable_by_others(path, profiles)
    return config


def save_profile(
    name: str,
    *,
    url: str | None = None,
    api_key: str | None = None,
    timeout: float | None = None,
    make_default: bool = False,
    config_file: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Path:
    """Create or update one profile in the config file, keeping every other profile.

    The file is written to a temporary file in the same directory and renamed over the old
    one, so readers never see a half-written file. It is created readable and writable by
    its owner only (mode 0600, directory 0700). On Windows these modes are a no-op: protect
    the file with the folder's access control instead.

    Args:
        name: The profile to create or update.
        url: The server root URL to store; None keeps the stored value.
        api_key: The API key to store; None keeps the stored value.
        timeout: Seconds to wait for a response; None keeps the stored value.
        make_default: Also make this profile the file's ``default_profile``.
        config_file: The file to write; ``ML_PLATFORM_CONFIG`` or ``~/.mlplatform/config.yaml``
            when None.
        environ: The environment to read; `os.environ` when None.

    Returns:
        The path of the written file.

    Raises:
        ConfigError: A value is invalid or the existing file is malformed.
    """
    env = os.environ if environ is None else environ
    path, _ = _pick_config_file(config_file, env)
    profiles, default_profile = _load_profiles(path, required=False)

    _check_profile_name(name)
    entry = dict(profiles.get(name, {}))
    given = ConfigSource("parameter", "save_profile")
    if url is not None:
        entry["url"] = _parse_url(url, given)
    if api_key is not None:
        entry["api_key"] = _parse_api_key(api_key, given)
    if timeout is not None:
        entry["timeout"] = _parse_timeout(timeout, given)
    profiles[name] = entry
    if make_default or default_profile is None:
        default_profile = name

    document: dict[str, Any] = {"default_profile": default_profile, "profiles": profiles}
    write_private_file(path, document)
    return path


def _pick_config_file(
    config_file: str | os.PathLike[str] | None, env: Mapping[str, str]
) -> tuple[Path, ConfigSource]:
    if config_file is not None:
        return Path(config_file).expanduser(), ConfigSource("parameter", "config_file")
    if env.get(ENV_CONFIG):
        return Path(env[ENV_CONFIG]).expanduser(), ConfigSource("environment", ENV_CONFIG)
    home = env.get("HOME")
    base = Path(home) if home else Path.home()
    return base / DEFAULT_CONFIG_FILE.relative_to("~"), ConfigSource("default")


def _load_profiles(path: Path, *, required: bool) -> tuple[dict[str, dict[str, Any]], str | None]:
    content = read_config_file(path)
    if content is not None:
        return content
    if required:
        raise ConfigError(
            f"Config file {path} does not exist; create it with `mlp init` or point "
            f"config_file / {ENV_CONFIG} at an existing file."
        )
    return {}, None


def _pick_profile(
    profile: str | None,
    env: Mapping[str, str],
    profiles: Mapping[str, object],
    default_profile: str | None,
) -> tuple[str | None, ConfigSource]:
    if profile is not None:
        return profile, ConfigSource("parameter", "profile")
    if env.get(ENV_PROFILE):
        return env[ENV_PROFILE], ConfigSource("environment", ENV_PROFILE)
    if default_profile is not None:
        return default_profile, ConfigSource("config file", "default_profile of the config file")
    if "default" in profiles:
        return "default", ConfigSource("config file", "the profile named 'default'")
    return None, ConfigSource("default")


def _pick(
    parameter: object,
    parameter_name: str,
    env: Mapping[str, str],
    env_name: str,
    profile_value: object,
    profile_source: ConfigSource,
    default: object,
) -> tuple[object, ConfigSource]:
    if parameter is not None:
        return parameter, ConfigSource("parameter", parameter_name)
    if env.get(env_name):
        return env[env_name], ConfigSource("environment", env_name)
    if profile_value is not None:
        return profile_value, profile_source
    return default, ConfigSource("default")


def _parse_url(value: object, source: ConfigSource) -> str:
    text = value.strip() if isinstance(value, str) else ""
    parts = urllib.parse.urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        shown = display_url(text) if text else repr(value)
        raise ConfigError(
            f"Invalid server URL {shown} (from {source}): expected an http:// or https:// URL "
            f"of the server root such as {DEFAULT_BASE_URL}; set base_url or {ENV_URL}."
        )
    if parts.query or parts.fragment:
        raise ConfigError(
            f"Invalid server URL {display_url(text)} (from {source}): remove its query string "
            f"or fragment and give the server root such as {DEFAULT_BASE_URL}."
        )
    root = text.rstrip("/")
    if root.endswith(API_PREFIX):
        root = root[: -len(API_PREFIX)]
    return root


def _parse_api_key(value: object, source: ConfigSource) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(
            f"Invalid API key from {source}: expected a string, not {type(value).__name__}."
        )
    key = value.strip()
    invalid = not key.isascii() or not key.isprintable() or any(char.isspace() for char in key)
    if not key or invalid:
        raise ConfigError(
            f"Invalid API key from {source}: it is empty or contains spaces, control or "
            "non-ASCII characters; copy the whole key as printed by `mlp-server keys create`."
        )
    return key


def _parse_timeout(value: object, source: ConfigSource) -> float:
    seconds = math.nan
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str):
        with contextlib.suppress(ValueError):
            seconds = float(value.strip())
    if not math.isfinite(seconds) or seconds <= 0:
        raise ConfigError(
            f"Invalid timeout {value!r} (from {source}): expected a positive number of "
            f"seconds such as {DEFAULT_TIMEOUT:g}; set timeout or {ENV_TIMEOUT}."
        )
    return seconds


def _check_profile_name(name: str) -> None:
    if not isinstance(name, str) or not name or not name.isprintable() or name != name.strip():
        raise ConfigError(
            f"Invalid profile name {name!r}: expected a non-empty name without leading or "
            "trailing spaces, for example 'dev'."
        )


def is_loopback_host(host: str) -> bool:
    """Return whether ``host`` names this machine (``localhost``, 127.0.0.0/8 or ``::1``)."""
    name = host.strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _warn_if_key_sent_in_clear(base_url: str) -> None:
    parts = urllib.parse.urlsplit(base_url)
    if parts.scheme == "http" and not is_loopback_host(parts.hostname or ""):
        warnings.warn(
            f"The API key will be sent without encryption to {display_url(base_url)}; "
            "use an https:// URL for any server that is not on this machine.",
            InsecureTransportWarning,
            stacklevel=4,
        )
