"""Render the HTTP API reference from ``openapi.yaml`` with sphinxcontrib-openapi.

The extension points the ``openapi`` directive at ``MLPlatformRenderer``, a subclass of
sphinxcontrib-openapi's ``httpdomain`` renderer (version 0.10.0) that fixes what the stock
renderer gets wrong for this spec:

* every 2xx JSON body gets its field list under a line naming its status, where the stock
  renderer describes only the first one (so ``POST /jobs`` showed the dry-run body only);
* each response header is listed once per operation, not once per status code;
* an example of a non-JSON request body is separated from the field list before it, which
  otherwise ends the list without a blank line and fails a ``-W`` build;
* the bounds of every parameter and field (default, range, length, pattern) are written into
  its description, so readers see what validation accepts;
* only JSON request bodies get an example, since a generated one for a binary body is the
  meaningless word "string";
* operations are grouped under one section per tag, in the spec's tag order, so the page has
  a table of contents;
* with the ``:info:`` flag, the spec's ``info.description`` and version lead the page;
* every operation states its ``operationId``, the name of the generated client's function.

Everything is rendered into the page at build time: the output needs no script or stylesheet
from another host.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinxcontrib.openapi.directive import create_directive_from_renderer
from sphinxcontrib.openapi.renderers._httpdomain import (
    HttpdomainRenderer,
    _is_2xx_status,
    _is_json_mimetype,
)
from sphinxcontrib.openapi.utils import normalize_spec


class MLPlatformRenderer(HttpdomainRenderer):  # type: ignore[misc]
    """The httpdomain renderer with per-status bodies and deduplicated headers."""

    option_spec: ClassVar[dict[str, Any]] = {
        **HttpdomainRenderer.option_spec,
        "info": directives.flag,
    }

    def __init__(self, state: Any, options: dict[str, Any]) -> None:
        super().__init__(state, options)
        self._headers_seen: set[str] = set()
        self._tags: list[dict[str, Any]] = []

    def render_restructuredtext_markup(self, spec: dict[str, Any]) -> Iterator[str]:
        """Render the spec, led by its description when ``:info:`` is given."""
        # sphinxcontrib-openapi caches the parsed file and resolves references in place, so work
        # on a copy that this renderer may annotate.
        spec = copy.deepcopy(spec)
        normalize_spec(spec, **self._options)
        _annotate_bounds(spec)
        self._tags = list(spec.get("tags", []))

        if "info" in self._options:
            info = spec.get("info", {})
            yield f"This reference is rendered from version {info.get('version', '?')} of the spec."
            yield ""
            yield from self._convert_markup(info.get("description", "")).strip().splitlines()
            yield ""

        yield from super().render_restructuredtext_markup(spec)

    def render_paths(self, paths: dict[str, Any]) -> Iterator[str]:
        """Render the operations in one section per tag, in the order the spec lists tags."""
        groups: dict[str, list[tuple[str, str, dict[str, Any]]]] = {
            tag["name"]: [] for tag in self._tags
        }
        for endpoint, path in paths.items():
            common = path.get("parameters", [])
            for method, operation in path.items():
                if method not in _HTTP_METHODS:
                    continue
                own = {(item["name"], item["in"]) for item in operation.get("parameters", [])}
                inherited = [item for item in common if (item["name"], item["in"]) not in own]
                operation["parameters"] = inherited + operation.get("parameters", [])
                tag = (operation.get("tags") or ["other"])[0]
                groups.setdefault(tag, []).append((endpoint, method, operation))

        descriptions = {tag["name"]: tag.get("description", "") for tag in self._tags}
        for tag, operations in groups.items():
            if not operations:
                continue
            title = tag.capitalize()
            yield title
            yield "-" * len(title)
            yield ""
            if descriptions.get(tag):
                yield from self._convert_markup(descriptions[tag]).strip().splitlines()
                yield ""
            for endpoint, method, operation in operations:
                yield from self.render_operation(endpoint, method, operation)
                yield ""

    def render_operation(
        self, endpoint: str, method: str, operation: dict[str, Any]
    ) -> Iterator[str]:
        """Render one operation, restarting the per-operation header list."""
        self._headers_seen = set()
        lines = list(super().render_operation(endpoint, method, operation))
        operation_id = operation.get("operationId")
        if operation_id:
            # Insert after the summary line, the first indented paragraph.
            position = _after_first_paragraph(lines)
            lines[position:position] = [f"   Operation id: ``{operation_id}``", ""]
        yield from lines

    def render_request_body_example(
        self, request_body: dict[str, Any], endpoint: str, method: str
    ) -> Iterator[str]:
        """Render the example of a JSON request body as its own block after a blank line."""
        if not any(_is_json_mimetype(media_type) for media_type in request_body["content"]):
            return
        lines = list(super().render_request_body_example(request_body, endpoint, method))
        if lines:
            yield ""
            yield from lines

    def render_responses(self, responses: Mapping[Any, dict[str, Any]]) -> Iterator[str]:
        """Describe every 2xx JSON body under its status, then list the status codes."""
        if self._json_schema_description:
            described = [
                (str(status), content["schema"])
                for status, response in responses.items()
                if _is_2xx_status(status)
                for content_type, content in response.get("content", {}).items()
                if _is_json_mimetype(content_type) and content.get("schema")
            ]
            for status, schema in described:
                if len(described) > 1:
                    yield f"Response body with status {status}:"
                    yield ""
                yield from self.render_json_schema_description(schema, "res")
                yield ""

        for status_code, response in responses.items():
            yield from self.render_response(str(status_code), response)

    def render_response(self, status_code: str, response: dict[str, Any]) -> Iterator[str]:
        """Render one status code, leaving out headers an earlier status already listed."""
        headers = {
            name: value
            for name, value in response.get("headers", {}).items()
            if name.lower() not in self._headers_seen
        }
        self._headers_seen.update(name.lower() for name in headers)
        trimmed = {key: value for key, value in response.items() if key != "headers"}
        if headers:
            trimmed["headers"] = headers
        yield from super().render_response(status_code, trimmed)


_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def _describe_bounds(schema: Mapping[str, Any]) -> str:
    """Return a sentence or two stating a schema's default and bounds, or an empty string."""
    parts: list[str] = []
    if "default" in schema:
        parts.append(f"Default: ``{json.dumps(schema['default'])}``.")
    if "minimum" in schema and "maximum" in schema:
        parts.append(f"From {schema['minimum']} to {schema['maximum']}.")
    elif "minimum" in schema:
        parts.append(f"At least {schema['minimum']}.")
    elif "maximum" in schema:
        parts.append(f"At most {schema['maximum']}.")
    if "minLength" in schema and "maxLength" in schema:
        if schema["minLength"] == schema["maxLength"]:
            parts.append(f"Exactly {schema['maxLength']} characters.")
        else:
            parts.append(f"{schema['minLength']} to {schema['maxLength']} characters.")
    elif "maxLength" in schema:
        parts.append(f"At most {schema['maxLength']} characters.")
    if "pattern" in schema:
        parts.append(f"Pattern: ``{schema['pattern']}``.")
    if "maxProperties" in schema:
        parts.append(f"At most {schema['maxProperties']} entries.")
    return " ".join(parts)


