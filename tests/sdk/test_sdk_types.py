"""Value types: Resources validation, JobStatus fallback and metric decoding."""

from __future__ import annotations

import datetime
import math
from typing import Any

import pytest
from ml_platform_client import models

from ml_platform import JobMetrics, JobStatus, MetricPoint, Resources, ValidationError
from ml_platform._types import decode_metric_value, format_timestamp


def test_resources_defaults() -> None:
    resources = Resources()
    assert (resources.cpu, resources.memory, resources.gpu, resources.gpu_type) == (
        1.0,
        "2Gi",
        0,
        None,
    )
    assert resources.to_dict() == {"cpu": 1.0, "memory": "2Gi", "gpu": 0}


def test_resources_are_frozen_and_keyword_only() -> None:
    resources = Resources(gpu=2, gpu_type="t4")
    with pytest.raises(AttributeError):
        resources.gpu = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        Resources(2)  # type: ignore[misc]
    assert resources == Resources(gpu=2, gpu_type="t4")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"cpu": 0.1},
        {"cpu": 256},
        {"cpu": 4},
        {"memory": "512Mi"},
        {"memory": "1.5Ti"},
        {"memory": "1024"},
        {"gpu": 64, "gpu_type": "a100"},
        {"gpu": 0, "gpu_type": "t4"},
        {"gpu_type": "my-pool_2"},
    ],
)
def test_resources_accept_valid_values(kwargs: dict[str, Any]) -> None:
    Resources(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "field", "fragment"),
    [
        ({"cpu": 0}, "resources.cpu", "cpu=0"),
        ({"cpu": 0.05}, "resources.cpu", "cpu=0.05"),
        ({"cpu": 257}, "resources.cpu", "from 0.1 to 256"),
        ({"cpu": math.nan}, "resources.cpu", "cpu=nan"),
        ({"cpu": True}, "resources.cpu", "cpu=True"),
        ({"cpu": "2"}, "resources.cpu", "cpu='2'"),
        ({"memory": "16GB"}, "resources.memory", "memory='16GB'"),
        ({"memory": "99999999Ti"}, "resources.memory", "Kubernetes-style"),
        ({"memory": "0Gi"}, "resources.memory", "more than zero"),
        ({"memory": 16}, "resources.memory", "memory=16"),
        ({"gpu": -1}, "resources.gpu", "gpu=-1"),
        ({"gpu": 65, "gpu_type": "t4"}, "resources.gpu", "from 0 to 64"),
        ({"gpu": 1.0, "gpu_type": "t4"}, "resources.gpu", "gpu=1.0"),
        ({"gpu": 2}, "resources.gpu_type", 'Resources(gpu=2, gpu_type="t4")'),
        ({"gpu": 1, "gpu_type": "T4"}, "resources.gpu_type", "gpu_type='T4'"),
        ({"gpu": 1, "gpu_type": ""}, "resources.gpu_type", "gpu_type=''"),
    ],
)
def test_resources_reject_invalid_values(kwargs: dict[str, Any], field: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Resources(**kwargs)
    assert caught.value.field == field
    assert fragment in str(caught.value)
    assert caught.value.status_code is None


def test_resources_round_trip_and_code() -> None:
    resources = Resources(cpu=2, memory="8Gi", gpu=2, gpu_type="t4")
    assert Resources.from_dict(resources.to_dict()) == resources
    assert resources.to_code() == 'Resources(cpu=2, memory="8Gi", gpu=2, gpu_type="t4")'
    assert Resources().to_code() == "Resources()"


@pytest.mark.parametrize("value", ["PENDING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"])
def test_job_status_known_values(value: str) -> None:
    status = JobStatus(value)
    assert status.value == value
    assert status == value
    assert status.is_final is (value in ("SUCCEEDED", "FAILED", "CANCELLED"))


@pytest.mark.parametrize("value", ["PAUSED", "running", "", "UNKNOWN"])
def test_job_status_unknown_fallback(value: str) -> None:
    status = JobStatus(value)
    assert status is JobStatus.UNKNOWN
    assert status.is_final is False


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(0.5, 0.5), (3, 3.0), ("Infinity", math.inf), ("-Infinity", -math.inf)],
)
def test_decode_metric_values(raw: object, expected: float) -> None:
    assert decode_metric_value(raw) == expected


def test_decode_nan() -> None:
    value = decode_metric_value("NaN")
    assert value is not None and math.isnan(value)


@pytest.mark.parametrize("raw", ["nan", "banana", None, True, [1]])
def test_decode_rejects_other_values(raw: object) -> None:
    assert decode_metric_value(raw) is None


def test_job_metrics_from_api_decodes_non_finite() -> None:
    model = models.JobMetrics.from_dict(
        {
            "latest": {"loss": "NaN", "accuracy": 0.9, "grad": "Infinity", "bad": "oops"},
            "epoch": 2,
            "history": [
                {
                    "timestamp": "2026-01-01T00:00:00.000Z",
                    "epoch": 1,
                    "values": {"loss": 0.5, "grad": "-Infinity"},
                },
                {"timestamp": "2026-01-01T00:00:01.500Z", "step": 7, "values": {"loss": "NaN"}},
            ],
        }
    )

    metrics = JobMetrics._from_api(model)

    assert math.isnan(metrics.latest["loss"])
    assert metrics.latest["accuracy"] == 0.9
    assert metrics.latest["grad"] == math.inf
    assert "bad" not in metrics.latest
    assert metrics.epoch == 2
    assert metrics.step is None
    first, second = metrics.history
    assert isinstance(first, MetricPoint)
    assert first.values == {"loss": 0.5, "grad": -math.inf}
    assert first.timestamp == datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    assert (second.epoch, second.step) == (None, 7)
    assert math.isnan(second.values["loss"])


def test_job_metrics_to_dict_encodes_non_finite() -> None:
    point = MetricPoint(
        timestamp=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        epoch=1,
        values={"loss": math.nan, "grad": -math.inf},
    )
    metrics = JobMetrics(latest={"loss": math.inf}, history=[point], epoch=1)

    assert metrics.to_dict() == {
        "latest": {"loss": "Infinity"},
        "history": [
            {
                "timestamp": "2026-01-01T00:00:00.000Z",
                "epoch": 1,
                "values": {"loss": "NaN", "grad": "-Infinity"},
            }
        ],
        "epoch": 1,
    }


def test_format_timestamp_is_utc_with_z() -> None:
    moment = datetime.datetime(
        2026, 5, 1, 14, 0, 0, 123456, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
    )
    assert format_timestamp(moment) == "2026-05-01T12:00:00.123Z"
