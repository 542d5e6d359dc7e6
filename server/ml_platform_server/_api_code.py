"""Handlers of the ``code`` operations: check for and upload code archives."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

from connexion import request as current_request
from starlette.requests import ClientDisconnect
from starlette.responses import Response

from . import _problems as problems
from ._archives import ArchiveError, ArchiveLimits, archive_path, check_archive
from ._auth import Principal
from ._context import AppContext
from ._jobs import shutting_down
from ._problems import ApiProblem, validation_error
from ._records import CodeArchiveRecord
from ._serialize import json_response
from ._timeutil import now_ms


def _too_large(limit: int) -> ApiProblem:
    return ApiProblem(
        problems.PAYLOAD_TOO_LARGE,
        f"the upload is larger than the server's limit of {limit} bytes; leave out large "
        "files such as data sets, or start the server with a larger --max-upload-bytes",
        limit=limit,
    )


class CodeApi:
    """Handlers for ``HEAD`` and ``PUT /code/{digest}``."""

    def __init__(self, context: AppContext) -> None:
        self.context = context

    async def code_exists(self, digest: str, token_info: dict[str, Any]) -> Response:
        """Return 200 when the caller has stored the archive, else 404."""
        principal = Principal.from_token_info(token_info)
        if self.context.storage.get_code_archive(principal.user, digest) is None:
            raise ApiProblem(
                problems.NOT_FOUND,
                f"no code archive with digest {digest} is stored for this user; upload it with PUT",
            )
        return Response(status_code=200, media_type="application/json")

    async def upload_code(self, digest: str, token_info: dict[str, Any]) -> Response:
        """Store an uploaded archive after checking its size, digest and members."""
        principal = Principal.from_token_info(token_info)
        principal.require_write()
        if not self.context.service.accepting:
            raise shutting_down()

        limit = self.context.config.max_upload_bytes
        request = current_request
        declared = request.headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                raise validation_error(
                    "Content-Length",
                    f"Content-Length {declared[:40]!r} is not a number of bytes; "
                    "send the size of the body",
                )
            if int(declared) > limit:
                raise _too_large(limit)

        storage = self.context.storage
        final_path = archive_path(self.context.config.data_dir, principal.user, digest)
        final_path.parent.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in the finally below
            dir=final_path.parent, prefix=".upload-", suffix=".tar", delete=False
        )
        temp_path = Path(handle.name)
        try:
            size, actual = await self._receive(request, handle, limit)
            handle.close()
            if actual != digest:
                raise validation_error(
                    "digest",
                    f"the body's SHA-256 digest is {actual}, not {digest}; upload the exact "
                    "bytes the digest was computed from",
                )
            existing = storage.get_code_archive(principal.user, digest)
            if existing is not None:
                return json_response(_archive_document(existing))
            files = await self._check(temp_path)
            os.replace(temp_path, final_path)
            record = CodeArchiveRecord(
                user=principal.user, digest=digest, size=size, files=files, created_ms=now_ms()
            )
            created = storage.add_code_archive(record)
            return json_response(_archive_document(record), status=201 if created else 200)
        finally:
            handle.close()
            with contextlib.suppress(FileNotFoundError):
                temp_path.unlink()

    @staticmethod
    async def _receive(request: Any, handle: Any, limit: int) -> tuple[int, str]:
        sha = hashlib.sha256()
        size = 0
        try:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise _too_large(limit)
                sha.update(chunk)
                handle.write(chunk)
        except ClientDisconnect as err:
            raise validation_error(
                "body", "the client disconnected before the upload was complete; retry it"
            ) from err
        return size, sha.hexdigest()

    async def _check(self, path: Path) -> list[str]:
        limits = ArchiveLimits(
            max_files=self.context.config.max_files,
            max_unpacked_bytes=self.context.config.max_unpacked_bytes,
        )
        try:
            return await asyncio.to_thread(check_archive, path, limits)
        except ArchiveError as err:
            raise validation_error("body", str(err)) from err


def _archive_document(record: CodeArchiveRecord) -> dict[str, Any]:
    return {"digest": record.digest, "size": record.size, "files": len(record.files)}
