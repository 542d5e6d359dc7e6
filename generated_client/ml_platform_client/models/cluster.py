from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.cpu_budget import CpuBudget
    from ..models.gpu_pool import GpuPool
    from ..models.memory_budget import MemoryBudget


T = TypeVar("T", bound="Cluster")


@_attrs_define
class Cluster:
    """
    Attributes:
        pools (list[GpuPool]):
        cpu (CpuBudget):
        memory (MemoryBudget):
        cpu_queued (int | Unset): PENDING jobs that request no GPU.
    """

    pools: list[GpuPool]
    cpu: CpuBudget
    memory: MemoryBudget
    cpu_queued: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        pools = []
        for pools_item_data in self.pools:
            pools_item = pools_item_data.to_dict()
            pools.append(pools_item)

        cpu = self.cpu.to_dict()

        memory = self.memory.to_dict()

        cpu_queued = self.cpu_queued

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "pools": pools,
                "cpu": cpu,
                "memory": memory,
            }
        )
        if cpu_queued is not UNSET:
            field_dict["cpu_queued"] = cpu_queued

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.cpu_budget import CpuBudget  # noqa: PLC0415
        from ..models.gpu_pool import GpuPool  # noqa: PLC0415
        from ..models.memory_budget import MemoryBudget  # noqa: PLC0415

        d = dict(src_dict)
        pools = []
        _pools = d.pop("pools")
        for pools_item_data in _pools:
            pools_item = GpuPool.from_dict(pools_item_data)

            pools.append(pools_item)

        cpu = CpuBudget.from_dict(d.pop("cpu"))

        memory = MemoryBudget.from_dict(d.pop("memory"))

        cpu_queued = d.pop("cpu_queued", UNSET)

        cluster = cls(
            pools=pools,
            cpu=cpu,
            memory=memory,
            cpu_queued=cpu_queued,
        )

        cluster.additional_properties = d
        return cluster

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
