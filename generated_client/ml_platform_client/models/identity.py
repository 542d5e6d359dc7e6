from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Identity")


@_attrs_define
class Identity:
    """
    Attributes:
        user (str): The user that owns the API key.
        key_id (str): The public id of the API key (never the key itself).
        scope (str): `read-write` or `read-only`.
        server_version (str | Unset): The version of the server software.
        api_version (str | Unset): The version of this API contract.
    """

    user: str
    key_id: str
    scope: str
    server_version: str | Unset = UNSET
    api_version: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        user = self.user

        key_id = self.key_id

        scope = self.scope

        server_version = self.server_version

        api_version = self.api_version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "user": user,
                "key_id": key_id,
                "scope": scope,
            }
        )
        if server_version is not UNSET:
            field_dict["server_version"] = server_version
        if api_version is not UNSET:
            field_dict["api_version"] = api_version

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        user = d.pop("user")

        key_id = d.pop("key_id")

        scope = d.pop("scope")

        server_version = d.pop("server_version", UNSET)

        api_version = d.pop("api_version", UNSET)

        identity = cls(
            user=user,
            key_id=key_id,
            scope=scope,
            server_version=server_version,
            api_version=api_version,
        )

        identity.additional_properties = d
        return identity

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
