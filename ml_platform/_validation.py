"""Local checks of job input, with the same limits as the API contract, so mistakes surface early.

Each check raises `ValidationError` naming the value, what is expected and how to fix it.
The server checks everything again; these checks only save a round trip and an upload.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from ml_platform._exceptions import ValidationError
from ml_platform._resources import JobStatus

__all__ = [
    "HyperparameterValue",
    "check_after",
    "check_environment",
    "check_hyperparameters",
    "check_idempotency_key",
    "check_job_id",
    "check_name",
    "check_page_size",
    "check_status_filter",
    "check_tail",
    "check_timeout_seconds",
    "resolve_script",
]

HyperparameterValue = str | int | float | bool

# Limits from the `JobCreate` schema and the list, get and logs parameters in openapi.yaml.
MAX_NAME_LENGTH = 128
MAX_SCRIPT_LENGTH = 1024
MAX_ENVIRONMENT_ENTRIES = 100
MAX_ENVIRONMENT_VALUE_LENGTH = 4096
MAX_HYPERPARAMETERS = 100
MAX_HYPERPARAMETER_STRING_LENGTH = 4096
MAX_TIMEOUT_SECONDS = 604_800
MAX_JOB_ID_LENGTH = 64
MAX_PAGE_SIZE = 100
MAX_TAIL = 1000
MAX_IDEMPOTENCY_KEY_LENGTH = 255

_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_ENVIRONMENT_NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_RESERVED_ENVIRONMENT_NAMES = frozenset({"CUDA_VISIBLE_DEVICES", "PYTHONUNBUFFERED"})
_RESERVED_ENVIRONMENT_PREFIX = "ML_PLATFORM_"


def check_name(name: object) -> str:
    """Check a job name: 1-128 letters, digits, ``.``, ``_`` or ``-``, starting alphanumeric."""
    if isinstance(name, str) and len(name) <= MAX_NAME_LENGTH and _NAME_PATTERN.match(name):
        return name
    raise ValidationError(
        f"Invalid job name {name!r}: expected 1 to {MAX_NAME_LENGTH} letters, digits, '.', '_' "
        "or '-' starting with a letter or digit, for example 'mnist-baseline'.",
        field="name",
    )


def resolve_script(
    script: str | os.PathLike[str], workdir: str | os.PathLike[str]
) -> tuple[Path, str]:
    """Find ``script`` inside ``workdir`` and return the absolute workdir and the relative path.

    ``script`` may be relative to ``workdir`` (checked first), or absolute or relative to the
    current directory as long as it lies inside ``workdir``.

    Returns:
        The absolute working directory and the script's POSIX path relative to it.

    Raises:
        ValidationError: ``workdir`` is not a directory or ``script`` is not a file inside it.
    """
    root = Path(os.path.abspath(os.fspath(workdir)))
    if not root.is_dir():
        raise ValidationError(
            f"workdir {os.fspath(workdir)!r} is not a directory; pass the directory to upload, "
            "which must contain the script.",
            field="workdir",
        )

    given = Path(os.fspath(script))
    candidates = [given] if given.is_absolute() else [root / given, Path.cwd() / given]
    outside: Path | None = None
    for candidate in candidates:
        path = Path(os.path.abspath(candidate))
        if not path.is_file():
            continue
        try:
            relative = path.relative_to(root)
        except ValueError:
            outside = outside or path
            continue
        posix = PurePosixPath(*relative.parts).as_posix()
        if len(posix) > MAX_SCRIPT_LENGTH:
            raise ValidationError(
                f"script path {posix!r} is {len(posix)} characters long; at most "
                f"{MAX_SCRIPT_LENGTH} are allowed, so move the script closer to workdir.",
                field="script",
            )
        return root, posix

    if outside is not None:
        raise ValidationError(
            f"script {os.fspath(script)!r} is outside workdir {str(root)!r}; pass a workdir "
            "that contains the script, because only the workdir is uploaded.",
            field="script",
        )
    raise ValidationError(
        f"script {os.fspath(script)!r} was not found in workdir {str(root)!r}; pass the path of "
        "a Python file inside workdir, relative to it, for example script='train.py'.",
        field="script",
    )


def check_environment(environment: Mapping[str, str] | None) -> dict[str, str]:
    """Check environment variables for the job: names, reserved names, values and count."""
    if environment is None:
        return {}
    if not isinstance(environment, Mapping):
        raise ValidationError(
            f"Invalid environment of type {type(environment).__name__}: expected a mapping "
            "of variable names to string values, for example {'SEED': '1'}.",
            field="environment",
        )
    if len(environment) > MAX_ENVIRONMENT_ENTRIES:
        raise ValidationError(
            f"environment has {len(environment)} variables; at most "
            f"{MAX_ENVIRONMENT_ENTRIES} are allowed, so pass settings as hyperparameters instead.",
            field="environment",
        )

    checked: dict[str, str] = {}
    for name, value in environment.items():
        field = f"environment.{name}"
        if not isinstance(name, str) or not _ENVIRONMENT_NAME_PATTERN.match(name):
            raise ValidationError(
                f"Invalid environment variable name {name!r}: expected letters, digits and '_' "
                "not starting with a digit, for example 'DATA_DIR'.",
                field=field,
            )
        if name.startswith(_RESERVED_ENVIRONMENT_PREFIX) or name in _RESERVED_ENVIRONMENT_NAMES:
            raise ValidationError(
                f"Environment variable {name} is set by the platform and cannot be overridden; "
                "choose another name.",
                field=field,
            )
        if not isinstance(value, str):
            raise ValidationError(
                f"Environment variable {name} has a {type(value).__name__} value; "
                f"environment values must be strings, for example str({value!r}).",
                field=field,
            )
        if "\x00" in value or len(value) > MAX_ENVIRONMENT_VALUE_LENGTH:
            raise ValidationError(
                f"Environment variable {name} has an invalid value: it must be at most "
                f"{MAX_ENVIRONMENT_VALUE_LENGTH} characters without NUL characters.",
                field=field,
            )
        checked[name] = value
    return checked


def check_hyperparameters(
    hyperparameters: Mapping[str, HyperparameterValue] | None,
) -> dict[str, HyperparameterValue]:
    """Check hyperparameters: string keys, and string, finite number or boolean values."""
    if hyperparameters is None:
        return {}
    if not isinstance(hyperparameters, Mapping):
        raise ValidationError(
            f"Invalid hyperparameters of type {type(hyperparameters).__name__}: expected a "
            "mapping of names to values, for example {'epochs': 10, 'learning_rate': 0.01}.",
            field="hyperparameters",
        )
    if len(hyperparameters) > MAX_HYPERPARAMETERS:
        raise ValidationError(
            f"hyperparameters has {len(hyperparameters)} entries; at most {MAX_HYPERPARAMETERS} "
            "are allowed, so put larger configurations in a file inside the workdir.",
            field="hyperparameters",
        )

    checked: dict[str, HyperparameterValue] = {}
    for name, value in hyperparameters.items():
        field = f"hyperparameters.{name}"
        if not isinstance(name, str) or not name:
            raise ValidationError(
                f"Invalid hyperparameter name {name!r}: expected a non-empty string.", field=field
            )
        if isinstance(value, float) and not math.isfinite(value):
            raise ValidationError(
                f"Hyperparameter {name}={value!r} is not finite; JSON carries only finite numbers, "
                "so pass it as a string and convert it in the script.",
                field=field,
            )
        if isinstance(value, str) and len(value) > MAX_HYPERPARAMETER_STRING_LENGTH:
            raise ValidationError(
                f"Hyperparameter {name} is a string of {len(value)} characters; at most "
                f"{MAX_HYPERPARAMETER_STRING_LENGTH} are allowed.",
                field=field,
            )
        if not isinstance(value, str | int | float | bool):
            raise ValidationError(
                f"Hyperparameter {name} has a {type(value).__name__} value; expected a string, "
                "number or boolean.",
                field=field,
            )
        checked[name] = value
    return checked


def check_timeout_seconds(timeout_seconds: int | None) -> int | None:
    """Check a job's run-time limit: whole seconds from 1 to 604800 (7 days), or None."""
    if timeout_seconds is None:
        return None
    valid = isinstance(timeout_seconds, int) and not isinstance(timeout_seconds, bool)
    if valid and 1 <= timeout_seconds <= MAX_TIMEOUT_SECONDS:
        return timeout_seconds
    raise ValidationError(
        f"Invalid timeout_seconds={timeout_seconds!r}: expected whole seconds from 1 to "
        f"{MAX_TIMEOUT_SECONDS} (7 days), or None for no limit.",
        field="timeout_seconds",
    )


