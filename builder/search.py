"""Full-text search: Pagefind indexes the finished pages, offline, before they go live.

The Pagefind binary comes from the ``pagefind[extended]`` Python package (the
extended build also segments Chinese and Japanese). It runs on the complete
temporary output folder, so the index always matches the pages it is swapped
in with, and writes its bundle to ``pagefind/`` there.

Pagefind writes a few of its files (the filter indexes) differently from run to
run for the same pages; ``searchbundle`` rewrites them in a fixed order, so the
same pages give the same bundle. The bundle also records a digest of the pages
it indexed, and when they are unchanged the previous bundle is kept as it is,
without running Pagefind again.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from builder import searchbundle
from builder.records import TYPES

BUNDLE = "pagefind"
"""Folder of the search bundle in the output."""
DIGEST = "dossier-input.sha256"
"""File in the bundle holding the digest of the pages it was built from."""
TIMEOUT = 600
"""Seconds an indexing run may take before the build gives up."""
PAGES = "{" + ",".join(TYPES) + "}/*/index.html"
"""The pages Pagefind reads: record pages, the only ones marked ``data-pagefind-body``.

Pagefind would otherwise read every other page (the graph, the timeline, the
indexes) only to skip it.
"""


class SearchError(Exception):
    """The search index could not be built; the message says why."""


def executable() -> Path | None:
    """The Pagefind binary the installed packages ship (or $PAGEFIND_BINARY_PATH), or None."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        return None
    found = get_executable()
    return found if found is not None and Path(found).is_file() else None


def index_site(folder: Path, previous: Path | None = None) -> str:
    """Write the search bundle for the pages in ``folder`` into ``folder/pagefind``; return its folder's name.

    ``previous`` is the output being replaced: its bundle is reused when it indexed the same pages.
    """
    binary = executable()
    if binary is None:
        raise SearchError("the Pagefind binary is not installed (pip install 'pagefind[extended]'), or build with --no-search")
    pages = record_pages(folder)
    command = [str(binary), "--site", str(folder), "--output-subdir", BUNDLE, "--quiet"]
    if pages:  # a site without records has no marked pages: Pagefind then indexes them all
        command += ["--glob", PAGES]
    here = folder / BUNDLE
    restored = (here / DIGEST).is_file()  # put back with the pages from the build cache
    reusable = previous is not None and (previous / BUNDLE / DIGEST).is_file()
    digest = input_digest(folder, binary, pages) if restored or reusable else None
    if restored:
        if _digest_of(here) == digest:
            return BUNDLE
        shutil.rmtree(here)  # a bundle of other pages: Pagefind would leave its old files beside the new
    if reusable and _reuse_bundle(previous / BUNDLE, here, digest):
        return BUNDLE
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
    except OSError as exc:
        raise SearchError(f"could not run Pagefind: {exc}") from None
    try:
        digest = digest or input_digest(folder, binary, pages)  # while Pagefind works
        stdout, stderr = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise SearchError(f"could not run Pagefind: {exc}") from None
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    if process.returncode != 0 or not (folder / BUNDLE / "pagefind.js").is_file():
        detail = (stderr or stdout).strip().splitlines()[-3:]
        raise SearchError(f"Pagefind failed (exit {process.returncode}): {' / '.join(detail) or 'no output'}")
    searchbundle.canonicalize(folder / BUNDLE)
    (folder / BUNDLE / DIGEST).write_text(digest + "\n")
    return BUNDLE


def record_pages(folder: Path) -> list[Path]:
    """The record pages in a built ``folder`` (those matching ``PAGES``), by path."""
    return sorted(page for type_ in TYPES for page in (folder / type_).glob("*/index.html"))


def input_digest(folder: Path, binary: Path, pages: list[Path] | None = None) -> str:
    """A digest of every page Pagefind reads (``pages``, or all when there are none) and of the binary that reads them."""
    digest = hashlib.sha256(str(binary.stat().st_size).encode() + b"\0" + binary.name.encode())
    for page in pages or sorted(folder.rglob("*.html")):
        digest.update(page.relative_to(folder).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(page.read_bytes()).digest())
    return digest.hexdigest()


def _digest_of(bundle: Path) -> str | None:
    """The digest of the pages ``bundle`` was made from, as it records it."""
    try:
        return (bundle / DIGEST).read_text().strip()
    except (OSError, UnicodeDecodeError):
        return None


def _reuse_bundle(old: Path, new: Path, digest: str) -> bool:
    """Link the previous bundle into place when it was built from the same pages."""
    try:
        if _digest_of(old) != digest:
            return False
        shutil.copytree(old, new, copy_function=_link_or_copy, symlinks=False)
        return True
    except OSError:
        shutil.rmtree(new, ignore_errors=True)
        return False


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
