from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.log_line import LogLine


T = TypeVar("T", bound="LogPage")


@_attrs_define
class LogPage:
    """
    Attributes:
        lines (list[LogLine]):
        next_cursor (str): Pass as `cursor` to read the lines after these.
        complete (bool): True when the job has ended and no lines remain after these.
        status (str | Unset): The job's status when the page was read.
        queue_position (int | Unset): The job's queue position, while it is PENDING.
    """

    lines: list[LogLine]
    next_cursor: str
    complete: bool
    status: str | Unset = UNSET
    queue_position: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        lines = []
        for lines_item_data in self.lines:
            lines_item = lines_item_data.to_dict()
            lines.append(lines_item)

        next_cursor = self.next_cursor

        complete = self.complete

        status = self.status

        queue_position = self.queue_position

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "lines": lines,
                "next_cursor": next_cursor,
                "complete": complete,
            }
        )
        if status is not UNSET:
            field_dict["status"] = status
        if queue_position is not UNSET:
            field_dict["queue_position"] = queue_position

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.log_line import LogLine  # noqa: PLC0415

        d = dict(src_dict)
        lines = []
        _lines = d.pop("lines")
        for lines_item_data in _lines:
            lines_item = LogLine.from_dict(lines_item_data)

            lines.append(lines_item)

        next_cursor = d.pop("next_cursor")

        complete = d.pop("complete")

        status = d.pop("status", UNSET)

        queue_position = d.pop("queue_position", UNSET)

        log_page = cls(
            lines=lines,
            next_cursor=next_cursor,
            complete=complete,
            status=status,
            queue_position=queue_position,
        )

        log_page.additional_properties = d
        return log_page

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
