"""The preview server's search index: Pagefind, run in the background on the served site.

After the first build, and again after edits once the preview has been quiet
for a moment, a background thread renders the record pages not rendered yet,
writes the record pages that changed into a private temporary folder (never
the user's output folder) and runs Pagefind on them, as ``dossier build`` does. The
finished bundle is then loaded into memory and swapped in whole, so a reload is
never held up by indexing and a request never sees half a bundle. While the
first bundle is being made, the search page falls back to its list.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Mapping

from builder import search, searchbundle
from builder.records import TYPES
from builder.write import Content

QUIET = 1.0
"""Seconds without a rebuild or a page read before background work goes on (saves often come in a series)."""


class Indexer:
    """Keeps ``files``: the Pagefind bundle of the latest site it was given, by output path."""

    def __init__(self, binary: Path, say: Callable[[str], None]) -> None:
        self.binary = binary
        self.say = say
        self.files: dict[str, bytes] = {}
        self.active = time.monotonic()
        """When the last rebuild or page read happened (set by the server)."""
        self._folder = Path(tempfile.mkdtemp(prefix="dossier-search-"))
        self._written: dict[str, bytes] = {}
        self._wanted: Mapping[str, Content] | None = None
        self._indexed: Mapping[str, Content] | None = None
        self._event = threading.Event()
        self._process: subprocess.Popen | None = None
        self._stopped = False
        threading.Thread(target=self._run, name="dossier-search", daemon=True).start()

    def want(self, site: Mapping[str, Content]) -> None:
        """Index this site (replacing any older one not indexed yet): an indexing run in progress is
        ended, so that it does not slow down the rebuild and the pages being read meanwhile."""
        self._wanted = site
        self._event.set()
        self._end_run()

    def _end_run(self) -> None:
        process = self._process
        if process is not None and process.poll() is None:
            process.kill()

    def stop(self) -> None:
        """End any Pagefind run and remove the temporary folder."""
        self._stopped = True
        self._event.set()
        self._end_run()
        shutil.rmtree(self._folder, ignore_errors=True)

    def _run(self) -> None:
        while not self._stopped:
            self._event.wait()
            self._event.clear()
            site = self._wanted
            if site is None or site is self._indexed:
                continue
            try:
                if self._write(site) and self._index(site):
                    self._indexed = site
            except (OSError, search.SearchError) as exc:
                if not self._stopped:
                    self.say(f"dossier: warning: search index not updated: {exc}")

    def _superseded(self, site: Mapping[str, Content]) -> bool:
        return self._stopped or self._wanted is not site

    def _wait_quiet(self) -> None:
        while not self._stopped and (idle := time.monotonic() - self.active) < QUIET:
            time.sleep(QUIET - idle)

    def _write(self, site: Mapping[str, Content]) -> bool:
        """Bring the folder's pages up to the site's; False when a newer site came meanwhile."""
        pages = [n for n in site if _is_record_page(n)] or [n for n in site if n.endswith(".html")]
        for name in pages:
            self._wait_quiet()
            if self._superseded(site):
                return False
            data = site[name]
            if isinstance(data, bytes) and self._written.get(name) is not data:
                target = self._folder / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                self._written[name] = data
        for name in self._written.keys() - set(pages):
            (self._folder / name).unlink(missing_ok=True)
            del self._written[name]
        return True

    def _index(self, site: Mapping[str, Content]) -> bool:
        bundle = self._folder / search.BUNDLE
        shutil.rmtree(bundle, ignore_errors=True)
        command = [str(self.binary), "--site", str(self._folder), "--output-subdir", search.BUNDLE, "--quiet"]
        if any(_is_record_page(n) for n in self._written):  # as dossier build indexes (search.index_site)
            command += ["--glob", search.PAGES]
        self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.PIPE, text=True)
        _, errors = self._process.communicate()
        if self._superseded(site):
            return False
        if self._process.returncode != 0 or not (bundle / "pagefind.js").is_file():
            detail = " / ".join(errors.strip().splitlines()[-3:]) or "no output"
            raise search.SearchError(f"Pagefind failed (exit {self._process.returncode}): {detail}")
        searchbundle.canonicalize(bundle)
        self.files = {f"{search.BUNDLE}/{p.relative_to(bundle).as_posix()}": p.read_bytes()
                      for p in sorted(bundle.rglob("*")) if p.is_file()}
        return True


def _is_record_page(name: str) -> bool:
    """Whether an output is a record's page: the pages search indexes (``search.PAGES``)."""
    parts = name.split("/")
    return len(parts) == 3 and parts[0] in TYPES and parts[2] == "index.html"
