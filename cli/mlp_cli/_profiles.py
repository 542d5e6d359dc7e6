"""The config file of profiles, as ``mlp init`` and ``mlp config`` read and write it.

Reading, checking and the atomic owner-only write are the SDK's (``ml_platform._config`` and
``ml_platform._config_file``), so ``mlp`` and the SDK agree on the file. This module adds what
the commands share: which file and which profile a command works on, and the warnings about
environment variables that override what is written.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

ENV_CONFIG = "ML_PLATFORM_CONFIG"
ENV_PROFILE = "ML_PLATFORM_PROFILE"
DEFAULT_PROFILE_NAME = "default"
"""The profile ``mlp init`` and ``mlp config set`` write when no profile is selected."""

# The environment variable that overrides each setting of a profile.
OVERRIDING_VARIABLES: dict[str, str] = {
    "url": "ML_PLATFORM_URL",
    "api_key": "ML_PLATFORM_API_KEY",
    "timeout": "ML_PLATFORM_TIMEOUT",
}


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """Return the config file: ``ML_PLATFORM_CONFIG``, else ``~/.mlplatform/config.yaml``.

    This is the file the SDK reads and writes when no ``config_file`` is passed.
    """
    env = os.environ if environ is None else environ
    if env.get(ENV_CONFIG):
        return Path(env[ENV_CONFIG]).expanduser()
    home = env.get("HOME")
    base = Path(home) if home else Path.home()
    return base / ".mlplatform" / "config.yaml"


def read_profiles(path: Path) -> tuple[dict[str, dict[str, Any]], str | None]:
    """Return the profiles and the default profile of a config file; none when it is missing.

    Raises:
        ml_platform.ConfigError: The file cannot be read or has the wrong shape.
    """
    from ml_platform._config_file import read_config_file

    content = read_config_file(path)
    return content if content is not None else ({}, None)


def selected_profile(option: str | None, default_profile: str | None) -> tuple[str, str]:
    """Return the profile a command works on and why.

    The order is the SDK's: ``--profile``, then ``ML_PLATFORM_PROFILE``, then the file's
    ``default_profile``; after those, the profile named ``default``.

    Returns:
        The profile name and where it came from, for messages.
    """
    if option is not None:
        return option, "the --profile option"
    if os.environ.get(ENV_PROFILE):
        return os.environ[ENV_PROFILE], f"the environment variable {ENV_PROFILE}"
    if default_profile is not None:
        return default_profile, "the default_profile of the config file"
    return DEFAULT_PROFILE_NAME, "no profile being selected"


def override_warnings(profile: str, settings: Iterable[str]) -> list[str]:
    """Return a warning for each environment variable that overrides what was just written.

    Args:
        profile: The profile that was written.
        settings: The settings written to it: ``url``, ``api_key`` or ``timeout``.
    """
    warnings = []
    for setting in settings:
        variable = OVERRIDING_VARIABLES.get(setting)
        if variable and os.environ.get(variable):
            warnings.append(
                f"Warning: {variable} is set, so it overrides the {setting} of profile "
                f"{profile!r}; unset it to use the profile's value."
            )

    selected = os.environ.get(ENV_PROFILE)
    if selected and selected != profile:
        warnings.append(
            f"Warning: {ENV_PROFILE}={selected} selects another profile, so profile {profile!r} "
            f"is used only with --profile {profile}."
        )
    return warnings
