"""Inspect and end processes through `/proc` (Linux only).

The reference server starts every job in its own session, so killing the
server's process group leaves its jobs behind. The helpers here find a
server's descendants while they are still linked to it, and later end exactly
those processes, recognised by pid and start time so that a reused pid is
never touched.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True, kw_only=True)
class ProcessId:
    """A process recognised by its pid and its start time in clock ticks since boot."""

    pid: int
    start_ticks: int


def _read_stat(pid: int) -> list[str] | None:
    try:
        raw = (PROC / str(pid) / "stat").read_text(encoding="ascii", errors="replace")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # The command name (field 2) is in parentheses and may contain spaces, so split after it.
    closing = raw.rfind(")")
    return [
        raw[: raw.find("(")].strip(),
        raw[raw.find("(") + 1 : closing],
        *raw[closing + 2 :].split(),
    ]


def identify(pid: int) -> ProcessId | None:
    """Return the identity of the live process `pid`, or None when it does not exist."""
    fields = _read_stat(pid)
    if fields is None:
        return None
    return ProcessId(pid=pid, start_ticks=int(fields[21]))


def is_running(process: ProcessId) -> bool:
    """Tell whether `process` still exists and is not a zombie waiting to be reaped."""
    fields = _read_stat(process.pid)
    if fields is None:
        return False
    if int(fields[21]) != process.start_ticks:
        return False
    return fields[2] not in ("Z", "X")


def wait_until_gone(process: ProcessId, *, timeout: float) -> bool:
    """Poll until `process` has ended or `timeout` seconds pass; return whether it ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_running(process):
            return True
        time.sleep(0.1)
    return not is_running(process)


def descendants(root: int) -> list[ProcessId]:
    """Return every live descendant of `root`, found through the parent pid of each process."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        fields = _read_stat(int(entry.name))
        if fields is None:
            continue
        children.setdefault(int(fields[3]), []).append(int(entry.name))

    found: list[ProcessId] = []
    pending = list(children.get(root, []))
    while pending:
        pid = pending.pop()
        identity = identify(pid)
        if identity is not None:
            found.append(identity)
        pending.extend(children.get(pid, []))
    return found


def kill_processes(processes: list[ProcessId]) -> None:
    """Send SIGKILL to each of `processes` and to its process group, unless that is ours."""
    own_group = os.getpgrp()
    for process in processes:
        if not is_running(process):
            continue
        try:
            group = os.getpgid(process.pid)
            if group != own_group:
                os.killpg(group, signal.SIGKILL)
            os.kill(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            continue
