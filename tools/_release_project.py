"""The three distributions of a release, their versions and the checks on project files.

Versions come from one place each:

* ml-platform-client: `info.version` of openapi.yaml (the generator writes it into
  generated_client/pyproject.toml);
* ml-platform (SDK and `mlp`): `__version__` in ml_platform/_version.py;
* ml-platform-server: `__version__` in server/ml_platform_server/_version.py.

CHANGELOG.md has one `## <distribution>` section per distribution, each with Keep a
Changelog headings `### [X.Y.Z] - YYYY-MM-DD` (or `- Unreleased` until it is published).
"""

from __future__ import annotations

import ast
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import yaml
from packaging.requirements import InvalidRequirement, Requirement

CLIENT = "ml-platform-client"
SDK = "ml-platform"
SERVER = "ml-platform-server"

SECTION = re.compile(r"^## (?P<name>\S+)\s*$")
VERSION_HEADING = re.compile(
    r"^### \[(?P<version>[^\]]+)\](?: - (?P<date>\d{4}-\d{2}-\d{2}|Unreleased))?\s*$"
)


class ReleaseError(Exception):
    """A release step failed; the message names what failed and the fix."""


@dataclass(frozen=True)
class Distribution:
    """One distribution of the release.

    Attributes:
        name: The project name on the package index.
        directory: The folder holding its pyproject.toml.
        version: The version being released.
        version_source: Where the version is set, for messages.
    """

    name: str
    directory: Path
    version: str
    version_source: str

    @property
    def artifacts(self) -> tuple[str, str]:
        """Return the file names of the sdist and the wheel that `python -m build` makes."""
        stem = f"{self.name.replace('-', '_')}-{self.version}"
        return f"{stem}.tar.gz", f"{stem}-py3-none-any.whl"


class Project:
    """The repository being released.

    Args:
        root: The repository root, holding openapi.yaml and the three distributions.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.spec = root / "openapi.yaml"
        self.server_spec = root / "server" / "ml_platform_server" / "openapi.yaml"
        self.changelog = root / "CHANGELOG.md"
        self.constraints = root / "constraints.txt"
        self.released = root / "released"
        self.dist = root / "dist"

    def distributions(self) -> list[Distribution]:
        """Read the version of each distribution from its one source.

        Raises:
            ReleaseError: A version cannot be read.
        """
        return [
            Distribution(
                CLIENT, self.root / "generated_client", self.spec_version(), "openapi.yaml"
            ),
            Distribution(
                SDK,
                self.root,
                _module_version(self.root / "ml_platform" / "_version.py"),
                "ml_platform/_version.py",
            ),
            Distribution(
                SERVER,
                self.root / "server",
                _module_version(self.root / "server" / "ml_platform_server" / "_version.py"),
                "server/ml_platform_server/_version.py",
            ),
        ]

    def spec_version(self) -> str:
        """Return info.version of openapi.yaml."""
        try:
            document = yaml.safe_load(self.spec.read_text(encoding="utf-8"))
            return str(document["info"]["version"])
        except (OSError, yaml.YAMLError, KeyError, TypeError) as err:
            raise ReleaseError(
                f"cannot read info.version from {self.spec}: {err}; fix openapi.yaml"
            ) from err

    def artifact_paths(self) -> list[Path]:
        """Return the sdist and wheel paths in dist/ for the current versions."""
        return [self.dist / name for dist in self.distributions() for name in dist.artifacts]

    def released_snapshot(self) -> Path:
        """Return released/openapi-<info.version>.yaml, which may not exist yet."""
        return self.released / f"openapi-{self.spec_version()}.yaml"


def check_client_version(project: Project) -> str:
    """Check that the committed client carries info.version; return a summary line."""
    version = project.spec_version()
    pyproject = project.root / "generated_client" / "pyproject.toml"
    try:
        generated = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
    except (OSError, tomllib.TOMLDecodeError, KeyError) as err:
        raise ReleaseError(
            f"cannot read the version in {pyproject}: {err}; run 'make generate'"
        ) from err
    if generated != version:
        raise ReleaseError(
            f"{pyproject} has version {generated} but openapi.yaml has info.version {version}: "
            "run 'make generate' and commit the result"
        )
    return f"generated_client/pyproject.toml has version {version}, as openapi.yaml."


def check_server_spec_copy(project: Project) -> str:
    """Check that the server ships the same openapi.yaml; return a summary line."""
    if project.server_spec.read_bytes() != project.spec.read_bytes():
        raise ReleaseError(
            f"{project.server_spec} differs from openapi.yaml, so the server wheel would "
            "serve another contract: run 'make generate'"
        )
    return "server/ml_platform_server/openapi.yaml is identical to openapi.yaml."


def check_released_snapshot(project: Project) -> str:
    """Check that a released spec of the same version was not changed afterwards.

    A version that already has released/openapi-<version>.yaml must keep exactly that
    contract; any change needs a new info.version.
    """
    snapshot = project.released_snapshot()
    version = project.spec_version()
    if not snapshot.exists():
        return f"released/ has no snapshot of {version} yet; publishing writes it."
    if snapshot.read_bytes() != project.spec.read_bytes():
        raise ReleaseError(
            f"openapi.yaml differs from released/{snapshot.name} although info.version is "
            f"still {version}: bump info.version (the check names minor or major), or, if "
            f"{version} was never published, copy openapi.yaml over released/{snapshot.name}"
        )
    return f"openapi.yaml is identical to released/{snapshot.name}."


def check_sdk_accepts_client(project: Project) -> str:
    """Check that the SDK's dependency on the client admits the client being released."""
    client_version = project.spec_version()
    pyproject = project.root / "pyproject.toml"
    try:
        dependencies = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"][
            "dependencies"
        ]
        requirements = [Requirement(text) for text in dependencies]
    except (OSError, tomllib.TOMLDecodeError, KeyError, InvalidRequirement) as err:
        raise ReleaseError(f"cannot read the dependencies in {pyproject}: {err}") from err

    for requirement in requirements:
        if requirement.name != CLIENT:
            continue
        if not requirement.specifier.contains(client_version, prereleases=True):
            raise ReleaseError(
                f"pyproject.toml requires {requirement}, which excludes the {CLIENT} "
                f"{client_version} being released: widen the range in pyproject.toml"
            )
        return f"{SDK} requires {requirement}, which admits {client_version}."
    raise ReleaseError(f"pyproject.toml does not depend on {CLIENT}: add it to dependencies")


