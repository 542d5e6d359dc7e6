from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.job_create_environment import JobCreateEnvironment
    from ..models.job_create_hyperparameters import JobCreateHyperparameters
    from ..models.resources import Resources


T = TypeVar("T", bound="JobCreate")


@_attrs_define
class JobCreate:
    """
    Attributes:
        name (str): A name for people; it need not be unique.
        script (str): The Python script to run, relative to the uploaded directory.
        code_digest (str): The digest of an archive uploaded with `PUT /code/{digest}`.
        resources (Resources | Unset): What a job needs. CPU and memory come from the server-wide budget,
            GPUs from the pool of `gpu_type`, which is required when `gpu` is
            above zero.
        environment (JobCreateEnvironment | Unset): Environment variables for the job. Names must match
            `[A-Za-z_][A-Za-z0-9_]*`, may not start with `ML_PLATFORM_`, and
            values may not contain NUL characters. The platform's own
            variables override these.
        hyperparameters (JobCreateHyperparameters | Unset): Written to a JSON file named by
            `ML_PLATFORM_HYPERPARAMETERS_FILE`.
        timeout_seconds (int | Unset): Seconds the job may run, counted from RUNNING.
        wait_for_capacity (bool | Unset): Queue the job when it does not fit now instead of rejecting it. Default:
            False.
    """

    name: str
    script: str
    code_digest: str
    resources: Resources | Unset = UNSET
    environment: JobCreateEnvironment | Unset = UNSET
    hyperparameters: JobCreateHyperparameters | Unset = UNSET
    timeout_seconds: int | Unset = UNSET
    wait_for_capacity: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        script = self.script

        code_digest = self.code_digest

        resources: dict[str, Any] | Unset = UNSET
        if not isinstance(self.resources, Unset):
            resources = self.resources.to_dict()

        environment: dict[str, Any] | Unset = UNSET
        if not isinstance(self.environment, Unset):
            environment = self.environment.to_dict()

        hyperparameters: dict[str, Any] | Unset = UNSET
        if not isinstance(self.hyperparameters, Unset):
            hyperparameters = self.hyperparameters.to_dict()

        timeout_seconds = self.timeout_seconds

        wait_for_capacity = self.wait_for_capacity

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "script": script,
                "code_digest": code_digest,
            }
        )
        if resources is not UNSET:
            field_dict["resources"] = resources
        if environment is not UNSET:
            field_dict["environment"] = environment
        if hyperparameters is not UNSET:
            field_dict["hyperparameters"] = hyperparameters
        if timeout_seconds is not UNSET:
            field_dict["timeout_seconds"] = timeout_seconds
        if wait_for_capacity is not UNSET:
            field_dict["wait_for_capacity"] = wait_for_capacity

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.job_create_environment import JobCreateEnvironment  # noqa: PLC0415
        from ..models.job_create_hyperparameters import JobCreateHyperparameters  # noqa: PLC0415
        from ..models.resources import Resources  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        script = d.pop("script")

        code_digest = d.pop("code_digest")

        _resources = d.pop("resources", UNSET)
        resources: Resources | Unset
        if isinstance(_resources, Unset):
            resources = UNSET
        else:
            resources = Resources.from_dict(_resources)

        _environment = d.pop("environment", UNSET)
        environment: JobCreateEnvironment | Unset
        if isinstance(_environment, Unset):
            environment = UNSET
        else:
            environment = JobCreateEnvironment.from_dict(_environment)

        _hyperparameters = d.pop("hyperparameters", UNSET)
        hyperparameters: JobCreateHyperparameters | Unset
        if isinstance(_hyperparameters, Unset):
            hyperparameters = UNSET
        else:
            hyperparameters = JobCreateHyperparameters.from_dict(_hyperparameters)

        timeout_seconds = d.pop("timeout_seconds", UNSET)

        wait_for_capacity = d.pop("wait_for_capacity", UNSET)

        job_create = cls(
            name=name,
            script=script,
            code_digest=code_digest,
            resources=resources,
            environment=environment,
            hyperparameters=hyperparameters,
            timeout_seconds=timeout_seconds,
            wait_for_capacity=wait_for_capacity,
        )

        return job_create
