"""Benchmark the Python SDK against a reference server started for the run.

Usage::

    .venv/bin/python bench/bench_sdk.py

Prints one table with the median of each figure beside its baseline and target:

* import time: ``python -c "import ml_platform"`` against ``python -c pass``, in fresh
  interpreters, alternating;
* per-call time: ``client.get_job(id)`` against a plain httpx GET of the same job (with JSON
  decoding) over the same server, alternating;
* log latency: from a job printing a line (the line contains ``time.time()``) to
  ``follow_logs`` yielding it;
* wait latency: from the server recording a job's ``finished_at`` to ``wait_for_completion``
  returning.

The server runs on a free loopback port without a rate limit and is stopped at the end. The
run takes well under two minutes. It exits 0 when a target is missed too, and prints which
targets were missed.
"""

from __future__ import annotations

import datetime
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from _reference_server import RunningServer, reference_server

from ml_platform import JobStatus, MLPlatformClient, TrainingJob

IMPORT_RUNS = 15
CALL_RUNS = 300
CALL_WARMUP = 20
LOG_LINES = 40
WAIT_RUNS = 7
SUBPROCESS_TIMEOUT = 60.0
JOB_TIMEOUT = 60.0

IMPORT_TARGET_MS = 60.0
LATENCY_TARGET_MS = 100.0

TIMESTAMP_PRINTER = f"""\
import time

time.sleep(1.0)
for _ in range({LOG_LINES}):
    print(f"{{time.time():.6f}}", flush=True)
    time.sleep(0.05)
"""
SHORT_SLEEP = "import time\ntime.sleep(0.5)\n"


@dataclass(frozen=True)
class Row:
    """One line of the results table, in milliseconds."""

    figure: str
    median_ms: float
    baseline: str
    target: str
    met: bool | None


def main() -> int:
    """Run every benchmark and print the table."""
    print("Benchmarking the SDK; this takes about half a minute.", file=sys.stderr)
    rows = [*bench_import()]
    with reference_server(["--rate-limit", "0"]) as server, tempfile.TemporaryDirectory() as work:
        workdir = Path(work)
        rows.extend(bench_get_job(server, workdir))
        rows.append(bench_log_latency(server, workdir))
        rows.append(bench_wait_latency(server, workdir))
    print_table(rows)
    return 0


def bench_import() -> list[Row]:
    """Time fresh interpreters that import the SDK, against ones that do nothing."""
    bare: list[float] = []
    sdk: list[float] = []
    for _ in range(IMPORT_RUNS):
        bare.append(time_subprocess("pass"))
        sdk.append(time_subprocess("import ml_platform"))
    difference = statistics.median(sdk) - statistics.median(bare)
    return [
        Row(
            "python -c 'import ml_platform'",
            statistics.median(sdk),
            f"python -c pass: {statistics.median(bare):.1f} ms",
            f"<= bare + {IMPORT_TARGET_MS:g} ms",
            difference <= IMPORT_TARGET_MS,
        ),
        Row("  import cost over bare start-up", difference, "", "", None),
    ]


def time_subprocess(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, timeout=SUBPROCESS_TIMEOUT)
    return (time.perf_counter() - started) * 1000


def bench_get_job(server: RunningServer, workdir: Path) -> list[Row]:
    """Time ``get_job`` and a raw httpx GET of the same job, alternating."""
    with (
        MLPlatformClient(api_key=server.api_key, base_url=server.url) as client,
        httpx.Client(
            base_url=server.url + "/api/v1",
            headers={"Authorization": f"Bearer {server.api_key}"},
        ) as raw,
    ):
        job = submit(client, workdir, "get-job", SHORT_SLEEP)
        job_id = job.id or ""
        job.wait_for_completion(timeout_seconds=JOB_TIMEOUT)

        def sdk_call() -> None:
            client.get_job(job_id)

        def raw_call() -> None:
            response = raw.get(f"/jobs/{job_id}")
            response.raise_for_status()
            response.json()

        sdk_times, raw_times = time_alternating(sdk_call, raw_call)

    sdk_median = statistics.median(sdk_times)
    raw_median = statistics.median(raw_times)
    return [
        Row(
            "client.get_job(id)",
            sdk_median,
            f"raw httpx GET + json: {raw_median:.2f} ms",
            "none",
            None,
        ),
        Row("  SDK overhead per call", sdk_median - raw_median, "", "", None),
    ]


