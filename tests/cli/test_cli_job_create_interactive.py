"""``mlp job create --interactive`` with answers on stdin, against the real reference server."""

from __future__ import annotations

import json
from typing import Any

from tests.cli._support import RunCli


def _job(run_cli: RunCli, job_id: str) -> dict[str, Any]:
    result = run_cli("job", "status", job_id, "-o", "json")
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def _dialogue(exchanges: list[tuple[str, str]]) -> tuple[str, str]:
    """Return the stdin answers and the stderr that Click's runner records for them.

    The runner echoes each answer after its prompt, as a terminal would show it.
    """
    answers = "".join(f"{answer}\n" for _, answer in exchanges)
    screen = "".join(f"{prompt}{answer}\n" for prompt, answer in exchanges)
    return answers, screen


def _pools_line() -> str:
    return "GPU pools: t4 (2 of 2 free), v100 (1 of 1 free)\n"


def test_interactive_asks_every_field(run_cli: RunCli, job_ids: list[str]) -> None:
    answers, screen = _dialogue(
        [
            ("Job name: ", "asked"),
            ("Working directory to upload [.]: ", ""),
            ("Script to run, relative to '.': ", "env.py"),
            (_pools_line() + "GPU type (none, t4, v100) [none]: ", "t4"),
            ("Number of t4 GPUs [1]: ", "1"),
            ("CPU cores (16 of 16 free) [1]: ", "2"),
            ("Memory (64Gi of 64Gi free) [2Gi]: ", "4Gi"),
            ("Hyperparameters as KEY=VALUE words, empty for none: ", 'epochs=3 tag="v1"'),
            ("Environment variables as NAME=VALUE words, empty for none: ", "GREETING=hello"),
            ("Timeout in seconds, empty for none: ", "120"),
            ("Queue the job when it does not fit now? [y/N]: ", "n"),
            ("Submit job asked (python env.py with 2 CPU, 4Gi memory, 1 t4 GPU)? [Y/n]: ", "y"),
        ]
    )

    result = run_cli("job", "create", "--interactive", input=answers)

    assert result.exit_code == 0, result.stderr
    job_id = result.stdout.strip()
    job_ids.append(job_id)
    assert result.stdout == f"{job_id}\n"
    assert result.stderr.startswith(screen + f"Submitted job {job_id} "), result.stderr
    job = _job(run_cli, job_id)
    assert job["name"] == "asked"
    assert job["script"] == "env.py"
    assert job["resources"] == {"cpu": 2, "memory": "4Gi", "gpu": 1, "gpu_type": "t4"}
    assert job["hyperparameters"] == {"epochs": 3, "tag": "v1"}
    assert job["environment"] == {"GREETING": "hello"}
    assert job["timeout_seconds"] == 120


def test_interactive_skips_given_options(run_cli: RunCli) -> None:
    answers, screen = _dialogue(
        [
            ("Working directory to upload [.]: ", ""),
            (_pools_line() + "GPU type (none, t4, v100) [none]: ", ""),
            ("Memory (64Gi of 64Gi free) [2Gi]: ", ""),
            ("Environment variables as NAME=VALUE words, empty for none: ", ""),
            ("Timeout in seconds, empty for none: ", ""),
            ("Queue the job when it does not fit now? [y/N]: ", ""),
            ("Submit job given (python ok.py with 0.5 CPU, 2Gi memory)? [Y/n]: ", ""),
        ]
    )

    result = run_cli(
        "job",
        "create",
        "given",
        "--script",
        "ok.py",
        "--cpu",
        "0.5",
        "--param",
        "epochs=2",
        "-i",
        "--wait",
        input=answers,
    )

    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith(screen), result.stderr
    job = _job(run_cli, result.stdout.strip())
    assert job["resources"] == {"cpu": 0.5, "memory": "2Gi", "gpu": 0}
    assert job["hyperparameters"] == {"epochs": 2}
    assert job["status"] == "SUCCEEDED"


def test_interactive_asks_again_after_bad_answers(run_cli: RunCli) -> None:
    answers = "".join(
        f"{answer}\n"
        for answer in (
            "bad name",
            "fine",
            "missing-dir",
            "",
            "absent.py",
            "ok.py",
            "h100",
            "none",
            "0",
            "1",
            "16GB",
            "",
            "epochs",
            "",
            "1BAD=x",
            "",
            "soon",
            "",
            "",
            "",
        )
    )

    result = run_cli("job", "create", "-i", "--wait", "-q", input=answers)

    assert result.exit_code == 0, result.stderr
    for message in (
        "Error: 'bad name' is not a valid job name; use letters, digits, '.', '_' and '-', "
        "starting with a letter or digit.\n",
        "Error: Directory 'missing-dir' does not exist.\n",
        "Error: 'absent.py' is not a file inside the working directory '.'; pass the script's "
        "path relative to --workdir.\n",
        "Error: 'h100' is not one of 'none', 't4', 'v100'.\n",
        "Error: 0.0 is not in the range x>0.\n",
        "Error: '16GB' is not a memory quantity; use a number with an optional unit Ki, Mi, Gi, "
        "Ti, k, M, G or T, for example 512Mi or 16Gi.\n",
        "Error: 'epochs' is not KEY=VALUE; write it as, for example, epochs=10.\n",
        "Error: '1BAD' is not a valid variable name; use letters, digits and underscores, not "
        "starting with a digit.\n",
        "Error: 'soon' is not a whole number of seconds of 1 or more; leave it empty for no "
        "limit.\n",
    ):
        assert message in result.stderr, message
    job = _job(run_cli, result.stdout.strip())
    assert job["name"] == "fine"
    assert job["status"] == "SUCCEEDED"


def test_interactive_declined_submits_nothing(run_cli: RunCli) -> None:
    before = run_cli("job", "list", "--all", "-q").stdout

    result = run_cli("job", "create", "declined", "--script", "ok.py", "-i", input="\n" * 8 + "n\n")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.endswith(
        "Submit job declined (python ok.py with 1 CPU, 2Gi memory)? [Y/n]: n\nAborted!\n"
    )
    assert run_cli("job", "list", "--all", "-q").stdout == before


def test_interactive_ends_with_stdin(run_cli: RunCli) -> None:
    result = run_cli("job", "create", "-i", input="short\n")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.endswith("Aborted!\n")


def test_interactive_without_server(run_offline: RunCli) -> None:
    result = run_offline("--url", "http://127.0.0.1:9", "job", "create", "-i", input="")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: Could not reach the ML Platform server at ")


def test_interactive_checks_gpu_options_first(run_offline: RunCli) -> None:
    result = run_offline("job", "create", "-i", "--gpu", "2", input="")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.endswith("Error: --gpu 2 needs --gpu-type, for example t4.\n")
