"""Checks on openapi.yaml itself: the rules every operation and request schema must follow."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "openapi.yaml"
SERVER_COPY = ROOT / "server" / "ml_platform_server" / "openapi.yaml"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        parts = node["$ref"].removeprefix("#/").split("/")
        target: Any = spec
        for part in parts:
            target = target[part]
        node = target
    return node


def test_server_copy_is_identical() -> None:
    assert SERVER_COPY.read_bytes() == SPEC_PATH.read_bytes(), (
        "server/ml_platform_server/openapi.yaml differs from openapi.yaml: run 'make generate'"
    )


def test_spec_is_openapi_303(spec: dict[str, Any]) -> None:
    assert spec["openapi"] == "3.0.3"
    assert spec["servers"] == [{"url": "/api/v1"}]


def test_every_operation_has_id_and_lists_400(spec: dict[str, Any]) -> None:
    operation_ids = []
    for path, method, operation in _operations(spec):
        assert "operationId" in operation, f"{method.upper()} {path} has no operationId"
        assert "400" in operation["responses"], f"{method.upper()} {path} does not list 400"
        operation_ids.append(operation["operationId"])
    assert len(operation_ids) == len(set(operation_ids))


def test_every_success_response_documents_request_id(spec: dict[str, Any]) -> None:
    for path, method, operation in _operations(spec):
        for status, response in operation["responses"].items():
            response = _resolve(spec, response)
            if status.startswith("2"):
                headers = response.get("headers", {})
                assert "X-Request-ID" in headers, f"{method.upper()} {path} {status}"


def test_error_responses_are_problem_documents(spec: dict[str, Any]) -> None:
    for path, method, operation in _operations(spec):
        if method == "head":
            continue
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                content = _resolve(spec, response)["content"]
                assert list(content) == ["application/problem+json"], (
                    f"{method.upper()} {path} {status}"
                )


def _unbounded(spec: dict[str, Any], schema: dict[str, Any], where: str) -> Iterator[str]:
    schema = _resolve(spec, schema)
    for option in schema.get("anyOf", []):
        yield from _unbounded(spec, option, where)
    kind = schema.get("type")
    if kind == "string" and schema.get("format") != "binary":
        if "maxLength" not in schema and "enum" not in schema:
            yield f"{where}: string without maxLength"
    elif kind in ("integer", "number"):
        if "minimum" not in schema or "maximum" not in schema:
            yield f"{where}: {kind} without minimum and maximum"
    elif kind == "object":
        for name, child in schema.get("properties", {}).items():
            yield from _unbounded(spec, child, f"{where}.{name}")
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            if "maxProperties" not in schema:
                yield f"{where}: map without maxProperties"
            yield from _unbounded(spec, extra, f"{where}.*")


def test_request_inputs_are_bounded(spec: dict[str, Any]) -> None:
    problems: list[str] = []
    for path, method, operation in _operations(spec):
        parameters = list(spec["paths"][path].get("parameters", []))
        parameters += operation.get("parameters", [])
        for parameter in parameters:
            parameter = _resolve(spec, parameter)
            where = f"{method.upper()} {path} {parameter['name']}"
            schema = parameter["schema"]
            if schema.get("type") == "boolean":
                continue
            problems.extend(_unbounded(spec, schema, where))
        body = operation.get("requestBody")
        if body:
            for media in body["content"].values():
                problems.extend(_unbounded(spec, media["schema"], f"{method.upper()} {path} body"))
    assert problems == []


def test_growing_values_are_plain_strings(spec: dict[str, Any]) -> None:
    """A generated client raises on an enum value it does not know, so none are enums."""
    schemas = spec["components"]["schemas"]
    for name, schema in schemas.items():
        for field, child in schema.get("properties", {}).items():
            assert "enum" not in child, f"{name}.{field} is an enum"


def test_request_and_response_schemas_are_separate(spec: dict[str, Any]) -> None:
    create = spec["paths"]["/jobs"]["post"]
    body = create["requestBody"]["content"]["application/json"]["schema"]
    created = create["responses"]["201"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/JobCreate"}
    assert created == {"$ref": "#/components/schemas/Job"}
    assert spec["components"]["schemas"]["JobCreate"]["additionalProperties"] is False


def test_create_links_reach_every_job_operation(spec: dict[str, Any]) -> None:
    links = spec["paths"]["/jobs"]["post"]["responses"]["201"]["links"]
    linked = {link["operationId"] for link in links.values()}
    job_operations = {
        operation["operationId"]
        for path, _method, operation in _operations(spec)
        if path.startswith("/jobs/{job_id}")
    }
    assert linked == job_operations
