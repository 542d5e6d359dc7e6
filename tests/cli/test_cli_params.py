"""Parsing of ``--param``, ``--env``, ``--memory`` and job names."""

from __future__ import annotations

import click
import pytest
from mlp_cli._params import (
    KeyValue,
    MemoryQuantity,
    check_job_name,
    collect_environment,
    collect_hyperparameters,
    parse_hyperparameter,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", 3),
        ("-2", -2),
        ("+7", 7),
        ("0.1", 0.1),
        ("1e-3", 0.001),
        ("2.", 2.0),
        (".5", 0.5),
        ("-1.5E2", -150.0),
        ("true", True),
        ("False", False),
        ("TRUE", True),
        ("adam", "adam"),
        ('"3"', "3"),
        ('"true"', "true"),
        ("", ""),
        ("nan", "nan"),
        ("inf", "inf"),
        ("1_000", "1_000"),
        ("0x10", "0x10"),
        ("yes", "yes"),
        ("1.0.0", "1.0.0"),
        ('"', '"'),
    ],
)
def test_param_value_types(text: str, expected: object) -> None:
    value = parse_hyperparameter(text)

    assert value == expected
    assert type(value) is type(expected)


def test_key_value_splits_at_first_equals() -> None:
    assert KeyValue().convert("url=http://x/?a=b", None, None) == ("url", "http://x/?a=b")
    assert KeyValue().convert("empty=", None, None) == ("empty", "")


@pytest.mark.parametrize("text", ["epochs", "=3", ""])
def test_key_value_rejects_malformed(text: str) -> None:
    with pytest.raises(click.BadParameter) as caught:
        KeyValue().convert(text, None, None)

    assert caught.value.message == (
        f"{text!r} is not KEY=VALUE; write it as, for example, epochs=10."
    )


def test_hyperparameters_typed_in_order() -> None:
    pairs = [("epochs", "3"), ("lr", "0.1"), ("shuffle", "true"), ("optimizer", "adam")]

    assert collect_hyperparameters(pairs) == {
        "epochs": 3,
        "lr": 0.1,
        "shuffle": True,
        "optimizer": "adam",
    }


def test_hyperparameter_given_twice_rejected() -> None:
    with pytest.raises(click.BadParameter) as caught:
        collect_hyperparameters([("lr", "0.1"), ("lr", "0.2")])

    assert caught.value.message == "'lr' is given twice; pass each hyperparameter once."


def test_environment_kept_as_strings() -> None:
    assert collect_environment([("SEED", "3"), ("_X", "")]) == {"SEED": "3", "_X": ""}


@pytest.mark.parametrize("name", ["1ABC", "A-B", "A B", "Ä"])
def test_environment_name_rejected(name: str) -> None:
    with pytest.raises(click.BadParameter) as caught:
        collect_environment([(name, "x")])

    assert caught.value.message == (
        f"{name!r} is not a valid variable name; use letters, digits and underscores, not "
        "starting with a digit."
    )


def test_environment_name_given_twice_rejected() -> None:
    with pytest.raises(click.BadParameter) as caught:
        collect_environment([("A", "1"), ("A", "2")])

    assert caught.value.message == "'A' is given twice; pass each variable once."


@pytest.mark.parametrize("text", ["512Mi", "16Gi", "1", "1.5G", "1000000k", "2.125Ti"])
def test_memory_accepted(text: str) -> None:
    assert MemoryQuantity().convert(text, None, None) == text


@pytest.mark.parametrize("text", ["16GB", "Gi", "-1Gi", "1.2345Gi", "16 Gi", "12345678"])
def test_memory_rejected(text: str) -> None:
    with pytest.raises(click.BadParameter) as caught:
        MemoryQuantity().convert(text, None, None)

    assert caught.value.message == (
        f"{text!r} is not a memory quantity; use a number with an optional unit Ki, Mi, Gi, "
        "Ti, k, M, G or T, for example 512Mi or 16Gi."
    )


@pytest.mark.parametrize("name", ["mnist", "a", "run-1.final_v2", "9lives"])
def test_job_name_accepted(name: str) -> None:
    assert check_job_name(name) == name


@pytest.mark.parametrize("name", ["-x", ".hidden", "has space", "ünï", ""])
def test_job_name_rejected(name: str) -> None:
    with pytest.raises(click.BadParameter) as caught:
        check_job_name(name)

    assert caught.value.message == (
        f"{name!r} is not a valid job name; use letters, digits, '.', '_' and '-', starting "
        "with a letter or digit."
    )


def test_job_name_too_long_rejected() -> None:
    with pytest.raises(click.BadParameter) as caught:
        check_job_name("a" * 129)

    assert caught.value.message == "the name is 129 characters long; use at most 128."
