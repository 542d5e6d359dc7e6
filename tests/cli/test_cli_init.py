"""``mlp init``: flags and stdin in-process, and the hidden key prompt on a pseudo-terminal."""

from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.cli._support import (
    COMMAND_TIMEOUT,
    MLP,
    MLP_SERVER,
    RunCli,
    Server,
    Terminal,
    closed_port,
    isolated_env,
    subprocess_env,
)

CHECKED = r"The server at {url} accepts the key: user dev, key key_[0-9a-f]+, read-write\.\n"


def _config(home: Path) -> Path:
    return home / "home" / ".mlplatform" / "config.yaml"


def _load(path: Path) -> object:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _write_config(path: Path, document: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    path.chmod(0o600)


def test_init_from_flags(run_offline: RunCli, cli_server: Server, tmp_path: Path) -> None:
    result = run_offline(
        "init", "--url", cli_server.url, "--api-key-stdin", input=cli_server.api_key + "\n"
    )

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    path = _config(tmp_path)
    assert re.fullmatch(
        CHECKED.format(url=re.escape(cli_server.url))
        + re.escape(f"Saved profile 'default' to {path}, readable by you only.\n"),
        result.stderr,
    ), result.stderr
    assert _load(path) == {
        "default_profile": "default",
        "profiles": {"default": {"url": cli_server.url, "api_key": cli_server.api_key}},
    }
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [entry.name for entry in path.parent.iterdir()] == ["config.yaml"]


def test_init_never_prints_key(run_offline: RunCli, cli_server: Server) -> None:
    result = run_offline(
        "init", "--url", cli_server.url, "--api-key-stdin", input=cli_server.api_key
    )

    assert result.exit_code == 0, result.stderr
    assert cli_server.api_key not in result.stdout + result.stderr


def test_init_keeps_other_profiles(run_offline: RunCli, cli_server: Server, tmp_path: Path) -> None:
    path = _config(tmp_path)
    _write_config(path, {"default_profile": "main", "profiles": {"main": {"url": "http://x:1"}}})

    result = run_offline(
        "init",
        "--profile",
        "staging",
        "--url",
        cli_server.url,
        "--timeout",
        "12.5",
        "--api-key-stdin",
        input=cli_server.api_key,
    )

    assert result.exit_code == 0, result.stderr
    assert result.stderr.endswith(
        f"Saved profile 'staging' to {path}, readable by you only.\n"
        "The default profile is still 'main'; use this one with --profile staging, or make it "
        "the default with: mlp config use-profile staging\n"
    )
    assert _load(path) == {
        "default_profile": "main",
        "profiles": {
            "main": {"url": "http://x:1"},
            "staging": {"url": cli_server.url, "api_key": cli_server.api_key, "timeout": 12.5},
        },
    }


def test_init_default_flag(run_offline: RunCli, cli_server: Server, tmp_path: Path) -> None:
    path = _config(tmp_path)
    _write_config(path, {"default_profile": "main", "profiles": {"main": {}}})

    result = run_offline(
        "init",
        "--profile",
        "staging",
        "--default",
        "--url",
        cli_server.url,
        "--api-key-stdin",
        input=cli_server.api_key,
    )

    assert result.exit_code == 0, result.stderr
    assert "The default profile is still" not in result.stderr
    assert _load(path)["default_profile"] == "staging"  # type: ignore[index]


def test_init_updates_file_default_profile(
    run_offline: RunCli, cli_server: Server, tmp_path: Path
) -> None:
    path = _config(tmp_path)
    _write_config(path, {"default_profile": "main", "profiles": {"main": {"timeout": 5}}})

    result = run_offline(
        "init", "--url", cli_server.url, "--api-key-stdin", input=cli_server.api_key
    )

    assert result.exit_code == 0, result.stderr
    assert _load(path) == {
        "default_profile": "main",
        "profiles": {"main": {"timeout": 5, "url": cli_server.url, "api_key": cli_server.api_key}},
    }


def test_init_url_before_command(run_offline: RunCli, cli_server: Server, tmp_path: Path) -> None:
    result = run_offline(
        "--url", cli_server.url, "init", "--api-key-stdin", input=cli_server.api_key
    )

    assert result.exit_code == 0, result.stderr
    assert _load(_config(tmp_path))["profiles"]["default"]["url"] == cli_server.url  # type: ignore[index]


def test_init_config_from_environment(
    run_offline: RunCli, cli_server: Server, tmp_path: Path
) -> None:
    path = tmp_path / "elsewhere" / "mlp.yaml"

    result = run_offline(
        "init",
        "--url",
        cli_server.url,
        "--api-key-stdin",
        input=cli_server.api_key,
        env={"ML_PLATFORM_CONFIG": str(path)},
    )

    assert result.exit_code == 0, result.stderr
    assert f"Saved profile 'default' to {path}, readable by you only.\n" in result.stderr
    assert not _config(tmp_path).exists()


def test_init_warns_about_overrides(
    run_offline: RunCli, cli_server: Server, tmp_path: Path
) -> None:
    overrides = {
        "ML_PLATFORM_URL": "http://127.0.0.1:9",
        "ML_PLATFORM_API_KEY": "mlp_other",
        "ML_PLATFORM_TIMEOUT": "3",
        "ML_PLATFORM_PROFILE": "ci",
    }

    result = run_offline(
        "init",
        "--profile",
        "laptop",
        "--url",
        cli_server.url,
        "--timeout",
        "20",
        "--api-key-stdin",
        input=cli_server.api_key,
        env=overrides,
    )

    assert result.exit_code == 0, result.stderr
    assert result.stderr.endswith(
        "Warning: ML_PLATFORM_URL is set, so it overrides the url of profile 'laptop'; unset it "
        "to use the profile's value.\n"
        "Warning: ML_PLATFORM_API_KEY is set, so it overrides the api_key of profile 'laptop'; "
        "unset it to use the profile's value.\n"
        "Warning: ML_PLATFORM_TIMEOUT is set, so it overrides the timeout of profile 'laptop'; "
        "unset it to use the profile's value.\n"
        "Warning: ML_PLATFORM_PROFILE=ci selects another profile, so profile 'laptop' is used "
        "only with --profile laptop.\n"
    )


def test_init_profile_from_environment(
    run_offline: RunCli, cli_server: Server, tmp_path: Path
) -> None:
    result = run_offline(
        "init",
        "--url",
        cli_server.url,
        "--api-key-stdin",
        input=cli_server.api_key,
        env={"ML_PLATFORM_PROFILE": "ci"},
    )

    assert result.exit_code == 0, result.stderr
    assert "Warning" not in result.stderr
    assert list(_load(_config(tmp_path))["profiles"]) == ["ci"]  # type: ignore[index]


def test_init_read_only_key(run_offline: RunCli, cli_server: Server) -> None:
    created = subprocess.run(
        [
            MLP_SERVER,
            "keys",
            "create",
            "--data-dir",
            str(cli_server.data_dir),
            "--user",
            "dev",
            "--read-only",
        ],
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=True,
    )
    key = created.stdout.strip()

    result = run_offline("init", "--url", cli_server.url, "--api-key-stdin", input=key)

    assert result.exit_code == 0, result.stderr
    assert re.match(
        r"The server at \S+ accepts the key: user dev, key key_\w+, read-only\.\n", result.stderr
    )


def test_init_rejected_key_saves_nothing(
    run_offline: RunCli, cli_server: Server, tmp_path: Path
) -> None:
    key = "mlp_" + "z" * 40

    result = run_offline("init", "--url", cli_server.url, "--api-key-stdin", input=key)

    assert result.exit_code == 1
    assert result.stdout == ""
    assert re.fullmatch(
        rf"Error: The server at {re.escape(cli_server.url)} rejected the API key \(request id "
        r"\S+\), so nothing was saved; check the key, for example with `mlp-server keys list`, "
        r"and run mlp init again\.\n",
        result.stderr,
    ), result.stderr
    assert key not in result.stderr
    assert not _config(tmp_path).exists()


def test_init_unreachable_saves_nothing(run_offline: RunCli, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}"

    result = run_offline("init", "--url", url, "--api-key-stdin", input="mlp_" + "a" * 40)

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(
        f"Error: Could not reach the ML Platform server at {url}/api/v1/whoami ("
    )
    assert result.stderr.endswith(
        "so nothing was saved; check the URL and that the server is running, then run mlp init "
        "again.\n"
    )
    assert not _config(tmp_path).exists()


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ["--url", "ftp://example.com", "--api-key-stdin"],
            "mlp_key",
            "Invalid value: 'ftp://example.com' is not an http:// or https:// URL; give the "
            "server root URL, for example http://127.0.0.1:8000.",
        ),
        (
            ["--api-key-stdin"],
            "mlp_key",
            "--api-key-stdin needs --url, because stdin carries the key and cannot also provide "
            "the URL.",
        ),
        (
            ["--url", "http://127.0.0.1:8000", "--api-key-stdin"],
            "\n",
            "stdin carried no API key; pipe the key in, for example: mlp init --url URL "
            "--api-key-stdin < key.txt",
        ),
        (
            ["--url", "http://127.0.0.1:8000", "--api-key-stdin"],
            "mlp_two words",
            "the API key is empty or contains spaces or control characters; give the whole key "
            "as `mlp-server keys create` printed it.",
        ),
        (
            ["--timeout", "0", "--url", "http://127.0.0.1:8000", "--api-key-stdin"],
            "mlp_key",
            "Invalid value for '--timeout': 0.0 is not in the range x>0.",
        ),
    ],
    ids=["bad-url", "stdin-needs-url", "empty-stdin", "key-with-space", "timeout-0"],
)
def test_init_usage_errors(
    run_offline: RunCli, tmp_path: Path, args: list[str], stdin: str, message: str
) -> None:
    result = run_offline("init", *args, input=stdin)

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"Usage: mlp init [OPTIONS]\nTry 'mlp init --help' for help.\n\nError: {message}\n"
    )
    assert not _config(tmp_path).exists()


