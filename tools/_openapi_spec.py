"""Load OpenAPI documents, find released baselines and resolve `$ref` and `allOf`.

A loaded `Spec` keeps the parsed YAML as it is. Schemas are resolved when the comparison
reaches them, with results cached by node identity, so recursive schemas resolve to the
same dictionaries and a comparison can stop where it has already been.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# Nodes are plain YAML data: dictionaries, lists, strings, numbers, booleans and None.
Node = dict[str, Any]

RELEASED_NAME = re.compile(r"^openapi-(?P<version>.+)\.yaml$")
VERSION = re.compile(
    r"^(?P<major>\d+)\.(?P<minor>\d+)\.(?P<patch>\d+)(?P<suffix>[-+.]?[0-9A-Za-z.+-]*)$"
)
# A chain of references longer than this is treated as a loop.
MAX_REF_CHAIN = 32


class SpecError(Exception):
    """An OpenAPI document or a released baseline cannot be read or resolved."""


@dataclass(frozen=True, order=True)
class Version:
    """A `MAJOR.MINOR.PATCH` version, with an optional pre-release or build suffix.

    A version with a suffix sorts before the same version without one, as in
    Semantic Versioning (`1.1.0-rc.1` < `1.1.0`).
    """

    major: int
    minor: int
    patch: int
    is_final: bool
    suffix: str = field(default="")
    text: str = field(default="", compare=False)

    @classmethod
    def parse(cls, text: str, *, source: str) -> Version:
        """Parse TEXT, naming SOURCE in the error when it is not a version."""
        match = VERSION.match(text)
        if match is None:
            raise SpecError(
                f"{source} has version {text!r}, but a version like 1.2.3 was expected: "
                "fix info.version"
            )
        suffix = match.group("suffix")
        return cls(
            major=int(match.group("major")),
            minor=int(match.group("minor")),
            patch=int(match.group("patch")),
            is_final=not suffix,
            suffix=suffix,
            text=text,
        )

    def __str__(self) -> str:
        return self.text


class Spec:
    """A parsed OpenAPI 3.0 document with reference and `allOf` resolution.

    Args:
        document: The parsed YAML mapping.
        source: The file name used in messages.
    """

    def __init__(self, document: Node, *, source: str) -> None:
        self.document = document
        self.source = source
        # id(node) -> (node, resolved schema, component name); keeping the node alive keeps
        # its id from being reused by another object.
        self._schemas: dict[int, tuple[Any, Node, str | None]] = {}
        self._merging: set[int] = set()
        self.version = Version.parse(str(_info(document, source).get("version")), source=source)

    @property
    def paths(self) -> Node:
        """The `paths` object, empty when the document has none."""
        return _mapping(self.document.get("paths", {}), f"{self.source}: paths")

    @property
    def schema_names(self) -> list[str]:
        """The names under `components.schemas`, in document order."""
        components = _mapping(self.document.get("components", {}), f"{self.source}: components")
        schemas = _mapping(components.get("schemas", {}), f"{self.source}: components.schemas")
        return list(schemas)

    def raw_schema(self, name: str) -> Any:
        """Return the component schema NAME exactly as written."""
        return self.document["components"]["schemas"][name]

    def resolve(self, node: Any) -> Any:
        """Follow `$ref` until NODE is not a reference and return the target."""
        for _ in range(MAX_REF_CHAIN):
            if not isinstance(node, dict) or "$ref" not in node:
                return node
            node = self._lookup(node["$ref"])
        raise SpecError(
            f"{self.source}: a $ref chain is longer than {MAX_REF_CHAIN} steps, "
            "which means it loops: fix the references"
        )

    def schema(self, node: Any) -> tuple[Node, str | None]:
        """Resolve a schema node into a plain schema and its component name.

        References are followed and `allOf` members are merged into one schema. The name
        is the component schema that a reference points at, or that the only member of an
        `allOf` points at. The generated client names its model class after it. The name
        is None for inline schemas.

        Raises:
            SpecError: A reference cannot be resolved or the node is not a schema.
        """
        key = id(node)
        cached = self._schemas.get(key)
        if cached is not None:
            return cached[1], cached[2]

        name = _component_name(node)
        target = self.resolve(node)
        if target is True or target is None:
            target = {}
        if not isinstance(target, dict):
            raise SpecError(
                f"{self.source}: expected a schema object, found {target!r}: fix the schema"
            )
        if "allOf" in target:
            target, name = self._merge_all_of(target, name)

        self._schemas[key] = (node, target, name)
        return target, name

    def _merge_all_of(self, schema: Node, name: str | None) -> tuple[Node, str | None]:
        members = schema["allOf"]
        if not isinstance(members, list) or not members:
            raise SpecError(f"{self.source}: allOf must be a non-empty list, found {members!r}")
        key = id(schema)
        if key in self._merging:
            raise SpecError(
                f"{self.source}: a schema includes itself through allOf, which cannot be "
                "merged: break the loop"
            )
        self._merging.add(key)
        try:
            resolved = [self.schema(member) for member in members]
        finally:
            self._merging.discard(key)

        own = {k: v for k, v in schema.items() if k != "allOf"}
        merged: Node = {}
        for part, _ in resolved:
            _merge_into(merged, part)
        _merge_into(merged, own)

        if name is None and len(resolved) == 1 and not own.get("properties"):
            name = resolved[0][1]
        return merged, name

    def _lookup(self, ref: Any) -> Any:
        if not isinstance(ref, str) or not ref.startswith("#/"):
            raise SpecError(
                f"{self.source}: $ref {ref!r} is not a local reference such as "
                "'#/components/schemas/Job': bundle external files into the document"
            )
        target: Any = self.document
        for raw in ref[2:].split("/"):
            part = raw.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                raise SpecError(f"{self.source}: $ref {ref!r} points at nothing: fix the reference")
            target = target[part]
        return target


def load_spec(path: Path) -> Spec:
    """Read and parse the OpenAPI document at PATH.

    Raises:
        SpecError: The file cannot be read, is not YAML, or is not an OpenAPI 3.0 document.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise SpecError(f"cannot read {path}: {err}; pass an existing OpenAPI file") from err
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise SpecError(f"{path} is not valid YAML: {_yaml_problem(err)}: fix the syntax") from err
    if not isinstance(document, dict):
        raise SpecError(f"{path} does not contain a YAML mapping, so it is not an OpenAPI document")
    openapi = str(document.get("openapi", ""))
    if not openapi.startswith("3."):
        raise SpecError(
            f"{path} has openapi {openapi or 'missing'!r}, but an OpenAPI 3 document was expected"
        )
    return Spec(document, source=str(path))


