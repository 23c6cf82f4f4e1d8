"""Incremental builds from the command line's cache: only what changed is redone, and the site is
the same, byte for byte, as a build without cache; a failed build leaves the site as it was."""

from __future__ import annotations

import os
import random
import re
import shutil
from pathlib import Path

import pytest

from builder import cache, previous, rebuild, splice
from builder.pipeline import BuildOptions, build
from builder.render import TEMPLATES
from conftest import snapshot

GOLDEN = Path(__file__).resolve().parent / "golden" / "content"
ARTICLE = """---
title: {title}
date: 2023-0{month}
officials: [wang-yi]
countries: [china]
tags: [{tag}]
sources:
  - title: A report
    publisher: Example News
---
A new article about [[Wang Yi]] and [[Iran]].
"""


class Site:
    """A copy of the golden content, built with the cache, and again without it for reference."""

    def __init__(self, root: Path, search: bool = False) -> None:
        shutil.copytree(GOLDEN, root / "content")
        self.root, self.content, self.output, self.search = root, root / "content", root / "site", search

    def build(self):
        return build(BuildOptions(self.content, self.output, cache=self.root / "cache", search=self.search))

    def reference(self) -> dict[str, bytes]:
        shutil.rmtree(self.root / "reference", ignore_errors=True)
        result = build(BuildOptions(self.content, self.root / "reference", search=self.search))
        assert result.ok
        return tree(self.root / "reference")


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) and folder (None) under ``folder``."""
    files: dict[str, bytes | None] = dict(snapshot(folder))
    files.update({p.relative_to(folder).as_posix(): None for p in folder.rglob("*") if p.is_dir()})
    return files


def incremental(result) -> bool:
    stages = [name for name, _ in result.timings]
    return "rebuild" in stages and "render" not in stages


@pytest.fixture
def site(tmp_path: Path) -> Site:
    made = Site(tmp_path)
    assert made.build().ok
    return made


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _replace(path: Path, pattern: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert re.search(pattern, text, re.M)
    path.write_text(re.sub(pattern, new, text, count=1, flags=re.M), encoding="utf-8")


def _edits(site: Site, rng: random.Random):
    """Random edits of every kind a rebuild must follow, some of which make the content invalid."""
    records = sorted(p for p in site.content.rglob("*.md") if not p.name.startswith("_"))
    article = site.content / "articles" / "ict-year.md"
    new = site.content / "articles" / f"added-{rng.randrange(1000)}.md"
    return [
        lambda: _append(rng.choice(records), f"\nA sentence added at random, number {rng.random()}.\n"),
        lambda: _append(rng.choice(records), "\nSee also [[Wang Yi]].\n"),
        lambda: _replace(article, "^title: .*$", f"title: ICT cooperation, take {rng.randrange(99)}"),
        lambda: _replace(site.content / "officials" / "wang-yi.md", r"^aliases: \[", f"aliases: [Wang {rng.randrange(99)}, "),
        lambda: new.write_text(ARTICLE.format(title=f"Added {new.stem}", month=rng.randrange(1, 10),
                                              tag=rng.choice(["ict", "trade", "fresh-tag"])), encoding="utf-8"),
        lambda: [p.unlink() for p in site.content.glob("articles/added-*.md")[:1]],
        lambda: _append(rng.choice(records), "\nA link to [[nobody-at-all]].\n"),  # an error
    ]


def test_random_edits_give_the_site_a_build_without_cache_gives(site: Site) -> None:
    rng = random.Random(6)
    for round_ in range(12):
        before = tree(site.output)
        rng.choice(_edits(site, rng))()
        result = site.build()
        if not result.ok:
            assert tree(site.output) == before, f"round {round_}: a failed build changed the site"
            for path in site.content.rglob("*.md"):  # take the error back out
                text = path.read_text(encoding="utf-8")
                if "[[nobody-at-all]]" in text:
                    path.write_text(text.replace("\nA link to [[nobody-at-all]].\n", ""), encoding="utf-8")
            result = site.build()
            assert result.ok, [d.text() for d in result.diagnostics]
        assert incremental(result), f"round {round_}: {result.timings}"
        assert tree(site.output) == site.reference(), f"round {round_}"


def test_a_body_edit_rewrites_only_its_page(site: Site) -> None:
    stamps = {p: p.stat() for p in site.output.rglob("*") if p.is_file()}
    _append(site.content / "articles" / "ict-year.md", "\nOne more line.\n")
    result = site.build()
    assert incremental(result)
    changed = {p.relative_to(site.output).as_posix() for p, s in stamps.items()
               if (p.stat().st_ino, p.stat().st_mtime_ns) != (s.st_ino, s.st_mtime_ns)}
    assert changed == {"articles/ict-year/index.html"}  # the rest keep inode and time: a sync uploads one page


def test_a_removed_record_takes_its_page_and_folder_along(site: Site) -> None:
    (site.content / "articles" / "ict-year.md").unlink()
    result = site.build()
    assert result.ok and incremental(result)
    assert not (site.output / "articles" / "ict-year").exists()
    assert tree(site.output) == site.reference()


@pytest.mark.parametrize("damage", ["flip", "garbage", "missing"])
@pytest.mark.parametrize("names", [(rebuild.STATE, "pages-*"), (rebuild.STATE,), ("pages-*",)])
def test_a_damaged_state_is_not_trusted(site: Site, damage: str, names: tuple[str, ...]) -> None:
    for state in [p for name in names for p in (site.root / "cache").glob(name)]:
        data = state.read_bytes()
        if damage == "flip":
            state.write_bytes(data[:-40] + bytes([data[-40] ^ 0xFF]) + data[-39:])
        elif damage == "garbage":
            state.write_bytes(b"not a state at all")
        else:
            state.unlink()
    _append(site.content / "articles" / "ict-year.md", "\nOne more line.\n")
    result = site.build()
    assert result.ok and incremental(result) == (len(names) == 1)  # a body edit is done by either kind of file
    assert tree(site.output) == site.reference()
    _append(site.content / "articles" / "ict-year.md", "\nAnd another.\n")
    assert incremental(site.build())  # a full build leaves a sound state again


def test_templates_that_show_the_body_elsewhere_are_not_spliced(tmp_path: Path) -> None:
    from builder.render import environment

    shutil.copytree(TEMPLATES, tmp_path / "templates")
    env = environment(tmp_path / "templates")
    assert splice.templates_allow(env, ["article.html", "official.html"])
    page = tmp_path / "templates" / "article.html"
    page.write_text(page.read_text(encoding="utf-8").replace("</article>", "{{ body | length }}</article>", 1))
    assert not splice.templates_allow(environment(tmp_path / "templates"), ["article.html"])


def test_a_build_stopped_while_writing_is_made_whole_by_the_next(site: Site, monkeypatch) -> None:
    _append(site.content / "officials" / "wang-yi.md", "\nA line.\n")
    _replace(site.content / "articles" / "ict-year.md", "^title: .*$", "title: ICT year")

    def stop(target: Path, source: Path) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(rebuild, "_replace", stop)
    with pytest.raises(KeyboardInterrupt):
        site.build()
    monkeypatch.undo()
    (site.output / "index.html").write_bytes(b"half written")
    result = site.build()
    assert result.ok and not incremental(result)
    assert tree(site.output) == site.reference()


def test_an_edited_output_folder_is_written_in_full(site: Site) -> None:
    (site.output / "articles" / "index.html").write_bytes(b"changed by hand")
    _append(site.content / "articles" / "ict-year.md", "\nOne more line.\n")
    result = site.build()
    assert result.ok and not incremental(result)
    assert tree(site.output) == site.reference()


def _need_pagefind() -> None:
    from builder import search

    if search.executable() is None:
        if os.environ.get("CI"):
            pytest.fail("Pagefind is missing")
        pytest.skip("Pagefind is not installed")


def test_with_the_search_index_a_changed_page_indexes_the_site_again(tmp_path: Path) -> None:
    _need_pagefind()
    made = Site(tmp_path, search=True)
    assert made.build().ok
    _append(made.content / "articles" / "ict-year.md", "\nA searchable zanzibarian word.\n")
    result = made.build()
    assert result.ok and incremental(result)
    assert tree(made.output) == made.reference()


def test_discover_stamps_every_file_it_lists_as_the_cache_stamps_it(tmp_path: Path) -> None:
    from builder.cache import stamp
    from builder.diagnostics import Report
    from builder.discover import discover

    shutil.copytree(GOLDEN, tmp_path / "content")
    (tmp_path / "content" / "_drafts-notes.md").write_text("private", encoding="utf-8")
    (tmp_path / "content" / "page.html").write_text("<script></script>", encoding="utf-8")
    files = discover(tmp_path / "content", Report(), take_stamps=True)
    listed = [files.site] + [f.path for f in files.records] + [files.root / a for a in files.assets]
    assert files.stamps == {str(p): stamp(os.stat(p)) for p in listed}


def test_a_build_without_the_cache_takes_no_stamps(tmp_path: Path, monkeypatch) -> None:
    """Only the cache's manifest reads the stamps: a build without the cache does not hold one per file."""
    from builder import discover as discover_module

    shutil.copytree(GOLDEN, tmp_path / "content")
    taken = []
    stamp = discover_module.stamp
    monkeypatch.setattr(discover_module, "stamp", lambda stat: taken.append(stat) or stamp(stat))
    options = BuildOptions(content=tmp_path / "content", output=tmp_path / "site", search=False, cache=None)
    assert build(options).ok
    assert taken == []
    options = BuildOptions(content=tmp_path / "content", output=tmp_path / "site", search=False, cache=tmp_path / "cache")
    assert build(options).ok
    assert len(taken) > 10


