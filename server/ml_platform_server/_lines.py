"""Turn a process's output bytes into log lines.

Bytes are decoded as UTF-8 with replacement characters. ``\\n`` and ``\\r\\n``
end a line. A bare ``\\r`` starts a progress update (as tqdm writes them): only
the latest segment is kept, and it is emitted when a newline arrives, at the
end of the output, or at most once per :data:`PROGRESS_INTERVAL` seconds while
it keeps changing. Lines longer than :data:`MAX_LINE_CHARS` characters are
split.
"""

from __future__ import annotations

import codecs
import re

MAX_LINE_CHARS = 8192
PROGRESS_INTERVAL = 1.0

_BREAK = re.compile(r"\r\n|\r|\n")


class LineAssembler:
    """Assemble the lines of one output stream."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._latest_progress = ""
        self._in_progress = False
        self._shown_progress: str | None = None
        self._last_progress_emit = float("-inf")
        self._pending_cr = False

    def feed(self, data: bytes, now: float) -> list[str]:
        """Add output bytes and return the lines they complete.

        Args:
            data: The next bytes of the stream.
            now: A monotonic clock reading in seconds, for progress throttling.
        """
        text = self._decoder.decode(data)
        return self._consume(text, now)

    def _consume(self, text: str, now: float) -> list[str]:
        lines: list[str] = []
        if self._pending_cr:
            self._pending_cr = False
            if text.startswith("\n"):
                text = text[1:]
                self._end_line(lines)
            else:
                self._carriage_return(lines, now)
        if text.endswith("\r"):
            # A CR at the end of a chunk may be the first half of CRLF.
            self._pending_cr = True
            text = text[:-1]

        position = 0
        for match in _BREAK.finditer(text):
            self._buffer += text[position : match.start()]
            if match.group() == "\r":
                self._carriage_return(lines, now)
            else:
                self._end_line(lines)
            position = match.end()
        self._buffer += text[position:]

        while len(self._buffer) > MAX_LINE_CHARS:
            lines.append(self._buffer[:MAX_LINE_CHARS])
            self._buffer = self._buffer[MAX_LINE_CHARS:]
        return lines

    def _carriage_return(self, lines: list[str], now: float) -> None:
        self._in_progress = True
        if self._buffer:
            self._latest_progress = self._buffer
            self._buffer = ""
        lines.extend(self.tick(now))

    def _end_line(self, lines: list[str]) -> None:
        if self._in_progress:
            visible = self._buffer or self._latest_progress
            if visible and visible != self._shown_progress:
                lines.extend(_split(visible))
        else:
            lines.extend(_split(self._buffer))
        self._buffer = ""
        self._latest_progress = ""
        self._in_progress = False
        self._shown_progress = None

    def tick(self, now: float) -> list[str]:
        """Return the latest progress segment when it changed and the interval has passed."""
        if not self._in_progress:
            return []
        visible = self._buffer or self._latest_progress
        if not visible or visible == self._shown_progress:
            return []
        if now - self._last_progress_emit < PROGRESS_INTERVAL:
            return []
        self._shown_progress = visible
        self._last_progress_emit = now
        return _split(visible)

    def finish(self) -> list[str]:
        """Return the lines still buffered at the end of the stream."""
        lines = self._consume(self._decoder.decode(b"", final=True), float("-inf"))
        if self._pending_cr:
            self._pending_cr = False
            self._in_progress = True
            if self._buffer:
                self._latest_progress = self._buffer
                self._buffer = ""
        if self._in_progress or self._buffer:
            self._end_line(lines)
        return lines


def _split(text: str) -> list[str]:
    if len(text) <= MAX_LINE_CHARS:
        return [text]
    return [text[i : i + MAX_LINE_CHARS] for i in range(0, len(text), MAX_LINE_CHARS)]
