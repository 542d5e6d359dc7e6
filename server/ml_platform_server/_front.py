"""The outermost ASGI layer: request ids, routing errors, OPTIONS and access logs.

It runs before Connexion, so it also covers requests that never reach an
operation: unknown paths (404 ``not-found``), methods a path does not have
(405 ``method-not-allowed``) and ``OPTIONS``, which gets the spec's methods
without authentication.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import _problems as problems
from ._problems import ApiProblem, render_problem
from ._requestid import REQUEST_ID_HEADER, choose_request_id, current_request_id, current_route

access_logger = logging.getLogger("ml_platform_server.access")
logger = logging.getLogger("ml_platform_server.errors")

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class SpecRoute:
    """One path of the spec under the base path, with its methods."""

    template: str
    pattern: re.Pattern[str]
    methods: tuple[str, ...]

    @property
    def allow_header(self) -> str:
        """The ``Allow`` header value: the spec's methods plus OPTIONS."""
        return ", ".join([*self.methods, "OPTIONS"])


def routes_from_spec(spec: dict[str, Any], base_path: str) -> list[SpecRoute]:
    """Build the route table of the spec's paths under ``base_path``."""
    routes = []
    for template, item in spec.get("paths", {}).items():
        regex = re.sub(r"\\\{[^/{}]+\\\}", "[^/]+", re.escape(base_path + template))
        methods = tuple(m.upper() for m in item if m in HTTP_METHODS and m != "options")
        routes.append(SpecRoute(template, re.compile(f"^{regex}$"), methods))
    return routes


class FrontMiddleware:
    """Assign request ids, handle routing errors and OPTIONS, and log each request.

    Args:
        app: The Connexion application.
        routes: The spec's routes.
    """

    def __init__(self, app: ASGIApp, routes: list[SpecRoute]) -> None:
        self.app = app
        self.routes = routes

    def match(self, path: str) -> SpecRoute | None:
        """Return the spec route of a path, or ``None``."""
        for route in self.routes:
            if route.pattern.match(path):
                return route
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        client_id = None
        for name, value in scope.get("headers", []):
            if name == b"x-request-id":
                client_id = value.decode("latin-1")
        request_id = choose_request_id(client_id)
        token = current_request_id.set(request_id)
        started = time.monotonic()
        state: dict[str, Any] = {"status": 0}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"
                ]
                headers.append((REQUEST_ID_HEADER.lower().encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self._dispatch(scope, receive, send_with_id, request_id)
        except Exception as exc:
            logger.error("request %s failed: %s", request_id, exc.__class__.__name__, exc_info=exc)
            if not state["status"]:
                problem = ApiProblem(
                    problems.INTERNAL,
                    "the server failed to handle the request because of a bug; "
                    "report it with the request id",
                )
                await send_problem(send_with_id, problem, request_id)
        finally:
            duration_ms = (time.monotonic() - started) * 1000
            access_logger.info(
                "%s %s %s %.1fms request_id=%s",
                scope.get("method", "-"),
                scope.get("path", "-"),
                state["status"] or "-",
                duration_ms,
                request_id,
            )
            current_request_id.reset(token)

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send, request_id: str) -> None:
        route = self.match(scope["path"])
        method = scope["method"].upper()
        if route is None:
            problem = ApiProblem(
                problems.NOT_FOUND,
                f"no route matches {scope['path'][:200]!r}; check the URL, every path is "
                "under /api/v1",
            )
            await send_problem(send, problem, request_id)
            return
        if method == "OPTIONS":
            await send(
                {
                    "type": "http.response.start",
                    "status": 204,
                    "headers": [(b"allow", route.allow_header.encode())],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        if method not in route.methods:
            allowed = [*route.methods, "OPTIONS"]
            problem = ApiProblem(
                problems.METHOD_NOT_ALLOWED,
                f"{method} is not allowed on {route.template}; use one of: {', '.join(allowed)}",
                allowed=allowed,
                headers={"Allow": route.allow_header},
            )
            await send_problem(send, problem, request_id)
            return
        token = current_route.set(route.template)
        try:
            await self.app(scope, receive, send)
        finally:
            current_route.reset(token)


async def send_problem(send: Send, problem: ApiProblem, request_id: str) -> None:
    """Send a complete problem response."""
    status, headers, body = render_problem(problem, request_id)
    raw_headers = [(k.lower().encode(), v.encode("latin-1")) for k, v in headers.items()]
    raw_headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})
