"""Reading a server URL and an API key from the user, for ``mlp init`` and ``mlp config set``.

The key is read from the terminal with echo off, or from stdin when it is piped in. It is never
taken as an argument or option, because those end up in shell history and process listings.
"""

from __future__ import annotations

import getpass
import os
import sys

import click

DEFAULT_URL = "http://127.0.0.1:8000"
"""The URL offered when the profile has none: a reference server on this machine."""

KEY_ATTEMPTS = 3
"""How many times an empty key is asked for before giving up."""


def check_url(value: str) -> str:
    """Return the URL without surrounding spaces, or raise BadParameter unless it is http(s)."""
    url = value.strip()
    if not url.startswith(("http://", "https://")):
        raise click.BadParameter(
            f"{value!r} is not an http:// or https:// URL; give the server root URL, for "
            f"example {DEFAULT_URL}."
        )
    return url


def check_api_key(value: str) -> str:
    """Return the key without surrounding spaces, or raise UsageError for a malformed key."""
    key = value.strip()
    if not key or any(character.isspace() or not character.isprintable() for character in key):
        raise click.UsageError(
            "the API key is empty or contains spaces or control characters; give the whole key "
            "as `mlp-server keys create` printed it."
        )
    return key


def _has_terminal() -> bool:
    """Return whether this process has a terminal (``/dev/tty``) to read a hidden key from."""
    try:
        descriptor = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return False
    os.close(descriptor)
    return True


def ask_api_key() -> str:
    """Read the API key from the terminal with echo turned off.

    getpass reads ``/dev/tty`` rather than stdin, so the key is asked for on the terminal even
    when stdin is redirected.

    Raises:
        click.UsageError: When there is no terminal, or no key was typed after several tries.
    """
    if not _has_terminal():
        raise click.UsageError(
            "cannot ask for the API key because there is no terminal; pipe the key in with "
            "--api-key-stdin."
        )
    for _ in range(KEY_ATTEMPTS):
        try:
            typed = getpass.getpass("API key (input hidden): ")
        except EOFError:
            raise click.Abort() from None
        if typed.strip():
            return check_api_key(typed)
    raise click.UsageError(
        f"no API key was typed after {KEY_ATTEMPTS} prompts; run the command again and type "
        "or paste the key."
    )


def read_api_key_from_stdin(*, example: str) -> str:
    """Read the API key from stdin, where it was piped in.

    Args:
        example: A command line that pipes a key in, for the message when stdin is empty.
    """
    text = sys.stdin.read()
    if not text.strip():
        raise click.UsageError(f"stdin carried no API key; pipe the key in, for example: {example}")
    return check_api_key(text)
