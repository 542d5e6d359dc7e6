"""The root ``mlp`` group: global options and the registry of command groups."""

from __future__ import annotations

import sys
from typing import Any

import click

from mlp_cli._errors import handle_errors, plain_warnings
from mlp_cli._lazy import LazyCommand, LazyGroup
from mlp_cli._options import connection_options
from mlp_cli._state import get_state

COMMANDS: dict[str, LazyCommand] = {
    "init": LazyCommand(
        import_path="mlp_cli._init:init",
        short_help="Check a server URL and API key, and save them as a profile.",
    ),
    "config": LazyCommand(
        import_path="mlp_cli._config_group:config",
        short_help="Show and change the config file of profiles.",
    ),
    "job": LazyCommand(
        import_path="mlp_cli._job:job",
        short_help="Create, inspect, follow and cancel training jobs.",
    ),
    "pools": LazyCommand(
        import_path="mlp_cli._pools:pools",
        short_help="Show GPU pools and the CPU and memory budget, and what is free.",
    ),
    "completion": LazyCommand(
        import_path="mlp_cli._completion:completion",
        short_help="Print the shell completion script for bash, zsh or fish.",
    ),
}
"""Every top-level command, imported only when invoked."""

CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class RootGroup(LazyGroup):
    """The ``mlp`` group; every command below it runs inside the one error handler."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the selected command, turning escaped exceptions into ``Error: ...`` lines."""
        with handle_errors(ctx), plain_warnings():
            return super().invoke(ctx)


# --version is an ordinary flag handled in the group's callback, not an eager option, so that
# --url and --profile given anywhere on the command line are known when it queries the server.
@click.group(
    cls=RootGroup,
    lazy_commands=COMMANDS,
    context_settings=CONTEXT_SETTINGS,
    invoke_without_command=True,
    no_args_is_help=True,
    subcommand_metavar="COMMAND [ARGS]...",
)
@click.option(
    "--version",
    "show_version",
    is_flag=True,
    help="Print the versions of the SDK and the generated API client and, when a server is "
    "configured and answers within a few seconds, of the server and its API, then exit.",
)
@connection_options
@click.option(
    "--debug",
    is_flag=True,
    help="Print the traceback of an error. ML_PLATFORM_LOG=debug also logs every HTTP request.",
)
@click.option(
    "--color/--no-color",
    default=None,
    help="Colour the output or not. By default each stream is coloured only when it is a "
    "terminal; NO_COLOR turns colour off and FORCE_COLOR turns it on.",
)
@click.pass_context
def cli(ctx: click.Context, show_version: bool, debug: bool, color: bool | None) -> None:
    """Submit training jobs to the ML Platform and watch them run.

    Data (ids, tables, JSON, YAML, log lines) goes to stdout; hints, progress and errors go to
    stderr. The API key comes from ML_PLATFORM_API_KEY or the config file
    (ML_PLATFORM_CONFIG, default ~/.mlplatform/config.yaml), never from an option; `mlp init`
    writes the config file.
    """
    state = get_state(ctx)
    state.debug = debug
    state.color = color
    if show_version:
        from mlp_cli._version import version_text

        click.echo(version_text(url=state.url, profile=state.profile))
        ctx.exit()
    if ctx.invoked_subcommand is None:
        ctx.fail("Missing command.")


def main() -> None:
    """Run ``mlp`` as a console script."""
    # httpx imports its own command line (rich and pygments included) whenever click is
    # installed, unless that import fails; mlp never runs it, so mark it as unavailable.
    if "httpx._main" not in sys.modules:
        # A None entry makes the import raise ImportError, which the typeshed type omits.
        sys.modules["httpx._main"] = None  # type: ignore[assignment]
    cli(prog_name="mlp")
