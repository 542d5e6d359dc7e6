"""The id of the request being handled, shared by handlers, error handlers and logs."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[\x21-\x7e]{1,128}$")

current_request_id: ContextVar[str] = ContextVar("current_request_id", default="-")

# The spec path template the front layer matched, such as "/code/{digest}".
current_route: ContextVar[str | None] = ContextVar("current_route", default=None)


def choose_request_id(client_value: str | None) -> str:
    """Return the client's request id if it is 1-128 visible ASCII characters, else a new one."""
    if client_value is not None and _VALID_REQUEST_ID.match(client_value):
        return client_value
    return "req_" + uuid.uuid4().hex
