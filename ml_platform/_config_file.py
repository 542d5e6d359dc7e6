"""Reading, checking and atomically writing the YAML config file of client profiles."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ml_platform._exceptions import ConfigError

__all__ = ["PROFILE_KEYS", "read_config_file", "warn_if_readable_by_others", "write_private_file"]

PROFILE_KEYS = ("url", "api_key", "timeout")


def read_config_file(path: Path) -> tuple[dict[str, dict[str, Any]], str | None] | None:
    """Read and check a config file.

    Returns:
        The profiles and the default profile name, or None when the file does not exist.

    Raises:
        ConfigError: The file cannot be read or does not have the expected shape.
    """
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(
            f"Config file {path} could not be read ({err}); fix its permissions or encoding."
        ) from err

    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ConfigError(
            f"Config file {path} is not valid YAML ({_one_line(err)}); fix the syntax or "
            "recreate it with `mlp init`."
        ) from err
    return _check_document(document, path)


def _check_document(document: object, path: Path) -> tuple[dict[str, dict[str, Any]], str | None]:
    if document is None:
        return {}, None
    if not isinstance(document, dict):
        raise ConfigError(
            f"Config file {path} must contain a mapping with `default_profile` and `profiles`, "
            f"not a {type(document).__name__}; recreate it with `mlp init`."
        )
    unknown = sorted(str(key) for key in document if key not in ("default_profile", "profiles"))
    if unknown:
        raise ConfigError(
            f"Config file {path} has unknown top-level keys {unknown}; "
            "expected only `default_profile` and `profiles`."
        )

    default_profile = document.get("default_profile")
    if default_profile is not None and not isinstance(default_profile, str):
        raise ConfigError(
            f"Config file {path} has default_profile={default_profile!r}; expected a profile name."
        )

    raw_profiles = document.get("profiles") or {}
    if not isinstance(raw_profiles, dict):
        raise ConfigError(
            f"Config file {path} has `profiles` of type {type(raw_profiles).__name__}; "
            "expected a mapping from profile name to settings."
        )
    profiles: dict[str, dict[str, Any]] = {}
    for name, settings in raw_profiles.items():
        if settings is None:
            settings = {}
        if not isinstance(settings, dict):
            raise ConfigError(
                f"Profile {name!r} in {path} must be a mapping with keys {list(PROFILE_KEYS)}."
            )
        extra = sorted(str(key) for key in settings if key not in PROFILE_KEYS)
        if extra:
            raise ConfigError(
                f"Profile {name!r} in {path} has unknown keys {extra}; "
                f"the known keys are {list(PROFILE_KEYS)}."
            )
        profiles[str(name)] = dict(settings)
    return profiles, default_profile


def warn_if_readable_by_others(path: Path, profiles: Mapping[str, Mapping[str, Any]]) -> None:
    """Warn when a config file that contains an API key is accessible by other users."""
    if sys.platform == "win32" or not any("api_key" in entry for entry in profiles.values()):
        return
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        warnings.warn(
            f"Config file {path} holds an API key and is accessible by other users "
            f"(mode {stat.S_IMODE(mode):04o}); run `chmod 600 {path}`.",
            UserWarning,
            stacklevel=4,
        )


def write_private_file(path: Path, document: Mapping[str, Any]) -> None:
    """Write ``document`` as YAML to ``path`` atomically, readable by its owner only."""
    import yaml

    text = yaml.safe_dump(dict(document), default_flow_style=False, sort_keys=False)
    directory = path.parent
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)

    # mkstemp creates the file with mode 0600, so the key is never readable by others.
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())
