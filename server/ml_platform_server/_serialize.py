"""Shape records as the JSON documents of the API, leaving absent fields out."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from ._records import JobRecord, LogLine, MetricPoint
from ._timeutil import format_ms

JSON_CONTENT_TYPE = "application/json"


def json_response(
    document: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """Build a JSON response with an explicit Content-Type."""
    body = json.dumps(document, separators=(",", ":"), allow_nan=False).encode("utf-8")
    return Response(body, status_code=status, media_type=JSON_CONTENT_TYPE, headers=headers)


def job_document(job: JobRecord, *, queue_position: int | None = None) -> dict[str, Any]:
    """Shape a job as the ``Job`` schema."""
    document: dict[str, Any] = {
        "id": job.id,
        "name": job.name,
        "script": job.script,
        "code_digest": job.code_digest,
        "resources": job.resources,
        "environment": job.environment,
        "hyperparameters": job.hyperparameters,
        "status": job.status,
        "created_at": format_ms(job.created_ms),
    }
    optional: dict[str, Any] = {
        "timeout_seconds": job.timeout_seconds,
        "queue_position": queue_position,
        "started_at": format_ms(job.started_ms) if job.started_ms is not None else None,
        "finished_at": format_ms(job.finished_ms) if job.finished_ms is not None else None,
        "exit_code": job.exit_code,
        "failure_reason": job.failure_reason,
        "devices": job.devices,
    }
    document.update({name: value for name, value in optional.items() if value is not None})
    return document


def log_line_document(line: LogLine) -> dict[str, Any]:
    """Shape a log line as the ``LogLine`` schema."""
    return {
        "seq": line.seq,
        "timestamp": format_ms(line.timestamp_ms),
        "stream": line.stream,
        "text": line.text,
    }


def metrics_document(points: list[MetricPoint]) -> dict[str, Any]:
    """Shape a job's metric points as the ``JobMetrics`` schema."""
    latest: dict[str, Any] = {}
    epoch: int | None = None
    step: int | None = None
    history: list[dict[str, Any]] = []
    for point in points:
        latest.update(point.values)
        entry: dict[str, Any] = {"timestamp": format_ms(point.timestamp_ms)}
        if point.epoch is not None:
            entry["epoch"] = epoch = point.epoch
        if point.step is not None:
            entry["step"] = step = point.step
        entry["values"] = point.values
        history.append(entry)
    document: dict[str, Any] = {"latest": latest, "history": history}
    if epoch is not None:
        document["epoch"] = epoch
    if step is not None:
        document["step"] = step
    return document
