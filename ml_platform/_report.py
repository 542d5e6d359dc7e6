"""Metrics reporting and hyperparameter reading for training scripts.

Both functions run inside training jobs, so this module imports only the standard library.
The reference server gives each job two environment variables:

- ``ML_PLATFORM_METRICS_FILE`` names a JSON Lines file. `report` appends one line per call
  and the server tails the file.
- ``ML_PLATFORM_HYPERPARAMETERS_FILE`` names a JSON object with the job's hyperparameters,
  which `hyperparameters` reads.

When a script runs by hand and the variables are unset, `report` prints a readable line to
stderr and `hyperparameters` returns the defaults, so the same script works in both places.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import re
import sys
import time
from collections.abc import Mapping

__all__ = ["HYPERPARAMETERS_FILE_ENV", "METRICS_FILE_ENV", "hyperparameters", "report"]

METRICS_FILE_ENV = "ML_PLATFORM_METRICS_FILE"
HYPERPARAMETERS_FILE_ENV = "ML_PLATFORM_HYPERPARAMETERS_FILE"

_METRIC_NAME_PATTERN = r"[A-Za-z_][A-Za-z0-9_.-]{0,63}"
_METRIC_NAME = re.compile(_METRIC_NAME_PATTERN)

# The server stores epoch and step as SQLite integers, which are signed 64-bit.
_MAX_COUNTER = 2**63 - 1
# The reference server skips metrics lines with more values than this.
MAX_METRICS_PER_CALL = 256
_MAX_REPR_LENGTH = 80

_TRUE_STRINGS = frozenset({"true", "1", "yes", "on"})
_FALSE_STRINGS = frozenset({"false", "0", "no", "off"})


def report(*, epoch: int | None = None, step: int | None = None, **metrics: float) -> None:
    """Record named metrics for the current job, for example once per epoch.

    Inside a job, appends one JSON line to the file named by ``ML_PLATFORM_METRICS_FILE``::

        {"timestamp": "2026-01-01T00:00:00.000Z", "epoch": 1, "step": 10,
         "values": {"loss": 0.5, "accuracy": 0.9}}

    Each call opens the file in append mode and writes the line with a single ``write``, so
    on a local file system lines from several processes of a job never interleave. A reader
    that tails the file treats a line as complete once its newline has arrived. ``epoch``
    and ``step`` are left out when not given. Values are written as floats, and NaN and the
    infinities, which JSON numbers cannot carry, as the strings ``"NaN"``, ``"Infinity"``
    and ``"-Infinity"``.

    When the variable is unset or empty (a script run by hand), prints one line such as
    ``metrics epoch=1 loss=0.5123 accuracy=0.9021`` to stderr instead.

    Args:
        epoch: The epoch the values belong to, a non-negative integer.
        step: The training step the values belong to, a non-negative integer.
        **metrics: Metric names and values. A name starts with a letter or underscore and
            continues with up to 63 letters, digits, ``_``, ``.`` or ``-``. Pass names that
            are not Python identifiers as ``**{"val.loss": value}``. A value is a real
            number, including NumPy scalars, but not a bool.

    Raises:
        TypeError: A value, ``epoch`` or ``step`` is not a number of the expected kind.
        ValueError: No metric or more than 256 metrics are given, a name is invalid, an
            integer is negative or too large to store, or a number is too large for a float.
        OSError: The metrics file cannot be opened or written.

    Example:
        Run by hand, this call writes ``metrics epoch=1 loss=0.5123 accuracy=0.9021`` to
        stderr; inside a job it appends the JSON line instead:

        >>> import ml_platform
        >>> ml_platform.report(epoch=1, loss=0.5123, accuracy=0.9021)
    """
    epoch = _validate_counter("epoch", epoch)
    step = _validate_counter("step", step)
    if not metrics:
        raise ValueError(
            "report() was called without metrics; pass at least one named value, "
            "for example report(epoch=1, loss=0.5)."
        )
    if len(metrics) > MAX_METRICS_PER_CALL:
        raise ValueError(
            f"report() got {len(metrics)} metrics, more than the {MAX_METRICS_PER_CALL} that "
            f"one call can record; split them over several calls with the same epoch or step."
        )
    values = {name: _validate_metric(name, value) for name, value in metrics.items()}

    path = os.environ.get(METRICS_FILE_ENV, "")
    if not path:
        print(_format_console_line(epoch, step, values), file=sys.stderr, flush=True)
        return

    record: dict[str, object] = {"timestamp": _utc_timestamp()}
    if epoch is not None:
        record["epoch"] = epoch
    if step is not None:
        record["step"] = step
    record["values"] = {name: _encode_float(value) for name, value in values.items()}
    line = json.dumps(record, allow_nan=False) + "\n"
    _append_line(path, line.encode("utf-8"))


def hyperparameters(defaults: Mapping[str, object] | None = None) -> dict[str, object]:
    """Read the job's hyperparameters and merge them over ``defaults``.

    Reads the JSON object in the file named by ``ML_PLATFORM_HYPERPARAMETERS_FILE``. When
    the variable is unset or empty (a script run by hand), returns a copy of ``defaults``.

    A value whose key has an int, float, bool or str default is converted to the default's
    type when no information is lost:

    - int: whole numbers, including ``3.0`` and strings such as ``"3"`` or ``"1e3"``.
    - float: ints and numeric strings such as ``"0.1"`` or ``"1e-3"``.
    - bool: ``true``/``false``, the ints 0 and 1, and the strings ``true``, ``false``,
      ``1``, ``0``, ``yes``, ``no``, ``on``, ``off`` in any case.
    - str: strings, numbers (``3`` becomes ``"3"``) and bools (``"true"``, ``"false"``).

    Keys whose default has another type (``None``, a list) and keys without a default are
    returned as the file has them.

    Args:
        defaults: The values a script uses when the job does not set them.

    Returns:
        A new dict with every key of ``defaults`` and of the file.

    Raises:
        TypeError: The file is not a JSON object, or a value has a kind that cannot be
            converted to its default's type (a list for an int, a bool for a float).
        ValueError: The file is not valid UTF-8 JSON, or a value cannot be converted
            without loss (``"abc"`` or ``3.5`` for an int).
        OSError: The file cannot be read.

    Example:
        Run by hand, without ``ML_PLATFORM_HYPERPARAMETERS_FILE``, it returns the defaults:

        >>> import ml_platform
        >>> params = ml_platform.hyperparameters({"epochs": 20, "learning_rate": 0.1})
        >>> params
        {'epochs': 20, 'learning_rate': 0.1}
    """
    merged: dict[str, object] = dict(defaults) if defaults is not None else {}
    path = os.environ.get(HYPERPARAMETERS_FILE_ENV, "")
    if not path:
        return merged

    for key, value in _read_json_object(path).items():
        if key in merged:
            merged[key] = _coerce(key, value, merged[key])
        else:
            merged[key] = value
    return merged


def _validate_counter(name: str, value: object) -> int | None:
    """Return ``epoch`` or ``step`` as an int, or raise when it is not a storable count."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"report() got {name}={_short_repr(value)} of type {type(value).__name__}, "
            f"expected an int; pass a whole number such as {name}=1."
        )
    count = int(value)
    if not 0 <= count <= _MAX_COUNTER:
        raise ValueError(
            f"report() got {name}={count}, expected an int from 0 to {_MAX_COUNTER}; "
            f"count {name}s from 0 or 1."
        )
    return count


