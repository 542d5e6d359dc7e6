"""Tests for ``ml_platform.hyperparameters``: reading, merging and converting values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ml_platform import _report
from ml_platform._report import hyperparameters

DEFAULTS: dict[str, object] = {"epochs": 20, "learning_rate": 0.1, "shuffle": True, "name": "run"}


@pytest.fixture
def hyperparameters_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point ML_PLATFORM_HYPERPARAMETERS_FILE at a file in a fresh directory, not yet created."""
    path = tmp_path / "hyperparameters.json"
    monkeypatch.setenv(_report.HYPERPARAMETERS_FILE_ENV, str(path))
    return path


def _write(path: Path, content: object) -> None:
    path.write_text(json.dumps(content), encoding="utf-8")


def test_hyperparameters_unset_returns_defaults_copy() -> None:
    result = hyperparameters(DEFAULTS)

    assert result == DEFAULTS
    result["epochs"] = 1
    assert DEFAULTS["epochs"] == 20


def test_hyperparameters_unset_without_defaults() -> None:
    assert hyperparameters() == {}


def test_hyperparameters_empty_variable_returns_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(_report.HYPERPARAMETERS_FILE_ENV, "")

    assert hyperparameters(DEFAULTS) == DEFAULTS


def test_hyperparameters_file_merged_over_defaults(hyperparameters_file: Path) -> None:
    _write(hyperparameters_file, {"epochs": 3, "optimizer": "adam"})

    result = hyperparameters(DEFAULTS)

    assert result == {
        "epochs": 3,
        "learning_rate": 0.1,
        "shuffle": True,
        "name": "run",
        "optimizer": "adam",
    }


def test_hyperparameters_file_without_defaults(hyperparameters_file: Path) -> None:
    content = {"epochs": "3", "flag": False, "ratio": 0.5}
    _write(hyperparameters_file, content)

    assert hyperparameters() == content


def test_hyperparameters_empty_object_keeps_defaults(hyperparameters_file: Path) -> None:
    _write(hyperparameters_file, {})

    assert hyperparameters(DEFAULTS) == DEFAULTS


@pytest.mark.parametrize(
    ("default", "value", "expected"),
    [
        (20, 3, 3),
        (20, "3", 3),
        (20, " 7 ", 7),
        (20, 3.0, 3),
        (20, "1e3", 1000),
        (20, "4.0", 4),
        (20, -2, -2),
        (0.1, 3, 3.0),
        (0.1, "0.5", 0.5),
        (0.1, "1e-3", 0.001),
        (0.1, 0.25, 0.25),
        (False, True, True),
        (False, "true", True),
        (False, "YES", True),
        (False, "on", True),
        (True, "False", False),
        (True, "0", False),
        (True, 0, False),
        (False, 1, True),
        ("adam", "sgd", "sgd"),
        ("adam", 3, "3"),
        ("adam", 0.5, "0.5"),
        ("adam", True, "true"),
        ("adam", False, "false"),
        (None, [1, 2], [1, 2]),
        (None, "text", "text"),
        ([1], {"nested": 1}, {"nested": 1}),
    ],
)
def test_hyperparameters_value_converted_to_default_type(
    hyperparameters_file: Path, default: object, value: object, expected: object
) -> None:
    _write(hyperparameters_file, {"key": value})

    result = hyperparameters({"key": default})

    assert result["key"] == expected
    assert type(result["key"]) is type(expected)


@pytest.mark.parametrize(
    ("default", "value", "error", "expected_text"),
    [
        (20, "abc", ValueError, "a whole number"),
        (20, "3.5", ValueError, "a whole number"),
        (20, "nan", ValueError, "a whole number"),
        (20, 3.5, TypeError, "a whole number"),
        (20, True, TypeError, "a whole number"),
        (20, None, TypeError, "a whole number"),
        (20, [3], TypeError, "a whole number"),
        (0.1, "fast", ValueError, "a number"),
        (0.1, True, TypeError, "a number"),
        (0.1, None, TypeError, "a number"),
        (0.1, {"value": 1}, TypeError, "a number"),
        (True, "maybe", ValueError, "true or false"),
        (True, 2, TypeError, "true or false"),
        (True, 0.0, TypeError, "true or false"),
        (True, None, TypeError, "true or false"),
        ("adam", None, TypeError, "a string"),
        ("adam", ["adam"], TypeError, "a string"),
    ],
)
def test_hyperparameters_rejects_unconvertible_value(
    hyperparameters_file: Path,
    default: object,
    value: object,
    error: type[Exception],
    expected_text: str,
) -> None:
    _write(hyperparameters_file, {"key": value})

    with pytest.raises(error) as caught:
        hyperparameters({"key": default})

    message = str(caught.value)
    assert message.startswith("Invalid hyperparameter 'key': ")
    assert repr(value) in message
    assert f"cannot be read as {type(default).__name__}" in message
    assert f"set it to {expected_text}, like the default {default!r}" in message


def test_hyperparameters_rejects_float_overflow(hyperparameters_file: Path) -> None:
    hyperparameters_file.write_text('{"key": "1e999999"}', encoding="utf-8")

    # float("1e999999") is inf, which is a valid float; an int default cannot hold it.
    assert hyperparameters({"key": 0.5}) == {"key": float("inf")}
    with pytest.raises(ValueError, match="'1e999999'"):
        hyperparameters({"key": 1})


def test_hyperparameters_missing_file_names_variable(hyperparameters_file: Path) -> None:
    with pytest.raises(OSError) as caught:
        hyperparameters(DEFAULTS)

    message = str(caught.value)
    assert str(hyperparameters_file) in message
    assert _report.HYPERPARAMETERS_FILE_ENV in message
    assert "No such file or directory" in message


@pytest.mark.parametrize(
    "content",
    [b"", b"{epochs: 3}", b'{"epochs": 3', b'{"name": "\xff"}'],
    ids=["empty", "unquoted-key", "truncated", "invalid-utf8"],
)
def test_hyperparameters_rejects_invalid_json(hyperparameters_file: Path, content: bytes) -> None:
    hyperparameters_file.write_bytes(content)

    with pytest.raises(ValueError, match="is not valid UTF-8 JSON") as caught:
        hyperparameters(DEFAULTS)

    assert str(hyperparameters_file) in str(caught.value)


@pytest.mark.parametrize(
    ("content", "json_type"),
    [([1, 2], "array"), ("text", "string"), (3, "number"), (None, "null"), (True, "boolean")],
)
def test_hyperparameters_rejects_non_object(
    hyperparameters_file: Path, content: object, json_type: str
) -> None:
    _write(hyperparameters_file, content)

    with pytest.raises(TypeError, match=f"contains a JSON {json_type}, expected an object"):
        hyperparameters(DEFAULTS)
