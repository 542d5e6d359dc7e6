"""The job service: submission, scheduling, execution, cancellation and recovery.

Every method runs on the event loop thread. Scheduling decisions and the
database writes that record them happen without an ``await`` in between,
so concurrent requests cannot interleave inside them.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import _problems as problems
from ._archives import archive_path
from ._events import ChangeFeed
from ._joblog import JobLog
from ._problems import ApiProblem
from ._records import (
    CANCELLED,
    FAILED,
    PENDING,
    RUNNING,
    SUCCEEDED,
    JobRecord,
    JobUpdate,
    NewJob,
)
from ._runner import DRAIN_SECONDS, JobProcess, LaunchSpec, Outcome
from ._scheduler import Allocation, Scheduler
from ._storage import Storage
from ._submission import (
    canonical_body_hash,
    check_environment,
    demand_of,
    find_code_archive,
    normalize_resources,
    normalize_script,
)
from ._timeutil import now_ms

logger = logging.getLogger("ml_platform_server.jobs")

SHUTDOWN_RETRY_AFTER = 5


@dataclass
class _Running:
    process: JobProcess
    task: asyncio.Task[None] | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass(frozen=True)
class Submission:
    """The result of a submission: a job (created or replayed) or a dry-run report."""

    job: JobRecord | None = None
    replayed: bool = False
    dry_run: dict[str, Any] | None = None


class JobService:
    """Own the jobs of one server.

    Args:
        storage: The database.
        scheduler: The in-memory scheduler.
        feed: Notifications for long-polls.
        data_dir: The server's data directory.
        grace_period: Seconds between SIGTERM and SIGKILL when a job is stopped.
        python_path: A ``PYTHONPATH`` entry that makes the SDK importable in jobs, if needed.
    """

    def __init__(
        self,
        storage: Storage,
        scheduler: Scheduler,
        feed: ChangeFeed,
        *,
        data_dir: Path,
        grace_period: float,
        python_path: str | None = None,
    ) -> None:
        self.storage = storage
        self.scheduler = scheduler
        self.feed = feed
        self.data_dir = data_dir
        self.grace_period = grace_period
        self.python_path = python_path
        self.accepting = True
        self._running: dict[str, _Running] = {}

    # Start-up

    def recover(self) -> None:
        """Fail jobs left RUNNING by a previous server and queue PENDING jobs again."""
        for job in self.storage.fail_running_jobs("server_restart", now_ms()):
            logger.info(
                "job %s user=%s %s->%s reason=server_restart", job.id, job.user, RUNNING, FAILED
            )
            if job.pid is not None:
                kill_orphan_group(job.pid, job.id)
        for job in self.storage.jobs_with_status(PENDING):
            demand = demand_of(job.resources)
            infeasible = self.scheduler.infeasibility(demand)
            if infeasible is None:
                self.scheduler.enqueue(job.id, demand)
                continue
            # The pools changed while the server was down, and this job can no longer fit.
            reason = infeasible[1]
            logger.warning("job %s can never fit the current pools: %s", job.id, reason)
            log = JobLog(self.storage, job.id, functools.partial(self.feed.notify, job.id))
            log.system(f"[the job can never fit the pools this server started with: {reason}]")
            self._record_end(job, FAILED, reason="unschedulable", exit_code=None)
        self._start_waiting()

    # Submission

    def submit(
        self,
        user: str,
        body: dict[str, Any],
        *,
        idempotency_key: str | None,
        dry_run: bool,
    ) -> Submission:
        """Validate a submission, then create, replay or dry-run it.

        Raises:
            ApiProblem: The submission is invalid, conflicts or cannot fit.
        """
        body_hash = canonical_body_hash(body)
        if idempotency_key is not None and not dry_run:
            previous = self.storage.find_idempotency(user, idempotency_key)
            if previous is not None:
                return self._replay(user, previous.job_id, previous.body_hash, body_hash)

        environment: dict[str, str] = dict(body.get("environment") or {})
        check_environment(environment)
        resources = normalize_resources(body.get("resources"))
        demand = demand_of(resources)
        archive = find_code_archive(
            self.storage.get_code_archive(user, body["code_digest"]), body["code_digest"]
        )
        script = normalize_script(body["script"], archive)

        infeasible = self.scheduler.infeasibility(demand)
        if infeasible is not None:
            field_name, reason = infeasible
            raise ApiProblem(
                problems.CAPACITY_INFEASIBLE,
                f"the job can never fit: {reason}",
                gpu_types=self.scheduler.cluster.gpu_types,
                requested=resources,
                field=field_name,
            )

        fits_now = self.scheduler.fits_now(demand)
        if dry_run:
            report: dict[str, Any] = {"valid": True, "fits_now": fits_now, "job": body}
            if not fits_now and body.get("wait_for_capacity", False):
                report["queue_position"] = self.scheduler.queue_length(demand.queue_key) + 1
            return Submission(dry_run=report)
        if not fits_now and not body.get("wait_for_capacity", False):
            raise ApiProblem(
                problems.CAPACITY_UNAVAILABLE,
                "the job does not fit now; pick an alternative or resubmit with "
                "wait_for_capacity=true to queue it",
                requested=resources,
                available=self.scheduler.available(demand),
                alternatives=self.scheduler.alternatives(demand, resources),
            )
        if not self.accepting:
            raise shutting_down()

        new_job = NewJob(
            user=user,
            name=body["name"],
            script=script,
            code_digest=body["code_digest"],
            resources=resources,
            environment=environment,
            hyperparameters=dict(body.get("hyperparameters") or {}),
            timeout_seconds=body.get("timeout_seconds"),
            created_ms=now_ms(),
        )
        job = self.storage.create_job(new_job, idempotency_key=idempotency_key, body_hash=body_hash)
        logger.info("job %s user=%s created->%s", job.id, user, PENDING)
        if fits_now:
            self._start(job.id, self.scheduler.allocate(job.id, demand))
        else:
            self.scheduler.enqueue(job.id, demand)
        current = self.storage.get_job(job.id)
        assert current is not None
        return Submission(job=current)

    def _replay(self, user: str, job_id: str, stored_hash: str, body_hash: str) -> Submission:
        if stored_hash != body_hash:
            raise ApiProblem(
                problems.IDEMPOTENCY_CONFLICT,
                f"the Idempotency-Key was already used for job {job_id} with another request "
                "body; use a new key for a different job",
                job_id=job_id,
            )
        job = self.storage.get_job(job_id, user=user)
        assert job is not None
        return Submission(job=job, replayed=True)

    # Queries

    def queue_position(self, job: JobRecord) -> int | None:
        """Return the queue position of a PENDING job."""
        if job.status != PENDING:
            return None
        return self.scheduler.queue_position(job.id)

    def get_job(self, user: str, job_id: str) -> JobRecord:
        """Return the user's job.

        Raises:
            ApiProblem: No such job for this user (``job-not-found``).
        """
        job = self.storage.get_job(job_id, user=user)
        if job is None:
            raise ApiProblem(
                problems.JOB_NOT_FOUND,
                f"job {job_id[:64]!r} does not exist for this user; list your jobs with "
                "GET /api/v1/jobs",
                job_id=job_id,
            )
        return job

    # Cancellation

    async def cancel(self, user: str, job_id: str) -> JobRecord:
        """Cancel a job and return it once it has ended.

        Raises:
            ApiProblem: No such job, or it has already finished.
        """
        job = self.get_job(user, job_id)
        if job.is_final:
            raise ApiProblem(
                problems.ALREADY_FINISHED,
                f"job {job.id} has already finished with status {job.status}; "
                "there is nothing to cancel",
                final_status=job.status,
                job_id=job.id,
            )
        if job.status == PENDING:
            self.scheduler.remove_waiting(job.id)
            self._record_end(job, CANCELLED, reason="cancelled", exit_code=None)
            self._start_waiting()
        else:
            running = self._running.get(job.id)
            if running is not None:
                await running.process.stop("cancelled")
                await running.done.wait()
        return self.get_job(user, job_id)

    # Execution

    def _start_waiting(self) -> None:
        if not self.accepting:
            return
        for job_id, allocation in self.scheduler.start_waiting():
            self._start(job_id, allocation)

    def _start(self, job_id: str, allocation: Allocation) -> None:
        job = self.storage.get_job(job_id)
        assert job is not None

        started = now_ms()
        self.storage.update_job(
            job_id,
            JobUpdate(status=RUNNING, started_ms=started, devices=list(allocation.devices)),
        )
        logger.info(
            "job %s user=%s %s->%s devices=%s",
            job_id,
            job.user,
            job.status,
            RUNNING,
            ",".join(allocation.devices) or "-",
        )

        spec = LaunchSpec(
            job_id=job_id,
            user=job.user,
            script=job.script,
            archive=archive_path(self.data_dir, job.user, job.code_digest),
            job_dir=self.data_dir / "jobs" / job_id,
            environment=job.environment,
            hyperparameters=job.hyperparameters,
            gpu_type=allocation.gpu_type,
            devices=allocation.devices,
            timeout_seconds=job.timeout_seconds,
            python_path=self.python_path,
        )

        log = JobLog(self.storage, job_id, lambda: self.feed.notify(job_id))
        process = JobProcess(
            spec=spec,
            storage=self.storage,
            log=log,
            grace_period=self.grace_period,
            on_started=lambda pid: self.storage.update_job(job_id, JobUpdate(pid=pid)),
        )

        running = _Running(process=process)
        self._running[job_id] = running
        running.task = asyncio.create_task(self._run(job_id, running), name=f"job {job_id}")
        self.feed.notify(job_id)

    async def _run(self, job_id: str, running: _Running) -> None:
        outcome = Outcome()
        try:
            outcome = await running.process.run()
        except Exception:
            logger.exception("job %s: the runner failed", job_id)
            outcome = Outcome(start_error="the server failed while running the job")
        finally:
            job = self.storage.get_job(job_id)
            assert job is not None
            status, reason = final_status(outcome, running.process.stop_reason)
            self._record_end(job, status, reason=reason, exit_code=outcome.exit_code)
            self.scheduler.release(job_id)
            del self._running[job_id]
            running.done.set()
            self._start_waiting()

    def _record_end(
        self, job: JobRecord, status: str, *, reason: str | None, exit_code: int | None
    ) -> None:
        self.storage.update_job(
            job.id,
            JobUpdate(
                status=status, finished_ms=now_ms(), failure_reason=reason, exit_code=exit_code
            ),
        )
        logger.info(
            "job %s user=%s %s->%s%s%s",
            job.id,
            job.user,
            job.status,
            status,
            f" reason={reason}" if reason else "",
            f" exit_code={exit_code}" if exit_code is not None else "",
        )
        self.feed.notify(job.id)

    # Shutdown

    async def shutdown(self) -> None:
        """Stop accepting work, end running jobs as ``server_shutdown`` and wake long-polls.

        Bounded by the grace period plus the output drain time.
        """
        self.accepting = False
        running = list(self._running.values())
        stops = [asyncio.create_task(entry.process.stop("server_shutdown")) for entry in running]
        tasks = [entry.task for entry in running if entry.task is not None]
        if tasks:
            _done, pending = await asyncio.wait(
                tasks, timeout=self.grace_period + 2 * DRAIN_SECONDS + 2
            )
            for task in pending:
                logger.warning("job task %s did not end in time; cancelling it", task.get_name())
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=2)
        for stop in stops:
            stop.cancel()
        self.feed.close()


def final_status(outcome: Outcome, stop_reason: str | None) -> tuple[str, str | None]:
    """Return the final status and failure reason of a job that ended."""
    if stop_reason == "cancelled":
        return CANCELLED, "cancelled"
    if stop_reason is not None:
        return FAILED, stop_reason
    if outcome.start_error is not None:
        return FAILED, "start_error"
    if outcome.exit_code == 0:
        return SUCCEEDED, None
    return FAILED, "script_error"


def shutting_down() -> ApiProblem:
    """Build the ``shutting-down`` problem."""
    return ApiProblem(
        problems.SHUTTING_DOWN,
        f"the server is shutting down and accepts no new work; retry in "
        f"{SHUTDOWN_RETRY_AFTER} s against the restarted server",
        retry_after=SHUTDOWN_RETRY_AFTER,
        headers={"Retry-After": str(SHUTDOWN_RETRY_AFTER)},
    )


def kill_orphan_group(pgid: int, job_id: str) -> None:
    """Kill the process group a previous server started for a job, if it still runs.

    The group id comes from the database, and ids are reused after processes
    exit, so on Linux the group is killed only when one of its processes still
    carries the job's ``ML_PLATFORM_JOB_ID`` in its environment.
    """
    proc = Path("/proc")
    if proc.is_dir() and not _group_belongs_to_job(proc, pgid, job_id):
        return
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return
    logger.info("job %s: killed the leftover process group %d", job_id, pgid)


def _group_belongs_to_job(proc: Path, pgid: int, job_id: str) -> bool:
    marker = f"ML_PLATFORM_JOB_ID={job_id}".encode()
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[2]) != pgid:
                continue
            if marker in (entry / "environ").read_bytes().split(b"\x00"):
                return True
        except (OSError, ValueError, IndexError):
            continue
    return False
