"""The built site loads every script, stylesheet, image and font from its own files."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.docs._site import BuiltSite

pytestmark = pytest.mark.timeout(900)

# Attributes through which a browser fetches something while it shows a page. Plain links
# (<a href>) are followed only when a reader clicks them, so they are not assets.
_FETCHING_ATTRIBUTES = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
}
_REMOTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+['"]([^'"]+)""", re.IGNORECASE)
_SCRIPT_FETCH = re.compile(r"""(?:fetch|importScripts)\(\s*['"]((?:https?:)?//[^'"]+)""")


def _is_remote(url: str) -> bool:
    """Return whether a URL points at another host (``http://``, ``https://`` or ``//``)."""
    candidates = [part.strip().split(" ")[0] for part in url.split(",")]
    return any(_REMOTE.match(candidate) for candidate in candidates if candidate)


class _AssetCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.assets: list[tuple[str, str]] = []
        self.inline_styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in _FETCHING_ATTRIBUTES.get(tag, ()):
                self.assets.append((tag, value))
            if name == "style":
                self.inline_styles.append(value)
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.inline_styles.append(data)


def _css_urls(text: str) -> list[str]:
    return _CSS_URL.findall(text) + _CSS_IMPORT.findall(text)


def test_pages_load_no_remote_assets(built_site: BuiltSite) -> None:
    pages = sorted(built_site.html.rglob("*.html"))
    remote: list[str] = []
    counted = 0
    for page in pages:
        collector = _AssetCollector()
        collector.feed(page.read_text(encoding="utf-8"))
        counted += len(collector.assets)
        relative = page.relative_to(built_site.html)
        remote += [f"{relative}: <{tag}> {url}" for tag, url in collector.assets if _is_remote(url)]
        for style in collector.inline_styles:
            remote += [f"{relative}: CSS {url}" for url in _css_urls(style) if _is_remote(url)]

    assert len(pages) >= 10, f"only {len(pages)} HTML pages were built"
    assert counted > len(pages), "the pages reference no scripts or stylesheets at all"
    assert remote == [], "pages load assets from other hosts:\n" + "\n".join(remote)


def test_static_files_load_nothing_remote(built_site: BuiltSite) -> None:
    static = built_site.html / "_static"
    remote: list[str] = []
    for path in sorted(static.rglob("*.css")):
        remote += [
            f"{path.relative_to(static)}: {url}"
            for url in _css_urls(path.read_text(encoding="utf-8", errors="replace"))
            if _is_remote(url)
        ]
    for path in sorted(static.rglob("*.js")):
        text = path.read_text(encoding="utf-8", errors="replace")
        # A script that calls fetch() or importScripts() on another host.
        remote += [f"{path.relative_to(static)}: {match}" for match in _SCRIPT_FETCH.findall(text)]

    assert list(static.rglob("*.css")), f"no stylesheets in {static}"
    assert remote == [], "static files load from other hosts:\n" + "\n".join(remote)


@pytest.mark.parametrize(
    ("url", "remote"),
    [
        ("_static/furo.css", False),
        ("../_static/pygments.css", False),
        ("https://cdn.example.org/x.js", True),
        ("//cdn.example.org/x.js", True),
        ("HTTP://cdn.example.org/x.js", True),
        ("img.png 1x, https://cdn.example.org/img@2x.png 2x", True),
        ("data:image/svg+xml;base64,AAAA", False),
    ],
)
def test_remote_url_detection(url: str, remote: bool) -> None:
    assert _is_remote(url) is remote


def test_asset_collector_finds_assets() -> None:
    collector = _AssetCollector()
    collector.feed(
        '<link rel="stylesheet" href="https://cdn.example.org/a.css">'
        '<script src="_static/b.js"></script><img src="//example.org/c.png">'
        "<style>@import 'https://fonts.example.org/d.css';</style>"
    )
    assert collector.assets == [
        ("link", "https://cdn.example.org/a.css"),
        ("script", "_static/b.js"),
        ("img", "//example.org/c.png"),
    ]
    assert _css_urls(" ".join(collector.inline_styles)) == ["https://fonts.example.org/d.css"]


def test_search_index_is_local(built_site: BuiltSite) -> None:
    search = (built_site.html / "search.html").read_text(encoding="utf-8")
    assert "searchindex.js" in search
    assert Path(built_site.html / "searchindex.js").is_file()