def changelog_headings(text: str) -> dict[str, dict[str, str]]:
    """Map each distribution section of a changelog to {version: date or "Unreleased"}."""
    headings: dict[str, dict[str, str]] = {}
    section: dict[str, str] | None = None
    for line in text.splitlines():
        if match := SECTION.match(line):
            section = headings.setdefault(match.group("name"), {})
        elif (match := VERSION_HEADING.match(line)) and section is not None:
            section[match.group("version")] = match.group("date") or "Unreleased"
    return headings


def check_changelog(project: Project, *, require_date: bool) -> str:
    """Check that CHANGELOG.md has a heading for the exact version of each distribution.

    Args:
        project: The repository.
        require_date: Reject `Unreleased` headings, as publishing does.
    """
    try:
        text = project.changelog.read_text(encoding="utf-8")
    except OSError as err:
        raise ReleaseError(f"cannot read {project.changelog}: {err}; add CHANGELOG.md") from err
    headings = changelog_headings(text)

    problems: list[str] = []
    for dist in project.distributions():
        date = headings.get(dist.name, {}).get(dist.version)
        if date is None:
            problems.append(
                f"'## {dist.name}' has no '### [{dist.version}]' heading for the version in "
                f"{dist.version_source}"
            )
        elif require_date and date == "Unreleased":
            problems.append(
                f"'### [{dist.version}]' under '## {dist.name}' reads Unreleased instead of "
                "the release date (YYYY-MM-DD)"
            )
    if problems:
        raise ReleaseError(f"CHANGELOG.md is not ready for this release: {'; '.join(problems)}")
    versions = ", ".join(f"{dist.name} {dist.version}" for dist in project.distributions())
    return f"CHANGELOG.md has headings for {versions}."


def _module_version(path: Path) -> str:
    """Return the string assigned to `__version__` in PATH, without importing it."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError) as err:
        raise ReleaseError(f"cannot read {path}: {err}") from err
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return node.value.value
    raise ReleaseError(f"{path} does not assign a string to __version__: add __version__ = 'X.Y.Z'")
