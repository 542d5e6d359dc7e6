"""The ``mlp-server`` command line.

Commands::

    mlp-server [serve] --data-dir DIR [--host H] [--port N|0] [--pools FILE] [--dev] ...
    mlp-server keys create --data-dir DIR --user NAME [--read-only] [--name LABEL]
    mlp-server keys list --data-dir DIR
    mlp-server keys revoke --data-dir DIR KEY_ID
    mlp-server seed --data-dir DIR --jobs N [--user dev]

Only data goes to stdout (the listening line, the development key, a new key,
the key table); logs and messages go to stderr. Exit status: 0 success,
1 runtime error, 2 invalid command line or pools file.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from . import _commands
from ._archives import DEFAULT_MAX_FILES, DEFAULT_MAX_UNPACKED_BYTES, DEFAULT_MAX_UPLOAD_BYTES
from ._config import (
    DEFAULT_GRACE_PERIOD,
    DEFAULT_HOST,
    DEFAULT_MAX_WAIT,
    DEFAULT_PORT,
    DEFAULT_RATE_LIMIT,
    MAX_WAIT_LIMIT,
)
from ._version import __version__

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
ENV_PREFIX = "MLP_SERVER_"
COMMANDS = ("serve", "keys", "seed")


class UsageError(Exception):
    """An invalid command line; exits with status 2."""


class _Parser(argparse.ArgumentParser):
    """An argument parser that reports errors as one ``Error: ...`` line."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}; run '{self.prog} --help' for usage")


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(ENV_PREFIX + name, default)


def _number(
    kind: type[int] | type[float], *, minimum: float, maximum: float | None = None
) -> Callable[[str], int | float]:
    """Build an argparse type that parses a number within bounds."""

    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            expected = "a whole number" if kind is int else "a number"
            raise argparse.ArgumentTypeError(
                f"invalid value {text!r}: expected {expected}"
            ) from None
        if value < minimum or (maximum is not None and value > maximum):
            bound = (
                f"between {minimum:g} and {maximum:g}"
                if maximum is not None
                else f"{minimum:g} or more"
            )
            raise argparse.ArgumentTypeError(f"invalid value {text!r}: expected {bound}")
        return value

    return parse


def _add_data_dir(parser: argparse.ArgumentParser) -> None:
    default = _env("DATA_DIR")
    parser.add_argument(
        "--data-dir",
        required=default is None,
        default=default,
        metavar="DIR",
        help=f"directory for the database, code archives and job files (env {ENV_PREFIX}DATA_DIR)",
    )


