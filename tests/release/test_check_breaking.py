"""The breaking-change check, run as the real script on fixture spec pairs.

Each directory under fixtures/ holds a base.yaml (the released baseline) and a head.yaml
(the changed spec) that differ by one rule.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from _openapi_spec import SpecError, Version, latest_released, released_specs

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "check_breaking.py"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TIMEOUT_SECONDS = 60

BREAKING_CASES = {
    "removed-operation": "DELETE /jobs/{job_id} was removed.",
    "removed-response-field": "The response field Job.status was removed.",
    "removed-request-field": "The request field JobCreate.script was removed.",
    "changed-type": "The request field JobCreate.name changed type from string to integer.",
    "new-required-request-field": (
        "The request field JobCreate.priority was added as a required field."
    ),
    "new-required-parameter": (
        "The query parameter owner of GET /jobs was added as a required parameter."
    ),
    "removed-request-enum-value": (
        'The request field JobCreate.priority no longer accepts the value "normal".'
    ),
    "renamed-operation-id": (
        "The operationId of GET /jobs changed from list_jobs to list_all_jobs, "
        "which renames its function in the generated client."
    ),
    "renamed-tag": (
        "The first tag of GET /jobs changed from jobs to training, "
        "which moves its function to another module of the generated client."
    ),
    "renamed-schema": (
        "The schema JobCreate was renamed to JobSubmission, "
        "which renames its class in the generated client."
    ),
    "new-response-enum-value": (
        'The response field Job.status may now contain the value "SUCCEEDED", '
        "which clients generated from the baseline reject."
    ),
    "allof-field-removed": "The response field Job.name was removed.",
}


def _check(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )


def _pair(case: str) -> tuple[Path, Path]:
    return FIXTURES / case / "base.yaml", FIXTURES / case / "head.yaml"


def _bullets(stdout: str) -> list[str]:
    return [line.removeprefix("  - ") for line in stdout.splitlines() if line.startswith("  - ")]


def _write_spec(path: Path, version: str, schemas: dict[str, object]) -> Path:
    document = {
        "openapi": "3.0.3",
        "info": {"title": "Fixture API", "version": version},
        "paths": {
            "/nodes": {
                "get": {
                    "tags": ["nodes"],
                    "operationId": "get_root",
                    "responses": {
                        "200": {
                            "description": "The root node.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Node"}
                                }
                            },
                        }
                    },
                }
            }
        },
        "components": {"schemas": schemas},
    }
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", sorted(BREAKING_CASES))
def test_fixture_pair_fails_with_sentence(case: str) -> None:
    base, head = _pair(case)

    result = _check("--base", base, head)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "\nBreaking changes (" in result.stdout
    assert BREAKING_CASES[case] in _bullets(result.stdout)
    assert result.stderr.startswith("Breaking-change check failed: ")
    assert "bump info.version to 2.0.0" in result.stderr


@pytest.mark.timeout(60)
def test_renamed_schema_also_names_the_request_body() -> None:
    base, head = _pair("renamed-schema")

    result = _check("--base", base, head)

    assert _bullets(result.stdout) == [
        "The request body of POST /jobs changed its schema from JobCreate to JobSubmission, "
        "which changes its class in the generated client.",
        BREAKING_CASES["renamed-schema"],
    ]


@pytest.mark.timeout(60)
def test_additive_change_passes_with_summary() -> None:
    base, head = _pair("additive")

    result = _check("--base", base, head)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Breaking changes" not in result.stdout
    assert "\nAdditions (5):\n" in result.stdout
    assert _bullets(result.stdout) == [
        "GET /pools was added.",
        "The query parameter owner of GET /jobs was added.",
        "The response field Job.queue_position was added.",
        "The request field JobCreate.priority was added.",
        "The schema Pool was added.",
    ]
    assert result.stderr == ""


@pytest.mark.timeout(60)
def test_major_bump_allows_breaking_change() -> None:
    base, head = _pair("major-bump")

    result = _check("--base", base, head)

    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        "Breaking changes allowed by the major version bump from 1.4.2 to 2.0.0 (1):"
        in result.stdout
    )
    assert _bullets(result.stdout) == ["DELETE /jobs/{job_id} was removed."]
    assert result.stderr == ""


@pytest.mark.timeout(60)
def test_allof_and_ref_resolve_before_comparing() -> None:
    base, head = _pair("allof-equivalent")

    result = _check("--base", base, head)

    assert result.returncode == 0, result.stdout + result.stderr
    assert _bullets(result.stdout) == ["The schema JobId was added."]
    assert "info.version is still 1.0.0" in result.stderr


@pytest.mark.timeout(60)
def test_real_spec_passes_against_latest_release() -> None:
    result = _check()

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("Comparing openapi.yaml (")
    assert " with released/openapi-" in result.stdout.splitlines()[0]
    assert "Breaking changes (" not in result.stdout


def test_released_files_carry_their_version() -> None:
    released = released_specs(ROOT / "released")

    assert released, "released/ holds no openapi-<version>.yaml baseline"
    for version, path in released:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert str(document["info"]["version"]) == str(version), path


@pytest.mark.timeout(60)
def test_lower_version_than_baseline_fails(tmp_path: Path) -> None:
    node = {"type": "object", "properties": {"id": {"type": "string"}}}
    base = _write_spec(tmp_path / "base.yaml", "1.2.0", {"Node": node})
    head = _write_spec(tmp_path / "head.yaml", "1.1.9", {"Node": node})

    result = _check("--base", base, head)

    assert result.returncode == 1
    assert "info.version 1.1.9" in result.stderr
    assert "lower than 1.2.0" in result.stderr


@pytest.mark.timeout(60)
def test_recursive_schema_change_reported_once(tmp_path: Path) -> None:
    def node(child_type: str) -> dict[str, object]:
        return {
            "type": "object",
            "properties": {
                "name": {"type": child_type},
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
            },
        }

    base = _write_spec(tmp_path / "base.yaml", "1.0.0", {"Node": node("string")})
    head = _write_spec(tmp_path / "head.yaml", "1.0.0", {"Node": node("integer")})

    result = _check("--base", base, head)

    assert result.returncode == 1
    assert _bullets(result.stdout) == [
        "The response field Node.name changed type from string to integer."
    ]


@pytest.mark.timeout(60)
def test_response_field_made_optional_breaks(tmp_path: Path) -> None:
    properties = {"id": {"type": "string"}}
    base_node = {"type": "object", "required": ["id"], "properties": properties}
    base = _write_spec(tmp_path / "base.yaml", "1.0.0", {"Node": base_node})
    head = _write_spec(tmp_path / "head.yaml", "1.1.0", {"Node": {"properties": properties}})

    result = _check("--base", base, head)

    assert result.returncode == 1
    assert _bullets(result.stdout) == [
        "The response field Node.id is no longer required, so clients must handle its absence."
    ]


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "cannot read"),
        ("openapi: [unclosed\n", "is not valid YAML"),
        ("- a list\n", "does not contain a YAML mapping"),
        ("swagger: '2.0'\ninfo: {version: 1.0.0}\n", "an OpenAPI 3 document was expected"),
        ("openapi: 3.0.3\ninfo: {title: x}\n", "has no info.version"),
        ("openapi: 3.0.3\ninfo: {version: one}\n", "a version like 1.2.3 was expected"),
    ],
    ids=["missing", "bad-yaml", "not-mapping", "swagger-2", "no-version", "bad-version"],
)
def test_unreadable_input_exits_2(tmp_path: Path, content: str | None, expected: str) -> None:
    spec = tmp_path / "spec.yaml"
    if content is not None:
        spec.write_text(content, encoding="utf-8")
    base, _ = _pair("changed-type")

    result = _check("--base", base, spec)

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    assert expected in result.stderr
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.timeout(60)
def test_dangling_ref_exits_2(tmp_path: Path) -> None:
    head = _write_spec(
        tmp_path / "head.yaml", "1.0.0", {"Node": {"$ref": "#/components/schemas/Gone"}}
    )
    base = _write_spec(tmp_path / "base.yaml", "1.0.0", {"Node": {"type": "object"}})

    result = _check("--base", base, head)

    assert result.returncode == 2
    assert "$ref '#/components/schemas/Gone' points at nothing" in result.stderr


def test_latest_released_picks_highest_version(tmp_path: Path) -> None:
    for name in ("openapi-1.9.0.yaml", "openapi-1.10.0-rc.1.yaml", "openapi-1.10.0.yaml"):
        (tmp_path / name).write_text("openapi: 3.0.3\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("not a baseline\n", encoding="utf-8")

    assert latest_released(tmp_path).name == "openapi-1.10.0.yaml"


def test_latest_released_rejects_bad_names(tmp_path: Path) -> None:
    (tmp_path / "openapi-latest.yaml").write_text("openapi: 3.0.3\n", encoding="utf-8")

    with pytest.raises(SpecError, match="'latest'"):
        latest_released(tmp_path)


def test_latest_released_requires_a_baseline(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="pass --base FILE"):
        latest_released(tmp_path)


def test_prerelease_sorts_before_final() -> None:
    final = Version.parse("2.0.0", source="test")
    candidate = Version.parse("2.0.0-rc.1", source="test")

    assert candidate < final
    assert Version.parse("1.10.0", source="test") > Version.parse("1.9.9", source="test")