def test_init_malformed_config(run_offline: RunCli, cli_server: Server, tmp_path: Path) -> None:
    path = _config(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text("profiles: [1, 2]\n", encoding="utf-8")

    result = run_offline("init", "--url", cli_server.url, "--api-key-stdin", input="mlp_key")

    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: Config file {path} has `profiles` of type list")
    assert path.read_text(encoding="utf-8") == "profiles: [1, 2]\n"


# The prompts on a terminal, run as the installed mlp on a pseudo-terminal.


def _terminal_env(tmp_path: Path) -> dict[str, str | None]:
    return isolated_env(tmp_path)


def test_init_prompts_on_terminal(cli_server: Server, tmp_path: Path) -> None:
    terminal = Terminal(["init"], _terminal_env(tmp_path), tmp_path)
    try:
        terminal.read_until(b"Server URL [http://127.0.0.1:8000]: ")
        terminal.write(cli_server.url.encode() + b"\n")
        terminal.read_until(b"API key (input hidden): ")
        terminal.write(cli_server.api_key.encode() + b"\n")
        code, screen = terminal.finish()
    finally:
        terminal.kill()

    path = _config(tmp_path)
    assert code == 0, screen
    assert cli_server.api_key not in screen
    assert re.fullmatch(
        re.escape(f"Server URL [http://127.0.0.1:8000]: {cli_server.url}\n")
        + re.escape("API key (input hidden): \n")
        + CHECKED.format(url=re.escape(cli_server.url))
        + re.escape(f"Saved profile 'default' to {path}, readable by you only.\n"),
        screen,
    ), screen
    assert _load(path)["profiles"]["default"]["api_key"] == cli_server.api_key  # type: ignore[index]


def test_init_prompt_offers_saved_url(cli_server: Server, tmp_path: Path) -> None:
    _write_config(_config(tmp_path), {"profiles": {"default": {"url": cli_server.url}}})
    terminal = Terminal(["init"], _terminal_env(tmp_path), tmp_path)
    try:
        terminal.read_until(f"Server URL [{cli_server.url}]: ".encode())
        terminal.write(b"\n")
        terminal.read_until(b"API key (input hidden): ")
        terminal.write(cli_server.api_key.encode() + b"\n")
        code, screen = terminal.finish()
    finally:
        terminal.kill()

    assert code == 0, screen
    assert "Saved profile 'default'" in screen


def test_init_reads_key_from_tty_with_piped_stdin(cli_server: Server, tmp_path: Path) -> None:
    reader, writer = os.pipe()
    os.write(writer, cli_server.url.encode() + b"\n")
    os.close(writer)
    terminal = Terminal(["init"], _terminal_env(tmp_path), tmp_path, stdin=reader)
    os.close(reader)
    try:
        terminal.read_until(b"API key (input hidden): ")
        terminal.write(cli_server.api_key.encode() + b"\n")
        code, screen = terminal.finish()
    finally:
        terminal.kill()

    assert code == 0, screen
    assert cli_server.api_key not in screen
    assert _load(_config(tmp_path))["profiles"]["default"]["url"] == cli_server.url  # type: ignore[index]


def test_init_empty_key_asked_again(cli_server: Server, tmp_path: Path) -> None:
    terminal = Terminal(["init", "--url", cli_server.url], _terminal_env(tmp_path), tmp_path)
    try:
        for attempt in range(1, 4):
            terminal.read_until(b"API key (input hidden): ", count=attempt)
            terminal.write(b"\n")
        code, screen = terminal.finish()
    finally:
        terminal.kill()

    assert code == 2
    assert screen.endswith(
        "Error: no API key was typed after 3 prompts; run the command again and type or paste "
        "the key.\n"
    )
    assert not _config(tmp_path).exists()


def test_init_without_terminal_needs_stdin_key(cli_server: Server, tmp_path: Path) -> None:
    result = subprocess.run(
        [MLP, "init", "--url", cli_server.url],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
        cwd=tmp_path,
        env=subprocess_env(_terminal_env(tmp_path)),
        start_new_session=True,
    )

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.endswith(
        "Error: cannot ask for the API key because there is no terminal; pipe the key in with "
        "--api-key-stdin.\n"
    )
    assert not _config(tmp_path).exists()
