"""Generate the low-level client from openapi.yaml, or check the committed one.

The generator and the ruff that formats its output are pinned in
constraints.txt, so the same spec always produces the same files.

Usage:
    python tools/generate_client.py --output DIR
    python tools/generate_client.py --check generated_client
"""

from __future__ import annotations

import argparse
import difflib
import filecmp
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi.yaml"
CONFIG = ROOT / "openapi-generator.yaml"
# Files the generator leaves behind that are caches, not output.
IGNORED = {".ruff_cache", "__pycache__"}


def generate(output: Path) -> None:
    """Run openapi-python-client into OUTPUT, which must not exist yet."""
    command = [
        "openapi-python-client",
        "generate",
        "--path",
        str(SPEC),
        "--config",
        str(CONFIG),
        "--meta",
        "uv",
        "--output-path",
        str(output),
        "--fail-on-warning",
    ]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    for name in IGNORED:
        for path in output.rglob(name):
            shutil.rmtree(path)


def _differences(expected: Path, actual: Path) -> list[str]:
    report: list[str] = []
    comparison = filecmp.dircmp(expected, actual, ignore=list(IGNORED))
    for name in comparison.left_only:
        report.append(f"missing from the committed client: {actual / name}")
    for name in comparison.right_only:
        report.append(f"not produced by the generator: {actual / name}")
    for name in comparison.diff_files:
        fresh = (expected / name).read_text(encoding="utf-8").splitlines(keepends=True)
        committed = (actual / name).read_text(encoding="utf-8").splitlines(keepends=True)
        report.extend(difflib.unified_diff(committed, fresh, str(actual / name), f"fresh {name}"))
    for name, sub in comparison.subdirs.items():
        del sub
        report.extend(_differences(expected / name, actual / name))
    return report


def check(committed: Path) -> int:
    """Compare COMMITTED with a fresh generation; return a process exit code."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "out"
        generate(fresh)
        report = _differences(fresh, committed)
    if report:
        sys.stderr.write("".join(line if line.endswith("\n") else line + "\n" for line in report))
        sys.stderr.write(
            f"{committed} differs from a fresh generation from openapi.yaml: "
            "run 'make generate' and commit the result.\n"
        )
        return 1
    print(f"{committed} matches openapi.yaml.")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--output", type=Path, help="folder to generate into (must not exist)")
    group.add_argument("--check", type=Path, help="committed client folder to compare")
    args = parser.parse_args()
    if args.output is not None:
        generate(args.output)
        return 0
    return check(args.check)


if __name__ == "__main__":
    raise SystemExit(main())
