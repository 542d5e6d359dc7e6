"""``mlp pools``: GPU pools and the CPU and memory budget, with what is free now."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from mlp_cli._console import Printer
from mlp_cli._options import (
    DOCUMENT_FORMATS,
    check_quiet_output,
    connection_options,
    output_option,
    quiet_option,
)
from mlp_cli._state import get_state

if TYPE_CHECKING:
    from ml_platform import Cluster

HEADERS = ("RESOURCE", "TOTAL", "ALLOCATED", "AVAILABLE", "QUEUED")
WIDE_HEADERS = (*HEADERS, "USED")


def _percent(allocated: float, total: float) -> str:
    return f"{allocated / total:.0%}" if total > 0 else "-"


def cluster_rows(cluster: Cluster, *, wide: bool) -> list[list[str]]:
    """Return one table row per GPU pool, then one for CPU and one for memory.

    The memory row has no queue of its own, because jobs queue for GPUs or, without GPUs, for
    CPU. Its use is left out of -o wide because the API gives memory as quantity strings.
    """
    from mlp_cli._render import format_number

    rows = []
    for pool in cluster.pools:
        row = [
            f"{pool.gpu_type} GPU",
            str(pool.total),
            str(pool.allocated),
            str(pool.available),
            str(pool.queued),
        ]
        rows.append([*row, _percent(pool.allocated, pool.total)] if wide else row)

    cpu = [
        "CPU cores",
        format_number(cluster.cpu_total),
        format_number(cluster.cpu_allocated),
        format_number(cluster.cpu_available),
        str(cluster.cpu_queued),
    ]
    rows.append([*cpu, _percent(cluster.cpu_allocated, cluster.cpu_total)] if wide else cpu)
    memory = [
        "memory",
        cluster.memory_total,
        cluster.memory_allocated,
        cluster.memory_available,
        "-",
    ]
    rows.append([*memory, "-"] if wide else memory)
    return rows


@click.command()
@output_option
@quiet_option("Print only the GPU types, one per line.")
@connection_options
def pools(output: str, quiet: bool) -> None:
    """Show GPU pools and the CPU and memory budget, and what is free.

    Each GPU type is a pool: a job takes whole GPUs from the pool it names. CPU cores and memory
    come from one server-wide budget. QUEUED counts PENDING jobs waiting for each pool, and on
    the CPU row the queued jobs that request no GPU. -o wide adds the share in use. -o json and
    -o yaml print the API's Cluster shape.
    """
    check_quiet_output(quiet=quiet, output=output, prints="the GPU types")

    state = get_state()
    printer = Printer(color=state.color)
    with state.connect() as client:
        cluster = client.pools()

    if quiet:
        for pool in cluster.pools:
            printer.data(pool.gpu_type)
        return
    if output in DOCUMENT_FORMATS:
        from mlp_cli._render import dump_document

        printer.data(dump_document(cluster.to_dict(), output))
        return

    from mlp_cli._table import print_table

    wide = output == "wide"
    print_table(printer, WIDE_HEADERS if wide else HEADERS, cluster_rows(cluster, wide=wide))
