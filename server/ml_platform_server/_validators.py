"""Connexion request validators that raise this server's problems.

Connexion's own validators report errors as free text. These subclasses
name the invalid input in ``field`` (``resources.gpu``, ``limit``,
``Idempotency-Key``), reject non-UTF-8 and non-finite JSON with a 400, and
phrase each message as the value, what was expected and the fix.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import Any

from connexion.exceptions import TypeValidationError
from connexion.json_schema import Draft4RequestValidator
from connexion.validators import ParameterValidator
from connexion.validators.json import JSONRequestBodyValidator
from jsonschema import Draft4Validator, ValidationError
from starlette.types import Scope

from ._problems import validation_error

MAX_VALUE_REPR = 80


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= MAX_VALUE_REPR else text[: MAX_VALUE_REPR - 3] + "..."


def field_of(error: ValidationError, prefix: str = "") -> str:
    """Return the dotted path of the input a schema error is about."""
    parts = [str(part) for part in error.absolute_path]
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [name for name in error.validator_value if name not in error.instance]
        if missing:
            parts.append(str(missing[0]))
    elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extra = [name for name in error.instance if name not in allowed]
        if extra:
            parts.append(str(extra[0]))
    path = ".".join(parts)
    if prefix:
        return f"{prefix}.{path}" if path else prefix
    return path or "body"


def describe_schema_error(error: ValidationError, field: str, subject: str) -> str:
    """Phrase a schema error as one sentence with the value, the rule and the fix."""
    if error.validator == "required":
        return f"{subject} is missing the required field {field!r}; add it and retry"
    if error.validator == "additionalProperties":
        return f"{subject} has the unknown field {field!r}; remove it or check its spelling"
    return (
        f"{subject} field {field!r} has the invalid value {_short(error.instance)}: "
        f"{error.message}; send a value that matches the API schema"
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid JSON number")


def _parse_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"the number {text[:40]} is too large")
    return value


class StrictJSONBodyValidator(JSONRequestBodyValidator):
    """Parse JSON bodies strictly: UTF-8 only, finite numbers only, schema errors with a field."""

    async def _parse(self, stream: AsyncGenerator[bytes, None], scope: Scope) -> Any:
        raw = b"".join([chunk async for chunk in stream])
        try:
            text = raw.decode(self._encoding)
        except (UnicodeDecodeError, LookupError) as err:
            raise validation_error(
                "body",
                f"the request body is not valid {self._encoding} text ({err}); "
                "send JSON encoded as UTF-8",
            ) from err
        if not text:
            return None
        try:
            body = json.loads(text, parse_constant=_reject_constant, parse_float=_parse_float)
        except (ValueError, RecursionError) as err:
            raise validation_error(
                "body",
                f"the request body is not valid JSON ({err}); send one JSON object",
            ) from err
        try:
            # Escapes such as "\ud800" decode to lone surrogates, which cannot be stored.
            json.dumps(body, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as err:
            raise validation_error(
                "body",
                "the request body contains a lone UTF-16 surrogate escape; send valid Unicode text",
            ) from err
        return body

    def _validate(self, body: Any) -> dict[str, Any] | None:
        if body is None:
            raise validation_error(
                "body", "the request body is empty; send a JSON object as described by the API"
            )
        validator = Draft4RequestValidator(
            self._schema, format_checker=Draft4Validator.FORMAT_CHECKER
        )
        try:
            validator.validate(body)
        except ValidationError as error:
            field = field_of(error)
            raise validation_error(
                field, describe_schema_error(error, field, "the request body")
            ) from error
        return None


class FieldParameterValidator(ParameterValidator):
    """Validate parameters and name the invalid one in ``field``."""

    def validate_request(self, request: Any) -> None:
        if self.strict_validation:
            extra = self.validate_query_parameter_list(
                request, security_params=self.security_query_params
            )
            if extra:
                name = sorted(extra)[0]
                raise validation_error(
                    name,
                    f"query parameter {name!r} is not supported by this operation; remove it",
                )

        checks = (
            ("query", self.validate_query_parameter),
            ("path", self.validate_path_parameter),
            ("header", self.validate_header_parameter),
            ("cookie", self.validate_cookie_parameter),
        )
        for location, check in checks:
            for param in self.parameters.get(location, []):
                self._check(location, param, lambda p=param, c=check: c(p, request))

    @staticmethod
    def _check(location: str, param: dict[str, Any], run: Any) -> None:
        name = param["name"]
        try:
            error = run()
        except TypeValidationError as err:
            error = str(err.detail)
        if not error:
            return
        raise validation_error(
            name,
            f"{location} parameter {name!r} is invalid: {_first_line(error)}; "
            "send a value that matches the API schema",
        )


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else text
    return line if len(line) <= 200 else line[:197] + "..."
