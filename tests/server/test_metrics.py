"""Tests of metrics file parsing and tailing."""

from __future__ import annotations

import json
from pathlib import Path

from ml_platform_server._metrics import MetricsTail, parse_metric_line


def test_parse_line_with_all_fields() -> None:
    line = (
        '{"timestamp": "2024-01-02T03:04:05.678Z", "epoch": 2, "step": 7, "values": {"loss": 0.5}}'
    )

    point = parse_metric_line(line, default_ms=0)

    assert point is not None
    assert point.epoch == 2
    assert point.step == 7
    assert point.values == {"loss": 0.5}
    assert point.timestamp_ms == 1704164645678


def test_non_finite_values_become_strings() -> None:
    line = '{"values": {"a": NaN, "b": Infinity, "c": "-Infinity"}}'

    point = parse_metric_line(line, default_ms=5)

    assert point is not None
    assert point.values == {"a": "NaN", "b": "Infinity", "c": "-Infinity"}
    assert point.timestamp_ms == 5


def test_malformed_lines_are_rejected() -> None:
    for line in (
        "not json",
        "[]",
        '{"values": {}}',
        '{"values": {"loss": "high"}}',
        '{"values": {"loss": true}}',
        '{"epoch": -1, "values": {"loss": 1}}',
        '{"epoch": 1.5, "values": {"loss": 1}}',
        '{"timestamp": "yesterday", "values": {"loss": 1}}',
    ):
        assert parse_metric_line(line, default_ms=0) is None, line


def test_tail_reads_only_complete_lines(tmp_path: Path) -> None:
    path = tmp_path / "metrics.jsonl"
    tail = MetricsTail(path)
    assert tail.read(now_ms=0) == []

    path.write_text(json.dumps({"values": {"loss": 1}}) + "\n" + '{"values": {"lo')
    first = tail.read(now_ms=0)
    with path.open("a") as handle:
        handle.write('ss": 2}}\nbroken\n')
    second = tail.read(now_ms=0)

    assert [p.values for p in first] == [{"loss": 1}]
    assert [p.values for p in second] == [{"loss": 2}]
    assert tail.malformed_lines == 1


def test_final_read_includes_line_without_newline(tmp_path: Path) -> None:
    path = tmp_path / "metrics.jsonl"
    path.write_text('{"values": {"acc": 0.9}}')
    tail = MetricsTail(path)

    assert tail.read(now_ms=0) == []
    assert [p.values for p in tail.read(now_ms=0, final=True)] == [{"acc": 0.9}]
