"""Show and link SDK classes by their public names.

The SDK defines its classes in private modules (``ml_platform._job``, ``ml_platform._exceptions``)
and re-exports them from ``ml_platform``. Autodoc writes base classes and type hints with the
defining module, for example ``ml_platform._exceptions.ConflictError``, which is neither the name a
user imports nor a documented object. This extension rewrites such names to ``ml_platform.NAME``
when ``NAME`` is in ``ml_platform.__all__``, in the "Bases:" line and in cross-references.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

from docutils import nodes
from docutils.nodes import Element, TextElement
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

_PUBLIC_PACKAGE = "ml_platform"
_PRIVATE_NAME = re.compile(rf"^{_PUBLIC_PACKAGE}\._[A-Za-z0-9_.]*\.([A-Za-z_][A-Za-z0-9_]*)$")


def _public_names() -> frozenset[str]:
    package = importlib.import_module(_PUBLIC_PACKAGE)
    return frozenset(getattr(package, "__all__", ()))


def _public_target(target: str) -> str | None:
    """Return ``ml_platform.NAME`` for a private or bare SDK name, or None for anything else."""
    match = _PRIVATE_NAME.match(target)
    name = match.group(1) if match else target
    if "." in name or name not in _public_names():
        return None
    return f"{_PUBLIC_PACKAGE}.{name}"


def _rewrite_bases(
    _app: Sphinx, _name: str, _obj: object, _options: object, bases: list[Any]
) -> None:
    for index, base in enumerate(bases):
        module = getattr(base, "__module__", "")
        if not isinstance(base, type) or not module.startswith(f"{_PUBLIC_PACKAGE}._"):
            continue
        public = _public_target(f"{module}.{base.__qualname__}")
        if public is not None:
            bases[index] = f":py:class:`{public}`"


def _resolve_public(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: TextElement
) -> Element | None:
    if node.get("refdomain") != "py":
        return None

    public = _public_target(node["reftarget"])
    if public is None:
        return None

    domain = env.get_domain("py")
    resolved = domain.resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], public, node, contnode
    )
    if resolved is not None and isinstance(contnode, nodes.Element):
        # Show the short public name, as the SDK's users write it.
        for text in contnode.findall(nodes.Text):
            if text.astext().startswith(f"{_PUBLIC_PACKAGE}._"):
                text.parent.replace(text, nodes.Text(public.rsplit(".", 1)[1]))
    return resolved


def setup(app: Sphinx) -> dict[str, Any]:
    """Connect the base-class rewrite and the cross-reference fallback."""
    app.connect("autodoc-process-bases", _rewrite_bases)
    app.connect("missing-reference", _resolve_public)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
