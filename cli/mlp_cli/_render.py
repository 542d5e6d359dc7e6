"""Render jobs and other API documents as tables, JSON or YAML.

JSON and YAML print the API's own shapes (the SDK's ``to_dict()``) with UTC ISO-8601 timestamps;
tables are for people and may change between versions.
"""

from __future__ import annotations

import datetime
import enum
import json
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.text import Text

    from ml_platform import TrainingJob
    from mlp_cli._console import Printer


def status_of(job: TrainingJob) -> str:
    """Return a fetched job's status as the API spells it."""
    return job.status.value if job.status is not None else "UNKNOWN"


def format_timestamp(value: datetime.datetime) -> str:
    """Format an aware datetime as UTC ISO 8601 with milliseconds and a ``Z`` suffix."""
    utc = value.astimezone(datetime.UTC)
    return utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def plain_document(value: Any) -> Any:
    """Convert datetimes and enums in a document to the strings the API uses."""
    if isinstance(value, datetime.datetime):
        return format_timestamp(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(key): plain_document(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain_document(item) for item in value]
    return value


def dump_document(document: Mapping[str, Any], output: str) -> str:
    """Serialise an API document as ``json`` or ``yaml``.

    Args:
        document: The API-shaped mapping, for example ``job.to_dict()``.
        output: ``"json"`` or ``"yaml"``.

    Returns:
        The text, without a trailing newline.
    """
    plain = plain_document(document)
    if output == "json":
        return json.dumps(plain, indent=2, ensure_ascii=False)

    import yaml

    return yaml.safe_dump(plain, sort_keys=False, allow_unicode=True).rstrip("\n")


def format_number(value: float) -> str:
    """Format a metric value with four significant digits."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return f"{value:.4g}"


def format_metrics(latest: Mapping[str, Any], *, epoch: int | None = None) -> str:
    """Format the latest metrics as ``epoch 3: loss=0.4123 accuracy=0.93``."""
    values = " ".join(f"{name}={format_number(value)}" for name, value in latest.items())
    return f"epoch {epoch}: {values}" if epoch is not None else values


def format_duration(seconds: float) -> str:
    """Format a duration as ``12.3s``, ``4m 05s`` or ``2h 03m``."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def format_age(seconds: float) -> str:
    """Format how long ago something happened as ``5s ago``, ``5m ago``, ``3h ago`` or ``2d ago``.

    A negative age, which clocks that disagree by a second can produce, reads as ``0s ago``.
    """
    whole = max(0, int(seconds))
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if whole >= size * (2 if unit == "d" else 1):
            return f"{whole // size}{unit} ago"
    return f"{whole}s ago"


def parse_timestamp(value: Any) -> datetime.datetime | None:
    """Return an aware datetime from a datetime or an ISO 8601 string, None for anything else."""
    if isinstance(value, datetime.datetime):
        return value
    if not isinstance(value, str):
        return None
    try:
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def format_resources(resources: Mapping[str, Any]) -> str:
    """Format a ``Resources`` document as ``2 CPU, 8Gi memory, 1 t4 GPU``."""
    parts = [
        f"{format_number(resources.get('cpu', 1))} CPU",
        f"{resources.get('memory', '2Gi')} memory",
    ]
    gpu = int(resources.get("gpu", 0) or 0)
    if gpu:
        parts.append(format_gpus(gpu, resources.get("gpu_type")))
    return ", ".join(parts)


def format_gpus(count: int, gpu_type: str | None) -> str:
    """Format a GPU count as ``1 t4 GPU`` or ``2 GPUs``."""
    pool = f" {gpu_type}" if gpu_type else ""
    return f"{count}{pool} GPU{'' if count == 1 else 's'}"


def _format_pairs(pairs: Mapping[str, Any]) -> str:
    return " ".join(f"{key}={value}" for key, value in pairs.items())


def job_duration(job: Mapping[str, Any], *, now: datetime.datetime | None = None) -> float | None:
    """Return the seconds a job ran, or None if it never started.

    Args:
        job: The job in the API's shape.
        now: The end of a job that still runs; the local clock when None.
    """
    started = parse_timestamp(job.get("started_at"))
    if started is None:
        return None
    finished = parse_timestamp(job.get("finished_at")) or now or datetime.datetime.now(datetime.UTC)
    return max(0.0, (finished - started).total_seconds())


def job_rows(
    job: Mapping[str, Any], *, metrics: Mapping[str, Any] | None = None, epoch: int | None = None
) -> list[tuple[str, str]]:
    """List a job's fields as (label, value) rows for the table view, leaving out absent ones."""
    rows: list[tuple[str, str]] = [
        ("ID", str(job.get("id", ""))),
        ("Name", str(job.get("name", ""))),
        ("Status", str(job.get("status", ""))),
    ]
    if job.get("queue_position") is not None:
        rows.append(("Queue position", str(job["queue_position"])))

    rows.append(("Script", str(job.get("script", ""))))
    rows.append(("Resources", format_resources(job.get("resources") or {})))
    if job.get("devices"):
        rows.append(("Devices", ",".join(str(device) for device in job["devices"])))
    if job.get("timeout_seconds") is not None:
        rows.append(("Timeout", f"{job['timeout_seconds']}s"))

    for label, key in (
        ("Created", "created_at"),
        ("Started", "started_at"),
        ("Finished", "finished_at"),
    ):
        if job.get(key):
            rows.append((label, str(plain_document(job[key]))))
    duration = job_duration(job)
    if duration is not None:
        rows.append(("Duration", format_duration(duration)))

    if job.get("exit_code") is not None:
        rows.append(("Exit code", str(job["exit_code"])))
    if job.get("failure_reason"):
        rows.append(("Failure reason", str(job["failure_reason"])))

    for label, key in (("Hyperparameters", "hyperparameters"), ("Environment", "environment")):
        if job.get(key):
            rows.append((label, _format_pairs(job[key])))
    if metrics:
        rows.append(("Metrics", format_metrics(metrics, epoch=epoch)))
    return rows


def print_rows(printer: Printer, rows: Sequence[tuple[str, str]]) -> None:
    """Print (label, value) rows to stdout with aligned values, colouring the status."""
    from rich.text import Text

    # Two spaces after the longest "label:".
    width = max((len(label) for label, _ in rows), default=0) + 3
    for label, value in rows:
        line = Text(f"{label + ':':<{width}}")
        line.append_text(_value_text(printer, label, value))
        printer.data_text(line)


def _value_text(printer: Printer, label: str, value: str) -> Text:
    from rich.text import Text

    if label == "Status":
        return printer.status_text(value)
    return Text(value)