def _validate_metric(name: str, value: object) -> float:
    """Return a metric value as a float, or raise when the name or the value is invalid."""
    if _METRIC_NAME.fullmatch(name) is None:
        raise ValueError(
            f"Invalid metric name {name!r}: expected a letter or underscore followed by up "
            f"to 63 letters, digits, '_', '.' or '-' ({_METRIC_NAME_PATTERN}); rename the "
            f"metric, for example to 'val_loss'."
        )
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"Metric {name!r} has value {_short_repr(value)} of type {type(value).__name__}, "
            f"expected an int or float; pass a plain number, for example float(value) or, "
            f"for a one-element tensor, value.item()."
        )
    try:
        return float(value)
    except OverflowError as err:
        raise ValueError(
            f"Metric {name!r} has value {_short_repr(value)}, which is too large for a "
            f"float; report a smaller number, such as its logarithm."
        ) from err


def _coerce(key: str, value: object, default: object) -> object:
    """Convert a file value to the type of its default where no information is lost."""
    # bool is a subclass of int, so it is checked first.
    if isinstance(default, bool):
        return _coerce_bool(key, value, default)
    if isinstance(default, int):
        return _coerce_int(key, value, default)
    if isinstance(default, float):
        return _coerce_float(key, value, default)
    if isinstance(default, str):
        return _coerce_str(key, value, default)
    return value