def time_alternating(
    first: Callable[[], None], second: Callable[[], None]
) -> tuple[list[float], list[float]]:
    for _ in range(CALL_WARMUP):
        first()
        second()
    first_times: list[float] = []
    second_times: list[float] = []
    for _ in range(CALL_RUNS):
        for call, times in ((first, first_times), (second, second_times)):
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
    return first_times, second_times


def bench_log_latency(server: RunningServer, workdir: Path) -> Row:
    """Measure from a line's print in the job to ``follow_logs`` yielding it."""
    latencies: list[float] = []
    with MLPlatformClient(api_key=server.api_key, base_url=server.url) as client:
        job = submit(client, workdir, "timestamps", TIMESTAMP_PRINTER)
        for line in job.follow_logs():
            received = time.time()
            latencies.append((received - float(line.text)) * 1000)
    assert len(latencies) == LOG_LINES, f"followed {len(latencies)} of {LOG_LINES} lines"
    baseline = f"{LOG_LINES} lines, max {max(latencies):.1f} ms"
    return latency_row("print in job -> follow_logs yields", latencies, baseline)


def bench_wait_latency(server: RunningServer, workdir: Path) -> Row:
    """Measure from the server's ``finished_at`` of a job to ``wait_for_completion`` returning."""
    latencies: list[float] = []
    with MLPlatformClient(api_key=server.api_key, base_url=server.url) as client:
        for run in range(WAIT_RUNS):
            job = submit(client, workdir, f"wait-{run}", SHORT_SLEEP)
            status = job.wait_for_completion(timeout_seconds=JOB_TIMEOUT)
            returned = datetime.datetime.now(datetime.UTC)
            assert status is JobStatus.SUCCEEDED, status
            assert job.finished_at is not None
            latencies.append((returned - job.finished_at).total_seconds() * 1000)
    baseline = f"{WAIT_RUNS} jobs; polling every 5 s averages 2500 ms"
    return latency_row("job ends -> wait_for_completion returns", latencies, baseline)


def latency_row(figure: str, latencies: list[float], baseline: str) -> Row:
    median = statistics.median(latencies)
    target = f"< {LATENCY_TARGET_MS:g} ms"
    return Row(figure, median, baseline, target, median < LATENCY_TARGET_MS)


def submit(client: MLPlatformClient, workdir: Path, name: str, source: str) -> TrainingJob:
    """Write ``source`` as the script of a new job and submit it."""
    directory = workdir / name
    directory.mkdir()
    (directory / "job.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return client.create_job(name, "job.py", workdir=directory).submit()


def print_table(rows: list[Row]) -> None:
    """Print the results with the machine they ran on; missed targets are named at the end."""
    header = ("figure", "median", "baseline", "target", "met")
    cells = [
        (row.figure, f"{row.median_ms:.2f} ms", row.baseline, row.target, _met_text(row.met))
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [header, *cells]) for i in range(len(header))]
    for line in [header, tuple("-" * width for width in widths), *cells]:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))

    print(f"\nPython {sys.version.split()[0]} on {os.cpu_count()} CPUs; medians of the runs above.")
    missed = [row.figure for row in rows if row.met is False]
    if missed:
        print("Missed targets: " + "; ".join(missed) + ".")
    else:
        print("Every target was met.")


def _met_text(met: bool | None) -> str:
    if met is None:
        return ""
    return "yes" if met else "NO"


if __name__ == "__main__":
    sys.exit(main())
