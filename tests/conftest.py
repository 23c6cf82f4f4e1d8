"""Shared helpers for the test suite: content folders from dicts, and the command line in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Mapping

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


@pytest.fixture
def content(tmp_path: Path):
    """A function writing a content folder from a dict into tmp_path/content (site.yaml added unless given)."""

    def make(files: Mapping[str, str | bytes], site: str | None = SITE_YAML) -> Path:
        folder = tmp_path / "content"
        if site is not None and "site.yaml" not in files:
            files = {"site.yaml": site, **files}
        return write_tree(folder, files)

    return make
