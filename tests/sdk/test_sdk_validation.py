"""Local input checks of `create_job` and friends: each error names the value and the fix."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ml_platform import MLPlatformClient, MLPlatformError, Resources, ValidationError
from ml_platform._validation import check_job_id


@pytest.fixture
def client() -> Iterator[MLPlatformClient]:
    # No request is sent by these tests: every check runs before any I/O.
    with MLPlatformClient(api_key="mlp_" + "v" * 40, base_url="http://127.0.0.1:9") as client:
        yield client


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "train.py").write_text("print('hi')\n", encoding="utf-8")
    (root / "src" / "main.py").write_text("print('main')\n", encoding="utf-8")
    (tmp_path / "outside.py").write_text("print('outside')\n", encoding="utf-8")
    return root


def test_create_job_is_local(client: MLPlatformClient, project: Path) -> None:
    job = client.create_job(
        "baseline",
        "train.py",
        workdir=project,
        resources=Resources(cpu=2),
        environment={"SEED": "1"},
        hyperparameters={"epochs": 3, "lr": 0.1, "tag": "a", "flag": True},
        timeout_seconds=600,
    )

    assert job.id is None
    assert job.status is None
    assert job.script == "train.py"
    assert job.workdir == project
    assert job.resources == Resources(cpu=2)
    assert job.to_dict() == {
        "name": "baseline",
        "script": "train.py",
        "resources": {"cpu": 2, "memory": "2Gi", "gpu": 0},
        "environment": {"SEED": "1"},
        "hyperparameters": {"epochs": 3, "lr": 0.1, "tag": "a", "flag": True},
        "timeout_seconds": 600,
    }


def test_script_in_subdirectory_uses_posix_path(client: MLPlatformClient, project: Path) -> None:
    assert client.create_job("x", Path("src") / "main.py", workdir=project).script == "src/main.py"


def test_script_given_from_current_directory(
    client: MLPlatformClient, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project.parent)
    assert client.create_job("x", "project/src/main.py", workdir="project").script == "src/main.py"


def test_absolute_script_inside_workdir(client: MLPlatformClient, project: Path) -> None:
    assert client.create_job("x", project / "train.py", workdir=project).script == "train.py"


def test_script_outside_workdir_rejected(client: MLPlatformClient, project: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        client.create_job("x", project.parent / "outside.py", workdir=project)
    assert caught.value.field == "script"
    assert "outside workdir" in str(caught.value)


def test_missing_script_rejected(client: MLPlatformClient, project: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        client.create_job("x", "nope.py", workdir=project)
    assert caught.value.field == "script"
    assert "'nope.py' was not found" in str(caught.value)


def test_missing_workdir_rejected(client: MLPlatformClient, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        client.create_job("x", "train.py", workdir=tmp_path / "missing")
    assert caught.value.field == "workdir"


@pytest.mark.parametrize("name", ["", "-lead", "with space", "a/b", "x" * 129, 3])
def test_invalid_names_rejected(client: MLPlatformClient, project: Path, name: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        client.create_job(name, "train.py", workdir=project)
    assert caught.value.field == "name"
    assert repr(name) in str(caught.value)


@pytest.mark.parametrize(
    ("environment", "field"),
    [
        ({"1BAD": "x"}, "environment.1BAD"),
        ({"HAS-DASH": "x"}, "environment.HAS-DASH"),
        ({"ML_PLATFORM_JOB_ID": "x"}, "environment.ML_PLATFORM_JOB_ID"),
        ({"CUDA_VISIBLE_DEVICES": "0"}, "environment.CUDA_VISIBLE_DEVICES"),
        ({"PYTHONUNBUFFERED": "0"}, "environment.PYTHONUNBUFFERED"),
        ({"NUL": "a\x00b"}, "environment.NUL"),
        ({"NUMBER": 3}, "environment.NUMBER"),
        ({f"V{i}": "x" for i in range(101)}, "environment"),
    ],
)
def test_invalid_environment_rejected(
    client: MLPlatformClient, project: Path, environment: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        client.create_job("x", "train.py", workdir=project, environment=environment)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("hyperparameters", "field"),
    [
        ({"lr": math.nan}, "hyperparameters.lr"),
        ({"lr": math.inf}, "hyperparameters.lr"),
        ({"layers": [1, 2]}, "hyperparameters.layers"),
        ({"none": None}, "hyperparameters.none"),
        ({"text": "x" * 4097}, "hyperparameters.text"),
        ({f"h{i}": 1 for i in range(101)}, "hyperparameters"),
    ],
)
def test_invalid_hyperparameters_rejected(
    client: MLPlatformClient, project: Path, hyperparameters: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        client.create_job("x", "train.py", workdir=project, hyperparameters=hyperparameters)
    assert caught.value.field == field


@pytest.mark.parametrize("timeout_seconds", [0, -5, 604_801, 1.5, True])
def test_invalid_timeout_rejected(
    client: MLPlatformClient, project: Path, timeout_seconds: Any
) -> None:
    with pytest.raises(ValidationError) as caught:
        client.create_job("x", "train.py", workdir=project, timeout_seconds=timeout_seconds)
    assert caught.value.field == "timeout_seconds"


def test_resources_must_be_resources(client: MLPlatformClient, project: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        client.create_job("x", "train.py", workdir=project, resources={"gpu": 1})  # type: ignore[arg-type]
    assert caught.value.field == "resources"
    assert "Resources(" in str(caught.value)


@pytest.mark.parametrize("job_id", ["", " job-1", "x" * 65, None])
def test_invalid_job_id_rejected(client: MLPlatformClient, job_id: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        client.get_job(job_id)
    assert caught.value.field == "job_id"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"page_size": 0}, "page_size"),
        ({"page_size": 101}, "page_size"),
        ({"status": "DONE"}, "status"),
        ({"name_prefix": ""}, "name_prefix"),
    ],
)
def test_invalid_list_arguments_rejected_before_iterating(
    client: MLPlatformClient, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        client.list_jobs(**kwargs)
    assert caught.value.field == field


def test_unsubmitted_job_has_no_server_state(client: MLPlatformClient, project: Path) -> None:
    job = client.create_job("x", "train.py", workdir=project)
    for action in (job.refresh, job.cancel, job.get_metrics, job.wait_for_completion):
        with pytest.raises(MLPlatformError, match="has not been submitted yet"):
            action()


def test_invalid_idempotency_key_rejected(client: MLPlatformClient, project: Path) -> None:
    job = client.create_job("x", "train.py", workdir=project)
    with pytest.raises(ValidationError) as caught:
        job.submit(idempotency_key="has space")
    assert caught.value.field == "idempotency_key"


def test_invalid_log_tail_rejected(client: MLPlatformClient, project: Path) -> None:
    job = client.create_job("x", "train.py", workdir=project)
    with pytest.raises(ValidationError) as caught:
        job.get_logs(tail=0)
    assert caught.value.field == "tail"


@pytest.mark.parametrize("job_id", ["..", "job-1/cancel", "a b", "", "-job", "j" * 65])
def test_job_id_outside_contract_pattern_rejected(job_id: str) -> None:
    with pytest.raises(ValidationError) as raised:
        check_job_id(job_id)

    assert raised.value.field == "job_id"
    assert raised.value.status_code is None
