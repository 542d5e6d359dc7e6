"""Tests for ``ml_platform.report``: the JSON Lines file, value checks and the stderr line."""

from __future__ import annotations

import decimal
import json
import math
import os
import re
import subprocess
import sys
import textwrap
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from ml_platform import _report
from ml_platform._report import report

TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
SUBPROCESS_TIMEOUT_SECONDS = 60


def _read_records(path: Path) -> list[dict[str, object]]:
    """Parse every line, rejecting the bare NaN and Infinity tokens that JSON does not allow."""

    def reject_constant(token: str) -> object:
        raise AssertionError(f"bare {token} in the metrics file")

    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n")
    return [json.loads(line, parse_constant=reject_constant) for line in text.splitlines()]


def test_report_writes_one_json_line(metrics_file: Path) -> None:
    report(epoch=1, step=10, loss=0.5, accuracy=0.9)

    [record] = _read_records(metrics_file)
    assert list(record) == ["timestamp", "epoch", "step", "values"]
    assert TIMESTAMP.fullmatch(str(record["timestamp"]))
    assert record["epoch"] == 1
    assert record["step"] == 10
    assert record["values"] == {"loss": 0.5, "accuracy": 0.9}


def test_report_appends_a_line_per_call(metrics_file: Path) -> None:
    metrics_file.write_text('{"timestamp": "2026-01-01T00:00:00.000Z", "values": {}}\n')

    for epoch in range(1, 4):
        report(epoch=epoch, loss=1.0 / epoch)

    records = _read_records(metrics_file)
    assert len(records) == 4
    assert [record.get("epoch") for record in records] == [None, 1, 2, 3]
    assert records[3]["values"] == {"loss": 1.0 / 3}


def test_report_omits_absent_epoch_and_step(metrics_file: Path) -> None:
    report(loss=0.25)

    [record] = _read_records(metrics_file)
    assert list(record) == ["timestamp", "values"]


def test_report_encodes_non_finite_values(metrics_file: Path) -> None:
    report(epoch=2, nan=math.nan, up=math.inf, down=-math.inf, ok=1.5)

    [record] = _read_records(metrics_file)
    assert record["values"] == {"nan": "NaN", "up": "Infinity", "down": "-Infinity", "ok": 1.5}


def test_report_writes_ints_as_floats(metrics_file: Path) -> None:
    report(samples=3)

    [record] = _read_records(metrics_file)
    values = record["values"]
    assert isinstance(values, dict)
    assert values["samples"] == 3.0
    assert isinstance(values["samples"], float)


def test_report_accepts_numpy_scalars(metrics_file: Path) -> None:
    report(epoch=np.int64(4), step=np.int32(7), loss=np.float32(0.25), seen=np.int64(12))

    [record] = _read_records(metrics_file)
    assert record["epoch"] == 4
    assert record["step"] == 7
    assert record["values"] == {"loss": 0.25, "seen": 12.0}


@pytest.mark.parametrize("name", ["val.loss", "top-5", "_private", "A" * 64, "x"])
def test_report_accepts_valid_names(metrics_file: Path, name: str) -> None:
    report(**{name: 1.0})

    [record] = _read_records(metrics_file)
    assert record["values"] == {name: 1.0}


@pytest.mark.parametrize(
    "name", ["", "1loss", "loss rate", "A" * 65, "loss\n", "-loss", ".loss", "précision"]
)
def test_report_rejects_invalid_names(metrics_file: Path, name: str) -> None:
    with pytest.raises(ValueError, match="Invalid metric name") as caught:
        report(**{name: 1.0})

    assert repr(name) in str(caught.value)
    assert "val_loss" in str(caught.value)
    assert not metrics_file.exists()


@pytest.mark.parametrize(
    "value",
    ["0.5", None, [0.5], True, False, 1 + 2j, decimal.Decimal("0.5"), np.array([0.5, 0.6])],
    ids=["str", "none", "list", "true", "false", "complex", "decimal", "array"],
)
def test_report_rejects_non_numeric_values(metrics_file: Path, value: object) -> None:
    with pytest.raises(TypeError, match="Metric 'loss' has value") as caught:
        report(epoch=1, loss=value)  # type: ignore[arg-type]

    message = str(caught.value)
    assert type(value).__name__ in message
    assert "float(value)" in message
    assert not metrics_file.exists()


def test_report_rejects_value_too_large_for_float(metrics_file: Path) -> None:
    with pytest.raises(ValueError, match=r"Metric 'count' has value 1000.*too large"):
        report(count=10**400)

    assert not metrics_file.exists()


def test_report_shortens_long_values_in_errors(metrics_file: Path) -> None:
    with pytest.raises(TypeError) as caught:
        report(loss="x" * 10_000)  # type: ignore[arg-type]

    assert len(str(caught.value)) < 400