def _append_bounds(target: dict[str, Any], schema: Mapping[str, Any]) -> None:
    bounds = _describe_bounds(schema)
    if bounds:
        description = target.get("description", "").rstrip()
        target["description"] = f"{description}\n\n{bounds}" if description else bounds


def _annotate_bounds(spec: dict[str, Any]) -> None:
    """Write the bounds of every parameter and schema property into its description."""
    seen: set[int] = set()

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
            return
        if not isinstance(node, dict) or id(node) in seen:
            return
        seen.add(id(node))

        if node.get("in") in {"path", "query", "header"} and "schema" in node:
            # A parameter: its own description is what the page shows.
            _append_bounds(node, node["schema"])
        for prop in node.get("properties", {}).values():
            if isinstance(prop, dict) and id(prop) not in seen:
                _append_bounds(prop, prop)
        for value in node.values():
            visit(value)

    visit(spec.get("paths", {}))


def _after_first_paragraph(lines: list[str]) -> int:
    """Return the index just past the first blank line that follows indented text."""
    seen_text = False
    for index, line in enumerate(lines):
        if line.startswith("   ") and line.strip():
            seen_text = True
        elif seen_text and not line.strip():
            return index + 1
    return len(lines)


def _register_directive(app: Sphinx, _config: Config) -> None:
    app.add_directive("openapi", create_directive_from_renderer(MLPlatformRenderer), override=True)


def setup(app: Sphinx) -> dict[str, Any]:
    """Make ``.. openapi::`` use the ``MLPlatformRenderer``."""
    app.setup_extension("sphinxcontrib.openapi")
    # sphinxcontrib-openapi registers its own ``openapi`` directive on config-inited at the
    # default priority (500); replacing it has to happen after that.
    app.connect("config-inited", _register_directive, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
