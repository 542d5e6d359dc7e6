"""Compare two OpenAPI documents operation by operation and schema name by schema name.

Operations are matched by method and path with path parameter names blanked out, so a
renamed path parameter shows up as a removed and a new required parameter rather than as a
removed operation. Besides the HTTP contract, the names that openapi-python-client turns
into Python names are compared: the operationId names a function module, the first tag
names the module folder, and each component schema names a model class.
"""

from __future__ import annotations

import re
from typing import Any

from _openapi_spec import Node, Spec
from _schema_diff import REQUEST, RESPONSE, Kind, Place, Report, SchemaComparer

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Header parameters that OpenAPI 3.0 ignores when an operation declares them.
IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})


def compare_specs(old: Spec, new: Spec) -> Report:
    """Return every change from the baseline OLD to the new document NEW."""
    report = Report()
    schemas = SchemaComparer(old, new, report)

    old_operations = _operations(old)
    new_operations = _operations(new)
    for key, (path, method, _, _) in old_operations.items():
        if key not in new_operations:
            report.add(Kind.BREAKING, f"{method.upper()} {path} was removed.")
    for key, (path, method, _, _) in new_operations.items():
        if key not in old_operations:
            report.add(Kind.ADDED, f"{method.upper()} {path} was added.")
    for key in old_operations:
        if key not in new_operations:
            continue
        _OperationDiff(old_operations[key], new_operations[key], schemas).compare()

    _compare_schema_names(old, new, report)
    return report


def _operations(spec: Spec) -> dict[tuple[str, str], tuple[str, str, Node, Node]]:
    """Map (method, path with blank parameter names) to (path, method, path item, operation)."""
    operations: dict[tuple[str, str], tuple[str, str, Node, Node]] = {}
    for path, raw_item in spec.paths.items():
        item = spec.resolve(raw_item)
        if not isinstance(item, dict):
            continue
        template = re.sub(r"\{[^}]*\}", "{}", str(path))
        for method in METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                operations[(method, template)] = (str(path), method, item, operation)
    # Sorted by path, then method, so the report reads in a stable order.
    return dict(sorted(operations.items(), key=lambda entry: (entry[1][0], entry[1][1])))


