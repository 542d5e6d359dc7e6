from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.job_create import JobCreate


T = TypeVar("T", bound="DryRunResult")


@_attrs_define
class DryRunResult:
    """
    Attributes:
        valid (bool): Always true; an invalid request is a problem response.
        fits_now (bool): Whether the job would start at once.
        job (JobCreate):
        queue_position (int | Unset): The position the job would take in its pool's queue; present only when
            it does not fit now and `wait_for_capacity` is true. Without
            `wait_for_capacity`, such a submit is rejected as `capacity-unavailable`.
    """

    valid: bool
    fits_now: bool
    job: JobCreate
    queue_position: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        valid = self.valid

        fits_now = self.fits_now

        job = self.job.to_dict()

        queue_position = self.queue_position

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "valid": valid,
                "fits_now": fits_now,
                "job": job,
            }
        )
        if queue_position is not UNSET:
            field_dict["queue_position"] = queue_position

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.job_create import JobCreate  # noqa: PLC0415

        d = dict(src_dict)
        valid = d.pop("valid")

        fits_now = d.pop("fits_now")

        job = JobCreate.from_dict(d.pop("job"))

        queue_position = d.pop("queue_position", UNSET)

        dry_run_result = cls(
            valid=valid,
            fits_now=fits_now,
            job=job,
            queue_position=queue_position,
        )

        dry_run_result.additional_properties = d
        return dry_run_result

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