def released_specs(directory: Path) -> list[tuple[Version, Path]]:
    """List the released baselines `openapi-<version>.yaml` in DIRECTORY, oldest first.

    Raises:
        SpecError: A file name carries something other than a version.
    """
    if not directory.is_dir():
        return []
    found: list[tuple[Version, Path]] = []
    for path in directory.iterdir():
        match = RELEASED_NAME.match(path.name)
        if match is None:
            continue
        found.append((Version.parse(match.group("version"), source=str(path)), path))
    return sorted(found)


def latest_released(directory: Path) -> Path:
    """Return the released baseline with the highest version in DIRECTORY.

    Raises:
        SpecError: DIRECTORY contains no `openapi-<version>.yaml` file.
    """
    found = released_specs(directory)
    if not found:
        raise SpecError(
            f"no released baseline openapi-<version>.yaml in {directory}: "
            "pass --base FILE or commit the spec of the last release there"
        )
    return found[-1][1]


def _yaml_problem(err: yaml.YAMLError) -> str:
    """Describe a YAML error on one line, with its position when known."""
    if isinstance(err, yaml.MarkedYAMLError) and err.problem_mark is not None:
        mark = err.problem_mark
        return f"{err.problem} at line {mark.line + 1}, column {mark.column + 1}"
    return " ".join(str(err).split())


def _info(document: Node, source: str) -> Node:
    info = document.get("info")
    if not isinstance(info, dict) or "version" not in info:
        raise SpecError(f"{source} has no info.version: add the API version to the document")
    return info


def _mapping(value: Any, where: str) -> Node:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SpecError(f"{where} should be a mapping, found {type(value).__name__}")
    return value


def _component_name(node: Any) -> str | None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        prefix = "#/components/schemas/"
        if isinstance(ref, str) and ref.startswith(prefix) and "/" not in ref[len(prefix) :]:
            return ref[len(prefix) :]
    return None


def _merge_into(merged: Node, part: Node) -> None:
    """Merge one resolved `allOf` member into MERGED.

    Properties and required lists are combined and enums intersected. For any other
    keyword the first member that sets it wins, which is enough to compare documents but
    does not detect contradictory members.
    """
    for key, value in part.items():
        if key == "properties":
            properties = merged.setdefault("properties", {})
            for prop, schema in value.items():
                if prop in properties and properties[prop] is not schema:
                    properties[prop] = {"allOf": [properties[prop], schema]}
                else:
                    properties[prop] = schema
        elif key == "required":
            required = merged.setdefault("required", [])
            required.extend(item for item in value if item not in required)
        elif key == "enum" and "enum" in merged:
            merged["enum"] = [item for item in merged["enum"] if item in value]
        else:
            merged.setdefault(key, value)
