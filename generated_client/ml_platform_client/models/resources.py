from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Resources")


@_attrs_define
class Resources:
    """What a job needs. CPU and memory come from the server-wide budget,
    GPUs from the pool of `gpu_type`, which is required when `gpu` is
    above zero.

        Attributes:
            cpu (float | Unset): CPU cores. Default: 1.0.
            memory (str | Unset): A Kubernetes-style quantity such as `512Mi` or `16Gi`. Default: '2Gi'.
            gpu (int | Unset): The number of GPUs. Default: 0.
            gpu_type (str | Unset): The GPU pool, for example `t4`, `v100` or `a100`.
    """

    cpu: float | Unset = 1.0
    memory: str | Unset = "2Gi"
    gpu: int | Unset = 0
    gpu_type: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        cpu = self.cpu

        memory = self.memory

        gpu = self.gpu

        gpu_type = self.gpu_type

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if cpu is not UNSET:
            field_dict["cpu"] = cpu
        if memory is not UNSET:
            field_dict["memory"] = memory
        if gpu is not UNSET:
            field_dict["gpu"] = gpu
        if gpu_type is not UNSET:
            field_dict["gpu_type"] = gpu_type

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        cpu = d.pop("cpu", UNSET)

        memory = d.pop("memory", UNSET)

        gpu = d.pop("gpu", UNSET)

        gpu_type = d.pop("gpu_type", UNSET)

        resources = cls(
            cpu=cpu,
            memory=memory,
            gpu=gpu,
            gpu_type=gpu_type,
        )

        resources.additional_properties = d
        return resources

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
