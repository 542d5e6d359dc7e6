"""Build the sdists and wheels of the three distributions into dist/ and check them."""

from __future__ import annotations

import shutil
import sys
import zipfile
from pathlib import Path

from _release_commands import note, run, tool_env
from _release_project import SERVER, Project, ReleaseError

BUILD_TIMEOUT_SECONDS = 600
TWINE_TIMEOUT_SECONDS = 120
SERVER_SPEC_MEMBER = "ml_platform_server/openapi.yaml"


def build_commands(project: Project) -> list[list[str]]:
    """Return one `python -m build` command per distribution (sdist, then wheel from it)."""
    return [
        [sys.executable, "-m", "build", "--outdir", str(project.dist), str(dist.directory)]
        for dist in project.distributions()
    ]


def build_env(project: Project) -> dict[str, str]:
    """Return the environment for builds.

    `python -m build` installs each build backend into an isolated environment with pip;
    PIP_CONSTRAINT makes those installs use the versions pinned in constraints.txt.
    """
    return tool_env({"PIP_CONSTRAINT": str(project.constraints)})


def twine_check_command(paths: list[Path]) -> list[str]:
    """Return the `twine check` command for PATHS."""
    return [sys.executable, "-m", "twine", "check", *map(str, paths)]


def build(project: Project) -> list[Path]:
    """Empty dist/, build every distribution into it and return the artifacts.

    Raises:
        ReleaseError: A build fails, or dist/ ends up with other files than expected.
    """
    if project.dist.exists():
        shutil.rmtree(project.dist)
    project.dist.mkdir()
    env = build_env(project)
    for command in build_commands(project):
        run(
            command,
            action=f"building {command[-1]}",
            timeout=BUILD_TIMEOUT_SECONDS,
            cwd=project.root,
            env=env,
            capture=True,
        )

    expected = project.artifact_paths()
    found = sorted(project.dist.iterdir())
    missing = [path.name for path in expected if path not in found]
    unexpected = [path.name for path in found if path not in expected]
    if missing or unexpected:
        raise ReleaseError(
            f"dist/ should hold exactly {', '.join(p.name for p in expected)}, but "
            f"{', '.join(missing) or 'nothing'} is missing and "
            f"{', '.join(unexpected) or 'nothing'} is extra: check the versions and the "
            "build backends' configuration"
        )
    for path in expected:
        note(f"built {path.relative_to(project.root)} ({path.stat().st_size} bytes)")
    check_server_wheel(project)
    return expected


def check_server_wheel(project: Project) -> None:
    """Check that the server wheel ships the same openapi.yaml as the repository.

    Raises:
        ReleaseError: The wheel lacks the spec or ships another one.
    """
    server = next(dist for dist in project.distributions() if dist.name == SERVER)
    wheel = project.dist / server.artifacts[1]
    with zipfile.ZipFile(wheel) as archive:
        try:
            shipped = archive.read(SERVER_SPEC_MEMBER)
        except KeyError as err:
            raise ReleaseError(
                f"{wheel.name} does not contain {SERVER_SPEC_MEMBER}, so an installed server "
                "cannot load its contract: include it as package data in server/pyproject.toml"
            ) from err
    if shipped != project.spec.read_bytes():
        raise ReleaseError(
            f"{wheel.name} ships an openapi.yaml that differs from the repository's: "
            "run 'make generate'"
        )
    note(f"{wheel.name} ships openapi.yaml unchanged.")


def twine_check(project: Project, artifacts: list[Path]) -> None:
    """Run `twine check` on ARTIFACTS.

    Raises:
        ReleaseError: twine reports a problem with the metadata or the long description.
    """
    run(
        twine_check_command(artifacts),
        action="twine check",
        timeout=TWINE_TIMEOUT_SECONDS,
        cwd=project.root,
        env=tool_env(),
    )
