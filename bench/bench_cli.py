"""Benchmark the start-up and one listing of the installed ``mlp`` against a bare interpreter.

Usage::

    .venv/bin/python bench/bench_cli.py [--runs N]

Each figure is the median wall time of a fresh process, measured from this script, with the
runs of every command interleaved so that a change in machine load affects all of them alike:

* ``python -c pass``: the baseline, the bare interpreter start-up;
* ``mlp --help``, with no ``ML_PLATFORM_*`` variable and an empty home, so no config file;
* ``mlp --version``, likewise, so no server is configured and none is asked;
* ``mlp job list -o json``: one page of 20 jobs from a reference server that holds 1,000 jobs,
  loaded with ``mlp-server seed`` before the server starts.

Targets: ``mlp --help`` within 5 times the bare start-up, ``mlp job list -o json`` under 300 ms;
``mlp --version`` has none. The table shows each median beside the baseline and the target. The
script exits 0 when a target is missed too, and reports the miss. It exits 1 only when the
measurement itself fails. Every process has a time-out, so the run is bounded; with the default
runs it took about 20 seconds on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from _reference_server import reference_server

DEFAULT_RUNS = 15
SEEDED_JOBS = 1000
PAGE_SIZE = 20
PROCESS_TIMEOUT = 30.0
SEED_TIMEOUT = 120.0

HELP_TARGET_RATIO = 5.0
LIST_TARGET_MS = 300.0

BIN = Path(sys.executable).parent
MLP = str(BIN / "mlp")
MLP_SERVER = str(BIN / "mlp-server")


@dataclass(frozen=True)
class Command:
    """One command to time, and the environment it runs in."""

    figure: str
    argv: Sequence[str]
    env: Mapping[str, str]


@dataclass(frozen=True)
class Row:
    """One line of the results table; times in milliseconds."""

    figure: str
    median_ms: float
    target: str
    met: bool | None


def _clean_environment(home: Path) -> dict[str, str]:
    """Return this process's environment without ML_PLATFORM_* settings, with an empty home."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("ML_PLATFORM_") and name not in ("NO_COLOR", "FORCE_COLOR")
    }
    environment["HOME"] = str(home)
    return environment


def _time_once(command: Command) -> float:
    """Run a command to completion and return its wall time in milliseconds."""
    started = time.perf_counter()
    result = subprocess.run(
        command.argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=dict(command.env),
        timeout=PROCESS_TIMEOUT,
        check=False,
    )
    elapsed = (time.perf_counter() - started) * 1000
    if result.returncode != 0:
        raise RuntimeError(
            f"{command.figure} exited with {result.returncode}: "
            + result.stderr.decode("utf-8", "replace")[-1000:]
        )
    return elapsed


def _time_interleaved(commands: Sequence[Command], runs: int) -> dict[str, float]:
    """Return the median milliseconds of each command, running them in turn ``runs`` times."""
    for command in commands:
        _time_once(command)  # warm the file system cache; not counted
    times: dict[str, list[float]] = {command.figure: [] for command in commands}
    for _ in range(runs):
        for command in commands:
            times[command.figure].append(_time_once(command))
    return {figure: statistics.median(values) for figure, values in times.items()}


def _seed(data_dir: Path) -> None:
    subprocess.run(
        [MLP_SERVER, "seed", "--data-dir", str(data_dir), "--jobs", str(SEEDED_JOBS)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=SEED_TIMEOUT,
        check=True,
    )


def _check_listing(command: Command) -> None:
    """Fail unless the listing command prints one page of the expected size."""
    result = subprocess.run(
        command.argv,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=dict(command.env),
        timeout=PROCESS_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"mlp job list failed: {result.stderr[-1000:]}")
    count = len(json.loads(result.stdout)["jobs"])
    if count != PAGE_SIZE:
        raise RuntimeError(f"mlp job list printed {count} jobs, expected {PAGE_SIZE}")


def measure(runs: int) -> tuple[float, list[Row]]:
    """Seed and start a server, time every command, and return the baseline and the rows."""
    with tempfile.TemporaryDirectory(prefix="mlp-bench-cli-") as temporary:
        root = Path(temporary)
        (root / "home").mkdir()
        clean = _clean_environment(root / "home")
        data_dir = root / "data"
        _seed(data_dir)

        with reference_server(["--rate-limit", "0"], data_dir=data_dir) as server:
            connected = {
                **clean,
                "ML_PLATFORM_URL": server.url,
                "ML_PLATFORM_API_KEY": server.api_key,
            }
            commands = [
                Command(figure="python -c pass", argv=[sys.executable, "-c", "pass"], env=clean),
                Command(figure="mlp --help", argv=[MLP, "--help"], env=clean),
                Command(figure="mlp --version", argv=[MLP, "--version"], env=clean),
                Command(
                    figure=f"mlp job list -o json ({PAGE_SIZE} of {SEEDED_JOBS} jobs)",
                    argv=[MLP, "job", "list", "-o", "json"],
                    env=connected,
                ),
            ]
            _check_listing(commands[-1])
            medians = _time_interleaved(commands, runs)

    baseline = medians.pop("python -c pass")
    help_ms = medians["mlp --help"]
    list_figure = commands[-1].figure
    rows = [
        Row(
            figure="mlp --help",
            median_ms=help_ms,
            target=f"<= {HELP_TARGET_RATIO:g} x baseline = {HELP_TARGET_RATIO * baseline:.0f} ms",
            met=help_ms <= HELP_TARGET_RATIO * baseline,
        ),
        Row(figure="mlp --version", median_ms=medians["mlp --version"], target="none", met=None),
        Row(
            figure=list_figure,
            median_ms=medians[list_figure],
            target=f"< {LIST_TARGET_MS:g} ms",
            met=medians[list_figure] < LIST_TARGET_MS,
        ),
    ]
    return baseline, rows


_MET_TEXT = {None: "-", True: "yes", False: "NO"}


def print_table(baseline: float, rows: Sequence[Row], runs: int) -> None:
    """Print the figures beside the baseline and the target, then the verdict."""
    header = ("figure", "median", "baseline (python -c pass)", "ratio", "target", "met")
    lines = [header]
    for row in rows:
        met = _MET_TEXT[row.met]
        lines.append(
            (
                row.figure,
                f"{row.median_ms:.0f} ms",
                f"{baseline:.0f} ms",
                f"{row.median_ms / baseline:.1f} x",
                row.target,
                met,
            )
        )
    widths = [max(len(line[column]) for line in lines) for column in range(len(header))]
    for line in lines:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        )

    print(
        f"\nMedians of {runs} runs each, interleaved; Python {sys.version.split()[0]} on "
        f"{os.cpu_count()} CPUs."
    )
    missed = [row.figure for row in rows if row.met is False]
    if missed:
        print("Missed targets: " + "; ".join(missed) + ".")
    else:
        print("Every target was met.")


def main() -> int:
    """Parse the options, run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument(
        "--runs",
        type=int,
        default=DEFAULT_RUNS,
        help=f"timed runs of each command (default {DEFAULT_RUNS})",
    )
    args = parser.parse_args()
    if not 1 <= args.runs <= 200:
        parser.error(f"--runs {args.runs} is out of range; pass 1 to 200")

    print(f"Benchmarking mlp start-up and listing, {args.runs} runs each.", file=sys.stderr)
    try:
        baseline, rows = measure(args.runs)
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        print(f"Error: the benchmark could not run: {error}", file=sys.stderr)
        return 1
    print_table(baseline, rows, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
