"""The search stage: Pagefind runs last in `dossier build`, on the finished temporary folder,
offline; `--no-search` skips it, `check` never runs it, and a failure leaves the site as it was.

Most tests stand a small script in for Pagefind (through $PAGEFIND_BINARY_PATH, which the
pagefind package honours) to see how and when it is called; the rest run the real binary.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
from pathlib import Path

import pytest

from builder import search
from conftest import SITE_YAML, run_dossier, snapshot, write_tree

SITE = Path(__file__).resolve().parent / "sites" / "discovery" / "content"

FAKE = '''#!{python}
import json, os, sys
args = sys.argv[1:]
site = args[args.index("--site") + 1]
pages = sorted(os.path.relpath(os.path.join(d, f), site) for d, _, fs in os.walk(site) for f in fs)
with open(os.environ["FAKE_PAGEFIND_LOG"], "a") as log:
    log.write(json.dumps({{"args": args, "pages": pages}}) + "\\n")
if os.environ.get("FAKE_PAGEFIND_FAIL"):
    print("error: the index could not be written", file=sys.stderr)
    sys.exit(3)
os.makedirs(os.path.join(site, "pagefind"), exist_ok=True)
open(os.path.join(site, "pagefind", "pagefind.js"), "w").write("// index")
'''


@pytest.fixture
def fake_pagefind(tmp_path, monkeypatch):
    """A stand-in Pagefind; returns a function reading the calls it logged."""
    script = tmp_path / "fake-pagefind"
    script.write_text(FAKE.format(python=sys.executable))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(script))
    monkeypatch.setenv("FAKE_PAGEFIND_LOG", str(log))
    return lambda: [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_build_indexes_the_complete_temporary_folder_before_the_swap(fake_pagefind, tmp_path):
    output = tmp_path / "site"
    status, _, err = run_dossier("build", "--content", SITE, "--output", output)
    assert status == 0, err
    [call] = fake_pagefind()
    folder = Path(call["args"][call["args"].index("--site") + 1])
    assert folder.parent == output.parent and folder.name.startswith(".site.tmp-")  # not the live folder
    assert not folder.exists()  # it became the live folder
    assert call["args"][call["args"].index("--output-subdir") + 1] == "pagefind"
    pages = set(call["pages"])
    assert {"index.html", "search/index.html", "officials/sattar-hashemi/index.html", "dossier.json"} <= pages
    assert (output / "pagefind" / "pagefind.js").read_text() == "// index"


def test_no_search_skips_the_indexer(fake_pagefind, tmp_path):
    status, _, err = run_dossier("build", "--content", SITE, "--output", tmp_path / "site", "--no-search")
    assert status == 0, err
    assert fake_pagefind() == []
    assert not (tmp_path / "site" / "pagefind").exists()
    assert (tmp_path / "site" / "search" / "index.html").exists()  # the page stays, showing the indexes


def test_check_never_runs_the_indexer(fake_pagefind):
    status, _, err = run_dossier("check", "--content", SITE)
    assert status == 0, err
    assert fake_pagefind() == []


def test_a_failed_index_leaves_the_previous_site_untouched(fake_pagefind, tmp_path, monkeypatch):
    output = tmp_path / "site"
    assert run_dossier("build", "--content", SITE, "--output", output, "--no-search")[0] == 0
    before = snapshot(output)
    monkeypatch.setenv("FAKE_PAGEFIND_FAIL", "1")
    status, _, err = run_dossier("build", "--content", SITE, "--output", output)
    assert status == 2
    assert "search index: Pagefind failed (exit 3): error: the index could not be written" in err
    assert "Traceback" not in err
    assert snapshot(output) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site")) == []


def test_unchanged_pages_keep_their_index_and_changed_ones_are_indexed_again(fake_pagefind, tmp_path):
    content, output = tmp_path / "content", tmp_path / "site"
    shutil.copytree(SITE, content)
    for _ in range(2):
        assert run_dossier("build", "--content", content, "--output", output)[0] == 0
    assert len(fake_pagefind()) == 1
    official = content / "officials" / "wang-yi.md"
    official.write_text(official.read_text().replace("name: Wang Yi", "name: Wang Yi\naliases: [Wang]"))
    assert run_dossier("build", "--content", content, "--output", output)[0] == 0
    assert len(fake_pagefind()) == 2


def test_a_missing_binary_is_refused_before_anything_is_written(tmp_path, monkeypatch):
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    status, _, err = run_dossier("build", "--content", SITE, "--output", tmp_path / "site")
    assert status == 2
    assert "--no-search" in err and "Traceback" not in err
    assert not (tmp_path / "site").exists()


needs_pagefind = pytest.mark.skipif(
    search.executable() is None and os.environ.get("CI", "").lower() not in ("1", "true"),
    reason="the Pagefind binary is not installed (pip install -e '.[test]')")


@needs_pagefind
def test_real_index_is_complete_deterministic_and_reused(tmp_path):
    output = tmp_path / "site"
    assert run_dossier("build", "--content", SITE, "--output", output)[0] == 0
    bundle = output / "pagefind"
    for name in ("pagefind.js", "pagefind-ui.js", "pagefind-ui.css", "pagefind-entry.json", "wasm.unknown.pagefind"):
        assert (bundle / name).is_file(), name
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    [language] = entry["languages"]
    assert language == "en" and entry["languages"]["en"]["page_count"] == 14  # the record pages, nothing else
    first = {p: (p.stat().st_ino, p.read_bytes()) for p in sorted(bundle.rglob("*")) if p.is_file()}
    assert run_dossier("build", "--content", SITE, "--output", output)[0] == 0
    second = {p: (p.stat().st_ino, p.read_bytes()) for p in sorted(bundle.rglob("*")) if p.is_file()}
    assert second == first  # same bytes, and the same files (hard-linked), so mtimes stay
    fresh = tmp_path / "fresh"
    assert run_dossier("build", "--content", SITE, "--output", fresh)[0] == 0
    # a fresh run of Pagefind writes its filters in another order; rewritten, the bundle is the same
    assert snapshot(fresh / "pagefind") == snapshot(bundle)


def test_pagefind_reads_exactly_the_pages_marked_for_indexing(fake_pagefind, tmp_path):
    output = tmp_path / "site"
    assert run_dossier("build", "--content", SITE, "--output", output)[0] == 0
    [call] = fake_pagefind()
    assert call["args"][call["args"].index("--glob") + 1] == search.PAGES
    marked = {p for p in output.rglob("*.html") if "data-pagefind-body" in p.read_text(encoding="utf-8")}
    assert marked and marked == set(search.record_pages(output))  # a page marked elsewhere would go unindexed


def test_a_site_without_records_lets_pagefind_read_every_page(fake_pagefind, tmp_path):
    content = write_tree(tmp_path / "content", {"site.yaml": SITE_YAML})
    assert run_dossier("build", "--content", content, "--output", tmp_path / "site")[0] == 0
    [call] = fake_pagefind()
    assert "--glob" not in call["args"]