def test_a_file_that_cannot_be_stamped_leaves_the_stamps_unknown_and_the_listing_whole(tmp_path: Path, monkeypatch) -> None:
    from builder import discover as discover_module
    from builder.diagnostics import Report

    shutil.copytree(GOLDEN, tmp_path / "content")
    whole = discover_module.discover(tmp_path / "content", Report(), take_stamps=True)
    calls, stamp = [], discover_module.stamp

    def vanished(stat):
        calls.append(stat)
        if len(calls) == 2:
            raise FileNotFoundError("removed while listed")
        return stamp(stat)

    monkeypatch.setattr(discover_module, "stamp", vanished)
    files = discover_module.discover(tmp_path / "content", Report(), take_stamps=True)
    assert files.stamps is None
    assert (files.site, files.records, files.assets) == (whole.site, whole.records, whole.assets)


def test_a_removed_output_gets_its_search_index_back_from_the_cache_without_pagefind(tmp_path: Path, monkeypatch) -> None:
    from builder import search

    _need_pagefind()
    made = Site(tmp_path, search=True)
    assert made.build().ok
    before = tree(made.output)
    assert any(name.startswith("pagefind/") for name in before)
    shutil.rmtree(made.output)

    def pagefind_must_not_run(*args, **kwargs):
        raise AssertionError("Pagefind ran again")

    monkeypatch.setattr(search.subprocess, "Popen", pagefind_must_not_run)
    monkeypatch.setattr(search, "input_digest", pagefind_must_not_run)  # every stored file is checked instead
    result = made.build()
    assert result.ok and result.reused
    assert tree(made.output) == before


