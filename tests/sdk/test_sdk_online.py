"""The SDK against the real reference server: submit, follow, wait, cancel and real errors."""

from __future__ import annotations

import logging
import math
import subprocess
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ml_platform import (
    AuthenticationError,
    ConflictError,
    DryRunResult,
    IdempotencyConflictError,
    JobFailedError,
    JobNotFoundError,
    JobStatus,
    MLPlatformClient,
    PermissionDeniedError,
    RateLimitError,
    Resources,
    ResourceUnavailableError,
    TrainingJob,
    WaitTimeoutError,
)
from ml_platform._upload import pack_directory, upload_archive

from ._servers import ServerFactory, ServerProcess, server_executable

pytestmark = pytest.mark.timeout(120)

PRINT_AND_REPORT = """\
import ml_platform

for epoch in range(1, 6):
    print(f"epoch {epoch} done", flush=True)
    ml_platform.report(epoch=epoch, loss=1.0 / epoch, accuracy=0.5 + epoch / 20)
ml_platform.report(epoch=6, loss=float("nan"))
print("finished", flush=True)
"""

SLEEP_FOREVER = """\
import time

print("started", flush=True)
for _ in range(600):
    time.sleep(0.1)
"""

SLOW_PRINTER = """\
import time

for number in range(1, 201):
    print(f"line {number}", flush=True)
    time.sleep(0.2)
"""

FAILING = """\
print("about to fail", flush=True)
raise SystemExit(3)
"""

SMALL_POOLS = "pools:\n  t4: 1\n  v100: 1\ncpu: 8\nmemory: 16Gi\n"


def write_script(workdir: Path, source: str, name: str = "train.py") -> str:
    (workdir / name).write_text(textwrap.dedent(source), encoding="utf-8")
    return name


@pytest.fixture
def client(sdk_server: ServerProcess) -> Iterator[MLPlatformClient]:
    with MLPlatformClient(api_key=sdk_server.api_key, base_url=sdk_server.url) as client:
        yield client


def test_submit_follow_wait_succeeds(client: MLPlatformClient, workdir: Path) -> None:
    script = write_script(workdir, PRINT_AND_REPORT)
    job = client.create_job("print-and-report", script, workdir=str(workdir))

    assert job.id is None
    assert job.submit() is job
    assert job.id is not None
    assert job.status in (JobStatus.RUNNING, JobStatus.SUCCEEDED)

    lines = list(job.follow_logs())
    texts = [line.text for line in lines]
    assert texts == [f"epoch {n} done" for n in range(1, 6)] + ["finished"]
    assert [line.seq for line in lines] == list(range(1, 7))
    assert {line.stream for line in lines} == {"stdout"}

    assert job.wait_for_completion(timeout_seconds=60) is JobStatus.SUCCEEDED
    assert job.exit_code == 0
    assert job.finished_at is not None and job.finished_at.tzinfo is not None


