"""The scheduler: GPUs per pool, CPU and memory from one budget, FIFO queues per pool.

It holds in-memory state only and is used from the event loop thread, so no
call can interleave with another: an allocation is checked and taken in one
step and the cluster is never oversubscribed. Jobs without GPUs form their
own queue (the CPU queue).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from ._pools import ClusterConfig
from ._quantities import format_memory, millicores_to_cpu


@dataclass(frozen=True)
class Demand:
    """What one job needs, in integer units."""

    gpu: int
    gpu_type: str | None
    cpu_millicores: int
    memory_bytes: int

    @property
    def queue_key(self) -> str | None:
        """The queue the job waits in: its GPU type, or ``None`` for the CPU queue."""
        return self.gpu_type if self.gpu > 0 else None


@dataclass(frozen=True)
class Allocation:
    """Resources held by a running job."""

    gpu_type: str | None
    devices: tuple[str, ...]
    cpu_millicores: int
    memory_bytes: int


@dataclass
class _Pool:
    total: int
    free: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class _Waiting:
    job_id: str
    demand: Demand


class Scheduler:
    """Allocate simulated GPUs, CPU and memory to jobs in first-in-first-out order.

    Args:
        cluster: The pools and the CPU and memory budget.
    """

    def __init__(self, cluster: ClusterConfig) -> None:
        self.cluster = cluster
        self._pools = {
            name: _Pool(total=count, free=set(range(count)))
            for name, count in cluster.pools.items()
        }
        self._cpu_free = cluster.cpu_millicores
        self._memory_free = cluster.memory_bytes
        self._queues: dict[str | None, deque[_Waiting]] = {None: deque()}
        for name in self._pools:
            self._queues[name] = deque()
        self._allocations: dict[str, Allocation] = {}

    # Feasibility

    def infeasibility(self, demand: Demand) -> tuple[str, str] | None:
        """Return (field, reason) when the job can never fit, else ``None``."""
        types = ", ".join(sorted(self._pools)) or "none"
        if demand.gpu_type is not None and demand.gpu_type not in self._pools:
            return (
                "resources.gpu_type",
                f"GPU type {demand.gpu_type!r} does not exist; use one of: {types}",
            )
        if demand.gpu > 0 and demand.gpu_type is None:
            return (
                "resources.gpu_type",
                f"a request for {demand.gpu} GPUs needs resources.gpu_type; "
                f"set it to one of: {types}",
            )
        if demand.gpu > 0 and demand.gpu_type is not None:
            total = self._pools[demand.gpu_type].total
            if demand.gpu > total:
                return (
                    "resources.gpu",
                    f"{demand.gpu} GPUs of type {demand.gpu_type!r} were requested but the "
                    f"pool has {total}; request at most {total} or another GPU type",
                )
        if demand.cpu_millicores > self.cluster.cpu_millicores:
            return (
                "resources.cpu",
                f"{millicores_to_cpu(demand.cpu_millicores)} CPU cores were requested but the "
                f"server has {millicores_to_cpu(self.cluster.cpu_millicores)}; request fewer cores",
            )
        if demand.memory_bytes > self.cluster.memory_bytes:
            return (
                "resources.memory",
                f"{format_memory(demand.memory_bytes)} of memory was requested but the server "
                f"has {format_memory(self.cluster.memory_bytes)}; request less memory",
            )
        return None

    def _resources_free(self, demand: Demand) -> bool:
        if demand.cpu_millicores > self._cpu_free or demand.memory_bytes > self._memory_free:
            return False
        if demand.gpu == 0:
            return True
        assert demand.gpu_type is not None
        return len(self._pools[demand.gpu_type].free) >= demand.gpu

    def fits_now(self, demand: Demand) -> bool:
        """Whether a new job would start at once: nothing queued ahead and resources free."""
        return not self._queues[demand.queue_key] and self._resources_free(demand)

    # Allocation and queues

    def allocate(self, job_id: str, demand: Demand) -> Allocation:
        """Take resources for a job; the caller has checked that they are free."""
        if not self._resources_free(demand):
            raise RuntimeError(f"resources for job {job_id} are not free")
        devices: tuple[str, ...] = ()
        if demand.gpu > 0:
            assert demand.gpu_type is not None
            pool = self._pools[demand.gpu_type]
            chosen = sorted(pool.free)[: demand.gpu]
            pool.free.difference_update(chosen)
            devices = tuple(str(index) for index in chosen)
        self._cpu_free -= demand.cpu_millicores
        self._memory_free -= demand.memory_bytes
        allocation = Allocation(
            gpu_type=demand.gpu_type if demand.gpu > 0 else None,
            devices=devices,
            cpu_millicores=demand.cpu_millicores,
            memory_bytes=demand.memory_bytes,
        )
        self._allocations[job_id] = allocation
        return allocation

    def release(self, job_id: str) -> None:
        """Give back a job's resources; a job without an allocation is ignored."""
        allocation = self._allocations.pop(job_id, None)
        if allocation is None:
            return
        if allocation.gpu_type is not None:
            self._pools[allocation.gpu_type].free.update(int(d) for d in allocation.devices)
        self._cpu_free += allocation.cpu_millicores
        self._memory_free += allocation.memory_bytes

    def enqueue(self, job_id: str, demand: Demand) -> int:
        """Append a job to its queue and return its 1-based position."""
        queue = self._queues[demand.queue_key]
        queue.append(_Waiting(job_id, demand))
        return len(queue)

    def remove_waiting(self, job_id: str) -> bool:
        """Remove a job from its queue; return whether it was queued."""
        for queue in self._queues.values():
            for waiting in queue:
                if waiting.job_id == job_id:
                    queue.remove(waiting)
                    return True
        return False

    def queue_position(self, job_id: str) -> int | None:
        """Return the 1-based position of a queued job, or ``None``."""
        for queue in self._queues.values():
            for index, waiting in enumerate(queue, start=1):
                if waiting.job_id == job_id:
                    return index
        return None

    def queue_length(self, key: str | None) -> int:
        """Return how many jobs wait in a pool's queue (``None``: the CPU queue)."""
        return len(self._queues.get(key, ()))

    def start_waiting(self) -> list[tuple[str, Allocation]]:
        """Allocate resources to queued jobs that fit, heads of queues only, oldest first."""
        started: list[tuple[str, Allocation]] = []
        progress = True
        while progress:
            progress = False
            heads = [queue for queue in self._queues.values() if queue]
            for queue in heads:
                head = queue[0]
                if self._resources_free(head.demand):
                    queue.popleft()
                    started.append((head.job_id, self.allocate(head.job_id, head.demand)))
                    progress = True
        return started

    # Reporting

    def available(self, demand: Demand) -> dict[str, Any]:
        """Describe what is free now for the demand's pool and the budget."""
        result: dict[str, Any] = {
            "cpu": millicores_to_cpu(self._cpu_free),
            "memory": format_memory(self._memory_free),
            "queued": self.queue_length(demand.queue_key),
        }
        if demand.gpu_type is not None and demand.gpu_type in self._pools:
            result["gpu_type"] = demand.gpu_type
            result["gpu"] = len(self._pools[demand.gpu_type].free)
        return result

    def alternatives(self, demand: Demand, requested: dict[str, Any]) -> list[dict[str, Any]]:
        """List what would start now instead: fewer GPUs, another GPU type, or queueing.

        Args:
            demand: The job's needs.
            requested: The job's ``resources`` as submitted, with defaults filled in.
        """
        options: list[dict[str, Any]] = []
        budget_free = (
            demand.cpu_millicores <= self._cpu_free and demand.memory_bytes <= self._memory_free
        )
        if demand.gpu > 1 and demand.gpu_type is not None and budget_free:
            pool = self._pools[demand.gpu_type]
            smaller = min(len(pool.free), demand.gpu - 1)
            if smaller >= 1 and not self._queues[demand.gpu_type]:
                options.append(
                    {
                        "kind": "smaller_gpu_count",
                        "description": (
                            f"{smaller} GPUs of type {demand.gpu_type!r} are free now; "
                            f"resubmit with gpu={smaller}"
                        ),
                        "resources": {**requested, "gpu": smaller},
                    }
                )
        if demand.gpu > 0 and budget_free:
            for name in sorted(self._pools):
                if name == demand.gpu_type or self._queues[name]:
                    continue
                if len(self._pools[name].free) >= demand.gpu:
                    options.append(
                        {
                            "kind": "other_gpu_type",
                            "description": (
                                f"{demand.gpu} GPUs of type {name!r} are free now; "
                                f"resubmit with gpu_type={name!r}"
                            ),
                            "resources": {**requested, "gpu_type": name},
                        }
                    )
        queued = self.queue_length(demand.queue_key)
        options.append(
            {
                "kind": "wait_for_capacity",
                "description": (
                    f"resubmit with wait_for_capacity=true to queue the job "
                    f"behind {queued} waiting jobs until its resources are free"
                ),
                "resources": dict(requested),
            }
        )
        return options

    def cluster_state(self) -> dict[str, Any]:
        """Describe capacity, allocation and queues, shaped as the ``Cluster`` schema."""
        pools = []
        for name in sorted(self._pools):
            pool = self._pools[name]
            pools.append(
                {
                    "gpu_type": name,
                    "total": pool.total,
                    "allocated": pool.total - len(pool.free),
                    "available": len(pool.free),
                    "queued": len(self._queues[name]),
                }
            )
        cpu_total = self.cluster.cpu_millicores
        memory_total = self.cluster.memory_bytes
        return {
            "pools": pools,
            "cpu": {
                "total": millicores_to_cpu(cpu_total),
                "allocated": millicores_to_cpu(cpu_total - self._cpu_free),
                "available": millicores_to_cpu(self._cpu_free),
            },
            "memory": {
                "total": format_memory(memory_total),
                "allocated": format_memory(memory_total - self._memory_free),
                "available": format_memory(self._memory_free),
            },
            "cpu_queued": len(self._queues[None]),
        }
