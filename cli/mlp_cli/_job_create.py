"""``mlp job create``: upload a working directory and submit a training job."""

from __future__ import annotations

from pathlib import Path

import click

from mlp_cli._console import Printer
from mlp_cli._exit_codes import EXIT_CODES_HELP, ExitCode
from mlp_cli._options import connection_options, output_option, quiet_option
from mlp_cli._params import (
    KeyValue,
    MemoryQuantity,
    check_job_name,
    collect_environment,
    collect_hyperparameters,
)
from mlp_cli._state import get_state


def _check_name(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    return check_job_name(value)


def _script_in_workdir(script: str, workdir: Path) -> str:
    """Return the script's POSIX path relative to the working directory.

    The script may be given relative to ``--workdir`` or as a path from the current directory
    that lies inside ``--workdir``.

    Raises:
        click.BadParameter: When neither names a file inside the working directory.
    """
    root = workdir.resolve()
    candidates = [Path(script)] if Path(script).is_absolute() else [workdir / script, Path(script)]
    for candidate in candidates:
        if not candidate.is_file():
            continue
        try:
            return candidate.resolve().relative_to(root).as_posix()
        except ValueError:
            continue

    raise click.BadParameter(
        f"{script!r} is not a file inside the working directory {str(workdir)!r}; pass the "
        "script's path relative to --workdir.",
        param_hint="'--script'",
    )


def _check_combinations(
    *,
    follow: bool,
    wait: bool,
    wait_timeout: int | None,
    dry_run: bool,
    quiet: bool,
    output: str,
    gpu: int,
    gpu_type: str | None,
) -> None:
    """Reject option combinations that cannot work together."""
    conflicts = [
        (follow and wait, "--follow and --wait cannot be used together."),
        (
            dry_run and (follow or wait),
            "--dry-run creates no job, so it cannot be used with --follow or --wait.",
        ),
        (
            follow and output != "table",
            f"-o {output} cannot be used with --follow, because the logs go to stdout too; "
            "use --wait to print the final job instead.",
        ),
        (quiet and output != "table", f"-q prints only the job id, so -o {output} cannot be used."),
        (
            quiet and follow,
            "-q prints only the job id, so --follow cannot be used; use --wait instead.",
        ),
        (wait_timeout is not None and not wait, "--wait-timeout applies only to --wait."),
        (gpu > 0 and gpu_type is None, f"--gpu {gpu} needs --gpu-type, for example t4."),
        (gpu == 0 and gpu_type is not None, f"--gpu-type {gpu_type} needs --gpu N above 0."),
    ]
    for failed, message in conflicts:
        if failed:
            raise click.UsageError(message)


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("name", callback=_check_name)
@click.option(
    "--script",
    required=True,
    metavar="PATH",
    help="Python script to run, relative to --workdir (a path from here inside --workdir works).",
)
@click.option(
    "--workdir",
    type=click.Path(exists=True, file_okay=False, dir_okay=True, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Directory to upload; the job runs inside it. .git, virtual environments, __pycache__ "
    "and the patterns listed in its .mlpignore are left out.",
)
@click.option("--gpu", type=click.IntRange(min=0), default=0, show_default=True, help="GPUs.")
@click.option("--gpu-type", metavar="TYPE", help="GPU pool, for example t4; needed with --gpu.")
@click.option(
    "--cpu",
    type=click.FloatRange(min=0, min_open=True),
    default=1.0,
    show_default=True,
    help="CPU cores.",
)
@click.option(
    "--memory",
    type=MemoryQuantity(),
    default="2Gi",
    show_default=True,
    help="Memory as a quantity such as 512Mi or 16Gi.",
)
@click.option(
    "--param",
    "params",
    type=KeyValue(),
    multiple=True,
    help="Hyperparameter, repeatable. Values become integers, floats, booleans (true/false) or "
    "strings; wrap a value in double quotes to keep it a string: --param 'tag=\"1.0\"'.",
)
@click.option(
    "--env",
    "env",
    type=KeyValue(),
    multiple=True,
    metavar="NAME=VALUE",
    help="Environment variable for the job, repeatable.",
)
@click.option(
    "--timeout",
    type=click.IntRange(min=1),
    metavar="SECONDS",
    help="Seconds the job may run once RUNNING; then it FAILS with reason timeout.",
)
@click.option(
    "--wait-for-capacity",
    is_flag=True,
    help="Queue the job when it does not fit now, instead of failing.",
)
@click.option(
    "-f",
    "--follow",
    is_flag=True,
    help="Stream the job's logs to stdout until it ends, then print a summary on stderr and "
    "exit with the code for its final status. stdout carries only the log lines.",
)
@click.option(
    "--wait",
    is_flag=True,
    help="Wait until the job ends, then print a summary on stderr and exit with the code for "
    "its final status. With -o json or yaml, print the final job.",
)
@click.option(
    "--wait-timeout",
    type=click.IntRange(min=1),
    metavar="SECONDS",
    help="With --wait, stop waiting after this many seconds and exit 5; the job keeps running.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Upload the code and check the job and whether it fits now, without creating it.",
)
@click.option(
    "--idempotency-key",
    metavar="KEY",
    help="Makes retrying safe: a submit with the same key and job returns the first job "
    "instead of creating another. Generated when not given.",
)
@output_option
@quiet_option
@connection_options
def create(
    name: str,
    script: str,
    workdir: Path,
    gpu: int,
    gpu_type: str | None,
    cpu: float,
    memory: str,
    params: tuple[tuple[str, str], ...],
    env: tuple[tuple[str, str], ...],
    timeout: int | None,
    wait_for_capacity: bool,
    follow: bool,
    wait: bool,
    wait_timeout: int | None,
    dry_run: bool,
    idempotency_key: str | None,
    output: str,
    quiet: bool,
) -> None:
    """Upload a working directory and submit a training job.

    Packs --workdir, uploads it unless the server already has the same content, and submits
    NAME to run `python SCRIPT` inside it. Prints the job id on stdout (the job itself with
    -o json or yaml) and the commands to follow it on stderr.

    \b
    Examples:
      mlp job create mnist --script train.py --param epochs=5 --follow
      mlp job create big --script train.py --gpu 2 --gpu-type a100 --wait-for-capacity
      id=$(mlp job create nightly --script train.py -q)
    """
    _check_combinations(
        follow=follow,
        wait=wait,
        wait_timeout=wait_timeout,
        dry_run=dry_run,
        quiet=quiet,
        output=output,
        gpu=gpu,
        gpu_type=gpu_type,
    )
    script_path = _script_in_workdir(script, workdir)
    hyperparameters = collect_hyperparameters(params)
    environment = collect_environment(env)

    from ml_platform import Resources
    from mlp_cli._render import dump_document
    from mlp_cli._submitted import print_dry_run, report_submitted

    state = get_state()
    printer = Printer(color=state.color)
    resources = Resources(cpu=cpu, memory=memory, gpu=gpu, gpu_type=gpu_type)

    with state.connect() as client:
        job = client.create_job(
            name,
            script_path,
            workdir=str(workdir),
            resources=resources,
            environment=environment or None,
            hyperparameters=hyperparameters or None,
            timeout_seconds=timeout,
        )
        if dry_run:
            result = job.submit(
                wait_for_capacity=wait_for_capacity,
                idempotency_key=idempotency_key,
                dry_run=True,
            )
            print_dry_run(printer, result, output)
            return

        job.submit(wait_for_capacity=wait_for_capacity, idempotency_key=idempotency_key)
        report_submitted(printer, state, job, output=output, quiet=quiet, follow=follow, wait=wait)
        if not (follow or wait):
            return

        from mlp_cli._watch import follow_until_done, wait_until_done

        prefix = state.command_prefix()
        if follow:
            code = follow_until_done(printer, job, prefix=prefix)
        else:
            code = wait_until_done(
                printer, job, prefix=prefix, timeout_seconds=wait_timeout, quiet=quiet
            )
            if output != "table":
                printer.data(dump_document(job.to_dict(), output))

    if code != ExitCode.SUCCESS:
        raise click.exceptions.Exit(code)
