"""Sphinx configuration of the ML Platform documentation.

Build with ``make docs`` (``sphinx-build -W --keep-going``): every warning fails the build. The
SDK (``ml_platform``) and the CLI (``mlp_cli``) are imported from the repository, so the
reference pages always describe the code next to them.
"""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path[:0] = [str(DOCS / "_ext"), str(ROOT / "cli"), str(ROOT)]

from ml_platform._version import __version__  # noqa: E402

project = "ML Platform"
author = "The ML Platform authors"
copyright = "The ML Platform authors"
release = __version__
version = ".".join(__version__.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    "sphinx_click",
    "myst_parser",
    "mlp_openapi",
    "mlp_public_names",
    "mlp_exit_codes",
    "mlp_doctest_report",
    "mlp_problems",
    "mlp_exception_tree",
    "mlp_server_help",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
# `Name` in docstrings and pages is a cross-reference to a Python object, as the SDK writes it.
default_role = "py:obj"
exclude_patterns = ["_build", "_ext", "Thumbs.db", ".DS_Store"]
templates_path: list[str] = []

# -- Autodoc and napoleon: the SDK reference from Google-style docstrings -----------------------
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented_params"
autodoc_typehints_format = "short"
autodoc_preserve_defaults = True
autodoc_class_signature = "mixed"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False
napoleon_attr_annotations = True

# Every reference to an SDK name must resolve, so a renamed class cannot leave a dead link. Other
# Python names (the standard library, httpx) have no inventory here: intersphinx would fetch one
# from the internet at build time.
nitpicky = True
nitpick_ignore_regex = [(r"py:.*", r"(?!ml_platform\b).*")]

# -- MyST: the changelog and the release page are Markdown ----------------------------------------
myst_heading_anchors = 3
myst_enable_extensions = ["deflist"]

# -- Doctest: examples run against a reference server started by docs/run_doctests.py -------------
# sphinx.ext.doctest's default flags already include ELLIPSIS, so ids and timestamps are written
# as "..." in expected output.
doctest_test_doctest_blocks = "default"
# Docstring examples in the SDK may use every public name of ml_platform, ``client`` (a client
# configured from the environment) and paths such as ``examples/`` relative to the repository
# root, where the build runs.
doctest_global_setup = """
from ml_platform import *
client = MLPlatformClient()
"""
doctest_global_cleanup = """
client.close()
"""

# -- HTML -----------------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"ML Platform {release}"
html_static_path: list[str] = []
html_show_sphinx = False
html_theme_options = {
    "navigation_with_keys": True,
}
# Pygments styles only: the site must load nothing from another host when it is viewed.
pygments_style = "sphinx"
pygments_dark_style = "monokai"

# Command lines must stay copyable: no en dashes for "--" and no curly quotes.
smartquotes = False
