"""Implementations of the ``mlp-server`` commands."""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from pathlib import Path

from ._config import ServerConfig
from ._keys import create_key
from ._pools import PoolsFileError, load_cluster_config
from ._seed import seed_jobs
from ._sqlite import DATABASE_NAME, SqliteStorage
from ._timeutil import format_ms, now_ms


class CommandError(Exception):
    """A command failed; ``exit_code`` is 2 for invalid input and 1 otherwise."""

    def __init__(self, message: str, *, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def configure_logging(level: str) -> None:
    """Send logs to stderr; the ``ml_platform_server`` hierarchy logs at ``level``."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("ml_platform_server").setLevel(level.upper())


def _data_dir(raw: str) -> Path:
    path = Path(raw).expanduser()
    if path.exists() and not path.is_dir():
        raise CommandError(
            f"--data-dir {raw!r} is a file, not a directory; pass a directory path",
            exit_code=2,
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise CommandError(
            f"cannot create --data-dir {raw!r} ({err.strerror}); pass a writable directory",
            exit_code=2,
        ) from err
    return path.resolve()


def _open_storage(raw: str) -> SqliteStorage:
    return SqliteStorage(_data_dir(raw))


def _open_existing_storage(raw: str, *, create: bool = False) -> SqliteStorage:
    """Open the database of an existing data directory, so that a mistyped path fails.

    With ``create``, a directory without a database gets one, so keys can be made before the
    server first starts; the directory itself must exist.
    """
    path = Path(raw).expanduser()
    if create and not path.is_dir():
        raise CommandError(
            f"--data-dir {raw!r} is not an existing directory; pass the directory the server "
            "runs with, or create it first",
            exit_code=2,
        )
    if not create and not (path / DATABASE_NAME).is_file():
        raise CommandError(
            f"--data-dir {raw!r} holds no server database ({DATABASE_NAME}); pass the directory "
            "the server runs with",
            exit_code=2,
        )
    return SqliteStorage(path.resolve())


def dispatch(args: argparse.Namespace) -> int:
    """Run the command chosen on the command line."""
    if args.command == "keys":
        return {"create": keys_create, "list": keys_list, "revoke": keys_revoke}[args.keys_command](
            args
        )
    if args.command == "seed":
        return seed(args)
    return serve(args)


def serve(args: argparse.Namespace) -> int:
    """Run the HTTP server."""
    # Connexion imports Starlette's test client, which warns about httpx on import.
    warnings.filterwarnings("ignore", message=".*starlette.testclient.*")
    from ._server import bind_socket, run

    configure_logging(args.log_level)
    try:
        cluster = load_cluster_config(Path(args.pools) if args.pools else None)
    except PoolsFileError as err:
        raise CommandError(str(err), exit_code=2) from err
    config = ServerConfig(
        data_dir=_data_dir(args.data_dir),
        host=args.host,
        port=args.port,
        cluster=cluster,
        dev=args.dev,
        grace_period=args.grace_period,
        rate_limit=args.rate_limit,
        max_wait=args.max_wait,
        max_upload_bytes=args.max_upload_bytes,
        max_unpacked_bytes=args.max_unpacked_bytes,
        max_files=args.max_files,
        log_level=args.log_level,
    )
    try:
        sock = bind_socket(config.host, config.port)
    except OSError as err:
        raise CommandError(
            f"cannot listen on {config.host}:{config.port} ({err.strerror or err}); "
            "pass another --host or --port, or --port 0 for any free port"
        ) from err
    return run(config, sock)


def keys_create(args: argparse.Namespace) -> int:
    """Create a key and print it on stdout."""
    storage = _open_existing_storage(args.data_dir, create=True)
    try:
        created = create_key(storage, user=args.user, read_only=args.read_only, name=args.name)
    except ValueError as err:
        raise CommandError(str(err), exit_code=2) from err
    finally:
        storage.close()
    print(created.key, flush=True)
    print(f"created key {created.record.key_id} for user {args.user}", file=sys.stderr)
    return 0


def keys_list(args: argparse.Namespace) -> int:
    """Print a table of keys: id, user, scope, created, revoked and name."""
    storage = _open_existing_storage(args.data_dir)
    try:
        keys = storage.list_keys()
    finally:
        storage.close()
    rows = [("KEY_ID", "USER", "SCOPE", "CREATED", "REVOKED", "NAME")]
    for key in keys:
        rows.append(
            (
                key.key_id,
                key.user,
                key.scope,
                format_ms(key.created_ms),
                format_ms(key.revoked_ms) if key.revoked_ms is not None else "-",
                key.name or "-",
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        print("  ".join(cells).rstrip())
    return 0


def keys_revoke(args: argparse.Namespace) -> int:
    """Revoke a key by id."""
    storage = _open_existing_storage(args.data_dir)
    try:
        record = storage.revoke_key(args.key_id, now_ms())
    finally:
        storage.close()
    if record is None:
        raise CommandError(
            f"no API key has the id {args.key_id!r}; list the ids with 'mlp-server keys list'"
        )
    print(f"revoked key {record.key_id} of user {record.user}", file=sys.stderr)
    return 0


def seed(args: argparse.Namespace) -> int:
    """Load finished job records in one transaction."""
    storage = _open_storage(args.data_dir)
    try:
        count = seed_jobs(storage, count=args.jobs, user=args.user)
    finally:
        storage.close()
    print(f"seeded {count} jobs for user {args.user}", file=sys.stderr)
    return 0
