"""Run one job as a real process and capture its output and metrics.

The job runs ``sys.executable -u SCRIPT`` in its own session (so its process
group can be signalled as a whole), in a fresh working directory where its
code archive is unpacked, with an environment built from scratch.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._archives import unpack_archive
from ._joblog import STDERR, STDOUT, JobLog
from ._lines import LineAssembler
from ._metrics import MetricsTail
from ._storage import Storage
from ._timeutil import now_ms

logger = logging.getLogger("ml_platform_server.runner")

DRAIN_SECONDS = 2.0
METRICS_POLL_SECONDS = 0.25
EXIT_POLL_SECONDS = 0.05
READ_CHUNK_BYTES = 64 * 1024
DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"


@dataclass(frozen=True)
class LaunchSpec:
    """Everything needed to start a job's process."""

    job_id: str
    user: str
    script: str
    archive: Path
    job_dir: Path
    environment: dict[str, str]
    hyperparameters: dict[str, Any]
    gpu_type: str | None
    devices: tuple[str, ...]
    timeout_seconds: int | None
    python_path: str | None = None

    @property
    def work_dir(self) -> Path:
        """The job's working directory, where the archive is unpacked."""
        return self.job_dir / "work"

    @property
    def metrics_file(self) -> Path:
        """The JSON Lines file the job appends metrics to."""
        return self.job_dir / "metrics.jsonl"

    @property
    def hyperparameters_file(self) -> Path:
        """The JSON file with the job's hyperparameters."""
        return self.job_dir / "hyperparameters.json"


@dataclass
class Outcome:
    """How a job's process ended."""

    exit_code: int | None = None
    start_error: str | None = None
    timed_out: bool = False


def build_environment(spec: LaunchSpec) -> dict[str, str]:
    """Build the job's environment: a minimal base, the user's variables, then the platform's."""
    environment = {
        "PATH": os.environ.get("PATH") or DEFAULT_PATH,
        "HOME": str(spec.work_dir),
        "LANG": "C.UTF-8",
        "TMPDIR": str(spec.job_dir / "tmp"),
    }
    environment.update(spec.environment)
    if spec.python_path:
        existing = environment.get("PYTHONPATH")
        environment["PYTHONPATH"] = (
            f"{spec.python_path}{os.pathsep}{existing}" if existing else spec.python_path
        )
    environment.update(
        {
            "PYTHONUNBUFFERED": "1",
            "CUDA_VISIBLE_DEVICES": ",".join(spec.devices),
            "ML_PLATFORM_GPU_TYPE": spec.gpu_type or "",
            "ML_PLATFORM_JOB_ID": spec.job_id,
            "ML_PLATFORM_HYPERPARAMETERS_FILE": str(spec.hyperparameters_file),
            "ML_PLATFORM_METRICS_FILE": str(spec.metrics_file),
        }
    )
    return environment


def prepare_job_dir(spec: LaunchSpec) -> None:
    """Create the job directory, unpack the archive and write the hyperparameters file."""
    if spec.work_dir.exists():
        raise FileExistsError(f"working directory {str(spec.work_dir)!r} already exists")
    (spec.job_dir / "tmp").mkdir(parents=True, exist_ok=True)
    unpack_archive(spec.archive, spec.work_dir)
    spec.hyperparameters_file.write_text(json.dumps(spec.hyperparameters), encoding="utf-8")
    spec.metrics_file.touch()


def signal_group(pgid: int, signum: int) -> bool:
    """Send a signal to a process group; return ``False`` when the group is gone."""
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        return False
    except PermissionError:
        logger.warning("not allowed to signal process group %d", pgid)
        return False
    return True


