"""The built site works in a real browser: navigation, the reference pages and search.

Debian's headless Chromium loads pages from a loopback HTTP server. Its host resolver maps every
name but 127.0.0.1 to "not found", so nothing can leave the machine, and its network log records
every URL request. A request made for a page carries the page's site in its network isolation
key, and the tests assert that every such request went to the loopback server. Chromium's own
background requests (time and update checks, which the flags below do not all turn off) carry
another key and fail at the resolver.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.docs._site import BuiltSite

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_TIMEOUT = 120
# Long enough for the search page to load searchindex.js and render its results.
VIRTUAL_TIME_BUDGET_MS = 15000

pytestmark = [
    pytest.mark.timeout(900),
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Debian's chromium is not installed (apt-get install chromium), so the site was "
        "not checked in a browser",
    ),
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass(frozen=True)
class PageLoad:
    """What Chromium showed for one URL and the URLs it requested for the page."""

    dom: str
    requested: list[str]


def _page_requests(net_log: Path, site: str) -> list[str]:
    """Return the URLs requested on behalf of pages of ``site``, from a Chromium net log."""
    text = net_log.read_text(encoding="utf-8", errors="replace")
    try:
        log = json.loads(text)
    except ValueError:
        # Chromium closes the JSON when it exits; a log cut short still has whole events.
        log = json.loads(text.rstrip().rstrip(",") + "]}")
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    origin = site.rstrip("/")
    host_site = f"{urlsplit(origin).scheme}://{urlsplit(origin).hostname}"
    return [
        event["params"]["url"]
        for event in log["events"]
        if event["type"] == start_job
        and str(event.get("params", {}).get("network_isolation_key", "")).startswith(host_site)
    ]


@pytest.fixture(scope="module")
def site_url(built_site: BuiltSite) -> Iterator[str]:
    """Serve the built site on a free loopback port."""
    handler = functools.partial(_QuietHandler, directory=str(built_site.html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _load(url: str, site: str, workdir: Path, *, screenshot: Path | None = None) -> PageLoad:
    """Load a URL in headless Chromium and return the DOM after scripts ran."""
    assert CHROMIUM is not None
    workdir.mkdir(parents=True, exist_ok=True)
    net_log = workdir / "net-log.json"
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        f"--user-data-dir={workdir / 'profile'}",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        f"--log-net-log={net_log}",
        f"--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}",
        "--window-size=1280,900",
    ]
    command += [f"--screenshot={screenshot}"] if screenshot else ["--dump-dom"]
    command.append(url)

    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=CHROMIUM_TIMEOUT)
    except subprocess.TimeoutExpired as err:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate(timeout=30)
        raise AssertionError(
            f"chromium did not finish loading {url} in {CHROMIUM_TIMEOUT} s"
        ) from err
    assert process.returncode == 0, f"chromium exited {process.returncode}: {stderr[-3000:]}"

    assert net_log.is_file(), f"chromium wrote no network log for {url}"
    return PageLoad(dom=stdout, requested=_page_requests(net_log, site))


def _foreign_requests(load: PageLoad, site: str) -> list[str]:
    origin = urlsplit(site).netloc
    return sorted({url for url in load.requested if urlsplit(url).netloc != origin})


def test_home_page_has_navigation(site_url: str, tmp_path: Path) -> None:
    load = _load(site_url + "index.html", site_url, tmp_path)

    assert 'class="sidebar-tree"' in load.dom
    for page in ("quickstart.html", "concepts.html", "reference/sdk.html", "reference/cli.html"):
        assert f'href="{page}"' in load.dom, f"the navigation has no link to {page}"
    assert 'action="search.html"' in load.dom
    assert any(url.endswith(".css") or ".css?" in url for url in load.requested), (
        f"no stylesheet request found in the network log: {load.requested}"
    )
    assert _foreign_requests(load, site_url) == []


def test_sdk_reference_renders(site_url: str, tmp_path: Path) -> None:
    load = _load(site_url + "reference/sdk.html", site_url, tmp_path)

    assert 'id="ml_platform.MLPlatformClient"' in load.dom
    assert 'id="ml_platform.TrainingJob"' in load.dom
    assert 'class="sidebar-tree"' in load.dom
    assert _foreign_requests(load, site_url) == []


def test_cli_reference_renders(site_url: str, tmp_path: Path) -> None:
    load = _load(site_url + "reference/cli.html", site_url, tmp_path)

    assert 'id="cmdoption-mlp-job-create-script"' in load.dom
    assert 'class="sidebar-tree"' in load.dom
    assert _foreign_requests(load, site_url) == []


def test_search_finds_sdk_method(site_url: str, tmp_path: Path) -> None:
    load = _load(site_url + "search.html?q=wait_for_completion", site_url, tmp_path)

    results = re.search(r'<ul[^>]*class="search"[^>]*>(.*?)</ul>', load.dom, re.DOTALL)
    assert results is not None, "the search page rendered no result list"
    assert "reference/sdk.html#ml_platform.TrainingJob.wait_for_completion" in results.group(1)
    assert "Search finished" in load.dom
    assert _foreign_requests(load, site_url) == []


def test_pages_render_to_screenshots(site_url: str, tmp_path: Path) -> None:
    for page in ("index.html", "reference/sdk.html", "reference/cli.html"):
        screenshot = tmp_path / (page.replace("/", "-") + ".png")
        workdir = tmp_path / page.replace("/", "-")
        load = _load(site_url + page, site_url, workdir, screenshot=screenshot)

        assert screenshot.is_file(), f"chromium wrote no screenshot of {page}"
        # A blank page of this size compresses to a few kilobytes; a rendered one does not.
        assert screenshot.stat().st_size > 20_000, f"the screenshot of {page} looks blank"
        assert _foreign_requests(load, site_url) == []
