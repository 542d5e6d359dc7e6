"""The ``mlp-exit-codes`` directive: the exit code table of ``mlp``, read from the CLI itself.

The table is built from ``mlp_cli._exit_codes`` (the ``ExitCode`` enum and the meanings the
commands print in their ``--help``), so the page cannot drift from what ``mlp`` does.
"""

from __future__ import annotations

import importlib
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

_MODULE = "mlp_cli._exit_codes"


class ExitCodesDirective(SphinxDirective):
    """Render a table of every exit code with its name and meaning."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        """Build the table from the CLI's exit code module."""
        module = importlib.import_module(_MODULE)
        self.env.note_dependency(module.__file__ or "")
        meanings = getattr(module, "_MEANINGS", None)
        if not isinstance(meanings, dict):
            raise self.error(
                f"{_MODULE} has no _MEANINGS mapping of exit codes to their meanings; "
                "update docs/_ext/mlp_exit_codes.py to read the table from where it moved."
            )

        missing = [code.name for code in module.ExitCode if code not in meanings]
        if missing:
            raise self.error(
                f"exit codes {', '.join(missing)} have no meaning in {_MODULE}._MEANINGS; "
                "add one there."
            )

        lines = [
            ".. list-table::",
            "   :header-rows: 1",
            "   :widths: 8 24 68",
            "",
            "   * - Code",
            "     - Name",
            "     - Meaning",
        ]
        for code in module.ExitCode:
            lines += [
                f"   * - ``{int(code)}``",
                f"     - ``{code.name}``",
                f"     - {meanings[code][:1].upper()}{meanings[code][1:]}.",
            ]
        return self.parse_text_to_nodes("\n".join(lines))


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive."""
    app.add_directive("mlp-exit-codes", ExitCodesDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
