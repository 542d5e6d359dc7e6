"""Options that several commands share, each defined once as a decorator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from mlp_cli._state import get_state

F = TypeVar("F", bound=Callable[..., Any])

OUTPUT_FORMATS = ("table", "wide", "json", "yaml")
"""Values of ``-o/--output``; JSON and YAML carry the API's own field names."""

DOCUMENT_FORMATS = ("json", "yaml")
"""The ``-o`` values that print machine-readable documents instead of text for people."""


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


def profile_option(function: F) -> F:
    """Add ``--profile``, stored in the run's state, so it may come before or after a command."""
    return click.option(
        "--profile",
        metavar="NAME",
        expose_value=False,
        callback=_store_profile,
        help="Config file profile to use. Defaults to ML_PLATFORM_PROFILE, then the file's "
        "default_profile.",
    )(function)


def connection_options(function: F) -> F:
    """Add ``--url`` and ``--profile``, which the root group and every command accept.

    A value given on a command overrides the one given before the command name. There is no
    ``--api-key`` option because keys typed as options end up in shell history.
    """
    function = profile_option(function)
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
    """Add ``-o/--output table|wide|json|yaml``."""
    return click.option(
        "-o",
        "--output",
        type=click.Choice(OUTPUT_FORMATS),
        default="table",
        show_default=True,
        help="Output format. wide adds columns to the table; json and yaml use the API's field "
        "names and UTC ISO-8601 times.",
    )(function)


def quiet_option(help_text: str) -> Callable[[F], F]:
    """Add ``-q/--quiet`` with help text that states what the command still prints.

    Args:
        help_text: The option's help, naming what goes to stdout (usually ids only).
    """

    def decorate(function: F) -> F:
        return click.option("-q", "--quiet", is_flag=True, help=help_text)(function)

    return decorate


def check_quiet_output(*, quiet: bool, output: str, prints: str) -> None:
    """Reject ``-q`` together with an ``-o`` other than table.

    Args:
        quiet: Whether ``-q`` was given.
        output: The ``-o`` value.
        prints: What ``-q`` prints, for the message, for example ``"the job ids"``.

    Raises:
        click.UsageError: When both are given.
    """
    if quiet and output != "table":
        raise click.UsageError(f"-q prints only {prints}, so -o {output} cannot be used.")
