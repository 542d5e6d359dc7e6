"""Store one job's output lines with sequence numbers and a size cap."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ._records import LogLine
from ._storage import Storage
from ._timeutil import now_ms

DEFAULT_MAX_LINES = 100_000
DEFAULT_MAX_BYTES = 10 * 1024**2

STDOUT = "stdout"
STDERR = "stderr"
SYSTEM = "system"


class JobLog:
    """Number, cap and commit a job's log lines.

    Every call commits its lines before it returns, so a line a reader has
    seen is on disk. Past the cap, one ``system`` line says so and later
    output is dropped; ``system`` lines of the platform are always kept.

    Args:
        storage: Where the lines go.
        job_id: The job.
        on_change: Called after lines are stored, to wake followers.
        max_lines: Lines kept from the job's output.
        max_bytes: UTF-8 bytes kept from the job's output.
    """

    def __init__(
        self,
        storage: Storage,
        job_id: str,
        on_change: Callable[[], None],
        *,
        max_lines: int = DEFAULT_MAX_LINES,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self._storage = storage
        self._job_id = job_id
        self._on_change = on_change
        self._max_lines = max_lines
        self._max_bytes = max_bytes
        self._next_seq = storage.last_log_seq(job_id) + 1
        self._lines = 0
        self._bytes = 0
        self.truncated = False

    def add(self, stream: str, texts: Iterable[str]) -> None:
        """Store lines of the job's ``stdout`` or ``stderr``."""
        timestamp = now_ms()
        batch: list[LogLine] = []
        for text in texts:
            if self.truncated:
                break
            size = len(text.encode("utf-8", errors="replace"))
            if self._lines + 1 > self._max_lines or self._bytes + size > self._max_bytes:
                self.truncated = True
                batch.append(self._line(timestamp, SYSTEM, self._truncation_notice()))
                break
            self._lines += 1
            self._bytes += size
            batch.append(self._line(timestamp, stream, text))
        self._commit(batch)

    def system(self, text: str) -> None:
        """Store a line that the platform adds."""
        self._commit([self._line(now_ms(), SYSTEM, text)])

    def _truncation_notice(self) -> str:
        return (
            f"[log truncated: the output exceeded {self._max_lines} lines or "
            f"{self._max_bytes} bytes; the rest was dropped]"
        )

    def _line(self, timestamp: int, stream: str, text: str) -> LogLine:
        line = LogLine(seq=self._next_seq, timestamp_ms=timestamp, stream=stream, text=text)
        self._next_seq += 1
        return line

    def _commit(self, batch: list[LogLine]) -> None:
        if not batch:
            return
        self._storage.append_log_lines(self._job_id, batch)
        self._on_change()
