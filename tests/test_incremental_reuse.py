"""What a preview keeps across an edit: related articles, the relationship graph and each entity's
drawn graph survive a new title, and never an edit of what they show (links, dates, names)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from builder.incremental import Session
from builder.pipeline import BuildOptions, build
from serve_content import article, as_bytes, write_content

VISIT = "articles/visit.md"
"""An article naming Wang Yi, Iran and China (tests/serve_content.py)."""


def _sub(path: Path, pattern: str, repl: str) -> Path:
    text = path.read_text(encoding="utf-8")
    new = re.sub(pattern, repl, text, count=1, flags=re.M)
    assert new != text, pattern
    path.write_text(new, encoding="utf-8")
    return path


def _warm(tmp_path: Path) -> tuple[Path, Session]:
    """A session whose every page has been made, so its discovery parts are all at hand."""
    root = write_content(tmp_path / "content")
    session = Session(BuildOptions(root, None))
    first = session.update()
    assert first.ok
    as_bytes(first.files)
    return root, session


def _same_as_clean(root: Path, update) -> None:
    assert update.ok, [d.text() for d in update.diagnostics]
    served, clean = as_bytes(update.files), as_bytes(build(BuildOptions(root, None)).files)
    assert sorted(n for n in served.keys() | clean.keys() if served.get(n) != clean.get(n)) == []


def test_a_title_edit_keeps_related_articles_the_graph_and_the_drawings(tmp_path: Path) -> None:
    root, session = _warm(tmp_path)
    before = session.update([]).files.renderer.explore
    update = session.update([_sub(root / VISIT, r"^title: .*$", 'title: "A new headline"')])
    after = update.files.renderer.explore
    assert after.related_index.naming is before.related_index.naming
    assert after.relationships is before.relationships and after.site_drawing is before.site_drawing
    assert after.drawings[("officials", "wang-yi")] is before.drawings[("officials", "wang-yi")]
    _same_as_clean(root, update)
    assert b"A new headline" in update.files["officials/wang-yi/index.html"]


def test_a_first_build_made_by_workers_leaves_the_parts_an_edit_reuses_made(tmp_path: Path) -> None:
    root = write_content(tmp_path / "content")
    session = Session(BuildOptions(root, None, jobs=2))
    explore = session.update().files.renderer.explore
    assert "related_index" in explore.__dict__
    assert set(explore.drawings) == {k for k in explore.graph.records if k[0] != "articles"}


EDITS = {
    "date": (VISIT, r"^date: .*$", "date: 2019-02-03"),
    "link": ("articles/2024/mou.md", r"^countries: \[.*\]$", "countries: [iran, china]"),
    "unlink": (VISIT, r"^countries: \[.*\]$", "countries: [iran]"),
    "official's name": ("officials/wang-yi.md", r"^name: .*$", "name: Wang Yi the Second"),
    "country's name": ("countries/china.md", r"^name: .*$", "name: People's Republic of China"),
    "post": ("officials/araghchi.md", r"^    start: .*$", "    start: 2021-01"),
    "signing date": ("agreements/cooperation.md", r"^signed: .*$", "signed: 2020-01-02"),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edit_of_what_they_show_right_after_a_title_edit_is_never_stale(tmp_path: Path, edit: str) -> None:
    root, session = _warm(tmp_path)
    update = session.update([_sub(root / VISIT, r"^title: .*$", 'title: "A new headline"')])
    _same_as_clean(root, update)
    name, pattern, repl = EDITS[edit]
    update = session.update([_sub(root / name, pattern, repl)])
    _same_as_clean(root, update)


def test_a_title_edit_then_a_date_edit_reranks_related_articles(tmp_path: Path) -> None:
    """Two articles share as much with "Talks in Beijing" (China), so the newer is listed first there:
    an index kept across the date edit would list them in the old order."""
    root = write_content(tmp_path / "content")
    (root / "articles" / "other.md").write_text(article("Another visit", "2022-06", countries=["china"]), encoding="utf-8")
    session = Session(BuildOptions(root, None))
    as_bytes(session.update().files)
    for n, date in enumerate(("2001-01-01", "2030-01-01")):
        session.update([_sub(root / VISIT, r"^title: .*$", f'title: "Headline {n}"')])
        update = session.update([_sub(root / VISIT, r"^date: .*$", f"date: {date}")])
        _same_as_clean(root, update)