@dataclass
class JobProcess:
    """The process of one running job.

    Args:
        spec: What to run.
        storage: Where metrics go.
        log: Where output lines go.
        grace_period: Seconds between SIGTERM and SIGKILL when the job is stopped.
        on_started: Called with the process id once the process runs.
    """

    spec: LaunchSpec
    storage: Storage
    log: JobLog
    grace_period: float
    on_started: Callable[[int], None]
    stop_reason: str | None = None
    _process: asyncio.subprocess.Process | None = None
    _stopping: asyncio.Task[None] | None = None
    _assemblers: dict[str, LineAssembler] = field(default_factory=dict)
    _malformed_reported: bool = False
    _tail: MetricsTail = field(init=False)

    def __post_init__(self) -> None:
        self._tail = MetricsTail(self.spec.metrics_file)

    async def run(self) -> Outcome:
        """Prepare, start and watch the process until it and its output are done."""
        try:
            await asyncio.to_thread(prepare_job_dir, self.spec)
        except (OSError, ValueError) as err:
            return self._start_failed(f"could not prepare the working directory: {err}")
        if self.stop_reason is not None:
            return Outcome()

        script = self.spec.work_dir / self.spec.script
        try:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-u",
                str(script),
                cwd=self.spec.work_dir,
                env=build_environment(self.spec),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,
            )
        except (OSError, ValueError) as err:
            return self._start_failed(f"could not start {sys.executable} {self.spec.script}: {err}")

        process = self._process
        self.on_started(process.pid)
        if self.stop_reason is not None and self._stopping is None:
            # A stop that arrived while the process was being created found nothing to signal.
            self._stopping = asyncio.create_task(self._terminate(process))
        return await self._watch(process)

    def _start_failed(self, reason: str) -> Outcome:
        self.log.system(f"[start error: {reason}]")
        return Outcome(start_error=reason)

    async def _watch(self, process: asyncio.subprocess.Process) -> Outcome:
        assert process.stdout is not None and process.stderr is not None
        readers = [
            asyncio.create_task(self._pump(process.stdout, STDOUT)),
            asyncio.create_task(self._pump(process.stderr, STDERR)),
        ]
        poller = asyncio.create_task(self._poll())
        timed_out = False
        try:
            if self.spec.timeout_seconds is None:
                await _exited(process)
            else:
                try:
                    await asyncio.wait_for(_exited(process), self.spec.timeout_seconds)
                except TimeoutError:
                    timed_out = True
                    self.log.system(
                        f"[time-out: the job ran longer than {self.spec.timeout_seconds} s; "
                        "stopping it]"
                    )
                    await self.stop("timeout")
                    await _exited(process)
        finally:
            await self._drain(process, readers)
            poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poller
        self._flush_output()
        self._read_metrics(final=True)
        return Outcome(exit_code=process.returncode, timed_out=timed_out)

    async def _drain(
        self, process: asyncio.subprocess.Process, readers: list[asyncio.Task[None]]
    ) -> None:
        # Children that keep the pipes open would hold the job forever, so the output
        # gets a bounded time, then the rest of the process group is killed.
        _done, pending = await asyncio.wait(readers, timeout=DRAIN_SECONDS)
        signal_group(process.pid, signal.SIGKILL)
        if pending:
            _done, pending = await asyncio.wait(pending, timeout=DRAIN_SECONDS)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending)

    async def _pump(self, reader: asyncio.StreamReader, stream: str) -> None:
        assembler = self._assemblers.setdefault(stream, LineAssembler())
        while True:
            data = await reader.read(READ_CHUNK_BYTES)
            if not data:
                return
            self.log.add(stream, assembler.feed(data, time.monotonic()))

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(METRICS_POLL_SECONDS)
            now = time.monotonic()
            for stream, assembler in self._assemblers.items():
                self.log.add(stream, assembler.tick(now))
            self._read_metrics(final=False)

    def _flush_output(self) -> None:
        for stream, assembler in self._assemblers.items():
            self.log.add(stream, assembler.finish())

    def _read_metrics(self, *, final: bool) -> None:
        tail = self._tail
        points = tail.read(now_ms=now_ms(), final=final)
        if points:
            self.storage.append_metrics(self.spec.job_id, points)
        if tail.malformed_lines and not self._malformed_reported:
            self._malformed_reported = True
            logger.warning(
                "job %s wrote malformed metrics lines to %s; they are ignored",
                self.spec.job_id,
                self.spec.metrics_file.name,
            )

    async def stop(self, reason: str) -> None:
        """Stop the job: SIGTERM to its group, then SIGKILL after the grace period.

        The first reason given is kept. Returns once the signals are sent; the
        job ends when :meth:`run` returns.
        """
        if self.stop_reason is None:
            self.stop_reason = reason
        if self._process is None:
            return
        if self._stopping is None:
            self._stopping = asyncio.create_task(self._terminate(self._process))
        await asyncio.shield(self._stopping)

    async def _terminate(self, process: asyncio.subprocess.Process) -> None:
        if process.returncode is not None:
            return
        signal_group(process.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(_exited(process), self.grace_period)
        except TimeoutError:
            self.log.system(
                f"[the job did not exit within {self.grace_period:g} s of SIGTERM; sent SIGKILL]"
            )
            signal_group(process.pid, signal.SIGKILL)


async def _exited(process: asyncio.subprocess.Process) -> int:
    """Wait until the main process has exited and return its exit status.

    ``Process.wait()`` on Python 3.11 returns only once every pipe has closed too, so a child
    that inherited stdout would keep a finished job running. Polling ``returncode``, which is
    set as soon as the process is reaped, lets the job end with its main process.
    """
    while process.returncode is None:
        await asyncio.sleep(EXIT_POLL_SECONDS)
    return process.returncode
