"""Shared tools for tests that look at built pages in a real browser.

Headless Chromium comes from Debian's ``chromium`` package and is driven by
Playwright with ``executable_path`` (no browser is ever downloaded); axe-core
and the Nu Html Checker come from npm into ``tests/node_modules``. A missing
tool skips the test locally and fails it in CI (``CI=true``).
"""

from __future__ import annotations

import functools
import http.client
import http.server
import os
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest

from builder.pipeline import BuildOptions, build

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
SHOWCASE = TESTS / "sites" / "showcase"
"""A small dossier with every kind of page, Persian and Chinese names, images, a table and footnotes."""
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
AXE = TESTS / "node_modules" / "axe-core" / "axe.min.js"
VNU = TESTS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

PAGE_KINDS = {
    "home": "",
    "articles index": "articles/",
    "officials index": "officials/",
    "countries index": "countries/",
    "agreements index": "agreements/",
    "organizations index": "organizations/",
    "article": "articles/karimi-meets-zhang/",
    "official (Persian name)": "officials/dariush-karimi/",
    "official (Chinese name)": "officials/zhang-wei/",
    "country": "countries/iran/",
    "agreement with a parent": "agreements/data-centre-mou/",
    "organization": "organizations/ministry-of-industry/",
    "tags": "tags/",
    "tag": "tags/diplomacy/",
    "timeline": "timeline/",
    "404": "404.html",
}
"""One page of each kind in the showcase build, by the name tests report it under."""


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def need(available: bool, reason: str) -> None:
    """Skip when a tool is missing; in CI, fail instead, so a missing install step cannot hide."""
    if available:
        return
    if in_ci():
        pytest.fail(f"{reason} (required in CI)", pytrace=False)
    pytest.skip(reason)


def java() -> str | None:
    return shutil.which("java")


def build_into(content: Path, output: Path) -> Path:
    result = build(BuildOptions(content=content, output=output))
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert not errors, errors
    return output


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on a free port of 127.0.0.1; yields the base URL, ending in '/'."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def status_of(url: str) -> tuple[int, str]:
    """HTTP status and body of a local URL, without following redirects."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", parts.path or "/")
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


@dataclass
class Visit:
    """What the browser saw while loading one page."""

    url: str
    console_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    """Requests that failed, or were answered with status 400 or more."""
    requests: list[str] = field(default_factory=list)
    loaded: dict[str, tuple[str, int]] = field(default_factory=dict)
    """URL of each response with its resource type and body size in bytes."""
    facts: dict = field(default_factory=dict)
    """Whatever the visit's action found in the page."""


def visit(browser, url: str, width: int = 360, color_scheme: str = "light", action=None) -> Visit:
    """Load ``url`` in a fresh context (nothing cached) and record its console and network."""
    seen = Visit(url)
    context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=color_scheme)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and seen.console_errors.append(m.text))
    page.on("pageerror", lambda e: seen.console_errors.append(str(e)))
    page.on("request", lambda r: seen.requests.append(r.url))
    page.on("requestfailed", lambda r: seen.failed.append(f"{r.url} ({r.failure})"))
    responses = []
    page.on("response", lambda r: responses.append(r))
    try:
        page.goto(url, wait_until="load")
        for response in responses:
            if response.status >= 400 and response.url != url:
                seen.failed.append(f"{response.url} (HTTP {response.status})")
            size = len(response.body()) if 200 <= response.status < 300 else 0
            seen.loaded[response.url] = (response.request.resource_type, size)
        if action is not None:
            action(page, seen)
    finally:
        context.close()
    return seen


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_page(browser, color_scheme: str):
    """A page to run axe-core in, with one colour scheme; close its ``context`` when done."""
    # axe is injected as a script tag, which the pages' own CSP rightly forbids.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=color_scheme,
                                  bypass_csp=True)
    return context.new_page()


def run_axe(page, url: str) -> list[dict]:
    """axe-core's WCAG 2.1 A and AA violations on the page at ``url``."""
    page.goto(url, wait_until="load")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [{"id": v["id"], "help": v["help"], "targets": [n["target"] for n in v["nodes"]]}
            for v in result["violations"]]


@pytest.fixture(scope="session")
def showcase_site(tmp_path_factory) -> Path:
    """The showcase dossier, built once per test run."""
    return build_into(SHOWCASE, tmp_path_factory.mktemp("showcase") / "site")


@pytest.fixture(scope="session")
def showcase_url(showcase_site) -> Iterator[str]:
    """Base URL of the showcase build, served over HTTP for the whole run."""
    with serve(showcase_site) as base:
        yield base


@pytest.fixture(scope="module")
def chromium():
    """Headless Debian Chromium under Playwright, one per test module.

    Not one per run: while Playwright's sync API is open, asyncio sees a running
    event loop in this thread, and other modules' ``asyncio.run`` would fail.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    need(sync_playwright is not None, "Playwright is not installed (pip install -e '.[test]')")
    need(CHROMIUM.exists(), f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
