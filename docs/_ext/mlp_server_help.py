"""The ``mlp-server-help`` directive: the ``--help`` text of an ``mlp-server`` command.

``.. mlp-server-help:: keys create`` renders what ``mlp-server keys create --help`` prints, taken
from the server's own argument parser (``ml_platform_server.cli.build_parser``) when the page is
built, so the option list on the page is the one the installed server accepts.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

# The width argparse wraps to; the environment variable COLUMNS sets it.
HELP_WIDTH = "92"


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser | None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices.get(name)
    return None


def _without_server_environment() -> dict[str, str]:
    """Remove ``MLP_SERVER_*`` variables, whose values would become the documented defaults."""
    names = [name for name in os.environ if name.startswith("MLP_SERVER_")]
    return {name: os.environ.pop(name) for name in names}


def server_help(path: list[str]) -> str:
    """Return the help text of ``mlp-server PATH...``.

    Raises:
        KeyError: A name in ``path`` is not a command of its parent.
    """
    saved = _without_server_environment()
    saved_columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = HELP_WIDTH
    try:
        from ml_platform_server.cli import build_parser

        parser = build_parser()
        for name in path:
            found = _subparser(parser, name)
            if found is None:
                raise KeyError(name)
            parser = found
        return parser.format_help()
    finally:
        os.environ.update(saved)
        if saved_columns is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = saved_columns


class ServerHelpDirective(SphinxDirective):
    """Render ``mlp-server ... --help`` as a literal block."""

    optional_arguments = 3
    has_content = False

    def run(self) -> list[nodes.Node]:
        """Build the help text and show it as console output."""
        try:
            text = server_help(list(self.arguments))
        except KeyError as err:
            raise self.error(
                f"mlp-server has no command {' '.join(self.arguments)!r} ({err} is unknown); "
                "fix the directive's arguments."
            ) from err
        command = " ".join(["mlp-server", *self.arguments, "--help"])
        block = nodes.literal_block(text, f"$ {command}\n{text}")
        block["language"] = "text"
        return [block]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive."""
    app.add_directive("mlp-server-help", ServerHelpDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
