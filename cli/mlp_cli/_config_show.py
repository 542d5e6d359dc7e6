"""``mlp config show`` and ``mlp config profiles``: read the configuration, keys masked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from mlp_cli._console import Printer
from mlp_cli._options import (
    DOCUMENT_FORMATS,
    check_quiet_output,
    connection_options,
    output_option,
    quiet_option,
)
from mlp_cli._profiles import config_path, read_profiles
from mlp_cli._state import get_state

if TYPE_CHECKING:
    from ml_platform import ClientConfig, ConfigSource

MASKED_KEY = "********"
"""The stand-in printed for a stored API key."""

# The settings of `mlp config show`, by their config-file names, and the ClientConfig field of
# each.
SETTINGS = (
    ("url", "base_url"),
    ("api_key", "api_key"),
    ("timeout", "timeout"),
    ("profile", "profile"),
    ("config_file", "config_file"),
)
_OPTION_OF_FIELD = {"base_url": "--url", "profile": "--profile"}


def _source(field: str, source: ConfigSource) -> dict[str, str]:
    """Describe a value's source as ``{"source": kind, "detail": where}`` for the CLI.

    The SDK's ``parameter`` kind is an option here, because mlp passes only --url and --profile
    on to the client.
    """
    if source.kind == "parameter":
        return {"source": "option", "detail": _OPTION_OF_FIELD.get(field, source.detail)}
    return {"source": source.kind, "detail": source.detail}


def settings_document(config: ClientConfig) -> dict[str, dict[str, Any]]:
    """Return each setting with its value and source; the API key is masked."""
    values: dict[str, Any] = {
        "base_url": config.base_url,
        "api_key": MASKED_KEY if config.api_key is not None else None,
        "timeout": config.timeout,
        "profile": config.profile,
        "config_file": str(config.config_file),
    }
    return {
        name: {"value": values[field], **_source(field, config.sources[field])}
        for name, field in SETTINGS
    }


def _describe_source(entry: dict[str, Any]) -> str:
    kind, detail = str(entry["source"]), str(entry["detail"])
    if kind == "environment":
        return f"environment variable {detail}"
    if kind == "option":
        return f"option {detail}"
    return detail or kind


def _display(value: Any) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@click.command()
@output_option
@quiet_option("Print only the name of the profile in use; nothing when no profile is used.")
@connection_options
def show(output: str, quiet: bool) -> None:
    """Show the settings mlp uses and where each comes from.

    Each setting is taken from the first of: the option (--url, --profile), the environment
    (ML_PLATFORM_URL, ML_PLATFORM_API_KEY, ML_PLATFORM_TIMEOUT, ML_PLATFORM_PROFILE,
    ML_PLATFORM_CONFIG), the selected profile of the config file, the default. The API key is
    always masked. -o wide prints the same table; -o json and -o yaml print, for each setting,
    its value, source (option, environment, config file or default) and detail.
    """
    check_quiet_output(quiet=quiet, output=output, prints="the profile name")

    from ml_platform._config import resolve_config

    state = get_state()
    printer = Printer(color=state.color)
    config = resolve_config(base_url=state.url, profile=state.profile)
    document = settings_document(config)

    if quiet:
        if config.profile is not None:
            printer.data(config.profile)
        return
    if output in DOCUMENT_FORMATS:
        from mlp_cli._render import dump_document

        printer.data(dump_document(document, output))
        return

    from mlp_cli._table import print_table

    rows = [
        [name, _display(entry["value"]), _describe_source(entry)]
        for name, entry in document.items()
    ]
    print_table(printer, ("SETTING", "VALUE", "SOURCE"), rows)


def profiles_document(
    profiles: dict[str, dict[str, Any]], default_profile: str | None
) -> dict[str, Any]:
    """Return the config file's content with every API key masked."""
    masked = {
        name: {
            key: (MASKED_KEY if key == "api_key" and value is not None else value)
            for key, value in settings.items()
        }
        for name, settings in profiles.items()
    }
    body: dict[str, Any] = {}
    if default_profile is not None:
        body["default_profile"] = default_profile
    body["profiles"] = masked
    return body


@click.command()
@output_option
@quiet_option("Print only the profile names, one per line.")
def profiles(output: str, quiet: bool) -> None:
    """List the profiles of the config file.

    The DEFAULT column marks the file's default_profile, which is used when neither --profile
    nor ML_PLATFORM_PROFILE selects another. API keys are masked. -o wide prints the same
    table; -o json and -o yaml print the file's own shape, default_profile and profiles, with
    the keys masked.
    """
    check_quiet_output(quiet=quiet, output=output, prints="the profile names")

    state = get_state()
    printer = Printer(color=state.color)
    path = config_path()
    stored, default_profile = read_profiles(path)

    if output in DOCUMENT_FORMATS:
        from mlp_cli._render import dump_document

        printer.data(dump_document(profiles_document(stored, default_profile), output))
        return
    if not stored:
        printer.message(f"No profiles in {path}; create one with: mlp init")
        return
    if quiet:
        for name in stored:
            printer.data(name)
        return

    from mlp_cli._table import print_table

    rows = [
        [
            name,
            "*" if name == default_profile else "",
            settings.get("url") or "-",
            MASKED_KEY if settings.get("api_key") is not None else "-",
            _display(settings["timeout"]) if settings.get("timeout") is not None else "-",
        ]
        for name, settings in stored.items()
    ]
    print_table(printer, ("PROFILE", "DEFAULT", "URL", "API KEY", "TIMEOUT"), rows)
