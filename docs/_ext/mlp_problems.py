"""The ``mlp-problem`` directive: the facts of one problem type, read from the spec and the SDK.

``.. mlp-problem:: capacity-unavailable`` renders the type's URN, its HTTP status and the spec's
one-line description (from the ``Problem`` schema in ``openapi.yaml``), and the SDK exception
that a response of that type raises. The exception is found by handing the SDK's own error
mapping (``ml_platform._problems.error_from_response``) a problem document of that type, so the
catalogue states what the SDK does, not what someone remembered. The meaning and the fix are
written by hand as the directive's content.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import yaml
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

SPEC = Path(__file__).resolve().parents[2] / "openapi.yaml"
PREFIX = "urn:mlp:problem:"

# One bullet of the Problem schema's description: "* `urn:mlp:problem:SLUG` (STATUS): text".
_ENTRY = re.compile(
    r"^\*\s+`urn:mlp:problem:(?P<slug>[a-z0-9-]+)`\s+\((?P<status>\d{3})\):\s*(?P<text>.*?)"
    r"(?=^\*\s|\Z)",
    re.MULTILINE | re.DOTALL,
)


@functools.cache
def problem_types() -> dict[str, tuple[int, str]]:
    """Return every problem type in the spec as ``{slug: (status, description)}``."""
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    description = spec["components"]["schemas"]["Problem"]["description"]
    return {
        match["slug"]: (int(match["status"]), _markdown_code_to_rst(match["text"]))
        for match in _ENTRY.finditer(description)
    }


def _markdown_code_to_rst(text: str) -> str:
    """Join the lines and turn Markdown's `code` into reStructuredText's ``code``."""
    return re.sub(r"`([^`]+)`", r"``\1``", " ".join(text.split()))


def sdk_exception(slug: str, status: int) -> type[BaseException]:
    """Return the class of the exception the SDK raises for a problem of this type."""
    import httpx

    from ml_platform._problems import ErrorContext, error_from_response

    request = httpx.Request("POST", "http://127.0.0.1:8000/api/v1/jobs")
    response = httpx.Response(
        status,
        headers={"Content-Type": "application/problem+json", "X-Request-ID": "req-docs"},
        json={"type": PREFIX + slug, "title": slug, "status": status, "detail": slug},
        request=request,
    )
    context = ErrorContext(
        base_url="http://127.0.0.1:8000",
        url_source="the default",
        key_missing=False,
        key_source="the environment variable ML_PLATFORM_API_KEY",
        config_file=Path("config.yaml"),
    )
    return type(error_from_response(response, context))


class ProblemDirective(SphinxDirective):
    """Render a problem type's URN, status, spec description and SDK exception."""

    required_arguments = 1
    has_content = True

    def run(self) -> list[nodes.Node]:
        """Build the fact list, then the hand-written content below it."""
        slug = self.arguments[0]
        self.env.note_dependency(str(SPEC))
        known = problem_types()
        if slug not in known:
            raise self.error(
                f"problem type {slug!r} is not in the Problem schema of {SPEC.name} "
                f"(known: {', '.join(sorted(known))}); fix the directive's argument."
            )

        status, description = known[slug]
        exception = sdk_exception(slug, status)
        lines = [
            f":Type: ``{PREFIX}{slug}``",
            f":HTTP status: {status}",
            f":In the spec: {description}",
            f":SDK exception: :exc:`ml_platform.{exception.__name__}`",
            "",
        ]
        facts = self.parse_text_to_nodes("\n".join(lines))
        return [*facts, *self.parse_content_to_nodes()]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive."""
    app.add_directive("mlp-problem", ProblemDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