def _coerce_bool(key: str, value: object, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE_STRINGS:
            return True
        if text in _FALSE_STRINGS:
            return False
    raise _conversion_error(key, value, default, "true or false")


def _coerce_int(key: str, value: object, default: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if number.is_integer():
            return int(number)
    raise _conversion_error(key, value, default, "a whole number")


def _coerce_float(key: str, value: object, default: float) -> float:
    try:
        if isinstance(value, float | int) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            return float(value)
    except (OverflowError, ValueError):
        pass
    raise _conversion_error(key, value, default, "a number")


def _coerce_str(key: str, value: object, default: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    raise _conversion_error(key, value, default, "a string")


def _conversion_error(key: str, value: object, default: object, expected: str) -> Exception:
    """Build the error for a value that cannot take its default's type.

    A string that does not parse is a ValueError; a value of another kind is a TypeError.
    """
    type_name = type(default).__name__
    message = (
        f"Invalid hyperparameter {key!r}: {_short_repr(value)} ({type(value).__name__}) "
        f"cannot be read as {type_name}; set it to {expected}, like the default {default!r}."
    )
    if isinstance(value, str):
        return ValueError(message)
    return TypeError(message)


def _read_json_object(path: str) -> dict[str, object]:
    """Read the hyperparameters file, raising with its path and the variable that names it."""
    try:
        with open(path, "rb") as file:
            content = file.read()
    except OSError as err:
        raise OSError(
            f"Cannot read hyperparameters from {path!r}, the file named by "
            f"{HYPERPARAMETERS_FILE_ENV}: {err.strerror or err}; point the variable at a "
            f"JSON file or unset it to use the defaults."
        ) from err

    try:
        data = json.loads(content.decode("utf-8"))
    except ValueError as err:
        raise ValueError(
            f"Hyperparameters file {path!r} named by {HYPERPARAMETERS_FILE_ENV} is not valid "
            f'UTF-8 JSON ({err}); write a JSON object such as {{"epochs": 20}}.'
        ) from err
    if not isinstance(data, dict):
        raise TypeError(
            f"Hyperparameters file {path!r} named by {HYPERPARAMETERS_FILE_ENV} contains a "
            f"JSON {_json_type_name(data)}, expected an object; write a JSON object such as "
            f'{{"epochs": 20}}.'
        )
    return data


def _json_type_name(value: object) -> str:
    """Return the JSON name of a decoded value's type, such as ``array`` for a list."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array"


def _append_line(path: str, line: bytes) -> None:
    """Append one line to the metrics file with a single write in append mode.

    With ``O_APPEND`` the kernel moves to the end of the file and writes in one step, and
    local Linux file systems do not interleave concurrent writes to one file, so lines from
    concurrent writers stay whole. NFS gives no such guarantee for ``O_APPEND``.
    """
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags, 0o666)
        try:
            written = os.write(fd, line)
            # NOTE: In practice a regular file gets a short write only when the disk fills or
            # a file size limit is reached. The rest then may land after another writer's line.
            while written < len(line):
                written += os.write(fd, line[written:])
        finally:
            os.close(fd)
    except OSError as err:
        raise OSError(
            f"Cannot append metrics to {path!r}, the file named by {METRICS_FILE_ENV}: "
            f"{err.strerror or err}; point the variable at a writable file or unset it to "
            f"print metrics to stderr."
        ) from err


def _utc_timestamp() -> str:
    """Return the current UTC time as ISO 8601 with milliseconds and ``Z``."""
    seconds, nanoseconds = divmod(time.time_ns(), 1_000_000_000)
    return (
        time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
        + f".{nanoseconds // 1_000_000:03d}Z"
    )


def _encode_float(value: float) -> float | str:
    """Return the value, or the JSON string for NaN and the infinities."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _format_console_line(epoch: int | None, step: int | None, values: dict[str, float]) -> str:
    """Format metrics for a person reading stderr, with six significant digits."""
    parts = ["metrics"]
    if epoch is not None:
        parts.append(f"epoch={epoch}")
    if step is not None:
        parts.append(f"step={step}")
    for name, value in values.items():
        encoded = _encode_float(value)
        text = encoded if isinstance(encoded, str) else f"{encoded:.6g}"
        parts.append(f"{name}={text}")
    return " ".join(parts)


def _short_repr(value: object) -> str:
    """Return ``repr(value)``, shortened so that an array cannot flood an error message."""
    text = repr(value)
    if len(text) > _MAX_REPR_LENGTH:
        return text[: _MAX_REPR_LENGTH - 3] + "..."
    return text
