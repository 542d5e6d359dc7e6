"""``mlp completion``: print the shell completion script of ``mlp``.

The script runs ``mlp`` with ``_MLP_COMPLETE`` set whenever Tab is pressed, and Click handles
those runs in the console script itself. Printing the script imports neither the SDK nor any
command module.
"""

from __future__ import annotations

import click

SHELLS = ("bash", "zsh", "fish")
"""The shells Click writes completion scripts for."""

COMPLETE_VARIABLE = "_MLP_COMPLETE"
"""The environment variable the script sets when it requests completions from ``mlp``."""


def completion_source(shell: str) -> str:
    """Return the completion script of ``mlp`` for a shell.

    Args:
        shell: ``bash``, ``zsh`` or ``fish``.
    """
    from click.shell_completion import get_completion_class

    from mlp_cli.main import cli

    completion_class = get_completion_class(shell)
    assert completion_class is not None, shell
    completer = completion_class(cli, {}, "mlp", COMPLETE_VARIABLE)
    # The template is filled in directly because Click's BashComplete.source() first runs
    # `bash --version` in a subprocess to warn about bash older than 4.4.
    return completer.source_template % completer.source_vars()


@click.command()
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> None:
    """Print the shell completion script for bash, zsh or fish.

    Completes commands, options and choices such as --status values. bash needs version 4.4 or
    newer.

    \b
    Enable it for every new shell:
      bash:  echo 'eval "$(mlp completion bash)"' >> ~/.bashrc
      zsh:   echo 'eval "$(mlp completion zsh)"' >> ~/.zshrc
      fish:  mlp completion fish > ~/.config/fish/completions/mlp.fish
    """
    click.echo(completion_source(shell))
