"""`AsyncMLPlatformClient`: the entry point of the SDK for asyncio code."""

from __future__ import annotations

import os
import ssl
from collections.abc import AsyncIterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING

from ml_platform import _calls
from ml_platform._async_job import AsyncTrainingJob
from ml_platform._client_base import DEFAULT_LIST_PAGE_SIZE, ClientBase, ListArguments
from ml_platform._paging import AsyncJobPage, JobPager
from ml_platform._resources import JobStatus, Resources
from ml_platform._submission import build_job_spec
from ml_platform._types import Cluster, Identity
from ml_platform._validation import HyperparameterValue, check_job_id

if TYPE_CHECKING:
    from ml_platform_client import models

    from ml_platform._async_session import AsyncSession
    from ml_platform._config import ClientConfig

__all__ = ["AsyncMLPlatformClient"]


class AsyncMLPlatformClient(ClientBase["AsyncSession", AsyncJobPage]):
    """A client for the ML Platform training API, for asyncio code.

    It takes the same settings, in the same order of precedence, as `MLPlatformClient` and
    has the same methods with the same parameters. The methods that make requests are
    coroutines, `list_jobs` is an async iterator, and ``async with`` or `aclose` closes its
    connections. It sends with an `httpx.AsyncClient` on the running event loop, so many
    requests, long polls included, can wait at once without threads. Use one client from
    one event loop.

    Args:
        api_key: The API key, as printed by ``mlp-server keys create``.
        base_url: The server root URL, for example ``http://127.0.0.1:8000``.
        profile: The config-file profile to use.
        config_file: The config file to read instead of ``~/.mlplatform/config.yaml``.
        timeout: Seconds to wait for a response; long polls get their wait on top.
        max_retries: Retries of a failed request that is safe to repeat (default 2).
        verify: TLS verification: True, False, a CA bundle path or an `ssl.SSLContext`.

    Raises:
        ConfigError: A setting is invalid, or the config file or profile is missing or malformed.

    Example:
        >>> import asyncio
        >>> async def run_three():
        ...     async with AsyncMLPlatformClient() as mlp:
        ...         jobs = [
        ...             await mlp.create_job(f"tiny-{n}", "train.py",
        ...                                  workdir="docs/snippets/tiny-train").submit()
        ...             for n in range(3)
        ...         ]
        ...         return await asyncio.gather(*(job.wait_for_completion() for job in jobs))
        >>> [status.value for status in asyncio.run(run_three())]
        ['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']
    """

    _page_type = AsyncJobPage

    def _make_session(
        self, config: ClientConfig, *, max_retries: int, verify: bool | str | ssl.SSLContext
    ) -> AsyncSession:
        from ml_platform._async_session import AsyncSession

        return AsyncSession(config, max_retries=max_retries, verify=verify)

    async def __aenter__(self) -> AsyncMLPlatformClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the client's connections. Jobs made by this client can no longer make requests."""
        await self._session.aclose()

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
    ) -> AsyncTrainingJob:
        """Describe a job locally; nothing is sent until `AsyncTrainingJob.submit`.

        It makes no request, so it is not a coroutine. The arguments are those of
        `MLPlatformClient.create_job`.

        Raises:
            ValidationError: An argument is invalid; the message names the fix.
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
        return AsyncTrainingJob(self._session, spec=spec)

    async def get_job(self, job_id: str) -> AsyncTrainingJob:
        """Fetch a submitted job by id.

        Raises:
            JobNotFoundError: No job with this id exists for this API key.
        """
        model = await self._session.call(_calls.get_job(check_job_id(job_id)))
        return AsyncTrainingJob._from_model(self._session, model)

    def list_jobs(
        self,
        status: JobStatus | str | None = None,
        name_prefix: str | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[AsyncTrainingJob]:
        """Iterate with ``async for`` over every matching job, newest first, page by page.

        Arguments are checked at once; the first request is made on the first iteration.
        The arguments are those of `MLPlatformClient.list_jobs`.
        """
        arguments = ListArguments(status, name_prefix, page_size)
        pager = self._pager(arguments, page_size=arguments.page_size or DEFAULT_LIST_PAGE_SIZE)
        return self._iterate_jobs(pager)

    async def list_jobs_page(
        self,
        status: JobStatus | str | None = None,
        name_prefix: str | None = None,
        page_size: int | None = None,
        cursor: str | None = None,
    ) -> AsyncJobPage:
        """Fetch one page of matching jobs, newest first; see `MLPlatformClient.list_jobs_page`.

        Returns:
            The jobs, the cursor of the next page (None on the last page) and the server's
            time from the response's ``Date`` header.
        """
        arguments = ListArguments(status, name_prefix, page_size)
        pager = self._pager(arguments, page_size=arguments.page_size, cursor=cursor)
        call = pager.next_call()
        assert call is not None  # a new pager always has a first page
        return pager.accept(*await self._session.call_detailed(call))

    # Cluster ------------------------------------------------------------------------------------

    async def pools(self) -> Cluster:
        """Return the GPU pools and the CPU and memory budget, with what is free now."""
        return Cluster._from_api(await self._session.call(_calls.list_pools()))

    async def whoami(self) -> Identity:
        """Return the user and API key behind this client's requests.

        Raises:
            AuthenticationError: The API key is missing or rejected.
        """
        return Identity._from_api(await self._session.call(_calls.whoami()))

    # Internals ----------------------------------------------------------------------------------

    def _job_from_model(self, model: models.Job) -> AsyncTrainingJob:
        return AsyncTrainingJob._from_model(self._session, model)

    async def _iterate_jobs(self, pager: JobPager[AsyncJobPage]) -> AsyncIterator[AsyncTrainingJob]:
        while (call := pager.next_call()) is not None:
            for job in pager.accept(*await self._session.call_detailed(call)).jobs:
                yield job