def _add_serve_options(parser: argparse.ArgumentParser) -> None:
    _add_data_dir(parser)
    parser.add_argument(
        "--host",
        default=_env("HOST", DEFAULT_HOST),
        help=f"address to bind (default {DEFAULT_HOST}; env {ENV_PREFIX}HOST)",
    )
    parser.add_argument(
        "--port",
        type=_number(int, minimum=0, maximum=65535),
        default=_env("PORT", str(DEFAULT_PORT)),
        metavar="N",
        help=f"TCP port, 0 for any free port (default {DEFAULT_PORT}; env {ENV_PREFIX}PORT)",
    )
    parser.add_argument(
        "--pools",
        default=_env("POOLS"),
        metavar="FILE",
        help="YAML file with GPU pools and the CPU and memory budget "
        f"(default: t4 8, v100 4, a100 2, 32 CPUs, 128Gi; env {ENV_PREFIX}POOLS)",
    )
    parser.add_argument(
        "--dev",
        action="store_true",
        default=_env("DEV", "") not in ("", "0", "false"),
        help=f"create and print an API key for user 'dev' at start (env {ENV_PREFIX}DEV=1)",
    )
    parser.add_argument(
        "--grace-period",
        type=_number(float, minimum=0, maximum=3600),
        default=_env("GRACE_PERIOD", str(DEFAULT_GRACE_PERIOD)),
        metavar="SECONDS",
        help="seconds between SIGTERM and SIGKILL when a job is stopped "
        f"(default {DEFAULT_GRACE_PERIOD:g}; env {ENV_PREFIX}GRACE_PERIOD)",
    )
    parser.add_argument(
        "--rate-limit",
        type=_number(float, minimum=0),
        default=_env("RATE_LIMIT", str(DEFAULT_RATE_LIMIT)),
        metavar="REQUESTS_PER_SECOND",
        help="requests per second per API key, with bursts of twice that; 0 disables "
        f"(default {DEFAULT_RATE_LIMIT:g}; env {ENV_PREFIX}RATE_LIMIT)",
    )
    parser.add_argument(
        "--max-wait",
        type=_number(float, minimum=0, maximum=MAX_WAIT_LIMIT),
        default=_env("MAX_WAIT", str(DEFAULT_MAX_WAIT)),
        metavar="SECONDS",
        help=f"cap on every long-poll, at most {MAX_WAIT_LIMIT:g} "
        f"(default {DEFAULT_MAX_WAIT:g}; env {ENV_PREFIX}MAX_WAIT)",
    )
    parser.add_argument(
        "--max-upload-bytes",
        type=_number(int, minimum=1),
        default=_env("MAX_UPLOAD_BYTES", str(DEFAULT_MAX_UPLOAD_BYTES)),
        metavar="N",
        help="largest accepted code archive upload in bytes "
        f"(default {DEFAULT_MAX_UPLOAD_BYTES}; env {ENV_PREFIX}MAX_UPLOAD_BYTES)",
    )
    parser.add_argument(
        "--max-unpacked-bytes",
        type=_number(int, minimum=1),
        default=_env("MAX_UNPACKED_BYTES", str(DEFAULT_MAX_UNPACKED_BYTES)),
        metavar="N",
        help="largest total size of the files in a code archive in bytes "
        f"(default {DEFAULT_MAX_UNPACKED_BYTES}; env {ENV_PREFIX}MAX_UNPACKED_BYTES)",
    )
    parser.add_argument(
        "--max-files",
        type=_number(int, minimum=1),
        default=_env("MAX_FILES", str(DEFAULT_MAX_FILES)),
        metavar="N",
        help="most regular files in a code archive "
        f"(default {DEFAULT_MAX_FILES}; env {ENV_PREFIX}MAX_FILES)",
    )
    parser.add_argument(
        "--log-level",
        choices=("debug", "info", "warning"),
        default=_env("LOG_LEVEL", "info"),
        help=f"level of the logs on stderr (default info; env {ENV_PREFIX}LOG_LEVEL)",
    )


def build_parser() -> argparse.ArgumentParser:
    """Build the parser of every command."""
    parser = _Parser(
        prog="mlp-server",
        description="Reference server of the ML Platform API. 'serve' is the default command.",
    )
    parser.add_argument("--version", action="version", version=f"mlp-server {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    serve = commands.add_parser("serve", help="run the HTTP server (default)")
    _add_serve_options(serve)

    keys = commands.add_parser("keys", help="create, list and revoke API keys")
    key_commands = keys.add_subparsers(dest="keys_command", metavar="ACTION", parser_class=_Parser)
    key_commands.required = True
    create = key_commands.add_parser("create", help="create a key and print it on stdout")
    _add_data_dir(create)
    create.add_argument("--user", required=True, help="the user the key belongs to")
    create.add_argument("--read-only", action="store_true", help="allow reads only")
    create.add_argument("--name", metavar="LABEL", help="a label to tell keys apart")
    list_keys = key_commands.add_parser("list", help="list keys (never the keys themselves)")
    _add_data_dir(list_keys)
    revoke = key_commands.add_parser("revoke", help="revoke a key by its id")
    _add_data_dir(revoke)
    revoke.add_argument("key_id", metavar="KEY_ID", help="the key id shown by 'keys list'")

    seed = commands.add_parser("seed", help="load finished job records fast (for tests)")
    _add_data_dir(seed)
    seed.add_argument(
        "--jobs", type=_number(int, minimum=0, maximum=10_000_000), required=True, metavar="N"
    )
    seed.add_argument("--user", default="dev", help="owner of the jobs (default dev)")
    return parser


def _with_default_command(argv: list[str]) -> list[str]:
    if not argv or argv[0] in COMMANDS or argv[0] in ("-h", "--help", "--version"):
        return argv if argv else ["serve"]
    return ["serve", *argv]


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``mlp-server`` and return its exit status."""
    args_list = _with_default_command(list(sys.argv[1:] if argv is None else argv))
    try:
        args = build_parser().parse_args(args_list)
        return _commands.dispatch(args)
    except UsageError as err:
        print(f"Error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except _commands.CommandError as err:
        print(f"Error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
