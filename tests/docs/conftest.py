"""Fixtures for the docs tests: one HTML build of the site per test session."""

from __future__ import annotations

import pytest

from tests.docs._site import BuiltSite, build_html


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """Build the HTML site with warnings as errors and return it."""
    return build_html(tmp_path_factory.mktemp("docs-html"))