def test_a_bundle_of_other_pages_is_replaced_whole(tmp_path: Path) -> None:
    from builder import search

    _need_pagefind()
    made = Site(tmp_path, search=True)
    assert made.build().ok
    folder = tmp_path / "copy"
    shutil.copytree(made.output, folder)
    page = folder / "articles" / "ict-year" / "index.html"
    page.write_bytes(page.read_bytes().replace(b"</main>", b"<p>zanzibarian</p></main>"))
    (folder / "pagefind" / "left-over.txt").write_text("from an older bundle", encoding="utf-8")
    before = (folder / "pagefind" / search.DIGEST).read_text()
    search.index_site(folder)
    assert (folder / "pagefind" / search.DIGEST).read_text() != before
    assert not (folder / "pagefind" / "left-over.txt").exists()


def test_a_hand_edit_of_a_spliced_page_is_undone_by_the_next_build(site: Site) -> None:
    _append(site.content / "articles" / "ict-year.md", "\nOne more line.\n")
    assert incremental(site.build())
    page = site.output / "articles" / "ict-year" / "index.html"
    page.write_bytes(page.read_bytes().replace(b"One more line.", b"One more word."))  # same size, in place
    _append(site.content / "officials" / "wang-yi.md", "\nAnother line.\n")
    result = site.build()
    assert result.ok and not incremental(result)
    assert tree(site.output) == site.reference()


