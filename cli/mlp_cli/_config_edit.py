"""``mlp config set`` and ``mlp config use-profile``: change the config file.

Both write through the SDK's ``save_profile``, which replaces the file atomically, keeps every
other profile and leaves the file readable by its owner only.
"""

from __future__ import annotations

import sys

import click

from mlp_cli._credentials import ask_api_key, check_url, read_api_key_from_stdin
from mlp_cli._options import profile_option
from mlp_cli._profiles import config_path, override_warnings, read_profiles, selected_profile
from mlp_cli._state import get_state

SETTABLE = ("url", "api_key", "timeout")
"""The settings of a profile, by their names in the config file."""

READ_KEY_FROM_STDIN = "-"
"""The VALUE that makes ``mlp config set api_key`` read the key from stdin."""


def _parse_value(setting: str, value: str) -> str | float:
    """Check a value for a setting and return it as it is stored.

    Raises:
        click.BadParameter: When the value is invalid for the setting.
        click.UsageError: When an API key is given as an argument instead of on stdin.
    """
    if setting == "url":
        return check_url(value)
    if setting == "timeout":
        try:
            seconds = float(value)
        except ValueError:
            seconds = 0.0
        if not seconds > 0 or seconds == float("inf"):
            raise click.BadParameter(
                f"{value!r} is not a positive number of seconds; give, for example, 30.",
                param_hint="'VALUE'",
            )
        return seconds

    if value != READ_KEY_FROM_STDIN:
        raise click.UsageError(
            "the API key is not accepted as an argument, because arguments end up in shell "
            "history; pass - and pipe the key in: mlp config set api_key - < key.txt"
        )
    if sys.stdin.isatty():
        return ask_api_key()
    return read_api_key_from_stdin(example="mlp config set api_key - < key.txt")


@click.command(name="set")
@click.argument("setting", metavar="KEY", type=click.Choice(SETTABLE))
@click.argument("value", metavar="VALUE")
@profile_option
def set_setting(setting: str, value: str) -> None:
    """Set the url, api_key or timeout of a profile.

    The profile is --profile, else ML_PLATFORM_PROFILE, else the config file's default profile,
    else 'default'; a profile that does not exist is created. The value is checked for its form
    only; `mlp init` also checks a URL and key with the server. An API key is never an
    argument: pass - as VALUE and pipe the key in on stdin (on a terminal it is asked for,
    hidden).

    \b
    Examples:
      mlp config set url https://mlp.example.com --profile staging
      mlp config set timeout 60
      mlp config set api_key - < key.txt
    """
    from ml_platform._config import save_profile

    stored = _parse_value(setting, value)
    path = config_path()
    profiles, default_profile = read_profiles(path)
    profile, _ = selected_profile(get_state().profile, default_profile)

    if setting == "url":
        written = save_profile(profile, url=str(stored))
    elif setting == "api_key":
        written = save_profile(profile, api_key=str(stored))
    else:
        written = save_profile(profile, timeout=float(stored))
    if setting == "api_key":
        displayed_value = "********"
    else:
        displayed_value = f"{stored:g}" if isinstance(stored, float) else stored
    if profile in profiles:
        click.echo(
            f"Set {setting} = {displayed_value} in profile {profile!r} of {written}.", err=True
        )
    else:
        click.echo(
            f"Created profile {profile!r} in {written} with {setting} = {displayed_value}.",
            err=True,
        )
    for warning in override_warnings(profile, [setting]):
        click.echo(warning, err=True)


@click.command(name="use-profile")
@click.argument("name", metavar="NAME")
def use_profile(name: str) -> None:
    """Make a profile the default one.

    The default profile is used when neither --profile nor ML_PLATFORM_PROFILE selects
    another. The profile must exist; create it with `mlp init --profile NAME`.
    """
    from ml_platform._config import save_profile

    path = config_path()
    profiles, _ = read_profiles(path)
    if name not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        raise click.BadParameter(
            f"profile {name!r} is not in {path} (profiles there: {known}); create it with "
            f"mlp init --profile {name}.",
            param_hint="'NAME'",
        )

    written = save_profile(name, make_default=True)
    click.echo(f"Profile {name!r} is now the default in {written}.", err=True)
    for warning in override_warnings(name, []):
        click.echo(warning, err=True)
