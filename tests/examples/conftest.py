"""Fixtures for the training-script helpers and the digits example."""

from __future__ import annotations

from pathlib import Path

import pytest

from ml_platform import _report


@pytest.fixture(autouse=True)
def _job_variables_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start every test as a script run by hand, even when the suite itself runs in a job."""
    monkeypatch.delenv(_report.METRICS_FILE_ENV, raising=False)
    monkeypatch.delenv(_report.HYPERPARAMETERS_FILE_ENV, raising=False)


@pytest.fixture
def metrics_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point ML_PLATFORM_METRICS_FILE at a file in a fresh directory, not yet created."""
    path = tmp_path / "metrics.jsonl"
    monkeypatch.setenv(_report.METRICS_FILE_ENV, str(path))
    return path
