"""`MLPlatformClient`: the entry point of the SDK."""

from __future__ import annotations

import os
import ssl
from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING

from ml_platform import _calls
from ml_platform._client_base import DEFAULT_LIST_PAGE_SIZE, ClientBase, ListArguments
from ml_platform._job import TrainingJob
from ml_platform._paging import JobPage, JobPager
from ml_platform._resources import JobStatus, Resources
from ml_platform._submission import build_job_spec
from ml_platform._types import Cluster, Identity
from ml_platform._validation import HyperparameterValue, check_job_id

if TYPE_CHECKING:
    from ml_platform_client import models

    from ml_platform._config import ClientConfig
    from ml_platform._session import Session

__all__ = ["DEFAULT_LIST_PAGE_SIZE", "MLPlatformClient"]


class MLPlatformClient(ClientBase["Session", JobPage]):
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
        >>> with MLPlatformClient() as mlp:
        ...     job = mlp.create_job("tiny", "train.py", workdir="docs/snippets/tiny-train",
        ...                          resources=Resources(cpu=2))
        ...     for line in job.submit().follow_logs():
        ...         print(line.text)
        epoch 1: loss=0.500 accuracy=0.750
        epoch 2: loss=0.250 accuracy=0.875
        epoch 3: loss=0.125 accuracy=0.938
    """

    _page_type = JobPage

    def _make_session(
        self, config: ClientConfig, *, max_retries: int, verify: bool | str | ssl.SSLContext
    ) -> Session:
        from ml_platform._session import Session

        return Session(config, max_retries=max_retries, verify=verify)

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
            >>> job = client.create_job(
            ...     "tiny", "train.py", workdir="docs/snippets/tiny-train",
            ...     hyperparameters={"epochs": 2}, resources=Resources(cpu=2),
            ... )
            >>> job.id is None
            True
            >>> job.submit()
            TrainingJob(id='job-...', name='tiny', status='RUNNING')
        """
        spec = build_job_spec(
            name,
            script,
            workdir=workdir,
            resources=resources,
            environment=environment,
            hyperparameters=hyperparameters,
            timeout_seconds=timeout_seconds,
        )
        return TrainingJob(self._session, spec=spec)

    def get_job(self, job_id: str) -> TrainingJob:
        """Fetch a submitted job by id.

        Raises:
            JobNotFoundError: No job with this id exists for this API key.
        """
        model = self._session.call(_calls.get_job(check_job_id(job_id)))
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
            >>> running = [job.id for job in client.list_jobs(status="RUNNING")]
        """
        arguments = ListArguments(status, name_prefix, page_size)
        pager = self._pager(arguments, page_size=arguments.page_size or DEFAULT_LIST_PAGE_SIZE)
        return self._iterate_jobs(pager)

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
            The jobs, the cursor of the next page (None on the last page) and the server's
            time from the response's ``Date`` header.
        """
        arguments = ListArguments(status, name_prefix, page_size)
        pager = self._pager(arguments, page_size=arguments.page_size, cursor=cursor)
        call = pager.next_call()
        assert call is not None  # a new pager always has a first page
        return pager.accept(*self._session.call_detailed(call))

    # Cluster ------------------------------------------------------------------------------------

    def pools(self) -> Cluster:
        """Return the GPU pools and the CPU and memory budget, with what is free now."""
        return Cluster._from_api(self._session.call(_calls.list_pools()))

    def whoami(self) -> Identity:
        """Return the user and API key behind this client's requests.

        Raises:
            AuthenticationError: The API key is missing or rejected.
        """
        return Identity._from_api(self._session.call(_calls.whoami()))

    # Internals ----------------------------------------------------------------------------------

    def _job_from_model(self, model: models.Job) -> TrainingJob:
        return TrainingJob._from_model(self._session, model)

    def _iterate_jobs(self, pager: JobPager[JobPage]) -> Iterator[TrainingJob]:
        while (call := pager.next_call()) is not None:
            yield from pager.accept(*self._session.call_detailed(call)).jobs
