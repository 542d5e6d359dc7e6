"""A fault-injecting HTTP proxy on 127.0.0.1 in front of a real reference server.

`FaultProxy` forwards every request to the server and records it. A `Fault` rule makes it
misbehave for matching requests instead:

* ``drop``: forward the request, let the server process it, read the whole response, then
  close the client's connection without responding, as when a response is lost;
* ``respond``: respond with the rule's status, headers and body without forwarding, as a
  failing gateway or a rate limiter in front of the server would.

It is a standard-library threaded HTTP/1.1 server. It listens on loopback only, serves at
most `MAX_REQUESTS` requests, and every socket has a time-out, so a test cannot hang on it.
"""

from __future__ import annotations

import contextlib
import http.client
import re
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal

MAX_REQUESTS = 2000
"""Requests the proxy serves before it responds to every further one with 503."""

UPSTREAM_TIMEOUT = 60.0
"""Seconds to wait for the server; longer than the API's 30-second long polls."""

CLIENT_IDLE_TIMEOUT = 120.0
"""Seconds an idle client connection stays open."""

_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)


@dataclass
class Fault:
    """A rule that makes the proxy misbehave for matching requests.

    Attributes:
        method: The HTTP method to match.
        path: A regular expression that must match the whole path, without the query.
        action: ``drop`` the response after the server processed the request, or
            ``respond`` with ``status`` without forwarding.
        status: The status of a ``respond`` rule.
        headers: Extra headers of a ``respond`` rule.
        body: The body of a ``respond`` rule.
        content_type: The content type of a ``respond`` rule.
        skip: Matching requests to let through before the rule applies.
        times: Matching requests the rule applies to after ``skip``.
        applied: How often the rule has applied so far.
    """

    method: str
    path: str
    action: Literal["drop", "respond"]
    status: int = 502
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"Bad Gateway (injected by the test proxy)\n"
    content_type: str = "text/plain"
    skip: int = 0
    times: int = 1
    applied: int = 0
    _seen: int = 0

    def claim(self, method: str, path: str) -> bool:
        """Return whether the rule applies to this request, counting it when it matches."""
        if method != self.method or re.fullmatch(self.path, path) is None:
            return False
        self._seen += 1
        if self._seen <= self.skip or self.applied >= self.times:
            return False
        self.applied += 1
        return True


@dataclass
class Exchange:
    """One request the proxy received and what it did with it.

    Attributes:
        method: The HTTP method.
        path: The path without the query.
        query: The parsed query parameters.
        headers: The request headers, with lowercase names.
        started: `time.monotonic` when the request line arrived.
        finished: `time.monotonic` when the proxy responded or dropped the connection.
        outcome: ``forwarded``, ``dropped`` or ``responded``.
        status: The status sent to the client, or the server's status for a dropped response.
        content: The body sent to the client, or the server's body for a dropped response.
    """

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    started: float
    finished: float = 0.0
    outcome: str = "forwarded"
    status: int = 0
    content: bytes = b""


class FaultProxy:
    """Forward requests to ``upstream`` and apply the faults that match them.

    Args:
        upstream: The server root URL, ``http://127.0.0.1:PORT``.
    """

    def __init__(self, upstream: str) -> None:
        parts = urllib.parse.urlsplit(upstream)
        assert parts.hostname in ("127.0.0.1", "localhost", "::1"), upstream
        self.upstream_host = parts.hostname
        self.upstream_port = parts.port or 80
        self.faults: list[Fault] = []
        self.exchanges: list[Exchange] = []
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def add(self, fault: Fault) -> Fault:
        """Add a fault rule and return it; rules are tried in the order they were added."""
        with self._lock:
            self.faults.append(fault)
        return fault

    def matching(self, method: str, path: str) -> list[Exchange]:
        """Return the recorded exchanges whose method matches and whose path matches ``path``."""
        with self._lock:
            return [
                exchange
                for exchange in self.exchanges
                if exchange.method == method and re.fullmatch(path, exchange.path)
            ]

    def close(self) -> None:
        """Stop serving and close every client connection."""
        self.server.shutdown()
        self.server.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=10)

    def _claim(self, method: str, path: str) -> Fault | None:
        with self._lock:
            return next((fault for fault in self.faults if fault.claim(method, path)), None)

    def _record(self, exchange: Exchange) -> bool:
        with self._lock:
            self.exchanges.append(exchange)
            return len(self.exchanges) <= MAX_REQUESTS

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = CLIENT_IDLE_TIMEOUT

            def setup(self) -> None:
                super().setup()
                with proxy._lock:
                    proxy._connections.add(self.connection)

            def finish(self) -> None:
                with proxy._lock:
                    proxy._connections.discard(self.connection)
                super().finish()

            def log_message(self, format: str, *args: object) -> None:
                return

            def _handle(self) -> None:
                parts = urllib.parse.urlsplit(self.path)
                exchange = Exchange(
                    method=self.command,
                    path=parts.path,
                    query=urllib.parse.parse_qs(parts.query),
                    headers={name.lower(): value for name, value in self.headers.items()},
                    started=time.monotonic(),
                )
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if not proxy._record(exchange):
                    limit = b"test proxy request limit reached\n"
                    self._reply(exchange, 503, {}, limit, "text/plain")
                    return

                fault = proxy._claim(self.command, parts.path)
                if fault is not None and fault.action == "respond":
                    self._reply(
                        exchange, fault.status, fault.headers, fault.body, fault.content_type
                    )
                    exchange.outcome = "responded"
                    return

                status, headers, content = self._forward(body)
                if fault is not None and fault.action == "drop":
                    # The server has processed the request; the client never hears about it.
                    exchange.status = status
                    exchange.content = content
                    exchange.outcome = "dropped"
                    exchange.finished = time.monotonic()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self._send(exchange, status, headers, content)

            def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
                upstream = http.client.HTTPConnection(
                    proxy.upstream_host, proxy.upstream_port, timeout=UPSTREAM_TIMEOUT
                )
                try:
                    upstream.putrequest(
                        self.command, self.path, skip_host=True, skip_accept_encoding=True
                    )
                    for name, value in self.headers.items():
                        if name.lower() not in _HOP_BY_HOP and name.lower() != "content-length":
                            upstream.putheader(name, value)
                    upstream.putheader("Content-Length", str(len(body)))
                    upstream.endheaders(body)
                    response = upstream.getresponse()
                    content = response.read()
                    return response.status, response.getheaders(), content
                finally:
                    upstream.close()

            def _reply(
                self,
                exchange: Exchange,
                status: int,
                headers: dict[str, str],
                body: bytes,
                content_type: str,
            ) -> None:
                pairs = [("Content-Type", content_type), *headers.items()]
                self._send(exchange, status, pairs, body)

            def _send(
                self,
                exchange: Exchange,
                status: int,
                headers: list[tuple[str, str]],
                content: bytes,
            ) -> None:
                self.send_response_only(status)
                for name, value in headers:
                    if name.lower() not in _HOP_BY_HOP and name.lower() != "content-length":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(content)
                exchange.status = status
                exchange.content = content
                exchange.finished = time.monotonic()

            do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _handle

        return Handler
