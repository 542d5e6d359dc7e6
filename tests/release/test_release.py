"""The release checks and the publishing step, on small project trees in tmp folders.

Building and the fresh-environment smoke test install packages and take minutes, so they
run in `make release`, not here. No test uploads anything: publishing is only run as a
dry run, on artifact files that twine would reject if it were called.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from _release_project import (
    Project,
    ReleaseError,
    changelog_headings,
    check_changelog,
    check_client_version,
    check_released_snapshot,
    check_sdk_accepts_client,
    check_server_spec_copy,
)
from _release_smoke import _read_startup, _redact, _stop
from release import publish

ROOT = Path(__file__).resolve().parents[2]
MLP_SERVER = Path(sys.executable).parent / "mlp-server"

SPEC = "openapi: 3.0.3\ninfo: {title: Fixture API, version: 1.2.0}\npaths: {}\n"
CHANGELOG = """# Changelog

## ml-platform-client

### [1.2.0] - 2026-01-15

## ml-platform

### [0.3.0] - Unreleased

### [0.2.0] - 2025-12-01

## ml-platform-server

### [0.3.1] - 2026-01-15
"""


def _project(root: Path, *, changelog: str = CHANGELOG, sdk_range: str = ">=1.0,<2") -> Project:
    """Write a minimal project tree: client 1.2.0, SDK 0.3.0, server 0.3.1."""
    (root / "openapi.yaml").write_text(SPEC, encoding="utf-8")
    server_package = root / "server" / "ml_platform_server"
    server_package.mkdir(parents=True)
    (server_package / "openapi.yaml").write_text(SPEC, encoding="utf-8")
    (server_package / "_version.py").write_text('__version__ = "0.3.1"\n', encoding="utf-8")
    (root / "ml_platform").mkdir()
    (root / "ml_platform" / "_version.py").write_text('__version__ = "0.3.0"\n', encoding="utf-8")
    (root / "generated_client").mkdir()
    (root / "generated_client" / "pyproject.toml").write_text(
        '[project]\nname = "ml-platform-client"\nversion = "1.2.0"\n', encoding="utf-8"
    )
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "ml-platform"\ndependencies = ["ml-platform-client{sdk_range}"]\n',
        encoding="utf-8",
    )
    (root / "CHANGELOG.md").write_text(changelog, encoding="utf-8")
    (root / "released").mkdir()
    return Project(root)


def _fill_dist(project: Project) -> list[Path]:
    """Create empty files named like the artifacts; twine check would reject them."""
    project.dist.mkdir()
    paths = project.artifact_paths()
    for path in paths:
        path.write_bytes(b"")
    return paths


def test_distributions_read_each_version_source(tmp_path: Path) -> None:
    project = _project(tmp_path)

    versions = {dist.name: dist.version for dist in project.distributions()}

    assert versions == {
        "ml-platform-client": "1.2.0",
        "ml-platform": "0.3.0",
        "ml-platform-server": "0.3.1",
    }
    assert [path.name for path in project.artifact_paths()] == [
        "ml_platform_client-1.2.0.tar.gz",
        "ml_platform_client-1.2.0-py3-none-any.whl",
        "ml_platform-0.3.0.tar.gz",
        "ml_platform-0.3.0-py3-none-any.whl",
        "ml_platform_server-0.3.1.tar.gz",
        "ml_platform_server-0.3.1-py3-none-any.whl",
    ]


def test_changelog_headings_by_section() -> None:
    headings = changelog_headings(CHANGELOG)

    assert headings == {
        "ml-platform-client": {"1.2.0": "2026-01-15"},
        "ml-platform": {"0.3.0": "Unreleased", "0.2.0": "2025-12-01"},
        "ml-platform-server": {"0.3.1": "2026-01-15"},
    }


def test_changelog_accepts_unreleased_for_release(tmp_path: Path) -> None:
    project = _project(tmp_path)

    summary = check_changelog(project, require_date=False)

    assert "ml-platform 0.3.0" in summary


def test_changelog_publish_requires_date(tmp_path: Path) -> None:
    project = _project(tmp_path)

    with pytest.raises(
        ReleaseError, match=re.escape("'### [0.3.0]' under '## ml-platform' reads Unreleased")
    ):
        check_changelog(project, require_date=True)


def test_changelog_missing_version_named(tmp_path: Path) -> None:
    project = _project(tmp_path, changelog=CHANGELOG.replace("### [0.3.1]", "### [0.3.0]"))

    with pytest.raises(ReleaseError) as caught:
        check_changelog(project, require_date=False)

    message = str(caught.value)
    assert "'## ml-platform-server' has no '### [0.3.1]' heading" in message
    assert "server/ml_platform_server/_version.py" in message


def test_changelog_heading_in_wrong_section_rejected(tmp_path: Path) -> None:
    swapped = CHANGELOG.replace("## ml-platform-client", "## ml-platform-docs")
    project = _project(tmp_path, changelog=swapped)

    with pytest.raises(
        ReleaseError, match=re.escape("'## ml-platform-client' has no '### [1.2.0]' heading")
    ):
        check_changelog(project, require_date=False)


def test_client_version_must_match_spec(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (tmp_path / "generated_client" / "pyproject.toml").write_text(
        '[project]\nversion = "1.1.0"\n', encoding="utf-8"
    )

    with pytest.raises(
        ReleaseError, match=re.escape("has version 1.1.0 but openapi.yaml has info.version 1.2.0")
    ):
        check_client_version(project)


def test_server_spec_copy_must_match(tmp_path: Path) -> None:
    project = _project(tmp_path)
    project.server_spec.write_text(SPEC + "# edited\n", encoding="utf-8")

    with pytest.raises(ReleaseError, match="run 'make generate'"):
        check_server_spec_copy(project)


def test_sdk_range_must_admit_client(tmp_path: Path) -> None:
    project = _project(tmp_path, sdk_range=">=1.0,<1.2")

    with pytest.raises(ReleaseError, match=re.escape("excludes the ml-platform-client 1.2.0")):
        check_sdk_accepts_client(project)


def test_released_snapshot_must_stay_unchanged(tmp_path: Path) -> None:
    project = _project(tmp_path)
    snapshot = project.released / "openapi-1.2.0.yaml"
    snapshot.write_text(SPEC, encoding="utf-8")

    assert "identical" in check_released_snapshot(project)

    snapshot.write_text(SPEC.replace("paths: {}", "paths: {} # older"), encoding="utf-8")
    with pytest.raises(ReleaseError, match=re.escape("although info.version is still 1.2.0")):
        check_released_snapshot(project)


def test_publish_dry_run_prints_upload(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path, changelog=CHANGELOG.replace("Unreleased", "2026-01-15"))
    artifacts = _fill_dist(project)

    publish(project, dry_run=True, repository="testpypi")

    err = capsys.readouterr().err
    upload = next(line for line in err.splitlines() if " -m twine upload " in line)
    assert "--repository testpypi" in upload
    for path in artifacts:
        assert str(path) in upload
    assert "Nothing was uploaded. Pass --no-dry-run to upload." in err
    assert not (project.released / "openapi-1.2.0.yaml").exists()


def test_publish_requires_built_artifacts(tmp_path: Path) -> None:
    project = _project(tmp_path, changelog=CHANGELOG.replace("Unreleased", "2026-01-15"))
    project.dist.mkdir()

    with pytest.raises(ReleaseError, match="run 'make release' first"):
        publish(project, dry_run=True, repository="pypi")


def test_publish_rejects_stale_artifacts(tmp_path: Path) -> None:
    project = _project(tmp_path, changelog=CHANGELOG.replace("Unreleased", "2026-01-15"))
    _fill_dist(project)
    (project.dist / "ml_platform-0.2.0-py3-none-any.whl").write_bytes(b"")

    with pytest.raises(ReleaseError, match=r"ml_platform-0\.2\.0-py3-none-any\.whl"):
        publish(project, dry_run=True, repository="pypi")


def test_redact_hides_api_keys() -> None:
    key = "mlp_" + "A1b2" * 10

    redacted = _redact(f"Development API key: {key}\nimported mlp_cli.main", key)

    assert key not in redacted
    assert "mlp_***" in redacted
    assert "mlp_cli.main" in redacted


@pytest.mark.timeout(120)
def test_release_dry_run_on_repository() -> None:
    dist = ROOT / "dist"
    before = sorted(dist.iterdir()) if dist.exists() else None

    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "release.py"), "--dry-run"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=110,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "==> Dry run: these steps would run next" in result.stderr
    assert " -m build --outdir " in result.stderr
    assert "mlp job create smoke --script smoke.py" in result.stderr
    assert (sorted(dist.iterdir()) if dist.exists() else None) == before


@pytest.mark.timeout(120)
def test_server_startup_read_and_stopped(tmp_path: Path) -> None:
    if not MLP_SERVER.exists():
        pytest.fail(f"{MLP_SERVER} is missing: install the server with 'make install'")
    server = subprocess.Popen(
        [str(MLP_SERVER), "--data-dir", str(tmp_path / "data"), "--port", "0", "--dev"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        key, url = _read_startup(server)
    finally:
        code = _stop(server)

    assert key.startswith("mlp_")
    assert url.startswith("http://127.0.0.1:")
    assert int(url.rsplit(":", 1)[1]) > 0
    assert code == 0