@pytest.mark.parametrize("damage", ["flip", "garbage", "other-manifest"])
@pytest.mark.parametrize("part", [cache.JOURNAL, cache.WRITTEN])
def test_a_damaged_or_foreign_manifest_part_is_not_trusted(site: Site, part: str, damage: str) -> None:
    article = site.content / "articles" / "ict-year.md"
    _append(article, "\nOne more line.\n")
    assert incremental(site.build())
    path = site.root / "cache" / part
    data = path.read_bytes()
    if damage == "flip":
        path.write_bytes(data[:-40] + bytes([data[-40] ^ 0xFF]) + data[-39:])
    elif damage == "garbage":
        path.write_bytes(b"not a manifest at all")
    else:  # sound, but of the manifest before a full build
        _replace(article, "^title: .*$", "title: ICT year")
        (site.root / "cache" / rebuild.STATE).unlink()
        assert not incremental(site.build())
        path.write_bytes(data)
    page = site.output / "articles" / "ict-year" / "index.html"
    page.write_bytes(page.read_bytes().replace(b"One more line.", b"One more word."))
    _append(article, "\nAnd another.\n")
    result = site.build()
    assert result.ok and not incremental(result)
    assert tree(site.output) == site.reference()


def test_the_journal_is_folded_into_the_manifest_as_it_grows(site: Site, monkeypatch) -> None:
    monkeypatch.setattr(cache, "JOURNAL_LIMIT", 4)
    records = sorted(p for p in site.content.rglob("*.md") if not p.name.startswith("_"))[:4]
    journalled = []
    for number, record in enumerate(records):
        _append(record, f"\nEdit number {number}.\n")
        assert incremental(site.build())
        journalled.append((site.root / "cache" / cache.JOURNAL).exists())
        assert tree(site.output) == site.reference()
    assert True in journalled and False in journalled  # kept, then folded
    page = next(p for p in site.output.rglob("index.html") if b"Edit number 0." in p.read_bytes())
    page.write_bytes(page.read_bytes() + b"<!-- by hand -->")
    _append(records[0], "\nOne more.\n")
    assert not incremental(site.build())
    assert tree(site.output) == site.reference()


def test_without_a_forked_check_the_output_is_checked_all_the_same(site: Site, monkeypatch) -> None:
    monkeypatch.setattr(previous.threading, "active_count", lambda: 2)  # other threads: no fork
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked beside other threads"))
    _append(site.content / "articles" / "ict-year.md", "\nOne more line.\n")
    assert incremental(site.build())
    (site.output / "articles" / "index.html").write_bytes(b"changed by hand")
    _append(site.content / "articles" / "ict-year.md", "\nAnd another.\n")
    result = site.build()
    assert result.ok and not incremental(result)
    assert tree(site.output) == site.reference()


@pytest.mark.parametrize("edit", ["body", "title", "none"])
def test_the_check_process_is_waited_for_whatever_the_build_does(site: Site, monkeypatch, edit: str) -> None:
    forked = []
    fork = os.fork

    def recorded() -> int:
        pid = fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", recorded)
    monkeypatch.setattr(previous.threading, "active_count", lambda: 1)  # threads other tests left would rule the fork out
    if edit == "body":
        _append(site.content / "articles" / "ict-year.md", "\nOne more line.\n")
    elif edit == "title":
        _replace(site.content / "officials" / "wang-yi.md", "^name: .*$", "name: Wang Yi (2)")
    assert site.build().ok
    assert len(forked) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(forked[0], os.WNOHANG)
