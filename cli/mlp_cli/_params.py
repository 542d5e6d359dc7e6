"""Parameter types and parsers for job options, so bad values are usage errors (exit 2)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

HyperparameterValue = str | int | float | bool

# click.ParamType is generic from Click 8.2 on; subscripting it at run time fails on 8.1.
if TYPE_CHECKING:
    _PairType = click.ParamType[tuple[str, str]]
    _TextType = click.ParamType[str]
else:
    _PairType = _TextType = click.ParamType

# The patterns below repeat the API contract (openapi.yaml), so that a bad value is rejected
# before anything is uploaded.
JOB_NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
JOB_NAME_MAX_LENGTH = 128
MEMORY_PATTERN = re.compile(r"[0-9]{1,7}(\.[0-9]{1,3})?(Ki|Mi|Gi|Ti|k|M|G|T)?")
ENVIRONMENT_NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

_INTEGER = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?([0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)([eE][+-]?[0-9]+)?")


def parse_hyperparameter(text: str) -> HyperparameterValue:
    """Type a ``--param`` value the way a person reads it.

    ``true`` and ``false`` (any case) become booleans, whole numbers integers, decimal and
    exponent numbers floats, and everything else a string. Wrap a value in double quotes to keep
    it a string, as in ``--param 'version="1.0"'``.

    Args:
        text: The value after the first ``=``.

    Returns:
        The typed value.
    """
    if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
        return text[1:-1]
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if _INTEGER.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text


class KeyValue(_PairType):
    """A ``KEY=VALUE`` pair, split at the first ``=``."""

    name = "KEY=VALUE"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[str, str]:
        """Split the pair, rejecting a missing ``=`` or an empty key."""
        if isinstance(value, tuple):
            return value

        text = str(value)
        key, separator, item = text.partition("=")
        if not separator or not key:
            self.fail(
                f"{text!r} is not KEY=VALUE; write it as, for example, epochs=10.", param, ctx
            )
        return key, item


class MemoryQuantity(_TextType):
    """A Kubernetes-style memory quantity such as ``512Mi`` or ``16Gi``."""

    name = "QUANTITY"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> str:
        """Check the quantity against the API's pattern."""
        text = str(value)
        if not MEMORY_PATTERN.fullmatch(text):
            self.fail(
                f"{text!r} is not a memory quantity; use a number with an optional unit "
                "Ki, Mi, Gi, Ti, k, M, G or T, for example 512Mi or 16Gi.",
                param,
                ctx,
            )
        return text


def collect_hyperparameters(pairs: Sequence[tuple[str, str]]) -> dict[str, HyperparameterValue]:
    """Build the hyperparameters from ``--param`` pairs.

    Raises:
        click.BadParameter: When a key is given twice.
    """
    hyperparameters: dict[str, HyperparameterValue] = {}
    for key, text in pairs:
        if key in hyperparameters:
            raise click.BadParameter(
                f"{key!r} is given twice; pass each hyperparameter once.", param_hint="'--param'"
            )
        hyperparameters[key] = parse_hyperparameter(text)
    return hyperparameters


def collect_environment(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Build the job's environment from ``--env`` pairs.

    Raises:
        click.BadParameter: When a name is invalid or given twice.
    """
    environment: dict[str, str] = {}
    for name, value in pairs:
        if not ENVIRONMENT_NAME_PATTERN.fullmatch(name):
            raise click.BadParameter(
                f"{name!r} is not a valid variable name; use letters, digits and underscores, "
                "not starting with a digit.",
                param_hint="'--env'",
            )
        if name in environment:
            raise click.BadParameter(
                f"{name!r} is given twice; pass each variable once.", param_hint="'--env'"
            )
        environment[name] = value
    return environment


def check_job_name(name: str) -> str:
    """Check a job name against the API's rules.

    Raises:
        click.BadParameter: When the name is too long or has characters the API rejects.
    """
    if len(name) > JOB_NAME_MAX_LENGTH:
        raise click.BadParameter(
            f"the name is {len(name)} characters long; use at most {JOB_NAME_MAX_LENGTH}.",
            param_hint="'NAME'",
        )
    if not JOB_NAME_PATTERN.fullmatch(name):
        raise click.BadParameter(
            f"{name!r} is not a valid job name; use letters, digits, '.', '_' and '-', "
            "starting with a letter or digit.",
            param_hint="'NAME'",
        )
    return name


def script_in_workdir(script: str, workdir: Path) -> str:
    """Return the script's POSIX path relative to the working directory.

    The script may be given relative to ``--workdir`` or as a path from the current directory
    that lies inside ``--workdir``.

    Raises:
        click.BadParameter: When neither names a file inside the working directory.
    """
    root = workdir.resolve()
    candidates = [Path(script)] if Path(script).is_absolute() else [workdir / script, Path(script)]
    for candidate in candidates:
        if not candidate.is_file():
            continue
        try:
            return candidate.resolve().relative_to(root).as_posix()
        except ValueError:
            continue

    raise click.BadParameter(
        f"{script!r} is not a file inside the working directory {str(workdir)!r}; pass the "
        "script's path relative to --workdir.",
        param_hint="'--script'",
    )
