"""The built inventory documents every public SDK name, CLI command and option, and problem type."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
import yaml

from tests.docs._site import ROOT, BuiltSite

pytestmark = pytest.mark.timeout(900)

_PROBLEM_TYPE = re.compile(r"urn:mlp:problem:([a-z0-9-]+)")


def _walk(
    command: click.Command, path: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Yield every visible command of a Click tree with its command path."""
    yield path, command
    if not isinstance(command, click.Group):
        return
    context = click.Context(command, info_name=path[-1])
    for name in command.list_commands(context):
        subcommand = command.get_command(context, name)
        if subcommand is None or subcommand.hidden:
            continue
        yield from _walk(subcommand, (*path, name))


def _expected_cli_objects() -> set[str]:
    """Return the ``std:cmdoption`` names sphinx-click emits for the whole ``mlp`` tree.

    sphinx-click 6 writes ``.. program:: mlp job create`` for each command, which Sphinx names
    ``mlp-job-create``, and an ``.. option::`` for every visible option name (both halves of a
    ``--flag/--no-flag`` pair) and for every argument under its human-readable name.
    """
    from mlp_cli.main import cli

    expected: set[str] = set()
    for path, command in _walk(cli, ("mlp",)):
        program = "-".join(path)
        for parameter in command.params:
            if isinstance(parameter, click.Option):
                if parameter.hidden:
                    continue
                names = [*parameter.opts, *parameter.secondary_opts]
            else:
                names = [parameter.human_readable_name]
            expected.update(f"{program}.{name}" for name in names)
    return expected


def _problem_slugs() -> list[str]:
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    description = spec["components"]["schemas"]["Problem"]["description"]
    return sorted(set(_PROBLEM_TYPE.findall(description)))


def test_sdk_names_all_documented(built_site: BuiltSite) -> None:
    import ml_platform

    documented = built_site.python_names()
    missing = sorted(
        name for name in ml_platform.__all__ if f"ml_platform.{name}" not in documented
    )
    assert ml_platform.__all__, "ml_platform.__all__ is empty"
    assert missing == [], f"names in ml_platform.__all__ missing from the SDK reference: {missing}"


def test_private_sdk_names_not_documented(built_site: BuiltSite) -> None:
    """Only public names are documented; private paths appear only as canonical aliases.

    Autodoc records where each class is defined (``ml_platform._job.TrainingJob``) as a
    canonical alias of its public name, so links written either way resolve.
    """
    import ml_platform

    public = set(ml_platform.__all__)
    documented = built_site.python_names()
    top_level = {name.split(".")[1] for name in documented if name.count(".") == 1}
    aliases = {name for name in documented if re.match(r"^ml_platform\._[a-z]", name)}
    extra = sorted(top_level - public)
    stray_aliases = sorted(name for name in aliases if name.split(".")[2] not in public)
    assert extra == [], f"documented as ml_platform.NAME but not in ml_platform.__all__: {extra}"
    assert stray_aliases == [], f"private objects documented: {stray_aliases}"


def test_cli_options_all_documented(built_site: BuiltSite) -> None:
    expected = _expected_cli_objects()
    documented = built_site.names("std:cmdoption")
    missing = sorted(expected - documented)
    assert len(expected) > 10, f"the Click tree of mlp yielded only {sorted(expected)}"
    assert missing == [], f"commands or options missing from the CLI reference: {missing}"


def test_cli_commands_all_documented(built_site: BuiltSite) -> None:
    from mlp_cli.main import cli

    documented_programs = {name.split(".", 1)[0] for name in built_site.names("std:cmdoption")}
    commands = {"-".join(path) for path, _ in _walk(cli, ("mlp",))}
    missing = sorted(commands - documented_programs)
    assert "mlp-job-create" in commands
    assert missing == [], f"commands without an entry in the CLI reference: {missing}"


def test_problem_types_all_in_catalogue(built_site: BuiltSite) -> None:
    slugs = _problem_slugs()
    labels = built_site.names("std:label")
    page = (built_site.html / "reference" / "problems.html").read_text(encoding="utf-8")
    missing_labels = [slug for slug in slugs if f"problem-{slug}" not in labels]
    missing_urns = [slug for slug in slugs if f"urn:mlp:problem:{slug}" not in page]
    assert len(slugs) >= 10, f"found only {slugs} in the Problem schema's description"
    assert missing_labels == [], f"problem types without a catalogue entry: {missing_labels}"
    assert missing_urns == [], (
        f"problem types whose URN the catalogue does not show: {missing_urns}"
    )


def test_exit_codes_page_lists_all(built_site: BuiltSite) -> None:
    from mlp_cli._exit_codes import ExitCode

    page = (built_site.html / "reference" / "exit-codes.html").read_text(encoding="utf-8")
    cell_texts = set(re.findall(r'<span class="pre">([^<]+)</span>', page))
    missing = [
        f"{int(code)} {code.name}"
        for code in ExitCode
        if code.name not in cell_texts or str(int(code)) not in cell_texts
    ]
    assert missing == [], f"exit codes missing from the exit codes page: {missing}"


def test_release_and_changelog_pages_built(built_site: BuiltSite) -> None:
    documents = built_site.names("std:doc")
    assert "releasing" in documents
    assert "changelog" in documents
    assert Path(built_site.html / "releasing.html").is_file()
