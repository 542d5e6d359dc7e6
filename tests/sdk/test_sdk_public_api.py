"""The package's public surface: the exported names and the cost of importing it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import ml_platform

EXPECTED_NAMES = [
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


def test_all_lists_public_names_sorted() -> None:
    assert ml_platform.__all__ == EXPECTED_NAMES
    assert ml_platform.__all__ == sorted(ml_platform.__all__)


@pytest.mark.parametrize("name", EXPECTED_NAMES)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(ml_platform, name) is not None
    assert name in dir(ml_platform)


def test_unknown_attribute_raises() -> None:
    with pytest.raises(AttributeError, match="no attribute 'missing'"):
        ml_platform.missing  # noqa: B018


def test_exception_tree() -> None:
    from ml_platform import (
        APIConnectionError,
        APIStatusError,
        APITimeoutError,
        ConflictError,
        IdempotencyConflictError,
        MLPlatformError,
        ResourceUnavailableError,
        ValidationError,
        WaitTimeoutError,
    )

    assert issubclass(APITimeoutError, APIConnectionError)
    assert issubclass(APIConnectionError, MLPlatformError)
    assert issubclass(ValidationError, APIStatusError)
    assert issubclass(ValidationError, ValueError)
    assert issubclass(ResourceUnavailableError, ConflictError)
    assert issubclass(IdempotencyConflictError, ConflictError)
    assert issubclass(WaitTimeoutError, TimeoutError)
    assert issubclass(WaitTimeoutError, MLPlatformError)
    for name in EXPECTED_NAMES:
        value = getattr(ml_platform, name)
        if isinstance(value, type) and issubclass(value, Exception) and name.endswith("Error"):
            assert issubclass(value, MLPlatformError), name


@pytest.mark.timeout(60)
def test_import_loads_neither_httpx_nor_generated_client() -> None:
    probe = (
        "import json, sys\n"
        "import ml_platform\n"
        "ml_platform.Resources(gpu=1, gpu_type='t4')\n"
        "ml_platform.JobStatus('RUNNING')\n"
        "ml_platform.MLPlatformError\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    loaded = set(json.loads(result.stdout))

    assert "ml_platform" in loaded
    assert "httpx" not in loaded
    assert "httpcore" not in loaded
    assert "ml_platform_client" not in loaded
    assert "yaml" not in loaded


@pytest.mark.timeout(60)
def test_client_import_loads_httpx_on_first_use() -> None:
    probe = (
        "import sys\n"
        "import ml_platform\n"
        "ml_platform.MLPlatformClient(api_key='mlp_x', base_url='http://127.0.0.1:9')\n"
        "print('httpx' in sys.modules, 'ml_platform_client' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.split() == ["True", "True"]


def test_version_matches_distribution() -> None:
    from importlib.metadata import version

    assert ml_platform.__version__ == version("ml-platform")
