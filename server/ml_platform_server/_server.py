"""Run the server: bind, serve with uvicorn, and shut down gracefully on SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import sys
from collections.abc import Generator

import uvicorn

from ._app import build_context, create_app
from ._config import ServerConfig
from ._keys import create_key
from ._pools import describe_cluster
from ._version import __version__

logger = logging.getLogger("ml_platform_server")

GRACEFUL_HTTP_SHUTDOWN_SECONDS = 3


class _Server(uvicorn.Server):
    """A uvicorn server whose signals are handled by :func:`serve`."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def bind_socket(host: str, port: int) -> socket.socket:
    """Create a listening TCP socket for ``host`` and ``port`` (0 picks a free port).

    Raises:
        OSError: The address cannot be resolved or bound.
    """
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _name, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def listening_url(sock: socket.socket) -> str:
    """Return ``http://HOST:PORT`` for a bound socket."""
    host, port = sock.getsockname()[:2]
    if sock.family == socket.AF_INET6:
        host = f"[{host}]"
    return f"http://{host}:{port}"


async def serve(config: ServerConfig, sock: socket.socket) -> None:
    """Serve on a bound socket until SIGTERM or SIGINT, then shut down within bounds."""
    context = build_context(config)
    context.service.recover()
    app = create_app(context)
    uvicorn_config = uvicorn.Config(
        app,
        lifespan="off",
        access_log=False,
        log_config=None,
        timeout_graceful_shutdown=GRACEFUL_HTTP_SHUTDOWN_SECONDS,
        server_header=False,
    )
    server = _Server(uvicorn_config)
    loop = asyncio.get_running_loop()
    stopping: list[asyncio.Task[None]] = []

    async def stop() -> None:
        logger.info("stopping: ending running jobs and waking long-polls")
        await context.service.shutdown()
        server.should_exit = True

    def on_signal(signum: int) -> None:
        if stopping:
            logger.warning(
                "received %s again; exiting without waiting", signal.Signals(signum).name
            )
            server.force_exit = True
            server.should_exit = True
            return
        logger.info("received %s", signal.Signals(signum).name)
        stopping.append(asyncio.create_task(stop()))

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal, signum)

    if config.dev:
        created = create_key(context.storage, user="dev", name="development")
        print(f"Development API key: {created.key}", flush=True)
    url = listening_url(sock)
    logger.info(
        "ml-platform-server %s started on %s, data dir %s, %s",
        __version__,
        url,
        config.data_dir,
        describe_cluster(config.cluster),
    )
    print(f"Listening on {url}", flush=True)
    try:
        await server.serve(sockets=[sock])
    finally:
        if stopping:
            await stopping[0]
        else:
            await context.service.shutdown()
        context.storage.close()
        logger.info("stopped")


def run(config: ServerConfig, sock: socket.socket) -> int:
    """Run the server to completion and return the exit status."""
    asyncio.run(serve(config, sock))
    sys.stdout.flush()
    return 0
