from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.job_environment import JobEnvironment
    from ..models.job_hyperparameters import JobHyperparameters
    from ..models.resources import Resources


T = TypeVar("T", bound="Job")


@_attrs_define
class Job:
    """
    Attributes:
        id (str):
        name (str):
        script (str):
        code_digest (str):
        resources (Resources): What a job needs. CPU and memory come from the server-wide budget,
            GPUs from the pool of `gpu_type`, which is required when `gpu` is
            above zero.
        environment (JobEnvironment):
        hyperparameters (JobHyperparameters):
        status (str): PENDING, RUNNING, SUCCEEDED, FAILED or CANCELLED.
        created_at (datetime.datetime):
        timeout_seconds (int | Unset):
        queue_position (int | Unset): The 1-based position in the pool's queue; present only while PENDING.
        started_at (datetime.datetime | Unset):
        finished_at (datetime.datetime | Unset):
        exit_code (int | Unset): The exit code of the job's process; a negative value is the signal that ended it.
        failure_reason (str | Unset): Present when the job FAILED or was CANCELLED: `script_error`,
            `timeout`, `cancelled`, `server_restart`, `server_shutdown`,
            `start_error`, or `unschedulable` (queued when the server restarted
            with pools it can never fit).
        devices (list[str] | Unset): The allocated simulated device ids, as in `CUDA_VISIBLE_DEVICES`.
    """

    id: str
    name: str
    script: str
    code_digest: str
    resources: Resources
    environment: JobEnvironment
    hyperparameters: JobHyperparameters
    status: str
    created_at: datetime.datetime
    timeout_seconds: int | Unset = UNSET
    queue_position: int | Unset = UNSET
    started_at: datetime.datetime | Unset = UNSET
    finished_at: datetime.datetime | Unset = UNSET
    exit_code: int | Unset = UNSET
    failure_reason: str | Unset = UNSET
    devices: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        script = self.script

        code_digest = self.code_digest

        resources = self.resources.to_dict()

        environment = self.environment.to_dict()

        hyperparameters = self.hyperparameters.to_dict()

        status = self.status

        created_at = self.created_at.isoformat()

        timeout_seconds = self.timeout_seconds

        queue_position = self.queue_position

        started_at: str | Unset = UNSET
        if not isinstance(self.started_at, Unset):
            started_at = self.started_at.isoformat()

        finished_at: str | Unset = UNSET
        if not isinstance(self.finished_at, Unset):
            finished_at = self.finished_at.isoformat()

        exit_code = self.exit_code

        failure_reason = self.failure_reason

        devices: list[str] | Unset = UNSET
        if not isinstance(self.devices, Unset):
            devices = self.devices

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "script": script,
                "code_digest": code_digest,
                "resources": resources,
                "environment": environment,
                "hyperparameters": hyperparameters,
                "status": status,
                "created_at": created_at,
            }
        )
        if timeout_seconds is not UNSET:
            field_dict["timeout_seconds"] = timeout_seconds
        if queue_position is not UNSET:
            field_dict["queue_position"] = queue_position
        if started_at is not UNSET:
            field_dict["started_at"] = started_at
        if finished_at is not UNSET:
            field_dict["finished_at"] = finished_at
        if exit_code is not UNSET:
            field_dict["exit_code"] = exit_code
        if failure_reason is not UNSET:
            field_dict["failure_reason"] = failure_reason
        if devices is not UNSET:
            field_dict["devices"] = devices

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.job_environment import JobEnvironment  # noqa: PLC0415
        from ..models.job_hyperparameters import JobHyperparameters  # noqa: PLC0415
        from ..models.resources import Resources  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        script = d.pop("script")

        code_digest = d.pop("code_digest")

        resources = Resources.from_dict(d.pop("resources"))

        environment = JobEnvironment.from_dict(d.pop("environment"))

        hyperparameters = JobHyperparameters.from_dict(d.pop("hyperparameters"))

        status = d.pop("status")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        timeout_seconds = d.pop("timeout_seconds", UNSET)

        queue_position = d.pop("queue_position", UNSET)

        _started_at = d.pop("started_at", UNSET)
        started_at: datetime.datetime | Unset
        if isinstance(_started_at, Unset):
            started_at = UNSET
        else:
            started_at = datetime.datetime.fromisoformat(_started_at)

        _finished_at = d.pop("finished_at", UNSET)
        finished_at: datetime.datetime | Unset
        if isinstance(_finished_at, Unset):
            finished_at = UNSET
        else:
            finished_at = datetime.datetime.fromisoformat(_finished_at)

        exit_code = d.pop("exit_code", UNSET)

        failure_reason = d.pop("failure_reason", UNSET)

        devices = cast(list[str], d.pop("devices", UNSET))

        job = cls(
            id=id,
            name=name,
            script=script,
            code_digest=code_digest,
            resources=resources,
            environment=environment,
            hyperparameters=hyperparameters,
            status=status,
            created_at=created_at,
            timeout_seconds=timeout_seconds,
            queue_position=queue_position,
            started_at=started_at,
            finished_at=finished_at,
            exit_code=exit_code,
            failure_reason=failure_reason,
            devices=devices,
        )

        job.additional_properties = d
        return job

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
