"""Check openapi.yaml for changes that break clients of the last released API.

Compares SPEC (default: openapi.yaml) with a released baseline (default: the highest
version among released/openapi-<version>.yaml) after resolving `$ref` and `allOf`, and
lists every change as one sentence. Breaking changes fail the check unless the major
version of info.version was bumped relative to the baseline.

Usage:
    python tools/check_breaking.py [--base released/openapi-X.Y.Z.yaml] [SPEC]

Exit codes: 0 no breaking change (or all allowed by a major version bump), 1 breaking
changes without a major version bump or a version lower than the baseline's, 2 an input
that cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from _openapi_spec import Spec, SpecError, latest_released, load_spec
from _schema_diff import Kind, Report
from _spec_diff import compare_specs

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = ROOT / "openapi.yaml"
RELEASED_DIR = ROOT / "released"

EXIT_OK = 0
EXIT_BREAKING = 1
EXIT_UNREADABLE = 2


def _shown(path: Path) -> str:
    """Return PATH relative to the working directory when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _print_section(title: str, messages: list[str]) -> None:
    if not messages:
        return
    print(f"\n{title} ({len(messages)}):")
    for message in messages:
        print(f"  - {message}")


def _verdict(old: Spec, new: Spec, report: Report, base_name: str, spec_name: str) -> int:
    """Print the outcome on stderr and return the exit code."""
    breaking = report.of_kind(Kind.BREAKING)
    major_bumped = new.version.major > old.version.major

    if new.version < old.version:
        print(
            f"Breaking-change check failed: info.version {new.version} of {spec_name} is lower "
            f"than {old.version} of {base_name}: set a version above the released one.",
            file=sys.stderr,
        )
        return EXIT_BREAKING
    if breaking and not major_bumped:
        next_major = f"{old.version.major + 1}.0.0"
        print(
            f"Breaking-change check failed: {len(breaking)} breaking change(s) against "
            f"{base_name} while info.version is {new.version}: make the change backward "
            f"compatible, or bump info.version to {next_major} if the break is intended.",
            file=sys.stderr,
        )
        return EXIT_BREAKING
    if report.changes and new.version == old.version:
        print(
            f"Note: {spec_name} differs from {base_name} but info.version is still "
            f"{new.version}: bump it before the next release (the minor version for "
            "additions).",
            file=sys.stderr,
        )
    return EXIT_OK


def run(spec_path: Path, base_path: Path | None) -> int:
    """Compare SPEC_PATH with BASE_PATH (default: the latest release) and print the result."""
    try:
        base_path = base_path or latest_released(RELEASED_DIR)
        old = load_spec(base_path)
        new = load_spec(spec_path)
        report = compare_specs(old, new)
    except SpecError as err:
        print(f"Error: {err}", file=sys.stderr)
        return EXIT_UNREADABLE

    base_name, spec_name = _shown(base_path), _shown(spec_path)
    print(f"Comparing {spec_name} ({new.version}) with {base_name} ({old.version}).")
    breaking = report.of_kind(Kind.BREAKING)
    if new.version.major > old.version.major:
        title = (
            f"Breaking changes allowed by the major version bump from {old.version} "
            f"to {new.version}"
        )
        _print_section(title, breaking)
    else:
        _print_section("Breaking changes", breaking)
    _print_section("Additions", report.of_kind(Kind.ADDED))
    _print_section("Other compatible changes", report.of_kind(Kind.COMPATIBLE))
    if not report.changes:
        print("No changes.")
    return _verdict(old, new, report, base_name, spec_name)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the check."""
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").splitlines()[0],
        epilog="Exit codes: 0 compatible, 1 breaking, 2 unreadable input.",
    )
    parser.add_argument(
        "--base",
        type=Path,
        help="released spec to compare with (default: the highest version in released/)",
    )
    parser.add_argument(
        "spec",
        nargs="?",
        type=Path,
        default=DEFAULT_SPEC,
        help="spec to check (default: openapi.yaml)",
    )
    args = parser.parse_args(argv)
    return run(args.spec, args.base)


if __name__ == "__main__":
    raise SystemExit(main())
