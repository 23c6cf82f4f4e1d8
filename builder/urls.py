"""Every URL and output path rule in one place.

A page's URL is its folder relative to the site root, ending in '/': ``""``
for home, ``"officials/wang-yi/"`` for a record. Links between pages are
always relative, so the site works at any sub-path.
"""

from __future__ import annotations

import posixpath

HOME = ""
STYLESHEET = "assets/style.css"
FEED = "feed.xml"


def record_url(type_: str, slug: str) -> str:
    return f"{type_}/{slug}/"


def index_url(type_: str) -> str:
    return f"{type_}/"


def tag_url(tag: str) -> str:
    return f"tags/{tag}/"


def output_path(url: str) -> str:
    """The file a page URL is written to: ``officials/wang-yi/index.html``."""
    if url.endswith("/") or url == HOME:
        return url + "index.html"
    return url


def relative(from_url: str, to_url: str) -> str:
    """A relative link from the page at ``from_url`` to ``to_url`` (both site-relative)."""
    href = "../" * from_url.count("/") + to_url
    return href or "./"


def absolute(base_url: str, url: str) -> str:
    """An absolute URL when the site has a base URL; the site-relative one otherwise."""
    return base_url + url if base_url else url


def asset_url(content_path: str) -> str:
    """Where a copied content file is served: the same path as in content/."""
    return posixpath.normpath(content_path)
