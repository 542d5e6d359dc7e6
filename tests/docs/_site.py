"""Build the documentation site and read its inventory, for the docs tests.

The build runs ``sphinx-build -W --keep-going -b html`` on ``docs/``, the same command as
``make docs``, so any warning fails every test that needs the site.
"""

from __future__ import annotations

import posixpath
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from sphinx.util.inventory import InventoryFile

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
BIN = Path(sys.executable).parent
BUILD_TIMEOUT = 600


@dataclass(frozen=True)
class BuiltSite:
    """An HTML build of the docs and its object inventory.

    Attributes:
        html: The output directory.
        inventory: Object names by object type, for example ``"py:class"`` or
            ``"std:cmdoption"``.
    """

    html: Path
    inventory: dict[str, set[str]]

    def names(self, *types: str) -> set[str]:
        """Return the documented names of the given object types together."""
        return set().union(*(self.inventory.get(kind, set()) for kind in types))

    def python_names(self) -> set[str]:
        """Return every documented Python object name."""
        return self.names(*(kind for kind in self.inventory if kind.startswith("py:")))


def load_inventory(path: Path) -> dict[str, set[str]]:
    """Read a Sphinx ``objects.inv`` into names by object type."""
    with path.open("rb") as stream:
        inventory = InventoryFile.load(stream, "", posixpath.join)
    # Sphinx 8.2 and newer return an _Inventory object; older versions return a plain dict.
    data = getattr(inventory, "data", inventory)
    return {kind: set(entries) for kind, entries in data.items()}


def build_html(output: Path) -> BuiltSite:
    """Build the HTML site into ``output`` with warnings as errors and return it.

    Raises:
        AssertionError: sphinx-build failed; the message holds its output.
    """
    command = [
        str(BIN / "sphinx-build"),
        "-W",
        "--keep-going",
        "-q",
        "-b",
        "html",
        "-d",
        str(output / ".doctrees"),
        str(DOCS),
        str(output),
    ]
    completed = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    assert completed.returncode == 0, (
        f"sphinx-build exited {completed.returncode}:\n{completed.stdout}\n{completed.stderr}"
    )
    return BuiltSite(html=output, inventory=load_inventory(output / "objects.inv"))
