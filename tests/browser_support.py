"""Shared fixtures for tests that open built pages in a real browser.

Headless Chromium comes from Debian's ``chromium`` package and is driven by
Playwright's Python package, which is told where the browser is: nothing is
downloaded. A built site is served over HTTP from a thread on a free port of
127.0.0.1. Where the browser or Playwright is missing, tests skip with the
reason, except in CI (``CI=true``), where they fail.

Use from a test module::

    from browser_support import browser, open_page, serve_folder  # noqa: F401 (browser is a fixture)
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path(os.environ.get("DOSSIER_CHROMIUM", "/usr/bin/chromium"))
"""The browser binary; Debian's package installs it here."""
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def need(condition: bool, reason: str) -> None:
    """Skip when a tool is missing, but fail in CI, where everything must be installed."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"{reason} (CI must install it: see tasks.py)")
    pytest.skip(reason)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".js": "text/javascript", ".pagefind": "application/octet-stream"}

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base class's name)
        pass


@contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 at a free port; yields the base URL, ending in '/'."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium for the whole session (skips, or fails in CI, when it is missing)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "Playwright's Python package is not installed (pip install -e '.[test]')")
    need(CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is not None,
         f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@contextmanager
def open_page(browser, url: str) -> Iterator[tuple[object, list[str]]]:
    """A fresh page at ``url``, with the console errors, page errors and off-site requests it collects.

    Requests that leave the test server are blocked and reported, so a page that
    needs a CDN or any other network fails here.
    """
    context = browser.new_context(service_workers="block")
    errors: list[str] = []
    origin = "{0.scheme}://{0.netloc}/".format(urlsplit(url))

    def only_local(route) -> None:
        if route.request.url.startswith(origin):
            route.continue_()
        else:
            errors.append(f"blocked request to {route.request.url}")
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(url)
        yield page, errors
    finally:
        context.close()
