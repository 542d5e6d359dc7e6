"""A Click group that imports each command's module only when the command is invoked.

The group's help lists commands from static short help, so ``mlp --help`` and ``mlp job --help``
import no command module, and so none of the SDK, httpx, the generated client, rich or PyYAML.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Mapping
from typing import Any

import click


@dataclasses.dataclass(frozen=True, kw_only=True)
class LazyCommand:
    """The import location of a command and its line in the parent group's help.

    Attributes:
        import_path: ``"package.module:attribute"`` naming the ``click.Command``.
        short_help: The one-line help shown in the parent's command list. A test checks that it
            matches the command's own short help.
        aliases: Other names that invoke the same command.
    """

    import_path: str
    short_help: str
    aliases: tuple[str, ...] = ()


class LazyGroup(click.Group):
    """A ``click.Group`` whose subcommands are imported on first use.

    Args:
        lazy_commands: The subcommands by name.
        **kwargs: Passed to ``click.Group``.
    """

    def __init__(self, *args: Any, lazy_commands: Mapping[str, LazyCommand], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands: dict[str, LazyCommand] = dict(lazy_commands)
        self._aliases: dict[str, str] = {
            alias: name for name, spec in self.lazy_commands.items() for alias in spec.aliases
        }

    def list_commands(self, ctx: click.Context) -> list[str]:
        """List the canonical command names in registry order, without aliases."""
        eager = [name for name in super().list_commands(ctx) if name not in self.lazy_commands]
        return [*self.lazy_commands, *eager]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Return the command for a name or alias, importing its module on first use."""
        name = self._aliases.get(cmd_name, cmd_name)
        command = super().get_command(ctx, name)
        if command is not None or name not in self.lazy_commands:
            return command

        command = self._load(name)
        self.add_command(command, name)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Resolve the command name, suggesting close names among every registered command.

        Click suggests only among commands already imported, which for a lazy group depends
        on what ran before in the same process.
        """
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand:
            names = [*self.list_commands(ctx), *self._aliases]
            raise click.exceptions.NoSuchCommand(
                click.utils.make_str(args[0]), possibilities=names, ctx=ctx
            ) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Write the command list from the static short help, importing nothing."""
        rows: list[tuple[str, str]] = []
        for name in self.list_commands(ctx):
            spec = self.lazy_commands.get(name)
            if spec is None:
                command = super().get_command(ctx, name)
                if command is None or command.hidden:
                    continue
                rows.append((name, command.get_short_help_str(formatter.width)))
                continue

            label = ", ".join((name, *spec.aliases))
            rows.append((label, spec.short_help))

        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def _load(self, name: str) -> click.Command:
        spec = self.lazy_commands[name]
        module_name, _, attribute = spec.import_path.partition(":")
        module = importlib.import_module(module_name)
        command = getattr(module, attribute)
        if not isinstance(command, click.Command):
            raise TypeError(
                f"{spec.import_path!r} is a {type(command).__name__}, expected a click.Command; "
                "fix the import path registered for the command."
            )
        return command
