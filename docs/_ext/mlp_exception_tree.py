"""The ``mlp-exception-tree`` directive: the SDK's exception hierarchy as a nested list.

The tree is computed from the classes in ``ml_platform.__all__`` and their bases, each entry
linked to its reference and followed by the first line of its docstring, so it always matches
the code.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

_PACKAGE = "ml_platform"
_ROOT = "MLPlatformError"


def _public_exceptions() -> dict[str, type[BaseException]]:
    package = importlib.import_module(_PACKAGE)
    found: dict[str, type[BaseException]] = {}
    for name in package.__all__:
        value = getattr(package, name)
        if inspect.isclass(value) and issubclass(value, BaseException):
            found[name] = value
    return found


def _summary(cls: type) -> str:
    doc = inspect.getdoc(cls) or ""
    return doc.splitlines()[0] if doc else ""


def tree_lines(exceptions: dict[str, type[BaseException]], root: str) -> list[str]:
    """Return reStructuredText lines of a nested bullet list rooted at ``root``."""
    children: dict[str, list[str]] = {name: [] for name in exceptions}
    for name, cls in exceptions.items():
        parents = [base.__name__ for base in cls.__bases__ if base.__name__ in exceptions]
        if parents and name != root:
            children[parents[0]].append(name)

    lines: list[str] = []

    def add(name: str, depth: int) -> None:
        indent = "  " * depth
        summary = _summary(exceptions[name])
        entry = f"{indent}* :exc:`~{_PACKAGE}.{name}`"
        lines.append(f"{entry}: {summary}" if summary else entry)
        lines.append("")
        for child in children[name]:
            add(child, depth + 1)

    add(root, 0)
    return lines


class ExceptionTreeDirective(SphinxDirective):
    """Render the exception hierarchy of the SDK."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        """Build the nested list from the SDK's public exception classes."""
        exceptions = _public_exceptions()
        if _ROOT not in exceptions:
            raise self.error(f"{_PACKAGE}.__all__ has no {_ROOT}; update {__name__}._ROOT.")

        text = "\n".join(tree_lines(exceptions, _ROOT))
        missing = sorted(
            name
            for name, cls in exceptions.items()
            if issubclass(cls, exceptions[_ROOT]) and f"`~{_PACKAGE}.{name}`" not in text
        )
        if missing:
            raise self.error(
                f"{', '.join(missing)} derive from {_ROOT} but sit under a base class that is "
                f"not public; add the base to {_PACKAGE}.__all__."
            )
        return self.parse_text_to_nodes(text)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive."""
    app.add_directive("mlp-exception-tree", ExceptionTreeDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