def test_wait_makes_few_requests(
    client: MLPlatformClient, workdir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    script = write_script(workdir, "import time\ntime.sleep(4)\nprint('done', flush=True)\n")
    job = client.create_job("idle", script, workdir=workdir).submit()

    with caplog.at_level(logging.INFO, logger="ml_platform"):
        assert job.wait_for_completion(timeout_seconds=60) is JobStatus.SUCCEEDED

    polls = [r for r in caplog.records if r.getMessage().startswith(f"GET /api/v1/jobs/{job.id} ")]
    # The session server caps each long poll at 5 s: a 4-second job needs one poll that
    # returns on the status change, plus at most one more around the transition.
    assert 1 <= len(polls) <= 2


def test_metrics_decode_reported_values(client: MLPlatformClient, workdir: Path) -> None:
    job = client.create_job("metrics", write_script(workdir, PRINT_AND_REPORT), workdir=workdir)
    job.submit()
    job.wait_for_completion(timeout_seconds=60)

    metrics = job.get_metrics()
    assert [point.epoch for point in metrics.history] == [1, 2, 3, 4, 5, 6]
    assert metrics.history[0].values == {"loss": 1.0, "accuracy": 0.55}
    assert math.isnan(metrics.latest["loss"])
    assert metrics.latest["accuracy"] == pytest.approx(0.75)
    assert job.metrics_history() == metrics.history

    latest_only = job.get_metrics(history=False)
    assert latest_only.history == []
    assert latest_only.latest["accuracy"] == pytest.approx(0.75)
    assert latest_only.epoch == 6


def test_to_dict_uses_api_fields(client: MLPlatformClient, workdir: Path) -> None:
    job = client.create_job("to-dict", write_script(workdir, PRINT_AND_REPORT), workdir=workdir)
    job.submit()
    job.wait_for_completion(timeout_seconds=60)

    body = job.to_dict()
    assert body["id"] == job.id
    assert body["status"] == "SUCCEEDED"
    assert body["code_digest"] == job.code_digest
    assert body["created_at"].endswith("Z")
    assert body["finished_at"].endswith("Z")
    assert client.get_job(job.id or "").to_dict() == body


def test_get_logs_tail_and_all(client: MLPlatformClient, workdir: Path) -> None:
    job = client.create_job("logs", write_script(workdir, PRINT_AND_REPORT), workdir=workdir)
    job.submit()
    job.wait_for_completion(timeout_seconds=60)

    assert [line.text for line in job.get_logs(tail=2)] == ["epoch 5 done", "finished"]
    assert len(job.get_logs(tail=None)) == 6


def test_unchanged_directory_is_not_uploaded_twice(client: MLPlatformClient, workdir: Path) -> None:
    write_script(workdir, PRINT_AND_REPORT)
    (workdir / "unique.txt").write_text(str(workdir), encoding="utf-8")
    archive = pack_directory(workdir)

    assert upload_archive(client._session, archive) is True
    assert upload_archive(client._session, archive) is False


def test_cancel_running_job(client: MLPlatformClient, workdir: Path) -> None:
    job = client.create_job("cancel-me", write_script(workdir, SLEEP_FOREVER), workdir=workdir)
    job.submit()
    first = next(iter(job.follow_logs()))
    assert first.text == "started"

    assert job.cancel() is job
    assert job.status is JobStatus.CANCELLED
    assert job.failure_reason == "cancelled"
    assert job.wait_for_completion(timeout_seconds=10) is JobStatus.CANCELLED


def test_cancel_finished_job_is_conflict(client: MLPlatformClient, workdir: Path) -> None:
    job = client.create_job("done", write_script(workdir, PRINT_AND_REPORT), workdir=workdir)
    job.submit()
    job.wait_for_completion(timeout_seconds=60)

    with pytest.raises(ConflictError) as caught:
        job.cancel()
    assert caught.value.status_code == 409
    assert "SUCCEEDED" in str(caught.value)
    assert caught.value.request_id


def test_wait_raises_job_failed(client: MLPlatformClient, workdir: Path) -> None:
    job = client.create_job("fails", write_script(workdir, FAILING), workdir=workdir)
    job.submit()

    with pytest.raises(JobFailedError) as caught:
        job.wait_for_completion(timeout_seconds=60, raise_on_failure=True)
    error = caught.value
    assert error.exit_code == 3
    assert error.failure_reason == "script_error"
    assert [line.text for line in error.last_lines][-1:] == ["about to fail"]
    assert job.wait_for_completion() is JobStatus.FAILED


def test_wait_times_out_while_running(client: MLPlatformClient, workdir: Path) -> None:
    job = client.create_job("slow", write_script(workdir, SLEEP_FOREVER), workdir=workdir)
    job.submit()
    try:
        with pytest.raises(WaitTimeoutError) as caught:
            job.wait_for_completion(timeout_seconds=1, poll_interval=1)
        assert isinstance(caught.value, TimeoutError)
        assert caught.value.job_id == job.id
        assert caught.value.status == "RUNNING"
    finally:
        job.cancel()


def test_dry_run_creates_nothing(client: MLPlatformClient, workdir: Path) -> None:
    job = client.create_job("dry-run", write_script(workdir, PRINT_AND_REPORT), workdir=workdir)
    before = {listed.id for listed in client.list_jobs(name_prefix="dry-run")}

    result = job.submit(dry_run=True)

    assert isinstance(result, DryRunResult)
    assert result.valid is True
    assert result.job["script"] == "train.py"
    assert job.id is None
    assert {listed.id for listed in client.list_jobs(name_prefix="dry-run")} == before


def test_idempotency_key_returns_same_job(client: MLPlatformClient, workdir: Path) -> None:
    script = write_script(workdir, PRINT_AND_REPORT)
    key = f"sdk-test-{workdir.name}-{id(client)}"
    first = client.create_job("idem", script, workdir=workdir).submit(idempotency_key=key)
    again = client.create_job("idem", script, workdir=workdir).submit(idempotency_key=key)
    assert again.id == first.id

    other = client.create_job("idem-other", script, workdir=workdir)
    with pytest.raises(IdempotencyConflictError) as caught:
        other.submit(idempotency_key=key)
    assert caught.value.job_id == first.id


def test_get_unknown_job_raises_not_found(client: MLPlatformClient) -> None:
    with pytest.raises(JobNotFoundError) as caught:
        client.get_job("job-does-not-exist")
    assert caught.value.status_code == 404
    assert caught.value.job_id == "job-does-not-exist"
    assert caught.value.request_id
    assert caught.value.problem["type"] == "urn:mlp:problem:job-not-found"


def test_wrong_key_raises_authentication_error(sdk_server: ServerProcess) -> None:
    wrong = "mlp_" + "x" * 40
    client = MLPlatformClient(api_key=wrong, base_url=sdk_server.url)
    with client, pytest.raises(AuthenticationError) as caught:
        client.whoami()
    error = caught.value
    assert error.status_code == 401
    assert error.key_missing is False
    assert error.key_source == "the api_key parameter"
    assert "ML_PLATFORM_API_KEY" in str(error)
    assert "mlp init" in str(error)
    assert wrong not in str(error)
    assert wrong not in repr(error.problem)


def test_missing_key_raises_authentication_error(sdk_server: ServerProcess) -> None:
    client = MLPlatformClient(base_url=sdk_server.url)
    with client, pytest.raises(AuthenticationError) as caught:
        client.pools()
    assert caught.value.key_missing is True
    assert "No API key was sent" in str(caught.value)


def test_whoami_and_pools(client: MLPlatformClient) -> None:
    identity = client.whoami()
    assert identity.user == "dev"
    assert identity.read_only is False

    cluster = client.pools()
    assert {pool.gpu_type for pool in cluster.pools} == {"t4", "v100", "a100"}
    t4 = cluster.pool("t4")
    assert t4 is not None and t4.total == 8
    assert cluster.cpu_total == 32


def test_infeasible_request_lists_gpu_types(client: MLPlatformClient, workdir: Path) -> None:
    script = write_script(workdir, PRINT_AND_REPORT)
    job = client.create_job(
        "too-big", script, workdir=workdir, resources=Resources(gpu=1, gpu_type="h100")
    )
    with pytest.raises(ResourceUnavailableError) as caught:
        job.submit()
    assert caught.value.feasible is False
    assert set(caught.value.gpu_types) == {"t4", "v100", "a100"}
    assert caught.value.status_code == 409


def test_capacity_error_then_queue_for_capacity(
    sdk_server_factory: ServerFactory, workdir: Path
) -> None:
    server = sdk_server_factory.start("small", pools=SMALL_POOLS, extra_args=["--max-wait", "2"])
    client = MLPlatformClient(api_key=server.api_key, base_url=server.url)
    blocker_dir = workdir / "blocker"
    blocker_dir.mkdir()
    gpu = Resources(gpu=1, gpu_type="t4")
    blocker = client.create_job(
        "blocker", write_script(blocker_dir, SLEEP_FOREVER), workdir=blocker_dir, resources=gpu
    ).submit()
    script = write_script(workdir, PRINT_AND_REPORT)
    waiting = client.create_job("waiter", script, workdir=workdir, resources=gpu)

    with pytest.raises(ResourceUnavailableError) as caught:
        waiting.submit()
    error = caught.value
    assert error.feasible is True
    assert "submit(wait_for_capacity=True)" in error.alternatives
    assert 'Resources(gpu=1, gpu_type="v100")' in error.alternatives
    assert error.requested["gpu"] == 1
    assert error.available.get("gpu") == 0
    assert waiting.id is None

    waiting.submit(wait_for_capacity=True)
    assert waiting.status is JobStatus.PENDING
    assert waiting.queue_position == 1

    positions: list[int] = []
    lines: list[str] = []
    follower = threading.Thread(
        target=lambda: lines.extend(
            line.text for line in waiting.follow_logs(on_queued=positions.append)
        ),
        daemon=True,
    )
    follower.start()
    for _ in range(200):
        if positions:
            break
        follower.join(timeout=0.1)
    assert positions == [1]

    blocker.cancel()
    follower.join(timeout=60)
    assert not follower.is_alive()
    assert lines[-1] == "finished"
    assert waiting.status is JobStatus.SUCCEEDED
    client.close()


def test_follow_logs_resumes_after_server_restart(
    sdk_server_factory: ServerFactory, workdir: Path
) -> None:
    server = sdk_server_factory.start("restart", extra_args=["--max-wait", "2"])
    client = MLPlatformClient(api_key=server.api_key, base_url=server.url)
    job = client.create_job("slow-printer", write_script(workdir, SLOW_PRINTER), workdir=workdir)
    job.submit()

    follow = job.follow_logs()
    seen = [next(follow) for _ in range(3)]
    server.kill()
    sdk_server_factory.start("restart", port=server.port, extra_args=["--max-wait", "2"])
    seen.extend(follow)

    sequence = [line.seq for line in seen]
    assert sequence[:3] == [1, 2, 3]
    assert sequence == sorted(set(sequence))
    texts = [line.text for line in seen if line.stream == "stdout"]
    assert texts == [f"line {n}" for n in range(1, len(texts) + 1)]
    assert job.status is JobStatus.FAILED
    assert job.failure_reason == "server_restart"
    client.close()


def test_list_jobs_iterates_every_page(sdk_server_factory: ServerFactory, tmp_path: Path) -> None:
    executable = server_executable()
    if executable is None:
        pytest.skip("mlp-server is not installed in this environment")
    data_dir = sdk_server_factory.root / "listing"
    subprocess.run(
        [executable, "seed", "--data-dir", str(data_dir), "--jobs", "45"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    server = sdk_server_factory.start("listing")
    client = MLPlatformClient(api_key=server.api_key, base_url=server.url)

    every = [job.id for job in client.list_jobs(page_size=7)]
    assert len(every) == 45
    assert len(set(every)) == 45

    page = client.list_jobs_page(page_size=7)
    assert len(page.jobs) == 7
    assert page.next_cursor is not None
    second = client.list_jobs_page(page_size=7, cursor=page.next_cursor)
    assert [job.id for job in page.jobs + second.jobs] == every[:14]

    by_status = {
        status: [job.id for job in client.list_jobs(status=status, page_size=7)]
        for status in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)
    }
    assert sum(len(ids) for ids in by_status.values()) == 45
    for status, ids in by_status.items():
        assert all(client.get_job(job_id or "").status is status for job_id in ids[:2])
    client.close()


def test_resubmitting_a_job_is_refused(client: MLPlatformClient, workdir: Path) -> None:
    job = client.create_job("once", write_script(workdir, PRINT_AND_REPORT), workdir=workdir)
    job.submit()
    with pytest.raises(Exception, match="already submitted"):
        job.submit()
    job.wait_for_completion(timeout_seconds=60)


def test_job_repr_names_id_and_status(client: MLPlatformClient, workdir: Path) -> None:
    job: TrainingJob = client.create_job(
        "repr", write_script(workdir, PRINT_AND_REPORT), workdir=workdir
    )
    assert repr(job) == "TrainingJob(id=None, name='repr', status=None)"
    job.submit()
    job.wait_for_completion(timeout_seconds=60)
    assert repr(job) == f"TrainingJob(id={job.id!r}, name='repr', status='SUCCEEDED')"


def test_read_only_key_cannot_submit(sdk_server: ServerProcess, workdir: Path) -> None:
    executable = server_executable()
    assert executable is not None
    created = subprocess.run(
        [
            executable,
            "keys",
            "create",
            "--data-dir",
            str(sdk_server.data_dir),
            "--user",
            "dev",
            "--read-only",
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    read_only_key = created.stdout.strip()
    script = write_script(workdir, PRINT_AND_REPORT)

    with MLPlatformClient(api_key=read_only_key, base_url=sdk_server.url) as client:
        assert client.whoami().read_only is True
        job = client.create_job("read-only", script, workdir=workdir)
        with pytest.raises(PermissionDeniedError) as caught:
            job.submit()
    assert caught.value.status_code == 403
    assert "read-write key" in str(caught.value)
    assert read_only_key not in str(caught.value)


def test_rate_limit_raised_then_retried(sdk_server_factory: ServerFactory) -> None:
    server = sdk_server_factory.start("limited", extra_args=["--rate-limit", "1"])
    impatient = MLPlatformClient(api_key=server.api_key, base_url=server.url, max_retries=0)

    with impatient, pytest.raises(RateLimitError) as caught:
        for _ in range(20):
            impatient.whoami()
    assert caught.value.status_code == 429
    assert caught.value.retry_after is not None
    assert caught.value.retry_after >= 1

    with MLPlatformClient(api_key=server.api_key, base_url=server.url) as patient:
        users = [patient.whoami().user for _ in range(3)]
    assert users == ["dev"] * 3
