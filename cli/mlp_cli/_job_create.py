"""``mlp job create``: upload a working directory and submit a training job."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from click.core import ParameterSource

from mlp_cli._console import Printer
from mlp_cli._exit_codes import EXIT_CODES_HELP, ExitCode
from mlp_cli._job_prompts import JobFields, ask_for_fields
from mlp_cli._options import DOCUMENT_FORMATS, connection_options, output_option, quiet_option
from mlp_cli._params import (
    KeyValue,
    MemoryQuantity,
    check_job_name,
    collect_environment,
    collect_hyperparameters,
    script_in_workdir,
)
from mlp_cli._state import get_state

if TYPE_CHECKING:
    from ml_platform import MLPlatformClient, TrainingJob


def _check_name(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    return None if value is None else check_job_name(value)


def _check_output_options(
    *,
    follow: bool,
    wait: bool,
    wait_timeout: int | None,
    dry_run: bool,
    quiet: bool,
    output: str,
) -> None:
    """Reject combinations of the options that decide what is printed and awaited."""
    conflicts = [
        (follow and wait, "--follow and --wait cannot be used together."),
        (
            dry_run and (follow or wait),
            "--dry-run creates no job, so it cannot be used with --follow or --wait.",
        ),
        (
            follow and output in DOCUMENT_FORMATS,
            f"-o {output} cannot be used with --follow, because the logs go to stdout too; "
            "use --wait to print the final job instead.",
        ),
        (quiet and output != "table", f"-q prints only the job id, so -o {output} cannot be used."),
        (
            quiet and follow,
            "-q prints only the job id, so --follow cannot be used; use --wait instead.",
        ),
        (wait_timeout is not None and not wait, "--wait-timeout applies only to --wait."),
    ]
    for failed, message in conflicts:
        if failed:
            raise click.UsageError(message)


def _check_gpus(gpu: int, gpu_type: str | None) -> None:
    if gpu > 0 and gpu_type is None:
        raise click.UsageError(f"--gpu {gpu} needs --gpu-type, for example t4.")
    if gpu == 0 and gpu_type is not None:
        raise click.UsageError(f"--gpu-type {gpu_type} needs --gpu N above 0.")


def _require_name_and_script(ctx: click.Context, fields: JobFields) -> None:
    """Fail as Click does for a missing required parameter; both are optional with -i."""
    for value, parameter_name in ((fields.name, "name"), (fields.script, "script")):
        if value is None:
            parameter = next(param for param in ctx.command.params if param.name == parameter_name)
            raise click.MissingParameter(ctx=ctx, param=parameter)


def _given_fields(ctx: click.Context, fields: JobFields) -> set[str]:
    """Return the names of the job fields that the command line set, which -i does not ask."""
    explicit = (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)
    given = {
        name
        for name in ("workdir", "gpu", "gpu_type", "cpu", "memory", "timeout", "wait_for_capacity")
        if ctx.get_parameter_source(name) in explicit
    }
    optional_values = {
        "name": fields.name,
        "script": fields.script,
        "hyperparameters": fields.hyperparameters or None,
        "environment": fields.environment or None,
    }
    given.update(name for name, value in optional_values.items() if value is not None)
    return given


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("name", metavar="NAME", required=False, callback=_check_name)
@click.option(
    "--script",
    metavar="PATH",
    help="Python script to run, relative to --workdir (a path from here inside --workdir works). "
    "Required unless -i asks for it.",
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
@click.option(
    "-i",
    "--interactive",
    is_flag=True,
    help="Ask for each field not given as an option, with the GPU types and free capacity from "
    "the server's pools, then confirm before submitting. Prompts go to stderr and answers are "
    "read from stdin.",
)
@output_option
@quiet_option(
    "Print only the job id on stdout, and on stderr only errors and the summary of a job that "
    "did not succeed."
)
@connection_options
@click.pass_context
def create(
    ctx: click.Context,
    name: str | None,
    script: str | None,
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
    interactive: bool,
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
      mlp job create --interactive
    """
    _check_output_options(
        follow=follow,
        wait=wait,
        wait_timeout=wait_timeout,
        dry_run=dry_run,
        quiet=quiet,
        output=output,
    )
    fields = JobFields(
        name=name,
        script=script,
        workdir=workdir,
        gpu=gpu,
        gpu_type=gpu_type,
        cpu=cpu,
        memory=memory,
        hyperparameters=collect_hyperparameters(params),
        environment=collect_environment(env),
        timeout=timeout,
        wait_for_capacity=wait_for_capacity,
    )
    given = _given_fields(ctx, fields)
    if not interactive:
        _require_name_and_script(ctx, fields)
        assert fields.script is not None
        script_in_workdir(fields.script, fields.workdir)
    if not interactive or given & {"gpu", "gpu_type"}:
        # -i asks for the GPUs only when neither option is given, so check the options first.
        _check_gpus(fields.gpu, fields.gpu_type)

    state = get_state()
    printer = Printer(color=state.color)
    with state.connect() as client:
        if interactive:
            fields = ask_for_fields(fields, client.pools(), given=given)

        job = _describe_job(client, fields)
        if dry_run:
            from mlp_cli._submitted import print_dry_run

            result = job.submit(
                wait_for_capacity=fields.wait_for_capacity,
                idempotency_key=idempotency_key,
                dry_run=True,
            )
            print_dry_run(printer, result, output)
            return

        job.submit(wait_for_capacity=fields.wait_for_capacity, idempotency_key=idempotency_key)
        code = _report_and_watch(
            printer,
            job,
            output=output,
            quiet=quiet,
            follow=follow,
            wait=wait,
            wait_timeout=wait_timeout,
        )

    if code != ExitCode.SUCCESS:
        raise click.exceptions.Exit(code)


def _describe_job(client: MLPlatformClient, fields: JobFields) -> TrainingJob:
    """Build the SDK's job from complete fields; nothing is sent yet."""
    from ml_platform import Resources

    assert fields.name is not None and fields.script is not None
    return client.create_job(
        fields.name,
        script_in_workdir(fields.script, fields.workdir),
        workdir=str(fields.workdir),
        resources=Resources(
            cpu=fields.cpu, memory=fields.memory, gpu=fields.gpu, gpu_type=fields.gpu_type
        ),
        environment=fields.environment or None,
        hyperparameters=fields.hyperparameters or None,
        timeout_seconds=fields.timeout,
    )


def _report_and_watch(
    printer: Printer,
    job: TrainingJob,
    *,
    output: str,
    quiet: bool,
    follow: bool,
    wait: bool,
    wait_timeout: int | None,
) -> ExitCode:
    """Print what was submitted, then follow or wait when asked, and return the exit code."""
    from mlp_cli._submitted import report_submitted

    state = get_state()
    report_submitted(printer, state, job, output=output, quiet=quiet, follow=follow, wait=wait)
    if not (follow or wait):
        return ExitCode.SUCCESS

    from mlp_cli._render import dump_document
    from mlp_cli._watch import follow_until_done, wait_until_done

    prefix = state.command_prefix()
    if follow:
        return follow_until_done(printer, job, prefix=prefix)

    code = wait_until_done(printer, job, prefix=prefix, timeout_seconds=wait_timeout, quiet=quiet)
    if output in DOCUMENT_FORMATS:
        printer.data(dump_document(job.to_dict(), output))
    return code