@pytest.mark.parametrize(
    ("arguments", "error", "fragment"),
    [
        ({"epoch": True}, TypeError, "epoch=True of type bool"),
        ({"epoch": 1.5}, TypeError, "epoch=1.5 of type float"),
        ({"step": "3"}, TypeError, "step='3' of type str"),
        ({"epoch": -1}, ValueError, "epoch=-1, expected an int from 0"),
        ({"step": 2**63}, ValueError, f"step={2**63}, expected an int from 0"),
    ],
)
def test_report_rejects_invalid_epoch_and_step(
    metrics_file: Path, arguments: dict[str, object], error: type[Exception], fragment: str
) -> None:
    with pytest.raises(error) as caught:
        report(**arguments, loss=0.5)  # type: ignore[arg-type]

    assert fragment in str(caught.value)
    assert not metrics_file.exists()


def test_report_requires_a_metric(metrics_file: Path) -> None:
    with pytest.raises(ValueError, match="without metrics"):
        report(epoch=1)

    assert not metrics_file.exists()


def test_report_accepts_256_metrics(metrics_file: Path) -> None:
    metrics = {f"metric_{index}": float(index) for index in range(256)}

    report(step=1, **metrics)

    [record] = _read_records(metrics_file)
    assert record["values"] == metrics


def test_report_rejects_257_metrics(metrics_file: Path) -> None:
    metrics = {f"metric_{index}": float(index) for index in range(257)}

    with pytest.raises(ValueError, match="257 metrics, more than the 256"):
        report(step=1, **metrics)

    assert not metrics_file.exists()


def test_report_prints_to_stderr_when_unset(capsys: pytest.CaptureFixture[str]) -> None:
    report(epoch=1, loss=0.5123, accuracy=0.9021)

    captured = capsys.readouterr()
    assert captured.err == "metrics epoch=1 loss=0.5123 accuracy=0.9021\n"
    assert captured.out == ""


def test_report_prints_step_and_non_finite_to_stderr(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report(step=30, loss=math.nan, grad_norm=math.inf, precise=0.123456789)

    captured = capsys.readouterr()
    assert captured.err == "metrics step=30 loss=NaN grad_norm=Infinity precise=0.123457\n"


def test_report_prints_to_stderr_when_empty(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(_report.METRICS_FILE_ENV, "")

    report(epoch=3, loss=0.25)

    assert capsys.readouterr().err == "metrics epoch=3 loss=0.25\n"


def test_report_names_unwritable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "missing-directory" / "metrics.jsonl"
    monkeypatch.setenv(_report.METRICS_FILE_ENV, str(path))

    with pytest.raises(OSError) as caught:
        report(loss=0.5)

    message = str(caught.value)
    assert str(path) in message
    assert _report.METRICS_FILE_ENV in message
    assert "No such file or directory" in message


WRITER_SCRIPT = textwrap.dedent(
    """
    import os
    import sys
    import time

    from ml_platform._report import report

    writer, line_count, start_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    deadline = time.monotonic() + 30
    while not os.path.exists(start_file):
        if time.monotonic() > deadline:
            sys.exit("the start file never appeared")
        time.sleep(0.001)

    # About 9 KB per line: above PIPE_BUF (4 KiB) and the default 8 KiB buffer of open().
    padding = {f"m{index:03d}_" + "x" * 55: float(index) for index in range(120)}
    for step in range(line_count):
        report(step=step, writer=writer, **padding)
    """
)


@pytest.mark.timeout(120)
def test_report_concurrent_writers_never_interleave(tmp_path: Path) -> None:
    writer_count, line_count = 6, 200
    metrics_path = tmp_path / "metrics.jsonl"
    start_file = tmp_path / "start"
    env = {**os.environ, _report.METRICS_FILE_ENV: str(metrics_path)}

    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER_SCRIPT, str(writer), str(line_count), str(start_file)],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for writer in range(writer_count)
    ]
    try:
        start_file.touch()
        for process in writers:
            _, stderr = process.communicate(timeout=SUBPROCESS_TIMEOUT_SECONDS)
            assert process.returncode == 0, stderr
    finally:
        for process in writers:
            process.kill()
            process.wait(timeout=SUBPROCESS_TIMEOUT_SECONDS)

    records = _read_records(metrics_path)
    assert len(records) == writer_count * line_count
    steps_by_writer: dict[float, list[object]] = defaultdict(list)
    for record in records:
        values = record["values"]
        assert isinstance(values, dict)
        assert len(values) == 121
        steps_by_writer[values["writer"]].append(record["step"])
    assert sorted(steps_by_writer) == [float(writer) for writer in range(writer_count)]
    for steps in steps_by_writer.values():
        assert steps == list(range(line_count))


@pytest.mark.timeout(60)
def test_report_module_imports_only_stdlib() -> None:
    # The module is loaded from its path so that the package __init__ does not count.
    script = textwrap.dedent(
        f"""
        import importlib.util
        import sys

        before = set(sys.modules)
        spec = importlib.util.spec_from_file_location("report_module", {str(_report.__file__)!r})
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        added = {{name.partition(".")[0] for name in set(sys.modules) - before}}
        print(sorted(added - set(sys.stdlib_module_names)))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT_SECONDS,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_package_exports_helpers() -> None:
    import ml_platform

    assert ml_platform.report is _report.report
    assert ml_platform.hyperparameters is _report.hyperparameters
