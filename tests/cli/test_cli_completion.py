"""``mlp completion``: the scripts, and completions returned by the installed ``mlp``."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.shell_completion import get_completion_class
from mlp_cli.main import cli

from tests.cli._support import COMMAND_TIMEOUT, MLP, RunCli, isolated_env, subprocess_env


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_click_script(run_offline: RunCli, shell: str) -> None:
    completion_class = get_completion_class(shell)
    assert completion_class is not None
    completer = completion_class(cli, {}, "mlp", "_MLP_COMPLETE")

    result = run_offline("completion", shell)

    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == completer.source_template % completer.source_vars() + "\n"
    assert "_MLP_COMPLETE" in result.stdout


def test_completion_unknown_shell(run_offline: RunCli) -> None:
    result = run_offline("completion", "tcsh")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.endswith(
        "Error: Invalid value for '{bash|zsh|fish}': 'tcsh' is not one of 'bash', 'zsh', 'fish'.\n"
    )


def _complete(tmp_path: Path, words: str, index: int) -> list[str]:
    """Ask the installed ``mlp`` for bash completions, as the bash script does."""
    environment = {
        **isolated_env(tmp_path),
        "_MLP_COMPLETE": "bash_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(index),
    }
    result = subprocess.run(
        [MLP],
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
        env=subprocess_env(environment),
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_complete_commands(tmp_path: Path) -> None:
    assert _complete(tmp_path, "mlp ", 1) == [
        "plain,init",
        "plain,config",
        "plain,job",
        "plain,pools",
        "plain,completion",
    ]


def test_complete_job_command(tmp_path: Path) -> None:
    assert _complete(tmp_path, "mlp job w", 2) == ["plain,wait"]


def test_complete_status_choice(tmp_path: Path) -> None:
    assert _complete(tmp_path, "mlp job list --status RU", 4) == ["plain,RUNNING"]


def test_complete_option(tmp_path: Path) -> None:
    assert _complete(tmp_path, "mlp job metrics --pl", 3) == ["plain,--plot"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_loads_script(tmp_path: Path) -> None:
    script = f'eval "$({MLP} completion bash)" && complete -p mlp'

    result = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", script],
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
        env=subprocess_env(isolated_env(tmp_path)),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "complete -o nosort -F _mlp_completion mlp\n"
