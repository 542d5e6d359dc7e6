"""The shared part of `MLPlatformClient` and `AsyncMLPlatformClient`: settings, checks, paging."""

from __future__ import annotations

import os
import ssl
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from ml_platform._config import ClientConfig, resolve_config
from ml_platform._exceptions import ConfigError, ValidationError
from ml_platform._logging import setup_logging
from ml_platform._paging import JobPager
from ml_platform._resources import JobStatus
from ml_platform._retry import DEFAULT_MAX_RETRIES
from ml_platform._validation import check_page_size, check_status_filter

if TYPE_CHECKING:
    from ml_platform_client import models

    from ml_platform._job_attributes import JobAttributes
    from ml_platform._paging import BaseJobPage

__all__ = ["DEFAULT_LIST_PAGE_SIZE", "ClientBase", "ListArguments"]

DEFAULT_LIST_PAGE_SIZE = 100
"""The page size ``list_jobs`` uses when none is given (the API's maximum)."""

_Session = TypeVar("_Session")
_Page = TypeVar("_Page", bound="BaseJobPage[Any]")


class ListArguments:
    """The checked filters of a job listing.

    Raises:
        ValidationError: A filter is invalid.
    """

    def __init__(
        self,
        status: JobStatus | str | None,
        name_prefix: str | None,
        page_size: int | None,
    ) -> None:
        self.status = check_status_filter(status)
        self.name_prefix = _check_name_prefix(name_prefix)
        self.page_size = check_page_size(page_size)


class ClientBase(Generic[_Session, _Page]):
    """The configuration, session and job listing of a client, sync or async.

    Args:
        api_key: The API key.
        base_url: The server root URL.
        profile: The config-file profile to use.
        config_file: The config file to read.
        timeout: Seconds to wait for a response.
        max_retries: Retries of a failed request that is safe to repeat.
        verify: TLS verification: True, False, a CA bundle path or an `ssl.SSLContext`.

    Raises:
        ConfigError: A setting is invalid, or the config file or profile is missing or malformed.
    """

    _session: _Session
    _page_type: ClassVar[type[Any]]

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
        self._session = self._make_session(self._config, max_retries=retries, verify=verify)

    def _make_session(
        self, config: ClientConfig, *, max_retries: int, verify: bool | str | ssl.SSLContext
    ) -> _Session:
        raise NotImplementedError

    def _job_from_model(self, model: models.Job) -> JobAttributes[Any]:
        raise NotImplementedError

    def _pager(
        self, arguments: ListArguments, *, page_size: int | None, cursor: str | None = None
    ) -> JobPager[_Page]:
        return JobPager(
            self._page_type,
            self._job_from_model,
            status=arguments.status,
            name_prefix=arguments.name_prefix,
            page_size=page_size,
            cursor=cursor,
        )

    def __repr__(self) -> str:
        config = self._config
        return f"{type(self).__name__}(base_url={config.base_url!r}, profile={config.profile!r})"

    @property
    def config(self) -> ClientConfig:
        """The resolved configuration; ``config.sources`` records where each value came from."""
        return self._config


def _check_name_prefix(prefix: str | None) -> str | None:
    if prefix is None:
        return None
    if isinstance(prefix, str) and 0 < len(prefix) <= 128:
        return prefix
    raise ValidationError(
        f"Invalid name_prefix={prefix!r}: expected 1 to 128 characters, or None for all names.",
        field="name_prefix",
    )
