"""Settings shared by every command of one ``mlp`` run, and the SDK client built from them."""

from __future__ import annotations

import dataclasses
import shlex
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from ml_platform import MLPlatformClient


@dataclasses.dataclass(kw_only=True)
class CliState:
    """Options of the root group and the connection options of any command.

    Attributes:
        url: The server root URL from ``--url``, or None to let the SDK resolve it.
        profile: The config profile from ``--profile``, or None to let the SDK resolve it.
        debug: Whether errors print their traceback.
        color: True or False from ``--color``/``--no-color``, None to detect.
    """

    url: str | None = None
    profile: str | None = None
    debug: bool = False
    color: bool | None = None

    def connect(self) -> MLPlatformClient:
        """Create an SDK client from the connection options.

        Options left out fall back to the SDK's own precedence: ``ML_PLATFORM_URL``,
        ``ML_PLATFORM_API_KEY`` and ``ML_PLATFORM_PROFILE``, then the config file. The API key is
        never an option, so that it stays out of shell history.
        """
        from ml_platform import MLPlatformClient

        return MLPlatformClient(base_url=self.url, profile=self.profile)

    def command_prefix(self) -> str:
        """Return ``mlp`` plus the connection options given, to build commands to suggest."""
        words = ["mlp"]
        if self.url is not None:
            words += ["--url", self.url]
        if self.profile is not None:
            words += ["--profile", self.profile]
        return shlex.join(words)


def get_state(ctx: click.Context | None = None) -> CliState:
    """Return the run's :class:`CliState`, creating it on first use."""
    context = ctx if ctx is not None else click.get_current_context()
    return context.ensure_object(CliState)
