from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="LogLine")


@_attrs_define
class LogLine:
    """
    Attributes:
        seq (int): The stored line number, starting at 1.
        timestamp (datetime.datetime):
        stream (str): `stdout`, `stderr` or `system` (lines the platform adds).
        text (str):
    """

    seq: int
    timestamp: datetime.datetime
    stream: str
    text: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        seq = self.seq

        timestamp = self.timestamp.isoformat()

        stream = self.stream

        text = self.text

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "seq": seq,
                "timestamp": timestamp,
                "stream": stream,
                "text": text,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        seq = d.pop("seq")

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        stream = d.pop("stream")

        text = d.pop("text")

        log_line = cls(
            seq=seq,
            timestamp=timestamp,
            stream=stream,
            text=text,
        )

        log_line.additional_properties = d
        return log_line

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
