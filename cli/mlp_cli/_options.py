"""Options that several commands share, each defined once as a decorator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from mlp_cli._state import get_state

F = TypeVar("F", bound=Callable[..., Any])

OUTPUT_FORMATS = ("table", "json", "yaml")
"""Values of ``-o/--output``; JSON and YAML carry the API's own field names."""


def _store_url(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is None:
        return
    if not value.startswith(("http://", "https://")):
        raise click.BadParameter(
            f"{value!r} is not an http:// or https:// URL; pass the server root URL, for example "
            "http://127.0.0.1:8000."
        )
    get_state(ctx).url = value


def _store_profile(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        get_state(ctx).profile = value


def connection_options(function: F) -> F:
    """Add ``--url`` and ``--profile``, which the root group and every command accept.

    A value given on a command overrides the one given before the command name. There is no
    ``--api-key`` option because keys typed as options end up in shell history.
    """
    function = click.option(
        "--profile",
        metavar="NAME",
        expose_value=False,
        callback=_store_profile,
        help="Config file profile to use. Defaults to ML_PLATFORM_PROFILE, then the file's "
        "default_profile.",
    )(function)
    function = click.option(
        "--url",
        metavar="URL",
        expose_value=False,
        callback=_store_url,
        help="Server root URL, for example http://127.0.0.1:8000. Defaults to ML_PLATFORM_URL, "
        "then the profile's url. The API key comes from ML_PLATFORM_API_KEY or the profile.",
    )(function)
    return function


def output_option(function: F) -> F:
    """Add ``-o/--output table|json|yaml``."""
    return click.option(
        "-o",
        "--output",
        type=click.Choice(OUTPUT_FORMATS),
        default="table",
        show_default=True,
        help="Output format. json and yaml use the API's field names and UTC ISO-8601 times.",
    )(function)


def quiet_option(function: F) -> F:
    """Add ``-q/--quiet``, which prints only job ids."""
    return click.option(
        "-q",
        "--quiet",
        is_flag=True,
        help="Print only the job id on stdout, and on stderr only errors and the summary of a "
        "job that did not succeed.",
    )(function)
