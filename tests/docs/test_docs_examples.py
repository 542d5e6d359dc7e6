"""Every code example in the docs and the SDK docstrings runs against a real reference server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.docs._site import DOCS, ROOT

pytestmark = [pytest.mark.timeout(1200), pytest.mark.slow]

RUN_TIMEOUT = 1100


def test_doc_examples_all_run(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, str(DOCS / "run_doctests.py"), "--output", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    output_txt = tmp_path / "output.txt"
    details = (
        f"stdout:\n{completed.stdout[-6000:]}\nstderr:\n{completed.stderr[-6000:]}\n"
        f"output.txt:\n{output_txt.read_text() if output_txt.exists() else '(missing)'}"
    )
    assert completed.returncode == 0, details

    report = json.loads((tmp_path / "doctest-report.json").read_text(encoding="utf-8"))
    print(
        f"documented examples: {report['found']} found, {report['ran']} ran, "
        f"{len(report['marked_skip'])} marked +SKIP"
    )
    assert report["found"] >= 20, details
    assert report["failed"] == 0, details
    assert report["ran"] == report["found"] - len(report["marked_skip"]), details
