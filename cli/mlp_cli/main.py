"""The root ``mlp`` group: global options and the registry of command groups."""

from __future__ import annotations

from typing import Any

import click

from mlp_cli._errors import handle_errors
from mlp_cli._lazy import LazyCommand, LazyGroup
from mlp_cli._options import connection_options
from mlp_cli._state import get_state

COMMANDS: dict[str, LazyCommand] = {
    "job": LazyCommand(
        import_path="mlp_cli._job:job",
        short_help="Create, inspect, follow and cancel training jobs.",
    ),
}
"""Every top-level command, imported only when invoked."""

CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class RootGroup(LazyGroup):
    """The ``mlp`` group; every command below it runs inside the one error handler."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the selected command, turning escaped exceptions into ``Error: ...`` lines."""
        with handle_errors(ctx):
            return super().invoke(ctx)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return

    from mlp_cli._version import version_text

    click.echo(version_text())
    ctx.exit()


@click.group(cls=RootGroup, lazy_commands=COMMANDS, context_settings=CONTEXT_SETTINGS)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Print the versions of the SDK and the generated API client, then exit.",
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
def cli(ctx: click.Context, debug: bool, color: bool | None) -> None:
    """Submit training jobs to the ML Platform and watch them run.

    Data (ids, tables, JSON, YAML, log lines) goes to stdout; hints, progress and errors go to
    stderr. The API key comes from ML_PLATFORM_API_KEY or the config file
    (ML_PLATFORM_CONFIG, default ~/.mlplatform/config.yaml), never from an option.
    """
    state = get_state(ctx)
    state.debug = debug
    state.color = color


def main() -> None:
    """Run ``mlp`` as a console script."""
    cli(prog_name="mlp")
