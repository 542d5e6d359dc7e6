"""Python SDK for the ML Platform training API.

Submit training jobs, follow their logs, read their metrics and cancel them::

    from ml_platform import MLPlatformClient, Resources

    with MLPlatformClient() as client:
        job = client.create_job("mnist", "train.py", workdir="examples",
                                resources=Resources(cpu=2))
        job.submit()
        for line in job.follow_logs():
            print(line.text)
        print(job.wait_for_completion())

`AsyncMLPlatformClient` and `AsyncTrainingJob` offer the same methods for asyncio code.

Inside a training script, `report` sends metrics and `hyperparameters` reads the job's
hyperparameters.

Importing the package is cheap: each public name is imported on first use, so
``import ml_platform`` loads neither httpx nor the generated client.
"""

from __future__ import annotations

from ml_platform._version import __version__

# A constant, not typing.TYPE_CHECKING, because importing typing loads re, enum and collections:
# about 20 ms on a 2-core machine by `python -X importtime`. Type checkers treat a constant of
# this name as typing.TYPE_CHECKING.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ml_platform._async_client import AsyncMLPlatformClient
    from ml_platform._async_job import AsyncTrainingJob
    from ml_platform._client import MLPlatformClient
    from ml_platform._config import ClientConfig, ConfigSource, InsecureTransportWarning
    from ml_platform._exceptions import (
        APIConnectionError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        ConfigError,
        ConflictError,
        IdempotencyConflictError,
        JobFailedError,
        JobNotFoundError,
        MLPlatformError,
        PermissionDeniedError,
        RateLimitError,
        ResourceUnavailableError,
        ServerError,
        ValidationError,
        WaitTimeoutError,
    )
    from ml_platform._job import TrainingJob
    from ml_platform._paging import AsyncJobPage, JobPage
    from ml_platform._report import hyperparameters, report
    from ml_platform._resources import JobStatus, Resources
    from ml_platform._types import (
        Cluster,
        DryRunResult,
        GPUPool,
        Identity,
        JobMetrics,
        LogLine,
        MetricPoint,
    )

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncJobPage",
    "AsyncMLPlatformClient",
    "AsyncTrainingJob",
    "AuthenticationError",
    "ClientConfig",
    "Cluster",
    "ConfigError",
    "ConfigSource",
    "ConflictError",
    "DryRunResult",
    "GPUPool",
    "IdempotencyConflictError",
    "Identity",
    "InsecureTransportWarning",
    "JobFailedError",
    "JobMetrics",
    "JobNotFoundError",
    "JobPage",
    "JobStatus",
    "LogLine",
    "MLPlatformClient",
    "MLPlatformError",
    "MetricPoint",
    "PermissionDeniedError",
    "RateLimitError",
    "ResourceUnavailableError",
    "Resources",
    "ServerError",
    "TrainingJob",
    "ValidationError",
    "WaitTimeoutError",
    "__version__",
    "hyperparameters",
    "report",
]

# The private module that defines each public name, imported on first access.
_MODULE_OF = {
    "AsyncMLPlatformClient": "_async_client",
    "AsyncTrainingJob": "_async_job",
    "MLPlatformClient": "_client",
    "ClientConfig": "_config",
    "ConfigSource": "_config",
    "InsecureTransportWarning": "_config",
    "TrainingJob": "_job",
    "AsyncJobPage": "_paging",
    "JobPage": "_paging",
    "hyperparameters": "_report",
    "report": "_report",
    "JobStatus": "_resources",
    "Resources": "_resources",
    **dict.fromkeys(
        [
            "Cluster",
            "DryRunResult",
            "GPUPool",
            "Identity",
            "JobMetrics",
            "LogLine",
            "MetricPoint",
        ],
        "_types",
    ),
    **dict.fromkeys(
        [
            "APIConnectionError",
            "APIStatusError",
            "APITimeoutError",
            "AuthenticationError",
            "ConfigError",
            "ConflictError",
            "IdempotencyConflictError",
            "JobFailedError",
            "JobNotFoundError",
            "MLPlatformError",
            "PermissionDeniedError",
            "RateLimitError",
            "ResourceUnavailableError",
            "ServerError",
            "ValidationError",
            "WaitTimeoutError",
        ],
        "_exceptions",
    ),
}


def __getattr__(name: str) -> Any:
    module_name = _MODULE_OF.get(name)
    if module_name is None:
        raise AttributeError(f"module 'ml_platform' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"ml_platform.{module_name}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
