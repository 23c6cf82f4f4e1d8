"""Full-text search: Pagefind indexes the finished pages, offline, before they go live.

The Pagefind binary comes from the ``pagefind[extended]`` Python package (the
extended build also segments Chinese and Japanese). It runs on the complete
temporary output folder, so the index always matches the pages it is swapped
in with, and writes its bundle to ``pagefind/`` there.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

BUNDLE = "pagefind"
"""Folder of the search bundle in the output."""
TIMEOUT = 600
"""Seconds an indexing run may take before the build gives up."""


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


def index_site(folder: Path) -> None:
    """Write the search bundle for the pages in ``folder`` into ``folder/pagefind``."""
    binary = executable()
    if binary is None:
        raise SearchError("the Pagefind binary is not installed (pip install 'pagefind[extended]'), or build with --no-search")
    command = [str(binary), "--site", str(folder), "--output-subdir", BUNDLE, "--quiet"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchError(f"could not run Pagefind: {exc}") from None
    if result.returncode != 0 or not (folder / BUNDLE / "pagefind.js").is_file():
        detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise SearchError(f"Pagefind failed (exit {result.returncode}): {' / '.join(detail) or 'no output'}")
