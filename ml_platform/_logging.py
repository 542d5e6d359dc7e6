"""The package logger ``ml_platform``: silent unless ``ML_PLATFORM_LOG`` turns it on.

``ML_PLATFORM_LOG=info`` writes one line per HTTP request to stderr (method, path, status,
duration and request id); ``ML_PLATFORM_LOG=debug`` adds a line per retry. Applications that
configure `logging` themselves get the same records through the ``ml_platform`` logger.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import warnings
from collections.abc import Mapping

__all__ = ["ENV_LOG", "LOGGER_NAME", "logger", "redact", "setup_logging"]

LOGGER_NAME = "ml_platform"
ENV_LOG = "ML_PLATFORM_LOG"

logger = logging.getLogger(LOGGER_NAME)
logger.addHandler(logging.NullHandler())

_LEVELS = {"info": logging.INFO, "debug": logging.DEBUG}
# API keys are "mlp_" followed by URL-safe characters; bearer credentials of any shape too.
_SECRET_PATTERN = re.compile(r"(mlp_)[A-Za-z0-9_\-]{4,}|(Bearer\s+)\S+", re.IGNORECASE)
_setup_lock = threading.Lock()
_setup_done = False


def redact(text: str) -> str:
    """Replace anything that looks like an API key or bearer credential in ``text``."""
    return _SECRET_PATTERN.sub(lambda match: (match.group(1) or match.group(2)) + "********", text)


class _RedactingFilter(logging.Filter):
    """Rewrite each record's message so that no API key can reach a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True


logger.addFilter(_RedactingFilter())


def setup_logging(environ: Mapping[str, str] | None = None) -> None:
    """Attach a stderr handler to the package logger when ``ML_PLATFORM_LOG`` is set.

    Runs once per process; later calls do nothing.
    """
    global _setup_done
    with _setup_lock:
        if _setup_done:
            return
        _setup_done = True

    env = os.environ if environ is None else environ
    value = env.get(ENV_LOG, "").strip().lower()
    if not value:
        return
    level = _LEVELS.get(value)
    if level is None:
        warnings.warn(
            f"Ignoring {ENV_LOG}={value!r}: expected 'info' or 'debug'.", UserWarning, stacklevel=3
        )
        return

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")
    )
    handler.addFilter(_RedactingFilter())
    logger.addHandler(handler)
    logger.setLevel(level)
    # The handler above already writes these records; do not repeat them through the root logger.
    logger.propagate = False