# The pattern of the job_id path parameter in openapi.yaml.
_JOB_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def check_job_id(job_id: object) -> str:
    """Check a job id against the contract: 1 to 64 letters, digits, '.', '_' or '-'."""
    if (
        isinstance(job_id, str)
        and len(job_id) <= MAX_JOB_ID_LENGTH
        and _JOB_ID_PATTERN.fullmatch(job_id)
    ):
        return job_id
    raise ValidationError(
        f"Invalid job id {job_id!r}: expected the id returned by submit, such as 'job-000042'.",
        field="job_id",
    )


def check_page_size(page_size: int | None) -> int | None:
    """Check a listing page size: 1 to 100, or None for the server's default."""
    if page_size is None:
        return None
    if (
        isinstance(page_size, int)
        and not isinstance(page_size, bool)
        and 1 <= page_size <= MAX_PAGE_SIZE
    ):
        return page_size
    raise ValidationError(
        f"Invalid page_size={page_size!r}: expected a whole number from 1 to {MAX_PAGE_SIZE}.",
        field="page_size",
    )


def check_tail(tail: int | None) -> int | None:
    """Check a log tail length: 1 to 1000 lines, or None for every line."""
    if tail is None:
        return None
    if isinstance(tail, int) and not isinstance(tail, bool) and 1 <= tail <= MAX_TAIL:
        return tail
    raise ValidationError(
        f"Invalid tail={tail!r}: expected a number of lines from 1 to {MAX_TAIL}, or None for "
        "every line.",
        field="tail",
    )


