"""Phrase SDK errors for people at a terminal.

The SDK's messages read "diagnosis; fix." and name Python fixes (``job.refresh()``, the
``api_key`` parameter). Here the diagnosis is kept where it suits a terminal, and the fix is
replaced by the ``mlp`` option, command or environment variable that helps.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mlp_cli._render import format_gpus, format_resources

if TYPE_CHECKING:
    import ml_platform

DEFAULT_CONFIG_FILE = "~/.mlplatform/config.yaml"

_ALTERNATIVE_FLAGS: dict[str, str] = {
    "smaller_gpu_count": "gpu",
    "other_gpu_type": "gpu_type",
}


def diagnosis(message: str) -> str:
    """Return the part of an SDK message before its fix."""
    return message.split("; ", 1)[0].rstrip(".")


def _config_file() -> str:
    return os.environ.get("ML_PLATFORM_CONFIG") or DEFAULT_CONFIG_FILE


def _format_alternative(alternative: Mapping[str, Any]) -> str | None:
    kind = alternative.get("kind")
    if kind == "wait_for_capacity":
        return "--wait-for-capacity to queue the job"

    field = _ALTERNATIVE_FLAGS.get(str(kind))
    resources = alternative.get("resources")
    if field is None or not isinstance(resources, Mapping) or field not in resources:
        description = alternative.get("description")
        return str(description).rstrip(".") if description else None

    flag = "--" + field.replace("_", "-")
    return f"{flag} {resources[field]}"


def _describe_available(available: Mapping[str, Any]) -> str:
    parts = []
    if "gpu" in available:
        parts.append(format_gpus(int(available["gpu"]), available.get("gpu_type")))
    if "cpu" in available:
        parts.append(f"{available['cpu']:g} CPU")
    if "memory" in available:
        parts.append(f"{available['memory']} memory")
    free = ", ".join(parts) if parts else "less"
    queued = available.get("queued")
    ahead = f" with {queued} jobs queued ahead" if isinstance(queued, int) and queued else ""
    return f"only {free} free{ahead}"


def capacity_message(problem: Mapping[str, Any]) -> str | None:
    """Phrase a capacity-unavailable problem with ``mlp job create`` options as the fix.

    Returns:
        The message, or None when the problem lists no alternative to suggest.
    """
    alternatives = problem.get("alternatives")
    if not isinstance(alternatives, list):
        return None
    suggestions = [
        text
        for alternative in alternatives
        if isinstance(alternative, Mapping) and (text := _format_alternative(alternative))
    ]
    if not suggestions:
        return None

    requested = problem.get("requested")
    available = problem.get("available")
    requested_text = (
        format_resources(requested) if isinstance(requested, Mapping) else "its resources"
    )
    free = _describe_available(available) if isinstance(available, Mapping) else "less is free"
    fixes = " or ".join(suggestions)
    return (
        f"The job does not fit now: it requested {requested_text} and {free}; retry with {fixes}."
    )


def describe_sdk_error(error: ml_platform.MLPlatformError) -> str:
    """Return the message for an SDK error, with a fix that works from the command line."""
    import ml_platform

    message = str(error)
    problem: Mapping[str, Any] = getattr(error, "problem", None) or {}
    job_id = problem.get("job_id") or getattr(error, "job_id", None)

    if isinstance(error, ml_platform.ResourceUnavailableError) and error.feasible:
        return capacity_message(problem) or message
    if isinstance(error, ml_platform.JobNotFoundError):
        return (
            f"Job {job_id!r} was not found for this API key; check the id, and that the key "
            "from ML_PLATFORM_API_KEY or the profile belongs to the job's owner."
        )
    if str(problem.get("type", "")).endswith(":already-finished"):
        final_status = problem.get("final_status", "a final status")
        return (
            f"Job {job_id!r} already finished with status {final_status}, so there is nothing "
            f"to cancel; see how it ended with `mlp job status {job_id}`."
        )
    if isinstance(error, ml_platform.IdempotencyConflictError):
        return (
            f"The idempotency key was already used for job {job_id!r} with a different job; "
            "pass another --idempotency-key, or leave it out to have one generated."
        )
    if isinstance(error, ml_platform.AuthenticationError):
        return (
            f"{diagnosis(message)}; set ML_PLATFORM_API_KEY, or the api_key of the profile in "
            f"{_config_file()} (chosen with --profile or ML_PLATFORM_PROFILE)."
        )
    if isinstance(error, ml_platform.APITimeoutError):
        return (
            f"{diagnosis(message)}; check that the server is up, or raise ML_PLATFORM_TIMEOUT "
            "(seconds)."
        )
    if isinstance(error, ml_platform.ConfigError):
        # mlp passes only --url and --profile to the client, as its base_url and profile.
        return message.replace("the profile parameter", "the --profile option").replace(
            "the base_url parameter", "the --url option"
        )
    if isinstance(error, ml_platform.APIConnectionError):
        if "because no URL is configured" in message:
            return (
                f"{diagnosis(message)}; run `mlp init` to save a URL and key, or pass --url or "
                "set ML_PLATFORM_URL."
            )
        return (
            f"{diagnosis(message)}; check that the server is running and that --url or "
            "ML_PLATFORM_URL is right."
        )
    return message
