"""Build, check and smoke-test a release of the three distributions, or publish it.

Usage:
    python tools/release.py [--dry-run]
    python tools/release.py publish [--no-dry-run] [--repository NAME]

The release step first checks the project files: versions, CHANGELOG.md headings, the
server's copy of openapi.yaml and the released spec snapshot. It then regenerates the
client and compares it with generated_client/, and runs the breaking-change check. Next it
builds the sdists and wheels of ml-platform-client, ml-platform and ml-platform-server into
dist/ and runs `twine check`. Last, it installs the wheels into a fresh virtual
environment for a smoke test that runs one job end to end. With --dry-run it runs the
checks and prints the remaining commands.

Publishing uploads dist/ with `twine upload` only with --no-dry-run; by default it prints
the command it would run. After an upload it writes released/openapi-<version>.yaml, the
baseline of the next breaking-change check, to be committed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from _release_build import build, build_commands, twine_check, twine_check_command
from _release_commands import note, run, shown, step, tool_env
from _release_project import (
    Project,
    ReleaseError,
    check_changelog,
    check_client_version,
    check_released_snapshot,
    check_sdk_accepts_client,
    check_server_spec_copy,
)
from _release_smoke import smoke_commands, smoke_test

ROOT = Path(__file__).resolve().parent.parent
TOOLS = Path(__file__).resolve().parent
DRIFT_TIMEOUT_SECONDS = 600
BREAKING_TIMEOUT_SECONDS = 120
GIT_TIMEOUT_SECONDS = 30
UPLOAD_TIMEOUT_SECONDS = 900
DEFAULT_REPOSITORY = "pypi"


def check_project(project: Project, *, require_date: bool) -> None:
    """Run every check on the project files and report all failures together.

    Raises:
        ReleaseError: One or more checks failed.
    """
    step("Checking versions and project files")
    for dist in project.distributions():
        note(f"{dist.name} {dist.version} (version from {dist.version_source})")

    checks: list[Callable[[], str]] = [
        lambda: check_client_version(project),
        lambda: check_server_spec_copy(project),
        lambda: check_sdk_accepts_client(project),
        lambda: check_released_snapshot(project),
        lambda: check_changelog(project, require_date=require_date),
    ]
    failures: list[str] = []
    for check in checks:
        try:
            note(check())
        except ReleaseError as err:
            failures.append(str(err))
    if failures:
        for failure in failures[:-1]:
            print(f"Error: {failure}", file=sys.stderr)
        raise ReleaseError(failures[-1])


def release(project: Project, *, dry_run: bool) -> None:
    """Check, build, check again and smoke-test a release; with DRY_RUN, check only."""
    check_project(project, require_date=False)

    step("Regenerating the client and comparing it with generated_client/")
    run(
        [
            sys.executable,
            TOOLS / "generate_client.py",
            "--check",
            project.root / "generated_client",
        ],
        action="the generated client check",
        timeout=DRIFT_TIMEOUT_SECONDS,
        cwd=project.root,
        env=tool_env(),
    )

    step("Checking openapi.yaml for breaking changes against released/")
    run(
        [sys.executable, TOOLS / "check_breaking.py"],
        action="the breaking-change check",
        timeout=BREAKING_TIMEOUT_SECONDS,
        cwd=project.root,
    )

    if dry_run:
        step("Dry run: these steps would run next")
        note(f"remove {project.dist} and create it again")
        for command in build_commands(project):
            note(f"$ PIP_CONSTRAINT={project.constraints} {shown(command)}")
        note(f"$ {shown(twine_check_command(project.artifact_paths()))}")
        for line in smoke_commands(project):
            note(f"$ {line}")
        return

    step("Building sdists and wheels into dist/")
    artifacts = build(project)
    step("Checking the artifacts with twine")
    twine_check(project, artifacts)
    smoke_test(project, [path for path in artifacts if path.suffix == ".whl"])

    step("Release ready")
    for path in artifacts:
        note(str(path.relative_to(project.root)))
    note("Publish with: python tools/release.py publish (add --no-dry-run to upload)")


def publish(project: Project, *, dry_run: bool, repository: str) -> None:
    """Upload the artifacts in dist/ with twine; with DRY_RUN, print the commands only."""
    check_project(project, require_date=True)

    step("Checking the artifacts in dist/")
    artifacts = project.artifact_paths()
    missing = [path.name for path in artifacts if not path.is_file()]
    if missing:
        raise ReleaseError(
            f"dist/ is missing {', '.join(missing)} of the current versions: "
            "run 'make release' first"
        )
    extra = sorted(
        path.name for path in project.dist.iterdir() if path.is_file() and path not in artifacts
    )
    if extra:
        raise ReleaseError(
            f"dist/ contains files of other versions ({', '.join(extra)}): run 'make release' again"
        )
    for path in artifacts:
        note(f"{path.relative_to(project.root)}")

    check_command = twine_check_command(artifacts)
    # --skip-existing lets a publish that failed half-way be run again.
    upload_command = [sys.executable, "-m", "twine", "upload", "--non-interactive"]
    upload_command += ["--skip-existing", "--repository", repository, *map(str, artifacts)]
    if dry_run:
        step("Dry run: publishing would run")
        note(f"$ {shown(check_command)}")
        note(f"$ {shown(upload_command)}")
        note("Nothing was uploaded. Pass --no-dry-run to upload.")
        return

    _require_clean_checkout(project)
    step(f"Uploading to the repository {repository!r}")
    twine_check(project, artifacts)
    run(
        upload_command,
        action="twine upload",
        timeout=UPLOAD_TIMEOUT_SECONDS,
        cwd=project.root,
        env=tool_env(),
    )
    snapshot = project.released_snapshot()
    if not snapshot.exists():
        shutil.copyfile(project.spec, snapshot)
        note(f"wrote {snapshot.relative_to(project.root)}, the next baseline")
    version = project.spec_version()
    note(
        f"Commit {snapshot.relative_to(project.root)} and CHANGELOG.md, "
        f"then tag the commit: git tag v{version}"
    )


def _require_clean_checkout(project: Project) -> None:
    """Refuse to upload from a checkout with uncommitted changes."""
    try:
        status = subprocess.run(
            ["git", "status", "--porcelain"],
            cwd=project.root,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError) as err:
        raise ReleaseError(
            f"cannot run 'git status' in {project.root} ({err}): publish from a git checkout"
        ) from err
    if status.strip():
        raise ReleaseError(
            "the checkout has uncommitted changes, so dist/ may not match a commit: "
            "commit them, run 'make release' again and publish"
        )


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the release or the publishing step."""
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="run the checks and print the build, twine and smoke-test commands",
    )
    commands = parser.add_subparsers(dest="command", metavar="publish")
    publish_parser = commands.add_parser("publish", help="upload dist/ with twine")
    publish_parser.add_argument(
        "--no-dry-run",
        dest="upload",
        action="store_true",
        help="really run 'twine upload' (the default only prints it)",
    )
    publish_parser.add_argument(
        "--repository",
        default=DEFAULT_REPOSITORY,
        help=f"twine repository name from ~/.pypirc (default: {DEFAULT_REPOSITORY})",
    )
    args = parser.parse_args(argv)

    project = Project(ROOT)
    try:
        if args.command == "publish":
            publish(project, dry_run=not args.upload, repository=args.repository)
        else:
            release(project, dry_run=args.dry_run)
    except ReleaseError as err:
        print(f"Error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
