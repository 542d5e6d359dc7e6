from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.job_metrics_latest import JobMetricsLatest
    from ..models.metric_point import MetricPoint


T = TypeVar("T", bound="JobMetrics")


@_attrs_define
class JobMetrics:
    """
    Attributes:
        latest (JobMetricsLatest): The most recent value of each named metric.
        history (list[MetricPoint]):
        epoch (int | Unset): The most recent epoch reported.
        step (int | Unset): The most recent step reported.
    """

    latest: JobMetricsLatest
    history: list[MetricPoint]
    epoch: int | Unset = UNSET
    step: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        latest = self.latest.to_dict()

        history = []
        for history_item_data in self.history:
            history_item = history_item_data.to_dict()
            history.append(history_item)

        epoch = self.epoch

        step = self.step

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "latest": latest,
                "history": history,
            }
        )
        if epoch is not UNSET:
            field_dict["epoch"] = epoch
        if step is not UNSET:
            field_dict["step"] = step

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.job_metrics_latest import JobMetricsLatest  # noqa: PLC0415
        from ..models.metric_point import MetricPoint  # noqa: PLC0415

        d = dict(src_dict)
        latest = JobMetricsLatest.from_dict(d.pop("latest"))

        history = []
        _history = d.pop("history")
        for history_item_data in _history:
            history_item = MetricPoint.from_dict(history_item_data)

            history.append(history_item)

        epoch = d.pop("epoch", UNSET)

        step = d.pop("step", UNSET)

        job_metrics = cls(
            latest=latest,
            history=history,
            epoch=epoch,
            step=step,
        )

        job_metrics.additional_properties = d
        return job_metrics

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
