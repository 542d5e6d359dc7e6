"""Tests of log line numbering and the per-job cap."""

from __future__ import annotations

from pathlib import Path

from ml_platform_server._joblog import JobLog
from ml_platform_server._sqlite import SqliteStorage


def test_lines_are_numbered_and_stored(tmp_path: Path) -> None:
    storage = SqliteStorage(tmp_path)
    changes: list[int] = []
    log = JobLog(storage, "job-1", lambda: changes.append(1))

    log.add("stdout", ["a", "b"])
    log.system("[note]")

    lines = storage.read_log_lines("job-1", after=0, limit=10)
    assert [(line.seq, line.stream, line.text) for line in lines] == [
        (1, "stdout", "a"),
        (2, "stdout", "b"),
        (3, "system", "[note]"),
    ]
    assert len(changes) == 2


def test_cap_adds_one_truncation_line(tmp_path: Path) -> None:
    storage = SqliteStorage(tmp_path)
    log = JobLog(storage, "job-1", lambda: None, max_lines=3)

    log.add("stdout", ["1", "2"])
    log.add("stderr", ["3", "4", "5"])
    log.add("stdout", ["6"])

    lines = storage.read_log_lines("job-1", after=0, limit=10)
    assert [line.text for line in lines[:3]] == ["1", "2", "3"]
    assert len(lines) == 4
    assert lines[3].stream == "system"
    assert lines[3].text.startswith("[log truncated:")
    assert log.truncated


def test_byte_cap_counts_utf8(tmp_path: Path) -> None:
    storage = SqliteStorage(tmp_path)
    log = JobLog(storage, "job-1", lambda: None, max_bytes=5)

    log.add("stdout", ["\u00e9\u00e9", "\u00e9"])

    texts = [line.text for line in storage.read_log_lines("job-1", after=0, limit=10)]
    assert texts[0] == "\u00e9\u00e9"
    assert texts[1].startswith("[log truncated:")
