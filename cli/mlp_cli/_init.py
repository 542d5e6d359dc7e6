"""``mlp init``: ask for the server URL and an API key, check them, and save a profile."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mlp_cli._credentials import (
    DEFAULT_URL,
    ask_api_key,
    check_url,
    read_api_key_from_stdin,
)
from mlp_cli._messages import diagnosis
from mlp_cli._profiles import config_path, override_warnings, read_profiles, selected_profile
from mlp_cli._state import get_state

if TYPE_CHECKING:
    from ml_platform import Identity

CHECK_TIMEOUT = 10.0
"""Seconds the check of the URL and key waits for the server, unless --timeout is given."""


def _whoami(profile: str, url: str, api_key: str, timeout: float | None) -> Identity:
    """Ask the server who owns the key, with nothing but the given URL, key and time-out.

    The client reads an empty scratch config file, so neither the user's config file nor the
    ``ML_PLATFORM_PROFILE`` variable can fail the check or change what it connects to.

    Raises:
        click.ClickException: When the server cannot be reached or rejects the key.
    """
    from ml_platform import APIConnectionError, AuthenticationError, MLPlatformClient
    from ml_platform._config import save_profile

    with tempfile.TemporaryDirectory(prefix="mlp-init-") as scratch:
        scratch_file = Path(scratch) / "config.yaml"
        save_profile(profile, config_file=scratch_file)
        client = MLPlatformClient(
            api_key=api_key,
            base_url=url,
            profile=profile,
            config_file=scratch_file,
            timeout=timeout or CHECK_TIMEOUT,
        )
        try:
            with client:
                return client.whoami()
        except AuthenticationError as error:
            raise click.ClickException(
                f"The server at {url} rejected the API key (request id {error.request_id}), "
                "so nothing was saved; check the key, for example with `mlp-server keys list`, "
                "and run mlp init again."
            ) from None
        except APIConnectionError as error:
            raise click.ClickException(
                f"{diagnosis(str(error))}, so nothing was saved; check the URL and that the "
                "server is running, then run mlp init again."
            ) from None


@click.command()
@click.option(
    "--profile",
    "profile_option",
    metavar="NAME",
    help="Profile to create or update. Default: ML_PLATFORM_PROFILE, then the config file's "
    "default profile, then 'default'.",
)
@click.option(
    "--url",
    "url_option",
    metavar="URL",
    help="Server root URL, for example http://127.0.0.1:8000. Asked for when left out.",
)
@click.option(
    "--api-key-stdin",
    is_flag=True,
    help="Read the API key from stdin instead of asking for it on the terminal; needs --url. "
    "There is no option that takes the key itself, because options end up in shell history.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Request time-out to save in the profile; also bounds the check.",
)
@click.option(
    "--default",
    "make_default",
    is_flag=True,
    help="Make the profile the default one. Without it, only the first profile of a new file "
    "becomes the default.",
)
def init(
    profile_option: str | None,
    url_option: str | None,
    api_key_stdin: bool,
    timeout: float | None,
    make_default: bool,
) -> None:
    """Check a server URL and API key, and save them as a profile.

    Asks for the URL (read from stdin) and for the key (read from the terminal, hidden), checks
    both by asking the server who owns the key, and only then writes the profile to
    ML_PLATFORM_CONFIG or ~/.mlplatform/config.yaml. The file is replaced atomically and is
    readable by its owner only. Other profiles in the file are kept. A warning follows when an
    ML_PLATFORM_* environment variable would override what was saved.

    \b
    Examples:
      mlp init
      mlp init --profile staging --url https://mlp.example.com
      mlp-server keys create --data-dir DIR --user me | mlp init --url URL --api-key-stdin
    """
    state = get_state()
    path = config_path()
    profiles, default_profile = read_profiles(path)
    profile, _ = selected_profile(profile_option or state.profile, default_profile)
    existing = profiles.get(profile, {})

    url = url_option or state.url
    if api_key_stdin and url is None:
        raise click.UsageError(
            "--api-key-stdin needs --url, because stdin carries the key and cannot also provide "
            "the URL."
        )
    if url is None:
        url = click.prompt(
            "Server URL",
            default=existing.get("url") or DEFAULT_URL,
            value_proc=check_url,
            err=True,
        )
    else:
        url = check_url(url)
    api_key = (
        read_api_key_from_stdin(example="mlp init --url URL --api-key-stdin < key.txt")
        if api_key_stdin
        else ask_api_key()
    )

    identity = _whoami(profile, url, api_key, timeout)
    access = "read-only" if identity.read_only else "read-write"
    click.echo(
        f"The server at {url} accepts the key: user {identity.user}, key {identity.key_id}, "
        f"{access}.",
        err=True,
    )

    from ml_platform._config import save_profile

    written = save_profile(
        profile, url=url, api_key=api_key, timeout=timeout, make_default=make_default
    )
    _, new_default = read_profiles(written)
    click.echo(f"Saved profile {profile!r} to {written}, readable by you only.", err=True)
    if new_default != profile:
        click.echo(
            f"The default profile is still {new_default!r}; use this one with --profile "
            f"{profile}, or make it the default with: mlp config use-profile {profile}",
            err=True,
        )

    saved = ["url", "api_key", *(["timeout"] if timeout is not None else [])]
    for warning in override_warnings(profile, saved):
        click.echo(warning, err=True)