def check_after(after: int | None) -> int | None:
    """Check a log line ``seq`` to follow after: a whole number of 0 or more, or None."""
    if after is None:
        return None
    if isinstance(after, int) and not isinstance(after, bool) and after >= 0:
        return after
    raise ValidationError(
        f"Invalid after={after!r}: expected the seq of a log line (a whole number, 0 or "
        "more), or None to start at the first line.",
        field="after",
    )


def check_status_filter(status: JobStatus | str | None) -> str | None:
    """Check a status filter and return it as the API's string, or None for no filter."""
    if status is None:
        return None
    known = [member.value for member in JobStatus if member is not JobStatus.UNKNOWN]
    value = status.value if isinstance(status, JobStatus) else status
    if isinstance(value, str) and value.upper() in known:
        return value.upper()
    raise ValidationError(
        f"Invalid status filter {status!r}: expected one of {', '.join(known)}.",
        field="status",
    )


def check_idempotency_key(key: str | None) -> str | None:
    """Check an idempotency key: 1 to 255 visible ASCII characters, or None to generate one."""
    if key is None:
        return None
    valid = isinstance(key, str) and 0 < len(key) <= MAX_IDEMPOTENCY_KEY_LENGTH
    if valid and key.isascii() and key.isprintable() and " " not in key:
        return key
    raise ValidationError(
        f"Invalid idempotency_key {key!r}: expected 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} visible "
        "ASCII characters without spaces, or None to have one generated.",
        field="idempotency_key",
    )
