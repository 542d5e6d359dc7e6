"""The fields of a job to submit, and ``mlp job create --interactive``, which asks for them.

Prompts go to stderr and answers are read from stdin, one line each, so a script can pipe the
answers in. A field given as an option is not asked for.
"""

from __future__ import annotations

import dataclasses
import shlex
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from mlp_cli._params import (
    HyperparameterValue,
    KeyValue,
    MemoryQuantity,
    check_job_name,
    collect_environment,
    collect_hyperparameters,
    script_in_workdir,
)
from mlp_cli._render import format_number, format_resources

if TYPE_CHECKING:
    from ml_platform import Cluster

_T = TypeVar("_T")

NO_GPU = "none"
"""The answer to the GPU type prompt for a job without GPUs."""


@dataclasses.dataclass(kw_only=True)
class JobFields:
    """What ``mlp job create`` submits, from options or from answers to prompts.

    Attributes:
        name: The job name, None until given.
        script: The script as given, None until given.
        workdir: The directory to upload.
        gpu: The number of GPUs.
        gpu_type: The GPU pool, None without GPUs.
        cpu: CPU cores.
        memory: Memory as a quantity such as ``2Gi``.
        hyperparameters: Typed hyperparameters.
        environment: Environment variables of the job.
        timeout: Seconds the job may run, None for no limit.
        wait_for_capacity: Whether to queue the job when it does not fit now.
    """

    name: str | None
    script: str | None
    workdir: Path
    gpu: int
    gpu_type: str | None
    cpu: float
    memory: str
    hyperparameters: dict[str, HyperparameterValue]
    environment: dict[str, str]
    timeout: int | None
    wait_for_capacity: bool


def _ask(
    text: str,
    convert: Callable[[str], _T] | click.ParamType[_T],
    *,
    default: str | None = None,
) -> _T:
    """Prompt on stderr until ``convert`` accepts the answer read from stdin.

    ``convert`` is a Click parameter type, or a function that raises ``click.UsageError``
    (``BadParameter`` included) to reject an answer. Click then prints the message and asks
    again.
    """
    if isinstance(convert, click.ParamType):
        value: _T = click.prompt(
            text, default=default, show_default=bool(default), type=convert, err=True
        )
        return value

    processed: _T = click.prompt(
        text, default=default, show_default=bool(default), value_proc=convert, err=True
    )
    return processed


def _parse_pairs(text: str, collect: Callable[[list[tuple[str, str]]], _T]) -> _T:
    try:
        words = shlex.split(text)
    except ValueError as error:
        raise click.BadParameter(f"{text!r} cannot be split into words: {error}.") from error
    pair_type = KeyValue()
    return collect([pair_type.convert(word, None, None) for word in words])


def _parse_timeout(text: str) -> int | None:
    stripped = text.strip()
    if not stripped:
        return None
    if not stripped.isdigit() or int(stripped) < 1:
        raise click.BadParameter(
            f"{stripped!r} is not a whole number of seconds of 1 or more; leave it empty for no "
            "limit."
        )
    return int(stripped)


def _describe_pools(cluster: Cluster) -> str:
    pools = [
        f"{pool.gpu_type} ({pool.available} of {pool.total} free"
        + (f", {pool.queued} queued)" if pool.queued else ")")
        for pool in cluster.pools
    ]
    return "GPU pools: " + (", ".join(pools) if pools else "none")


def ask_for_fields(fields: JobFields, cluster: Cluster, *, given: Collection[str]) -> JobFields:
    """Ask for every field of a job that was not given as an option.

    Args:
        fields: The values from the options; the ones not given become the prompts' defaults.
        cluster: The server's pools and CPU and memory budget, for the choices and ranges.
        given: The names of the fields given as options, which are not asked for.

    Returns:
        The completed fields. The GPU type is one of the server's pools, or None.

    Raises:
        click.Abort: When stdin ends before every answer was read, or the submit is declined.
    """
    answers = dataclasses.replace(fields)
    if "name" not in given:
        answers.name = _ask("Job name", check_job_name, default=fields.name)
    if "workdir" not in given:
        answers.workdir = _ask(
            "Working directory to upload",
            click.Path(exists=True, file_okay=False, dir_okay=True, path_type=Path),
            default=str(fields.workdir),
        )
    if "script" not in given:
        workdir = answers.workdir

        def check_script(text: str) -> str:
            script_in_workdir(text, workdir)
            return text

        answers.script = _ask(
            f"Script to run, relative to {str(workdir)!r}", check_script, default=fields.script
        )

    if "gpu" not in given and "gpu_type" not in given:
        _ask_gpus(answers, cluster)
    if "cpu" not in given:
        answers.cpu = _ask(
            f"CPU cores ({format_number(cluster.cpu_available)} of "
            f"{format_number(cluster.cpu_total)} free)",
            click.FloatRange(min=0, min_open=True),
            default=format_number(fields.cpu),
        )
    if "memory" not in given:
        answers.memory = _ask(
            f"Memory ({cluster.memory_available} of {cluster.memory_total} free)",
            MemoryQuantity(),
            default=fields.memory,
        )

    if "hyperparameters" not in given:
        answers.hyperparameters = _ask(
            "Hyperparameters as KEY=VALUE words, empty for none",
            lambda text: _parse_pairs(text, collect_hyperparameters),
            default="",
        )
    if "environment" not in given:
        answers.environment = _ask(
            "Environment variables as NAME=VALUE words, empty for none",
            lambda text: _parse_pairs(text, collect_environment),
            default="",
        )
    if "timeout" not in given:
        answers.timeout = _ask("Timeout in seconds, empty for none", _parse_timeout, default="")
    if "wait_for_capacity" not in given:
        answers.wait_for_capacity = click.confirm(
            "Queue the job when it does not fit now?", default=False, err=True
        )

    _confirm_submit(answers)
    return answers


def _ask_gpus(answers: JobFields, cluster: Cluster) -> None:
    click.echo(_describe_pools(cluster), err=True)
    choices = [NO_GPU, *(pool.gpu_type for pool in cluster.pools)]
    gpu_type: str = click.prompt("GPU type", type=click.Choice(choices), default=NO_GPU, err=True)
    pool = cluster.pool(gpu_type)
    if pool is None:
        answers.gpu, answers.gpu_type = 0, None
        return

    answers.gpu_type = gpu_type
    answers.gpu = click.prompt(
        f"Number of {gpu_type} GPUs",
        type=click.IntRange(1, max(pool.total, 1)),
        default=1,
        err=True,
    )


def _confirm_submit(answers: JobFields) -> None:
    resources = format_resources(
        {
            "cpu": answers.cpu,
            "memory": answers.memory,
            "gpu": answers.gpu,
            "gpu_type": answers.gpu_type,
        }
    )
    click.confirm(
        f"Submit job {answers.name} (python {answers.script} with {resources})?",
        default=True,
        abort=True,
        err=True,
    )
