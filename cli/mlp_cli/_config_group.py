"""The ``mlp config`` group: the registry of config commands."""

from __future__ import annotations

import click

from mlp_cli._lazy import LazyCommand, LazyGroup
from mlp_cli._options import profile_option

CONFIG_COMMANDS: dict[str, LazyCommand] = {
    "show": LazyCommand(
        import_path="mlp_cli._config_show:show",
        short_help="Show the settings mlp uses and where each comes from.",
    ),
    "profiles": LazyCommand(
        import_path="mlp_cli._config_show:profiles",
        short_help="List the profiles of the config file.",
    ),
    "set": LazyCommand(
        import_path="mlp_cli._config_edit:set_setting",
        short_help="Set the url, api_key or timeout of a profile.",
    ),
    "use-profile": LazyCommand(
        import_path="mlp_cli._config_edit:use_profile",
        short_help="Make a profile the default one.",
    ),
}
"""Every ``mlp config`` command, imported only when invoked."""


@click.group(cls=LazyGroup, lazy_commands=CONFIG_COMMANDS)
@profile_option
def config() -> None:
    """Show and change the config file of profiles.

    The config file is ML_PLATFORM_CONFIG or ~/.mlplatform/config.yaml. Each profile contains a
    server url, an api_key and a request timeout; `mlp init` creates one after checking it.
    """