class _OperationDiff:
    """Compare one operation of the baseline with the same operation in the new document."""

    def __init__(
        self,
        old: tuple[str, str, Node, Node],
        new: tuple[str, str, Node, Node],
        schemas: SchemaComparer,
    ) -> None:
        _, _, self.old_item, self.old_op = old
        path, method, self.new_item, self.new_op = new
        self.label = f"{method.upper()} {path}"
        self.schemas = schemas
        self.report = schemas.report

    def compare(self) -> None:
        self._compare_names()
        self._compare_parameters()
        self._compare_request_body()
        self._compare_responses()

    def _compare_names(self) -> None:
        old_id, new_id = self.old_op.get("operationId"), self.new_op.get("operationId")
        if old_id != new_id:
            self.report.add(
                Kind.BREAKING,
                f"The operationId of {self.label} changed from {old_id or '(none)'} to "
                f"{new_id or '(none)'}, which renames its function in the generated client.",
            )

        old_tags = list(self.old_op.get("tags") or ["default"])
        new_tags = list(self.new_op.get("tags") or ["default"])
        if old_tags[0] != new_tags[0]:
            self.report.add(
                Kind.BREAKING,
                f"The first tag of {self.label} changed from {old_tags[0]} to {new_tags[0]}, "
                "which moves its function to another module of the generated client.",
            )
        for tag in old_tags[1:]:
            if tag not in new_tags:
                self.report.add(Kind.BREAKING, f"The tag {tag} of {self.label} was removed.")
        for tag in new_tags[1:]:
            if tag not in old_tags:
                self.report.add(Kind.ADDED, f"The tag {tag} was added to {self.label}.")

    def _compare_parameters(self) -> None:
        old = self._parameters(self.schemas.old, self.old_item, self.old_op)
        new = self._parameters(self.schemas.new, self.new_item, self.new_op)
        for key, parameter in old.items():
            if key not in new:
                self.report.add(Kind.BREAKING, f"{self._parameter_subject(parameter)} was removed.")
        for key, parameter in new.items():
            if key in old:
                continue
            subject = self._parameter_subject(parameter)
            if parameter.get("required"):
                self.report.add(Kind.BREAKING, f"{subject} was added as a required parameter.")
            else:
                self.report.add(Kind.ADDED, f"{subject} was added.")
        for key in old:
            if key not in new:
                continue
            subject = self._parameter_subject(new[key])
            was, now = bool(old[key].get("required")), bool(new[key].get("required"))
            if now and not was:
                self.report.add(Kind.BREAKING, f"{subject} became required.")
            elif was and not now:
                self.report.add(Kind.COMPATIBLE, f"{subject} is no longer required.")
            old_schema, new_schema = old[key].get("schema"), new[key].get("schema")
            if old_schema is not None and new_schema is not None:
                self.schemas.compare(old_schema, new_schema, Place(REQUEST, subject))

    def _parameters(self, spec: Spec, item: Node, operation: Node) -> dict[tuple[str, str], Node]:
        parameters: dict[tuple[str, str], Node] = {}
        for raw in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]:
            parameter = spec.resolve(raw)
            if not isinstance(parameter, dict):
                continue
            location, name = str(parameter.get("in")), str(parameter.get("name"))
            if location == "header":
                name = name.lower()
                if name in IGNORED_HEADERS:
                    continue
            # Operation parameters come last, so they override path-level ones.
            parameters[(location, name)] = parameter
        return parameters

    def _parameter_subject(self, parameter: Node) -> str:
        return f"The {parameter.get('in')} parameter {parameter.get('name')} of {self.label}"

    def _compare_request_body(self) -> None:
        old = self.schemas.old.resolve(self.old_op.get("requestBody"))
        new = self.schemas.new.resolve(self.new_op.get("requestBody"))
        subject = f"The request body of {self.label}"
        if not isinstance(old, dict) and not isinstance(new, dict):
            return
        if not isinstance(new, dict):
            self.report.add(Kind.BREAKING, f"{subject} was removed.")
            return
        if not isinstance(old, dict):
            if new.get("required"):
                self.report.add(Kind.BREAKING, f"{subject} was added and is required.")
            else:
                self.report.add(Kind.ADDED, f"{subject} was added.")
            return

        if new.get("required") and not old.get("required"):
            self.report.add(Kind.BREAKING, f"{subject} became required.")
        old_content, new_content = old.get("content") or {}, new.get("content") or {}
        for media in sorted(old_content.keys() - new_content.keys()):
            self.report.add(Kind.BREAKING, f"{subject} no longer accepts {media}.")
        for media in sorted(new_content.keys() - old_content.keys()):
            self.report.add(Kind.ADDED, f"{subject} now also accepts {media}.")
        self._compare_content(old_content, new_content, REQUEST, subject)

    def _compare_responses(self) -> None:
        old = {str(code): value for code, value in (self.old_op.get("responses") or {}).items()}
        new = {str(code): value for code, value in (self.new_op.get("responses") or {}).items()}
        for code in sorted(old.keys() - new.keys()):
            subject = f"The {code} response of {self.label}"
            if _is_success(code):
                self.report.add(Kind.BREAKING, f"{subject} was removed.")
            else:
                self.report.add(Kind.COMPATIBLE, f"{subject} is no longer documented.")
        for code in sorted(new.keys() - old.keys()):
            self.report.add(Kind.ADDED, f"The {code} response of {self.label} was added.")

        for code in sorted(old.keys() & new.keys()):
            old_response = self.schemas.old.resolve(old[code])
            new_response = self.schemas.new.resolve(new[code])
            if not isinstance(old_response, dict) or not isinstance(new_response, dict):
                continue
            old_content = old_response.get("content") or {}
            new_content = new_response.get("content") or {}
            subject = f"The {code} response of {self.label}"
            for media in sorted(old_content.keys() - new_content.keys()):
                kind = Kind.BREAKING if _is_success(code) else Kind.COMPATIBLE
                self.report.add(kind, f"{subject} no longer returns {media}.")
            for media in sorted(new_content.keys() - old_content.keys()):
                self.report.add(Kind.ADDED, f"{subject} may now return {media}.")
            self._compare_content(
                old_content, new_content, RESPONSE, f"The {code} response body of {self.label}"
            )

    def _compare_content(self, old: Node, new: Node, direction: str, subject: str) -> None:
        for media in sorted(old.keys() & new.keys()):
            old_schema = (old[media] or {}).get("schema")
            new_schema = (new[media] or {}).get("schema")
            if old_schema is None or new_schema is None:
                continue
            where = f"{subject} ({media})" if len(new) > 1 else subject
            self.schemas.compare(old_schema, new_schema, Place(direction, where))


def _compare_schema_names(old: Spec, new: Spec, report: Report) -> None:
    old_names, new_names = old.schema_names, new.schema_names
    added = [name for name in new_names if name not in old_names]
    renamed_to: dict[str, str] = {}
    for name in old_names:
        if name in new_names:
            continue
        twin = _same_content(old.raw_schema(name), new, added, renamed_to.values())
        if twin is not None:
            renamed_to[name] = twin
            report.add(
                Kind.BREAKING,
                f"The schema {name} was renamed to {twin}, which renames its class in the "
                "generated client.",
            )
        else:
            report.add(
                Kind.BREAKING,
                f"The schema {name} was removed, which removes its class from the generated "
                "client.",
            )
    for name in added:
        if name not in renamed_to.values():
            report.add(Kind.ADDED, f"The schema {name} was added.")


def _same_content(
    schema: Any, new: Spec, candidates: list[str], renamed_targets: Any
) -> str | None:
    for name in candidates:
        if name not in renamed_targets and new.raw_schema(name) == schema:
            return name
    return None


def _is_success(code: Any) -> bool:
    text = str(code).upper()
    return text.startswith("2") or text == "DEFAULT"
