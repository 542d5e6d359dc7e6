"""The ``mlp job`` group: the registry of job commands."""

from __future__ import annotations

import click

from mlp_cli._lazy import LazyCommand, LazyGroup
from mlp_cli._options import connection_options

JOB_COMMANDS: dict[str, LazyCommand] = {
    "create": LazyCommand(
        import_path="mlp_cli._job_create:create",
        short_help="Upload a working directory and submit a training job.",
    ),
    "list": LazyCommand(
        import_path="mlp_cli._job_list:list_jobs",
        short_help="List jobs, newest first.",
    ),
    "status": LazyCommand(
        import_path="mlp_cli._job_status:status",
        short_help="Show a job's status, resources, times and latest metrics.",
        aliases=("get",),
    ),
    "logs": LazyCommand(
        import_path="mlp_cli._job_logs:logs",
        short_help="Print a job's output, or follow it live with -f.",
    ),
    "metrics": LazyCommand(
        import_path="mlp_cli._job_metrics:metrics",
        short_help="Show every metric a job reported, one row per report.",
    ),
    "wait": LazyCommand(
        import_path="mlp_cli._job_wait:wait",
        short_help="Wait until a job ends and exit 0, 3 or 4 by how it ended.",
    ),
    "cancel": LazyCommand(
        import_path="mlp_cli._job_cancel:cancel",
        short_help="Cancel one or more jobs.",
    ),
}
"""Every ``mlp job`` command, imported only when invoked."""


@click.group(cls=LazyGroup, lazy_commands=JOB_COMMANDS)
@connection_options
def job() -> None:
    """Create, inspect, follow and cancel training jobs.

    Job ids are printed by `mlp job create` and `mlp job list`; each command takes them as
    arguments.
    """
