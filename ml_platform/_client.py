"""`MLPlatformClient`: the entry point of the SDK."""

from __future__ import annotations

import os
import ssl
from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING

from ml_platform._config import ClientConfig, resolve_config
from ml_platform._exceptions import ConfigError, ValidationError
from ml_platform._job import TrainingJob
from ml_platform._logging import setup_logging
from ml_platform._resources import JobStatus, Resources
from ml_platform._retry import DEFAULT_MAX_RETRIES
from ml_platform._submission import JobSpec
from ml_platform._types import Cluster, Identity, JobPage
from ml_platform._validation import (
    HyperparameterValue,
    check_environment,
    check_hyperparameters,
    check_job_id,
    check_name,
    check_page_size,
    check_status_filter,
    check_timeout_seconds,
    resolve_script,
)

if TYPE_CHECKING:
    from ml_platform._session import Session

__all__ = ["DEFAULT_LIST_PAGE_SIZE", "MLPlatformClient"]

DEFAULT_LIST_PAGE_SIZE = 100
"""The page size `MLPlatformClient.list_jobs` uses when none is given (the API's maximum)."""


class MLPlatformClient:
    """A client for the ML Platform training API.

    Settings left as None fall back, in order, to the environment variables
    ``ML_PLATFORM_API_KEY``, ``ML_PLATFORM_URL`` and ``ML_PLATFORM_TIMEOUT``, then to the
    selected profile of the config file, then to the defaults (``http://127.0.0.1:8000`` and
    30 seconds). The config file is ``config_file``, ``ML_PLATFORM_CONFIG`` or
    ``~/.mlplatform/config.yaml``. Its profile is ``profile``, ``ML_PLATFORM_PROFILE`` or the
    file's ``default_profile``. `config` shows where each value came from. Set
    ``ML_PLATFORM_LOG=info`` or ``debug`` to log every request to stderr.

    Proxies and CA bundles follow httpx's rules: ``HTTPS_PROXY``, ``HTTP_PROXY``,
    ``NO_PROXY``, ``SSL_CERT_FILE`` and ``SSL_CERT_DIR`` are honoured.

    Args:
        api_key: The API key, as printed by ``mlp-server keys create``.
        base_url: The server root URL, for example ``http://127.0.0.1:8000``; a trailing
            ``/api/v1`` is accepted and removed.
        profile: The config-file profile to use.
        config_file: The config file to read instead of ``~/.mlplatform/config.yaml``.
        timeout: Seconds to wait for a response; long polls get their wait on top.
        max_retries: Retries of a failed request that is safe to repeat (default 2).
        verify: TLS verification: True, False, a CA bundle path or an `ssl.SSLContext`.

    Raises:
        ConfigError: A setting is invalid, or the config file or profile is missing or malformed.

    Example:
        >>> from ml_platform import MLPlatformClient, Resources
        >>> with MLPlatformClient() as client:  # doctest: +SKIP
        ...     job = client.create_job("mnist", "train.py", workdir="examples",
        ...                             resources=Resources(gpu=1, gpu_type="t4"))
        ...     job.submit()
        ...     for line in job.follow_logs():
        ...         print(line.text)
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        profile: str | None = None,
        config_file: str | os.PathLike[str] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        verify: bool | str | ssl.SSLContext = True,
    ) -> None:
        setup_logging()
        self._config = resolve_config(
            api_key, base_url, profile=profile, config_file=config_file, timeout=timeout
        )
        retries = DEFAULT_MAX_RETRIES if max_retries is None else max_retries
        if not isinstance(retries, int) or isinstance(retries, bool) or retries < 0:
            raise ConfigError(
                f"Invalid max_retries={max_retries!r}: expected a whole number of retries, "
                f"0 or more (default {DEFAULT_MAX_RETRIES})."
            )

        from ml_platform._session import Session

        self._session: Session = Session(self._config, max_retries=retries, verify=verify)

    def __repr__(self) -> str:
        config = self._config
        return f"MLPlatformClient(base_url={config.base_url!r}, profile={config.profile!r})"

    def __enter__(self) -> MLPlatformClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the client's connections. Jobs made by this client can no longer make requests."""
        self._session.close()

    @property
    def config(self) -> ClientConfig:
        """The resolved configuration; ``config.sources`` records where each value came from."""
        return self._config

    # Jobs ---------------------------------------------------------------------------------------

    def create_job(
        self,
        name: str,
        script: str | os.PathLike[str],
        *,
        workdir: str | os.PathLike[str] = ".",
        resources: Resources | None = None,
        environment: Mapping[str, str] | None = None,
        hyperparameters: Mapping[str, HyperparameterValue] | None = None,
        timeout_seconds: int | None = None,
    ) -> TrainingJob:
        """Describe a job locally; nothing is sent until `TrainingJob.submit`.

        Args:
            name: A name for people: letters, digits, ``.``, ``_`` and ``-``; need not be unique.
            script: The Python script to run, relative to ``workdir`` (or a path inside it).
            workdir: The directory to upload; the script runs with it as working directory.
            resources: CPU, memory and GPUs; `Resources` defaults (1 CPU, 2Gi, no GPU) if None.
            environment: Environment variables for the script.
            hyperparameters: Values the script reads with ``ml_platform.hyperparameters()``.
            timeout_seconds: Stop the job after this many seconds of running; None for no limit.

        Returns:
            The job, not yet submitted (its ``id`` is None).

        Raises:
            ValidationError: An argument is invalid; the message names the fix.

        Example:
            >>> job = client.create_job(  # doctest: +SKIP
            ...     "mnist", "train.py", workdir="examples",
            ...     hyperparameters={"epochs": 5}, resources=Resources(cpu=2),
            ... )
            >>> job.submit()  # doctest: +SKIP
        """
        if resources is not None and not isinstance(resources, Resources):
            raise ValidationError(
                f"Invalid resources of type {type(resources).__name__}: expected a Resources "
                'object, for example Resources(gpu=1, gpu_type="t4").',
                field="resources",
            )
        root, relative_script = resolve_script(script, workdir)
        spec = JobSpec(
            name=check_name(name),
            script=relative_script,
            workdir=root,
            resources=resources if resources is not None else Resources(),
            environment=check_environment(environment),
            hyperparameters=check_hyperparameters(hyperparameters),
            timeout_seconds=check_timeout_seconds(timeout_seconds),
        )
        return TrainingJob(self._session, spec=spec)

    def get_job(self, job_id: str) -> TrainingJob:
        """Fetch a submitted job by id.

        Raises:
            JobNotFoundError: No job with this id exists for this API key.
        """
        from ml_platform_client import models
        from ml_platform_client.api.jobs import get_job

        model = self._session.call(get_job.sync_detailed, models.Job, job_id=check_job_id(job_id))
        return TrainingJob._from_model(self._session, model)

    def list_jobs(
        self,
        status: JobStatus | str | None = None,
        name_prefix: str | None = None,
        page_size: int | None = None,
    ) -> Iterator[TrainingJob]:
        """Iterate over every matching job, newest first, fetching pages as needed.

        Arguments are checked at once; the first request is made on the first ``next()``.

        Args:
            status: Only jobs with this status.
            name_prefix: Only jobs whose name starts with this.
            page_size: Jobs per request, 1 to 100 (default 100).

        Example:
            >>> running = [job.id for job in client.list_jobs(status="RUNNING")]  # doctest: +SKIP
        """
        status_filter = check_status_filter(status)
        size = check_page_size(page_size) or DEFAULT_LIST_PAGE_SIZE
        prefix = _check_name_prefix(name_prefix)
        return self._iterate_jobs(status_filter, prefix, size)

    def list_jobs_page(
        self,
        status: JobStatus | str | None = None,
        name_prefix: str | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
    ) -> JobPage:
        """Fetch one page of matching jobs, newest first.

        Args:
            status: Only jobs with this status.
            name_prefix: Only jobs whose name starts with this.
            page_size: Jobs on the page, 1 to 100; None uses the server's default (20).
            cursor: The ``next_cursor`` of the previous page; None for the first page.

        Returns:
            The jobs and the cursor of the next page (None on the last page).
        """
        return self._fetch_page(
            check_status_filter(status),
            _check_name_prefix(name_prefix),
            check_page_size(page_size),
            cursor,
        )

    # Cluster ------------------------------------------------------------------------------------

    def pools(self) -> Cluster:
        """Return the GPU pools and the CPU and memory budget, with what is free now."""
        from ml_platform_client import models
        from ml_platform_client.api.cluster import list_pools

        return Cluster._from_api(self._session.call(list_pools.sync_detailed, models.Cluster))

    def whoami(self) -> Identity:
        """Return the user and API key behind this client's requests.

        Raises:
            AuthenticationError: The API key is missing or rejected.
        """
        from ml_platform_client import models
        from ml_platform_client.api.cluster import whoami

        return Identity._from_api(self._session.call(whoami.sync_detailed, models.Identity))

    # Internals ----------------------------------------------------------------------------------

    def _iterate_jobs(
        self, status: str | None, prefix: str | None, size: int
    ) -> Iterator[TrainingJob]:
        cursor: str | None = None
        while True:
            page = self._fetch_page(status, prefix, size, cursor)
            yield from page.jobs
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def _fetch_page(
        self, status: str | None, prefix: str | None, size: int | None, cursor: str | None
    ) -> JobPage:
        from ml_platform_client import models
        from ml_platform_client.api.jobs import list_jobs
        from ml_platform_client.types import UNSET

        listing = self._session.call(
            list_jobs.sync_detailed,
            models.JobList,
            status=UNSET if status is None else status,
            name=UNSET if prefix is None else prefix,
            limit=UNSET if size is None else size,
            cursor=UNSET if cursor is None else cursor,
        )
        jobs = [TrainingJob._from_model(self._session, model) for model in listing.jobs]
        next_cursor = listing.next_cursor if isinstance(listing.next_cursor, str) else None
        return JobPage(jobs=jobs, next_cursor=next_cursor)


def _check_name_prefix(prefix: str | None) -> str | None:
    if prefix is None:
        return None
    if isinstance(prefix, str) and 0 < len(prefix) <= 128:
        return prefix
    raise ValidationError(
        f"Invalid name_prefix={prefix!r}: expected 1 to 128 characters, or None for all names.",
        field="name_prefix",
    )
