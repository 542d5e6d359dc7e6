"""Build the ASGI application: Connexion routed from the packaged spec, behind the front layer."""

from __future__ import annotations

import importlib.resources
import importlib.util
import logging
import subprocess
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from connexion import AsyncApp
from connexion.datastructures import MediaTypeDict
from connexion.exceptions import ProblemException
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from connexion.validators import VALIDATOR_MAP
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp

from ._api_cluster import ClusterApi
from ._api_code import CodeApi
from ._api_jobs import JobsApi
from ._auth import Authenticator
from ._config import ServerConfig
from ._context import AppContext
from ._errors import handle_exception
from ._events import ChangeFeed
from ._front import FrontMiddleware, routes_from_spec
from ._jobs import JobService
from ._problems import ApiProblem
from ._ratelimit import RateLimiter
from ._scheduler import Scheduler
from ._sqlite import SqliteStorage
from ._storage import Storage
from ._validators import FieldParameterValidator, StrictJSONBodyValidator

logger = logging.getLogger("ml_platform_server")

SDK_PACKAGE = "ml_platform"


@cache
def load_spec() -> dict[str, Any]:
    """Load the OpenAPI document shipped inside this package."""
    text = importlib.resources.files(__package__).joinpath("openapi.yaml").read_text("utf-8")
    spec: dict[str, Any] = yaml.safe_load(text)
    return spec


def base_path_of(spec: dict[str, Any]) -> str:
    """Return the path prefix of the spec's first server, such as ``/api/v1``."""
    servers = spec.get("servers") or [{"url": ""}]
    return str(servers[0]["url"]).rstrip("/")


def sdk_python_path() -> str | None:
    """Return a ``PYTHONPATH`` entry for jobs when they could not import the SDK otherwise.

    Jobs run ``sys.executable`` with a clean environment, which normally finds
    the SDK in the same virtual environment; then nothing is added.
    """
    spec = importlib.util.find_spec(SDK_PACKAGE)
    if spec is None or spec.origin is None:
        return None
    check = subprocess.run(
        [sys.executable, "-c", f"import {SDK_PACKAGE}"],
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        timeout=30,
        check=False,
    )
    if check.returncode == 0:
        return None
    return str(Path(spec.origin).parent.parent)


def build_context(config: ServerConfig, storage: Storage | None = None) -> AppContext:
    """Open storage and create the services of a server."""
    storage = storage or SqliteStorage(config.data_dir)
    scheduler = Scheduler(config.cluster)
    feed = ChangeFeed()
    service = JobService(
        storage,
        scheduler,
        feed,
        data_dir=config.data_dir,
        grace_period=config.grace_period,
        python_path=sdk_python_path(),
    )
    authenticator = Authenticator(storage, RateLimiter(config.rate_limit))
    return AppContext(
        config=config,
        storage=storage,
        scheduler=scheduler,
        feed=feed,
        service=service,
        authenticator=authenticator,
        api_version=str(load_spec()["info"]["version"]),
    )


def _handlers(context: AppContext) -> dict[str, Callable[..., Any]]:
    jobs = JobsApi(context)
    code = CodeApi(context)
    cluster = ClusterApi(context)
    return {
        "whoami": cluster.whoami,
        "list_pools": cluster.list_pools,
        "code_exists": code.code_exists,
        "upload_code": code.upload_code,
        "list_jobs": jobs.list_jobs,
        "create_job": jobs.create_job,
        "get_job": jobs.get_job,
        "cancel_job": jobs.cancel_job,
        "get_job_logs": jobs.get_job_logs,
        "get_job_metrics": jobs.get_job_metrics,
    }


def create_app(context: AppContext) -> ASGIApp:
    """Create the ASGI application of a server."""
    spec = load_spec()
    handlers = _handlers(context)

    def resolve(operation_id: str) -> Callable[..., Any]:
        try:
            return handlers[operation_id]
        except KeyError:
            raise ValueError(f"no handler for operationId {operation_id!r}") from None

    validator_map = {
        "parameter": FieldParameterValidator,
        "body": MediaTypeDict({"*/*json": StrictJSONBodyValidator}),
        "response": VALIDATOR_MAP["response"],
    }
    app = AsyncApp(__name__)
    app.add_api(
        spec,
        base_path=base_path_of(spec),
        resolver=Resolver(resolve),
        strict_validation=True,
        validate_responses=True,
        validator_map=validator_map,
        security_map={"bearer": context.authenticator.security_handler()},
        swagger_ui_options=SwaggerUIOptions(swagger_ui=False, serve_spec=False),
    )
    for exception_class in (ApiProblem, ProblemException, HTTPException, Exception):
        app.add_error_handler(exception_class, handle_exception)
    return FrontMiddleware(app, routes_from_spec(spec, base_path_of(spec)))
