from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.alternative import Alternative
    from ..models.availability import Availability
    from ..models.resources import Resources


T = TypeVar("T", bound="Problem")


@_attrs_define
class Problem:
    """An RFC 9457 problem document. Known `type` values, each with its
    HTTP status:

    * `urn:mlp:problem:validation` (400): the request is invalid;
      `field` names the invalid input.
    * `urn:mlp:problem:unauthenticated` (401): the API key is missing,
      unknown or revoked.
    * `urn:mlp:problem:forbidden` (403): the API key is read-only.
    * `urn:mlp:problem:job-not-found` (404): `job_id` names the job.
    * `urn:mlp:problem:not-found` (404): no such route.
    * `urn:mlp:problem:method-not-allowed` (405): `allowed` lists the
      methods.
    * `urn:mlp:problem:capacity-unavailable` (409): the job does not
      fit now; see `requested`, `available` and `alternatives`.
    * `urn:mlp:problem:capacity-infeasible` (409): the job can never
      fit; `gpu_types` lists the pools that exist.
    * `urn:mlp:problem:idempotency-conflict` (409): the key was used
      with another body; `job_id` names the first job.
    * `urn:mlp:problem:already-finished` (409): `final_status` names
      the job's status.
    * `urn:mlp:problem:code-not-found` (400): `code_digest` names an
      archive that was never uploaded.
    * `urn:mlp:problem:payload-too-large` (413): `limit` is the maximum
      size in bytes.
    * `urn:mlp:problem:unsupported-media-type` (415): the body's
      content type is not accepted.
    * `urn:mlp:problem:rate-limited` (429): `retry_after` is in seconds.
    * `urn:mlp:problem:shutting-down` (503): `retry_after` is in seconds.
    * `urn:mlp:problem:internal` (500): a server bug; quote `request_id`.

        Attributes:
            type_ (str):
            title (str):
            status (int):
            detail (str | Unset):
            instance (str | Unset):
            request_id (str | Unset):
            field (str | Unset):
            job_id (str | Unset):
            final_status (str | Unset):
            requested (Resources | Unset): What a job needs. CPU and memory come from the server-wide budget,
                GPUs from the pool of `gpu_type`, which is required when `gpu` is
                above zero.
            available (Availability | Unset): What is free now for the requested pool and the budget.
            alternatives (list[Alternative] | Unset):
            gpu_types (list[str] | Unset):
            code_digest (str | Unset):
            limit (int | Unset):
            retry_after (int | Unset):
            allowed (list[str] | Unset):
    """

    type_: str
    title: str
    status: int
    detail: str | Unset = UNSET
    instance: str | Unset = UNSET
    request_id: str | Unset = UNSET
    field: str | Unset = UNSET
    job_id: str | Unset = UNSET
    final_status: str | Unset = UNSET
    requested: Resources | Unset = UNSET
    available: Availability | Unset = UNSET
    alternatives: list[Alternative] | Unset = UNSET
    gpu_types: list[str] | Unset = UNSET
    code_digest: str | Unset = UNSET
    limit: int | Unset = UNSET
    retry_after: int | Unset = UNSET
    allowed: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        title = self.title

        status = self.status

        detail = self.detail

        instance = self.instance

        request_id = self.request_id

        field = self.field

        job_id = self.job_id

        final_status = self.final_status

        requested: dict[str, Any] | Unset = UNSET
        if not isinstance(self.requested, Unset):
            requested = self.requested.to_dict()

        available: dict[str, Any] | Unset = UNSET
        if not isinstance(self.available, Unset):
            available = self.available.to_dict()

        alternatives: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.alternatives, Unset):
            alternatives = []
            for alternatives_item_data in self.alternatives:
                alternatives_item = alternatives_item_data.to_dict()
                alternatives.append(alternatives_item)

        gpu_types: list[str] | Unset = UNSET
        if not isinstance(self.gpu_types, Unset):
            gpu_types = self.gpu_types

        code_digest = self.code_digest

        limit = self.limit

        retry_after = self.retry_after

        allowed: list[str] | Unset = UNSET
        if not isinstance(self.allowed, Unset):
            allowed = self.allowed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "title": title,
                "status": status,
            }
        )
        if detail is not UNSET:
            field_dict["detail"] = detail
        if instance is not UNSET:
            field_dict["instance"] = instance
        if request_id is not UNSET:
            field_dict["request_id"] = request_id
        if field is not UNSET:
            field_dict["field"] = field
        if job_id is not UNSET:
            field_dict["job_id"] = job_id
        if final_status is not UNSET:
            field_dict["final_status"] = final_status
        if requested is not UNSET:
            field_dict["requested"] = requested
        if available is not UNSET:
            field_dict["available"] = available
        if alternatives is not UNSET:
            field_dict["alternatives"] = alternatives
        if gpu_types is not UNSET:
            field_dict["gpu_types"] = gpu_types
        if code_digest is not UNSET:
            field_dict["code_digest"] = code_digest
        if limit is not UNSET:
            field_dict["limit"] = limit
        if retry_after is not UNSET:
            field_dict["retry_after"] = retry_after
        if allowed is not UNSET:
            field_dict["allowed"] = allowed

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.alternative import Alternative  # noqa: PLC0415
        from ..models.availability import Availability  # noqa: PLC0415
        from ..models.resources import Resources  # noqa: PLC0415

        d = dict(src_dict)
        type_ = d.pop("type")

        title = d.pop("title")

        status = d.pop("status")

        detail = d.pop("detail", UNSET)

        instance = d.pop("instance", UNSET)

        request_id = d.pop("request_id", UNSET)

        field = d.pop("field", UNSET)

        job_id = d.pop("job_id", UNSET)

        final_status = d.pop("final_status", UNSET)

        _requested = d.pop("requested", UNSET)
        requested: Resources | Unset
        if isinstance(_requested, Unset):
            requested = UNSET
        else:
            requested = Resources.from_dict(_requested)

        _available = d.pop("available", UNSET)
        available: Availability | Unset
        if isinstance(_available, Unset):
            available = UNSET
        else:
            available = Availability.from_dict(_available)

        _alternatives = d.pop("alternatives", UNSET)
        alternatives: list[Alternative] | Unset = UNSET
        if _alternatives is not UNSET:
            alternatives = []
            for alternatives_item_data in _alternatives:
                alternatives_item = Alternative.from_dict(alternatives_item_data)

                alternatives.append(alternatives_item)

        gpu_types = cast(list[str], d.pop("gpu_types", UNSET))

        code_digest = d.pop("code_digest", UNSET)

        limit = d.pop("limit", UNSET)

        retry_after = d.pop("retry_after", UNSET)

        allowed = cast(list[str], d.pop("allowed", UNSET))

        problem = cls(
            type_=type_,
            title=title,
            status=status,
            detail=detail,
            instance=instance,
            request_id=request_id,
            field=field,
            job_id=job_id,
            final_status=final_status,
            requested=requested,
            available=available,
            alternatives=alternatives,
            gpu_types=gpu_types,
            code_digest=code_digest,
            limit=limit,
            retry_after=retry_after,
            allowed=allowed,
        )

        problem.additional_properties = d
        return problem

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
