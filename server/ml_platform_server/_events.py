"""Wake long-polling requests when a job changes."""

from __future__ import annotations

import asyncio
import contextlib


class ChangeFeed:
    """Per-job change notifications for long-polls, used on the event loop thread only.

    A waiter takes the job's current event before it sleeps; :meth:`notify` sets
    that event and starts a new one, so a change between a check and the wait
    is never lost (nothing else runs between them on the event loop).
    """

    def __init__(self) -> None:
        self._events: dict[str, asyncio.Event] = {}
        self._closed = False

    @property
    def closed(self) -> bool:
        """Whether the server is shutting down; waits then return at once."""
        return self._closed

    def notify(self, job_id: str) -> None:
        """Wake every request waiting on ``job_id``."""
        event = self._events.pop(job_id, None)
        if event is not None:
            event.set()

    async def wait(self, job_id: str, timeout: float) -> None:
        """Wait until ``job_id`` changes, ``timeout`` seconds pass or the feed closes."""
        if self._closed or timeout <= 0:
            return
        event = self._events.get(job_id)
        if event is None:
            event = self._events[job_id] = asyncio.Event()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)

    def close(self) -> None:
        """Wake every waiter and make later waits return at once."""
        self._closed = True
        for event in self._events.values():
            event.set()
        self._events.clear()
