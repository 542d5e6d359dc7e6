from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="GpuPool")


@_attrs_define
class GpuPool:
    """
    Attributes:
        gpu_type (str): The GPU type, for example `t4`, `v100` or `a100`.
        total (int):
        allocated (int):
        available (int):
        queued (int): PENDING jobs waiting for this pool.
    """

    gpu_type: str
    total: int
    allocated: int
    available: int
    queued: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        gpu_type = self.gpu_type

        total = self.total

        allocated = self.allocated

        available = self.available

        queued = self.queued

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "gpu_type": gpu_type,
                "total": total,
                "allocated": allocated,
                "available": available,
                "queued": queued,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        gpu_type = d.pop("gpu_type")

        total = d.pop("total")

        allocated = d.pop("allocated")

        available = d.pop("available")

        queued = d.pop("queued")

        gpu_pool = cls(
            gpu_type=gpu_type,
            total=total,
            allocated=allocated,
            available=available,
            queued=queued,
        )

        gpu_pool.additional_properties = d
        return gpu_pool

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
