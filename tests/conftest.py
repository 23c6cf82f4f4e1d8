"""Shared helpers for the test suite: content folders from dicts, and the command line in a subprocess."""

from __future__ import annotations

import os
import posixpath
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Mapping
from urllib.parse import unquote, urlsplit

import pytest
from browser import chromium, showcase_site, showcase_url  # noqa: F401  (browser fixtures, in browser.py)

ROOT = Path(__file__).resolve().parent.parent
"""The repository root."""

SITE_YAML = "title: Test dossier\nbase_url: https://example.org/dossier/\n"
"""A valid site.yaml with a base_url, so builds print no warning."""


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write ``files`` (relative path -> text or bytes) under ``root``; return ``root``.

    Text is written as UTF-8 exactly as given (no newline translation).
    """
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        path.write_bytes(data)
    return root


def run_dossier(*args: str | Path, cwd: Path | None = None, timeout: float = 120,
                env: Mapping[str, str] | None = None) -> tuple[int, str, str]:
    """Run ``python -m builder ARGS`` in a subprocess; return (exit status, stdout, stderr)."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8", **(env or {}))
    result = subprocess.run(
        [sys.executable, "-m", "builder", *map(str, args)],
        cwd=cwd or ROOT, env=env, capture_output=True, text=True, encoding="utf-8", timeout=timeout,
    )
    return result.returncode, result.stdout, result.stderr


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


class PageLinks(HTMLParser):
    """The link targets and element ids of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.resources: list[str] = []
        """What the page loads by itself: every src, and the href of <link>."""
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        for name in ("href", "src"):
            if values.get(name) is not None:
                self.links.append(values[name])
                if name == "src" or tag == "link":
                    self.resources.append(values[name])


def read_page(data: bytes) -> PageLinks:
    """The links and ids of an HTML page given as bytes."""
    page = PageLinks()
    page.feed(data.decode("utf-8"))
    return page


def is_internal(url: str) -> bool:
    """A link within the site: no scheme and no host."""
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


def target_file(page_path: str, url: str) -> tuple[str, str]:
    """The output file (and fragment) a relative URL on ``page_path`` leads to."""
    parts = urlsplit(url)
    if not parts.path:
        return page_path, parts.fragment
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(page_path), unquote(parts.path)))
    if parts.path.endswith("/") or joined == ".":
        joined = posixpath.join(joined, "index.html") if joined != "." else "index.html"
    return joined, parts.fragment


def check_links(site: Mapping[str, bytes]) -> tuple[int, list[str]]:
    """(links checked, problems): every internal href/src of every page must lead to a file of ``site``
    (a folder to its index.html) and a fragment to an id on that page; no root-relative links."""
    pages = {name: read_page(data) for name, data in site.items() if name.endswith(".html")}
    checked, broken = 0, []
    for name, page in sorted(pages.items()):
        for url in page.links:
            if not is_internal(url):
                continue
            checked += 1
            path, fragment = target_file(name, url)
            if url.startswith("/"):
                broken.append(f"{name}: root-relative link {url}")
            elif path.startswith("../") or path not in site:
                broken.append(f"{name}: {url} -> {path}")
            elif fragment and path in pages and unquote(fragment) not in pages[path].ids:
                broken.append(f"{name}: {url} -> no id '{fragment}' in {path}")
    return checked, broken


@pytest.fixture
def content(tmp_path: Path):
    """A function writing a content folder from a dict into tmp_path/content (site.yaml added unless given)."""

    def make(files: Mapping[str, str | bytes], site: str | None = SITE_YAML) -> Path:
        folder = tmp_path / "content"
        if site is not None and "site.yaml" not in files:
            files = {"site.yaml": site, **files}
        return write_tree(folder, files)

    return make
