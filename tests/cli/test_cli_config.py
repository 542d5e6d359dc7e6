"""``mlp config show|profiles|set|use-profile`` on config files in a temporary home."""

from __future__ import annotations

import json
import stat
from collections.abc import Sequence
from pathlib import Path

import pytest
import yaml

from tests.cli._support import RunCli, assert_matches_cli_schema

KEY = "mlp_" + "k" * 40


def _config(tmp_path: Path) -> Path:
    return tmp_path / "home" / ".mlplatform" / "config.yaml"


def _write(path: Path, document: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    path.chmod(0o600)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Lay out a table as mlp does: columns two spaces apart, no trailing spaces."""
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [headers, *rows]
    ]
    return "\n".join(lines) + "\n"


@pytest.fixture
def two_profiles(tmp_path: Path) -> Path:
    """A config file with a default profile ``local`` and a profile ``staging``."""
    path = _config(tmp_path)
    _write(
        path,
        {
            "default_profile": "local",
            "profiles": {
                "local": {"url": "http://127.0.0.1:8000", "api_key": KEY},
                "staging": {"url": "https://mlp.staging.example.com", "timeout": 60},
            },
        },
    )
    return path


# config show


def test_show_defaults(run_offline: RunCli, tmp_path: Path) -> None:
    result = run_offline("config", "show")

    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == _table(
        ("SETTING", "VALUE", "SOURCE"),
        [
            ("url", "http://127.0.0.1:8000", "default"),
            ("api_key", "(not set)", "default"),
            ("timeout", "30", "default"),
            ("profile", "(not set)", "default"),
            ("config_file", str(_config(tmp_path)), "default"),
        ],
    )


def test_show_from_profile(run_offline: RunCli, two_profiles: Path) -> None:
    result = run_offline("config", "show")

    assert result.exit_code == 0, result.stderr
    in_file = f"profile 'local' in {two_profiles}"
    assert result.stdout == _table(
        ("SETTING", "VALUE", "SOURCE"),
        [
            ("url", "http://127.0.0.1:8000", in_file),
            ("api_key", "********", in_file),
            ("timeout", "30", "default"),
            ("profile", "local", "default_profile of the config file"),
            ("config_file", str(two_profiles), "default"),
        ],
    )
    assert KEY not in result.stdout


def test_show_options_and_environment(run_offline: RunCli, two_profiles: Path) -> None:
    result = run_offline(
        "config",
        "show",
        "--profile",
        "staging",
        "--url",
        "http://127.0.0.1:9000",
        env={"ML_PLATFORM_API_KEY": KEY, "ML_PLATFORM_CONFIG": str(two_profiles)},
    )

    assert result.exit_code == 0, result.stderr
    assert result.stdout == _table(
        ("SETTING", "VALUE", "SOURCE"),
        [
            ("url", "http://127.0.0.1:9000", "option --url"),
            ("api_key", "********", "environment variable ML_PLATFORM_API_KEY"),
            ("timeout", "60", f"profile 'staging' in {two_profiles}"),
            ("profile", "staging", "option --profile"),
            ("config_file", str(two_profiles), "environment variable ML_PLATFORM_CONFIG"),
        ],
    )
    assert KEY not in result.stdout


def test_show_json_matches_documented_shape(run_offline: RunCli, two_profiles: Path) -> None:
    result = run_offline("config", "show", "-o", "json", env={"ML_PLATFORM_TIMEOUT": "7"})

    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert_matches_cli_schema(document, "config-show")
    assert document["timeout"] == {
        "value": 7.0,
        "source": "environment",
        "detail": "ML_PLATFORM_TIMEOUT",
    }
    assert document["api_key"]["value"] == "********"
    assert document["profile"] == {
        "value": "local",
        "source": "config file",
        "detail": "default_profile of the config file",
    }


def test_show_json_without_key(run_offline: RunCli) -> None:
    document = json.loads(run_offline("config", "show", "-o", "json").stdout)

    assert_matches_cli_schema(document, "config-show")
    assert document["api_key"] == {"value": None, "source": "default", "detail": ""}


def test_show_yaml_equals_json(run_offline: RunCli, two_profiles: Path) -> None:
    as_json = json.loads(run_offline("config", "show", "-o", "json").stdout)

    result = run_offline("config", "show", "-o", "yaml")

    assert result.exit_code == 0, result.stderr
    assert yaml.safe_load(result.stdout) == as_json


def test_show_wide_equals_table(run_offline: RunCli, two_profiles: Path) -> None:
    assert run_offline("config", "show", "-o", "wide").stdout == (
        run_offline("config", "show").stdout
    )


def test_show_quiet_prints_profile(run_offline: RunCli, two_profiles: Path) -> None:
    result = run_offline("config", "show", "-q", env={"ML_PLATFORM_PROFILE": "staging"})

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "staging\n"


def test_show_quiet_without_profile(run_offline: RunCli) -> None:
    result = run_offline("config", "show", "-q")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""


def test_show_unknown_profile(run_offline: RunCli, two_profiles: Path) -> None:
    result = run_offline("config", "show", "--profile", "prod")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: Profile 'prod' (from the --profile option) is not in {two_profiles} "
        "(profiles there: local, staging); create it with `mlp init --profile prod` or select "
        "an existing profile.\n"
    )


def test_show_warns_about_readable_file(run_offline: RunCli, two_profiles: Path) -> None:
    two_profiles.chmod(0o644)

    result = run_offline("config", "show")

    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"Warning: Config file {two_profiles} holds an API key and is accessible by other users "
        f"(mode 0644); run `chmod 600 {two_profiles}`.\n"
    )


# config profiles


def test_profiles_table(run_offline: RunCli, two_profiles: Path) -> None:
    result = run_offline("config", "profiles")

    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == _table(
        ("PROFILE", "DEFAULT", "URL", "API KEY", "TIMEOUT"),
        [
            ("local", "*", "http://127.0.0.1:8000", "********", "-"),
            ("staging", "", "https://mlp.staging.example.com", "-", "60"),
        ],
    )


def test_profiles_json_is_masked_file(run_offline: RunCli, two_profiles: Path) -> None:
    result = run_offline("config", "profiles", "-o", "json")

    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert_matches_cli_schema(document, "config-profiles")
    assert document == {
        "default_profile": "local",
        "profiles": {
            "local": {"url": "http://127.0.0.1:8000", "api_key": "********"},
            "staging": {"url": "https://mlp.staging.example.com", "timeout": 60},
        },
    }


def test_profiles_yaml_equals_json(run_offline: RunCli, two_profiles: Path) -> None:
    as_json = json.loads(run_offline("config", "profiles", "-o", "json").stdout)

    result = run_offline("config", "profiles", "-o", "yaml")

    assert yaml.safe_load(result.stdout) == as_json
    assert KEY not in result.stdout


def test_profiles_quiet(run_offline: RunCli, two_profiles: Path) -> None:
    result = run_offline("config", "profiles", "-q")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "local\nstaging\n"


def test_profiles_without_file(run_offline: RunCli, tmp_path: Path) -> None:
    result = run_offline("config", "profiles")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == f"No profiles in {_config(tmp_path)}; create one with: mlp init\n"


def test_profiles_json_without_file(run_offline: RunCli) -> None:
    result = run_offline("config", "profiles", "-o", "json")

    assert json.loads(result.stdout) == {"profiles": {}}


# config set


def test_set_url_in_default_profile(run_offline: RunCli, two_profiles: Path) -> None:
    result = run_offline("config", "set", "url", "http://127.0.0.1:8001")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == (
        f"Set url = http://127.0.0.1:8001 in profile 'local' of {two_profiles}.\n"
    )
    document = yaml.safe_load(two_profiles.read_text(encoding="utf-8"))
    assert document["profiles"]["local"] == {"url": "http://127.0.0.1:8001", "api_key": KEY}
    assert document["profiles"]["staging"]["timeout"] == 60
    assert stat.S_IMODE(two_profiles.stat().st_mode) == 0o600


def test_set_timeout_in_chosen_profile(run_offline: RunCli, two_profiles: Path) -> None:
    result = run_offline("config", "set", "timeout", "90", "--profile", "staging")

    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"Set timeout = 90 in profile 'staging' of {two_profiles}.\n"
    document = yaml.safe_load(two_profiles.read_text(encoding="utf-8"))
    assert document["profiles"]["staging"]["timeout"] == 90.0


def test_set_creates_file_and_profile(run_offline: RunCli, tmp_path: Path) -> None:
    path = _config(tmp_path)

    result = run_offline("config", "set", "url", "https://mlp.example.com")

    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"Created profile 'default' in {path} with url = https://mlp.example.com.\n"
    )
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == {
        "default_profile": "default",
        "profiles": {"default": {"url": "https://mlp.example.com"}},
    }
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_set_api_key_from_stdin(run_offline: RunCli, two_profiles: Path) -> None:
    new_key = "mlp_" + "n" * 40

    result = run_offline("config", "set", "api_key", "-", "--profile", "staging", input=new_key)

    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"Set api_key = ******** in profile 'staging' of {two_profiles}.\n"
    assert new_key not in result.stderr
    document = yaml.safe_load(two_profiles.read_text(encoding="utf-8"))
    assert document["profiles"]["staging"]["api_key"] == new_key


def test_set_warns_about_override(run_offline: RunCli, two_profiles: Path) -> None:
    result = run_offline(
        "config",
        "set",
        "url",
        "http://127.0.0.1:8001",
        env={"ML_PLATFORM_URL": "http://127.0.0.1:1"},
    )

    assert result.exit_code == 0, result.stderr
    assert result.stderr.endswith(
        "Warning: ML_PLATFORM_URL is set, so it overrides the url of profile 'local'; unset it "
        "to use the profile's value.\n"
    )


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ["api_key", KEY],
            None,
            "the API key is not accepted as an argument, because arguments end up in shell "
            "history; pass - and pipe the key in: mlp config set api_key - < key.txt",
        ),
        (
            ["api_key", "-"],
            "",
            "stdin carried no API key; pipe the key in, for example: mlp config set api_key - "
            "< key.txt",
        ),
        (
            ["timeout", "soon"],
            None,
            "Invalid value for 'VALUE': 'soon' is not a positive number of seconds; give, for "
            "example, 30.",
        ),
        (
            ["timeout", "0"],
            None,
            "Invalid value for 'VALUE': '0' is not a positive number of seconds; give, for "
            "example, 30.",
        ),
        (
            ["url", "127.0.0.1:8000"],
            None,
            "Invalid value: '127.0.0.1:8000' is not an http:// or https:// URL; give the server "
            "root URL, for example http://127.0.0.1:8000.",
        ),
        (
            ["verbose", "1"],
            None,
            "Invalid value for 'KEY': 'verbose' is not one of 'url', 'api_key', 'timeout'.",
        ),
    ],
    ids=["key-argument", "empty-stdin", "timeout-text", "timeout-zero", "url", "unknown"],
)
def test_set_usage_errors(
    run_offline: RunCli, tmp_path: Path, args: list[str], stdin: str | None, message: str
) -> None:
    result = run_offline("config", "set", *args, input=stdin)

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "Usage: mlp config set [OPTIONS] KEY VALUE\n"
        "Try 'mlp config set --help' for help.\n"
        "\n"
        f"Error: {message}\n"
    )
    assert KEY not in result.stderr
    assert not _config(tmp_path).exists()


# config use-profile


def test_use_profile(run_offline: RunCli, two_profiles: Path) -> None:
    result = run_offline("config", "use-profile", "staging")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == f"Profile 'staging' is now the default in {two_profiles}.\n"
    document = yaml.safe_load(two_profiles.read_text(encoding="utf-8"))
    assert document["default_profile"] == "staging"
    assert document["profiles"]["local"] == {"url": "http://127.0.0.1:8000", "api_key": KEY}
    assert run_offline("config", "show", "-q").stdout == "staging\n"


def test_use_profile_warns_about_environment(run_offline: RunCli, two_profiles: Path) -> None:
    result = run_offline("config", "use-profile", "staging", env={"ML_PLATFORM_PROFILE": "local"})

    assert result.exit_code == 0, result.stderr
    assert result.stderr.endswith(
        "Warning: ML_PLATFORM_PROFILE=local selects another profile, so profile 'staging' is "
        "used only with --profile staging.\n"
    )


def test_use_unknown_profile(run_offline: RunCli, two_profiles: Path) -> None:
    before = two_profiles.read_text(encoding="utf-8")

    result = run_offline("config", "use-profile", "prod")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "Usage: mlp config use-profile [OPTIONS] NAME\n"
        "Try 'mlp config use-profile --help' for help.\n"
        "\n"
        f"Error: Invalid value for 'NAME': profile 'prod' is not in {two_profiles} (profiles "
        "there: local, staging); create it with mlp init --profile prod.\n"
    )
    assert two_profiles.read_text(encoding="utf-8") == before


def test_config_lists_suggestion(run_offline: RunCli) -> None:
    result = run_offline("config", "shw")

    assert result.exit_code == 2
    assert result.stderr.endswith("Error: No such command 'shw'. Did you mean 'show'?\n")


def test_profile_option_on_group(run_offline: RunCli, two_profiles: Path) -> None:
    show = run_offline("config", "--profile", "staging", "show", "-q")
    changed = run_offline("config", "--profile", "staging", "set", "timeout", "15")

    assert show.stdout == "staging\n"
    assert changed.exit_code == 0, changed.stderr
    document = yaml.safe_load(two_profiles.read_text(encoding="utf-8"))
    assert document["profiles"]["staging"]["timeout"] == 15.0
