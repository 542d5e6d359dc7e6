from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Availability")


@_attrs_define
class Availability:
    """What is free now for the requested pool and the budget.

    Attributes:
        gpu (int | Unset):
        gpu_type (str | Unset):
        cpu (float | Unset):
        memory (str | Unset):
        queued (int | Unset): PENDING jobs ahead in the pool's queue.
    """

    gpu: int | Unset = UNSET
    gpu_type: str | Unset = UNSET
    cpu: float | Unset = UNSET
    memory: str | Unset = UNSET
    queued: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        gpu = self.gpu

        gpu_type = self.gpu_type

        cpu = self.cpu

        memory = self.memory

        queued = self.queued

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if gpu is not UNSET:
            field_dict["gpu"] = gpu
        if gpu_type is not UNSET:
            field_dict["gpu_type"] = gpu_type
        if cpu is not UNSET:
            field_dict["cpu"] = cpu
        if memory is not UNSET:
            field_dict["memory"] = memory
        if queued is not UNSET:
            field_dict["queued"] = queued

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        gpu = d.pop("gpu", UNSET)

        gpu_type = d.pop("gpu_type", UNSET)

        cpu = d.pop("cpu", UNSET)

        memory = d.pop("memory", UNSET)

        queued = d.pop("queued", UNSET)

        availability = cls(
            gpu=gpu,
            gpu_type=gpu_type,
            cpu=cpu,
            memory=memory,
            queued=queued,
        )

        availability.additional_properties = d
        return availability

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
