"""Builds spread over processes give the same output and the same problems as one process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.generate import generate
from builder import parallel
from builder.pipeline import BuildOptions, build
from conftest import snapshot

GOLDEN = Path(__file__).resolve().parent / "golden" / "content"


@pytest.fixture(autouse=True)
def always_parallel(monkeypatch):
    """Small test sites would otherwise be built in one process."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 0)
    monkeypatch.setattr(parallel, "LOAD_CHUNK", 3)
    monkeypatch.setattr(parallel, "RENDER_CHUNK", 5)


@pytest.mark.parametrize("drafts", [False, True])
def test_golden_site_same_bytes_with_one_or_three_processes(tmp_path: Path, drafts: bool) -> None:
    one = build(BuildOptions(GOLDEN, tmp_path / "one", drafts, jobs=1))
    three = build(BuildOptions(GOLDEN, tmp_path / "three", drafts, jobs=3))
    assert one.ok and three.ok
    assert list(one.files) == list(three.files)
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "three")
    assert one.diagnostics == three.diagnostics


def test_generated_site_same_bytes_with_one_or_two_processes(tmp_path: Path) -> None:
    generate(tmp_path / "content", 40)
    build(BuildOptions(tmp_path / "content", tmp_path / "one", jobs=1))
    build(BuildOptions(tmp_path / "content", tmp_path / "two", jobs=2))
    one, two = snapshot(tmp_path / "one"), snapshot(tmp_path / "two")
    assert len(one) > 100 and one == two


def test_problems_are_the_same_and_in_order_with_two_processes(tmp_path: Path) -> None:
    shutil.copytree(GOLDEN, tmp_path / "content")
    article = tmp_path / "content" / "articles" / "ict-year.md"
    article.write_text(article.read_text().replace("title:", "titel:", 1) + "\n[[Nobody At All]]\n")
    (tmp_path / "content" / "officials" / "Bad Name.md").write_text("---\nname: x\n---\n")
    one = build(BuildOptions(tmp_path / "content", None, jobs=1))
    two = build(BuildOptions(tmp_path / "content", None, jobs=2))
    assert not one.ok and len(one.diagnostics) >= 3
    assert [d.text() for d in one.diagnostics] == [d.text() for d in two.diagnostics]


def test_check_renders_in_memory_with_two_processes(tmp_path: Path) -> None:
    result = build(BuildOptions(GOLDEN, None, jobs=2))
    assert result.ok and all(isinstance(c, (bytes, Path)) for c in result.files.values())
    assert b"<html" in result.files["index.html"]


def test_pages_drawn_from_the_whole_site_are_listed_unmade_and_rendered_first(monkeypatch, tmp_path: Path) -> None:
    """Listing the pages draws nothing (the site graph would otherwise be held, and inherited, through the
    whole render); the graph and timeline pages are made before the rest, yet the pages keep their order."""
    from builder import graphsvg

    drawn: list[str] = []
    site_drawing = graphsvg.site_drawing
    monkeypatch.setattr(graphsvg, "site_drawing", lambda *a, **k: drawn.append("site") or site_drawing(*a, **k))
    made: list[str] = []
    render_one = parallel._render_one

    def noting(index):
        if not drawn and not made:
            assert parallel._JOB.pages and all(p.template == parallel.DEFERRED for p in parallel._JOB.pages)
        url, value = render_one(index)
        made.append(url)
        return url, value

    monkeypatch.setattr(parallel, "_render_one", noting)
    result = build(BuildOptions(GOLDEN, tmp_path / "site", jobs=1, search=False))
    assert result.ok and drawn == ["site"]
    assert sorted(made[:2]) == ["graph/", "timeline/"]
    pages = [name for name in result.files if name.endswith(".html")]
    assert pages[0] == "index.html" and pages.index("graph/index.html") > pages.index("timeline/index.html") > 1


@pytest.mark.parametrize("cached", [False, True])
def test_records_loaded_elsewhere_share_their_equal_values(tmp_path: Path, cached: bool) -> None:
    """Records sent back by the processes that load them, or read from the cache, arrive with copies of
    their own of every key, slug, tag and date; loading makes equal values one object again."""
    generate(tmp_path / "content", 40)
    options = BuildOptions(tmp_path / "content", None, jobs=2, cache=tmp_path / "cache", search=False)
    if cached:
        assert build(options).ok
    records = build(options).graph.records
    articles = [r for r in records.values() if r.type == "articles"]
    assert len({id(key) for r in articles for key in r.fields}) == len({key for r in articles for key in r.fields})
    for article in articles:
        for slug in article.get("officials", ()):
            official = records[("officials", slug)]
            assert slug is official.slug and official.key is records[official.key].key
    tags = {tag for r in articles for tag in r.get("tags", ())}
    assert len({id(tag) for r in articles for tag in r.get("tags", ())}) == len(tags) > 1
    publishers = [s.publisher for r in articles for s in r.get("sources", ())]
    assert len({id(p) for p in publishers}) == len(set(publishers)) < len(publishers)
    dates = [r.date for r in articles if r.date]
    assert len({id(d) for d in dates}) == len(set(dates))
