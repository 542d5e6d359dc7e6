"""Tests of the in-memory scheduler."""

from __future__ import annotations

from ml_platform_server._pools import ClusterConfig
from ml_platform_server._scheduler import Demand, Scheduler

GIB = 1024**3


def make_scheduler() -> Scheduler:
    return Scheduler(
        ClusterConfig(pools={"t4": 2, "v100": 1}, cpu_millicores=8000, memory_bytes=16 * GIB)
    )


def gpu(count: int, kind: str = "t4", cpu: int = 1000, memory: int = GIB) -> Demand:
    return Demand(gpu=count, gpu_type=kind, cpu_millicores=cpu, memory_bytes=memory)


def test_allocate_assigns_distinct_devices() -> None:
    scheduler = make_scheduler()

    first = scheduler.allocate("a", gpu(1))
    second = scheduler.allocate("b", gpu(1))

    assert first.devices == ("0",)
    assert second.devices == ("1",)
    assert not scheduler.fits_now(gpu(1))


def test_release_frees_devices_and_budget() -> None:
    scheduler = make_scheduler()
    scheduler.allocate("a", gpu(2, cpu=8000))

    scheduler.release("a")

    state = scheduler.cluster_state()
    assert state["pools"][0]["available"] == 2
    assert state["cpu"]["available"] == 8


def test_queue_blocks_new_jobs_behind_it() -> None:
    scheduler = make_scheduler()
    scheduler.allocate("a", gpu(2))
    scheduler.enqueue("b", gpu(2))
    scheduler.release("a")

    assert not scheduler.fits_now(gpu(1)), "a new job must not overtake the queued one"
    started = scheduler.start_waiting()

    assert [job_id for job_id, _ in started] == ["b"]


def test_start_waiting_is_fifo_per_pool() -> None:
    scheduler = make_scheduler()
    scheduler.allocate("running", gpu(2))
    for name in ("q1", "q2", "q3"):
        scheduler.enqueue(name, gpu(1))

    assert scheduler.queue_position("q3") == 3
    scheduler.release("running")
    started = [job_id for job_id, _ in scheduler.start_waiting()]

    assert started == ["q1", "q2"]
    assert scheduler.queue_position("q3") == 1


def test_cpu_budget_is_never_oversubscribed() -> None:
    scheduler = make_scheduler()
    cpu_job = Demand(gpu=0, gpu_type=None, cpu_millicores=3000, memory_bytes=GIB)
    allocated = 0
    for index in range(10):
        if scheduler.fits_now(cpu_job):
            scheduler.allocate(f"job{index}", cpu_job)
            allocated += 1

    assert allocated == 2
    assert scheduler.cluster_state()["cpu"]["available"] == 2


def test_infeasibility_reasons() -> None:
    scheduler = make_scheduler()

    assert scheduler.infeasibility(gpu(3))[0] == "resources.gpu"  # type: ignore[index]
    assert scheduler.infeasibility(gpu(1, "h100"))[0] == "resources.gpu_type"  # type: ignore[index]
    no_type = Demand(gpu=1, gpu_type=None, cpu_millicores=1000, memory_bytes=GIB)
    assert scheduler.infeasibility(no_type)[0] == "resources.gpu_type"  # type: ignore[index]
    assert scheduler.infeasibility(gpu(1, cpu=9000))[0] == "resources.cpu"  # type: ignore[index]
    assert scheduler.infeasibility(gpu(1, memory=17 * GIB))[0] == "resources.memory"  # type: ignore[index]
    assert scheduler.infeasibility(gpu(2)) is None


def test_alternatives_offer_smaller_count_and_other_type() -> None:
    scheduler = make_scheduler()
    scheduler.allocate("a", gpu(1))
    requested = {"cpu": 1, "memory": "1Gi", "gpu": 2, "gpu_type": "t4"}

    options = scheduler.alternatives(gpu(2), requested)

    kinds = [option["kind"] for option in options]
    assert kinds == ["smaller_gpu_count", "wait_for_capacity"]
    assert options[0]["resources"]["gpu"] == 1


def test_alternatives_name_other_gpu_type_with_room() -> None:
    scheduler = make_scheduler()
    scheduler.allocate("a", gpu(1, "v100"))
    requested = {"cpu": 1, "memory": "1Gi", "gpu": 1, "gpu_type": "v100"}

    options = scheduler.alternatives(gpu(1, "v100"), requested)

    assert options[0]["kind"] == "other_gpu_type"
    assert options[0]["resources"]["gpu_type"] == "t4"
    assert options[-1]["kind"] == "wait_for_capacity"
