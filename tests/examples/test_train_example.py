"""Run examples/train.py as a real process, the way the reference server runs a job."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ml_platform import _report

TRAIN_SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "train.py"
RUN_TIMEOUT_SECONDS = 150
EPOCH_LINE = re.compile(
    r"epoch (\d+)/(\d+) loss=(\d+\.\d{4}) val_loss=(\d+\.\d{4}) accuracy=(\d\.\d{4})"
)
FINAL_LINE = re.compile(r"final accuracy=(\d\.\d{4}) on (\d+) held-out images")


def _job_environment(
    tmp_path: Path, hyperparameters: object | None, *, metrics: bool = True
) -> dict[str, str]:
    """Return the environment of a job: the two platform files, no inherited platform state."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("ML_PLATFORM_") and name != "PYTHONUNBUFFERED"
    }
    if hyperparameters is not None:
        path = tmp_path / "hyperparameters.json"
        path.write_text(json.dumps(hyperparameters), encoding="utf-8")
        env[_report.HYPERPARAMETERS_FILE_ENV] = str(path)
    if metrics:
        env[_report.METRICS_FILE_ENV] = str(tmp_path / "metrics.jsonl")
    return env


def _run_train(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(TRAIN_SCRIPT)],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        check=False,
    )


def _read_metrics(tmp_path: Path) -> list[dict[str, object]]:
    lines = (tmp_path / "metrics.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _values(record: dict[str, object]) -> dict[str, object]:
    values = record["values"]
    assert isinstance(values, dict)
    return values


@pytest.mark.timeout(RUN_TIMEOUT_SECONDS + 30)
def test_train_runs_epochs_from_file(tmp_path: Path) -> None:
    result = _run_train(_job_environment(tmp_path, {"epochs": 3}), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    epoch_lines = [EPOCH_LINE.fullmatch(line) for line in result.stdout.splitlines()]
    epochs = [(int(match[1]), int(match[2])) for match in epoch_lines if match]
    assert epochs == [(1, 3), (2, 3), (3, 3)]
    assert FINAL_LINE.fullmatch(result.stdout.splitlines()[-1])

    records = _read_metrics(tmp_path)
    assert [record["epoch"] for record in records] == [1, 2, 3]
    for record in records:
        values = _values(record)
        assert sorted(values) == ["accuracy", "loss", "val_loss"]
        assert all(isinstance(value, float) and math.isfinite(value) for value in values.values())
        assert 0.0 <= float(values["accuracy"]) <= 1.0  # type: ignore[arg-type]


@pytest.mark.slow
@pytest.mark.timeout(RUN_TIMEOUT_SECONDS + 30)
def test_train_defaults_reach_accuracy_target(tmp_path: Path) -> None:
    env = _job_environment(tmp_path, {})
    stderr_path = tmp_path / "stderr.txt"
    lines: list[str] = []
    running_after_first_epoch = None

    with stderr_path.open("w", encoding="utf-8") as stderr:
        process = subprocess.Popen(
            [sys.executable, str(TRAIN_SCRIPT)],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        try:
            assert process.stdout is not None
            for line in process.stdout:
                lines.append(line.rstrip("\n"))
                if running_after_first_epoch is None and line.startswith("epoch 1/"):
                    # Without flushing, the line would arrive only when the process exits.
                    running_after_first_epoch = process.poll() is None
            returncode = process.wait(timeout=RUN_TIMEOUT_SECONDS)
        finally:
            process.kill()
            process.wait(timeout=RUN_TIMEOUT_SECONDS)

    assert returncode == 0, stderr_path.read_text(encoding="utf-8")
    assert running_after_first_epoch is True
    epoch_matches = [match for line in lines if (match := EPOCH_LINE.fullmatch(line))]
    assert [int(match[1]) for match in epoch_matches] == list(range(1, 21))
    final = FINAL_LINE.fullmatch(lines[-1])
    assert final is not None
    assert float(final[1]) >= 0.9
    assert int(final[2]) == 450

    records = _read_metrics(tmp_path)
    assert [record["epoch"] for record in records] == list(range(1, 21))
    last_accuracy = _values(records[-1])["accuracy"]
    assert isinstance(last_accuracy, float)
    assert last_accuracy >= 0.9
    assert f"{last_accuracy:.4f}" == final[1]


@pytest.mark.timeout(RUN_TIMEOUT_SECONDS + 30)
def test_train_prints_metrics_when_run_by_hand(tmp_path: Path) -> None:
    env = _job_environment(tmp_path, {"epochs": 2}, metrics=False)

    result = _run_train(env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    metric_lines = [line for line in result.stderr.splitlines() if line.startswith("metrics ")]
    assert len(metric_lines) == 2
    assert re.fullmatch(r"metrics epoch=1 loss=\S+ val_loss=\S+ accuracy=\S+", metric_lines[0])
    assert metric_lines[1].startswith("metrics epoch=2 ")
    assert not (tmp_path / "metrics.jsonl").exists()


@pytest.mark.parametrize(
    ("hyperparameters", "fragment"),
    [
        ({"epochs": 0}, "Invalid hyperparameter epochs=0: expected an integer of at least 1"),
        ({"epochs": "many"}, "Invalid hyperparameter 'epochs': 'many' (str)"),
        ({"learning_rate": -0.1}, "Invalid hyperparameter learning_rate=-0.1"),
        ({"test_size": 0.001}, "each set needs at least 10"),
        ({"learnin_rate": 0.1}, "Unknown hyperparameter 'learnin_rate'; use one of epochs,"),
        ([1, 2], "contains a JSON array, expected an object"),
    ],
    ids=["epochs-zero", "epochs-text", "negative-rate", "tiny-test-set", "unknown-key", "array"],
)
@pytest.mark.timeout(RUN_TIMEOUT_SECONDS + 30)
def test_train_rejects_invalid_hyperparameters(
    tmp_path: Path, hyperparameters: object, fragment: str
) -> None:
    result = _run_train(_job_environment(tmp_path, hyperparameters), cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
    assert fragment in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert result.stdout == ""
    assert not (tmp_path / "metrics.jsonl").exists()


@pytest.mark.timeout(RUN_TIMEOUT_SECONDS + 30)
def test_train_exits_1_when_training_diverges(tmp_path: Path) -> None:
    env = _job_environment(tmp_path, {"epochs": 3, "learning_rate": 1e8})

    result = _run_train(env, cwd=tmp_path)

    assert result.returncode == 1
    assert "error: training diverged in epoch 1 (loss=nan); lower learning_rate" in result.stderr
    [record] = _read_metrics(tmp_path)
    assert _values(record)["loss"] == "NaN"
