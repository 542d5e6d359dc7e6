"""Handlers of the ``jobs`` operations."""

from __future__ import annotations

import base64
import binascii
import re
import time
from typing import Any

from connexion import request as current_request
from starlette.responses import Response

from ._auth import Principal
from ._context import AppContext
from ._jobs import shutting_down
from ._problems import validation_error
from ._records import KNOWN_STATUSES, JobRecord
from ._serialize import job_document, json_response, log_line_document, metrics_document

MAX_LOG_LINES = 1000
_LOG_CURSOR = re.compile(r"^[0-9]{1,18}$")
_LIST_CURSOR = re.compile(r"^([0-9]{1,15}):([0-9]{1,18})$")


def _check_status(value: str | None, field: str) -> str | None:
    if value is not None and value not in KNOWN_STATUSES:
        raise validation_error(
            field,
            f"status {value[:32]!r} is unknown; use one of: {', '.join(KNOWN_STATUSES)}",
        )
    return value


def encode_list_cursor(job: JobRecord) -> str:
    """Encode the position after ``job`` as an opaque list cursor."""
    raw = f"{job.created_ms}:{job.seq}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_list_cursor(cursor: str) -> tuple[int, int]:
    """Decode a list cursor into (created_ms, seq).

    Raises:
        ApiProblem: The cursor was not made by this server.
    """
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    match = _LIST_CURSOR.match(raw)
    if match is None:
        raise validation_error(
            "cursor",
            f"cursor {cursor[:64]!r} is invalid; pass the next_cursor of the previous page, "
            "or leave it out to start at the newest job",
        )
    return int(match.group(1)), int(match.group(2))


def decode_log_cursor(cursor: str | None) -> int:
    """Decode a log cursor (the last seq returned) into an integer.

    Raises:
        ApiProblem: The cursor is not a line number.
    """
    if cursor is None:
        return 0
    if not _LOG_CURSOR.match(cursor):
        raise validation_error(
            "cursor",
            f"cursor {cursor[:64]!r} is invalid; pass the next_cursor of the previous response",
        )
    return int(cursor)


class JobsApi:
    """Handlers for ``/jobs`` and its sub-resources."""

    def __init__(self, context: AppContext) -> None:
        self.context = context

    def _document(self, job: JobRecord) -> dict[str, Any]:
        return job_document(job, queue_position=self.context.service.queue_position(job))

    def _wait_limit(self, wait: int | None) -> float:
        return min(float(wait or 0), self.context.config.max_wait)

    async def create_job(
        self, body: dict[str, Any], token_info: dict[str, Any], dry_run: bool = False
    ) -> Response:
        """Submit a job, replay an idempotent retry, or dry-run it."""
        principal = Principal.from_token_info(token_info)
        principal.require_write()
        service = self.context.service
        if not service.accepting:
            raise shutting_down()

        key = current_request.headers.get("idempotency-key")
        result = service.submit(principal.user, body, idempotency_key=key, dry_run=dry_run)
        if result.dry_run is not None:
            return json_response(result.dry_run)
        assert result.job is not None
        headers = {"Location": f"/api/v1/jobs/{result.job.id}"}
        if result.replayed:
            headers["Idempotent-Replayed"] = "true"
        return json_response(self._document(result.job), status=201, headers=headers)

    async def list_jobs(
        self,
        token_info: dict[str, Any],
        status: str | None = None,
        name: str | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> Response:
        """List the caller's jobs, newest first, one page at a time."""
        principal = Principal.from_token_info(token_info)
        _check_status(status, "status")
        before = decode_list_cursor(cursor) if cursor is not None else None
        jobs = self.context.storage.list_jobs(
            principal.user, status=status, name_prefix=name, limit=limit + 1, before=before
        )
        document: dict[str, Any] = {"jobs": [self._document(job) for job in jobs[:limit]]}
        if len(jobs) > limit:
            document["next_cursor"] = encode_list_cursor(jobs[limit - 1])
        return json_response(document)

    async def get_job(
        self,
        job_id: str,
        token_info: dict[str, Any],
        wait: int = 0,
        status: str | None = None,
    ) -> Response:
        """Return a job, after waiting up to ``wait`` seconds for its status to change."""
        principal = Principal.from_token_info(token_info)
        _check_status(status, "status")
        service = self.context.service
        job = service.get_job(principal.user, job_id)
        seen = status or job.status
        deadline = time.monotonic() + self._wait_limit(wait)
        while job.status == seen and not job.is_final:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.context.feed.closed:
                break
            await self.context.feed.wait(job.id, remaining)
            job = service.get_job(principal.user, job_id)
        return json_response(self._document(job))

    async def cancel_job(self, job_id: str, token_info: dict[str, Any]) -> Response:
        """Cancel a job; a running job is answered once it has ended."""
        principal = Principal.from_token_info(token_info)
        principal.require_write()
        job = await self.context.service.cancel(principal.user, job_id)
        return json_response(self._document(job))

    async def get_job_logs(
        self,
        job_id: str,
        token_info: dict[str, Any],
        cursor: str | None = None,
        tail: int | None = None,
        wait: int = 0,
    ) -> Response:
        """Return a page of log lines, waiting up to ``wait`` seconds for new ones."""
        principal = Principal.from_token_info(token_info)
        after = decode_log_cursor(cursor)
        service = self.context.service
        storage = self.context.storage
        job = service.get_job(principal.user, job_id)
        deadline = time.monotonic() + self._wait_limit(wait)
        while True:
            # The status is read before the lines: a final status is recorded only after
            # every line is stored, so a final status here means no line can be missing.
            job = service.get_job(principal.user, job_id)
            if tail is not None:
                lines = storage.tail_log_lines(job.id, after=after, count=tail)
            else:
                lines = storage.read_log_lines(job.id, after=after, limit=MAX_LOG_LINES)
            remaining = deadline - time.monotonic()
            if lines or job.is_final or remaining <= 0 or self.context.feed.closed:
                break
            await self.context.feed.wait(job.id, remaining)

        last = lines[-1].seq if lines else after
        complete = job.is_final and last >= storage.last_log_seq(job.id)
        document: dict[str, Any] = {
            "lines": [log_line_document(line) for line in lines],
            "next_cursor": str(last),
            "complete": complete,
            "status": job.status,
        }
        position = service.queue_position(job)
        if position is not None:
            document["queue_position"] = position
        return json_response(document)

    async def get_job_metrics(
        self, job_id: str, token_info: dict[str, Any], history: bool = True
    ) -> Response:
        """Return a job's latest metric values and, unless ``history`` is false, every point."""
        principal = Principal.from_token_info(token_info)
        job = self.context.service.get_job(principal.user, job_id)
        document = metrics_document(self.context.storage.read_metrics(job.id))
        if not history:
            document["history"] = []
        return json_response(document)
