"""The long lists carried from graph to graph equal the lists ``views`` makes of each graph afresh."""

from __future__ import annotations

import random
from itertools import groupby
from pathlib import Path

import pytest

from builder import views
from builder.dates import PartialDate
from builder.incremental import Session
from builder.listings import Listings, Memo, Sorted
from builder.pipeline import BuildOptions
from builder.records import Position, Record
from builder.resolve import Graph
from serve_content import write_content

TAGS = ("trade", "energy", "ai", "space", "ports")
WORDS = ("Alpha", "beta", "Gamma", "delta", "Étoile", "zeta", "Ωmega", "alpha")


class Content:
    """Records that random edits replace, add and remove; unchanged records stay the same objects."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.count = 0
        self.records: dict = {}
        for _ in range(3):
            self.put(self.country())
        for _ in range(25):
            self.put(self.rng.choice((self.article, self.article, self.official, self.agreement, self.organization))())

    def put(self, record: Record) -> None:
        self.records[record.key] = record

    def slug(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}-{self.count}"

    def words(self) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(1, 2)))

    def date(self) -> PartialDate | None:
        choice = self.rng.randint(0, 3)
        year = self.rng.choice((2019, 2020, 2021))
        return (None, PartialDate(year), PartialDate(year, self.rng.randint(1, 2)),
                PartialDate(year, 1, self.rng.randint(1, 2)))[choice]

    def country_slug(self) -> str:
        slugs = [k[1] for k in self.records if k[0] == "countries"] + ["nowhere"]
        return self.rng.choice(slugs)

    def record(self, type_: str, slug: str | None, fields: dict) -> Record:
        slug = slug or self.slug(type_)
        return Record(type_, slug, Path(f"/content/{type_}/{slug}.md"), {k: v for k, v in fields.items() if v})

    def article(self, slug: str | None = None) -> Record:
        tags = tuple(self.rng.sample(TAGS, self.rng.randint(0, 2)))
        return self.record("articles", slug, {"title": self.words(), "date": self.date() or PartialDate(2020),
                                              "tags": tags, "summary": self.words()})

    def official(self, slug: str | None = None) -> Record:
        positions = tuple(Position(self.words(), "", self.date(), self.date()) for _ in range(self.rng.randint(0, 2)))
        return self.record("officials", slug, {"name": self.words(), "country": self.country_slug(),
                                               "positions": positions})

    def agreement(self, slug: str | None = None) -> Record:
        return self.record("agreements", slug, {"title": self.words(), "signed": self.date(),
                                                "kind": self.rng.choice(("mou", "treaty", ""))})

    def organization(self, slug: str | None = None) -> Record:
        return self.record("organizations", slug, {"name": self.words(), "country": self.country_slug(),
                                                   "kind": self.rng.choice(("ministry", ""))})

    def country(self, slug: str | None = None) -> Record:
        return self.record("countries", slug, {"name": self.words()})

    def step(self) -> None:
        """Replace, add or remove a record (or a few)."""
        for _ in range(self.rng.choice((1, 1, 1, 2, 5))):
            key = self.rng.choice(sorted(self.records))
            op = self.rng.random()
            makers = {"articles": self.article, "officials": self.official, "agreements": self.agreement,
                      "organizations": self.organization, "countries": self.country}
            if op < 0.6:
                self.put(makers[key[0]](key[1]))  # an edit: a new object under the same key
            elif op < 0.8:
                self.put(makers[key[0]]())
            elif key[0] != "countries" or op < 0.85:
                del self.records[key]

    def graph(self) -> Graph:
        return Graph(dict(self.records))


def expected(graph: Graph) -> dict:
    timeline = views.timeline(graph)
    years = [(year, list(events)) for year, events in groupby(timeline, key=lambda e: e.date.year)]
    return {("index", t): views.type_index(graph, t) for t in views.TYPES} | {
        ("timeline",): timeline, ("years",): years, ("tags",): views.tags(graph)}


def shown(lists: Listings, graph: Graph) -> dict:
    made = {("index", t): lists.type_index(t) for t in views.TYPES}
    made |= {("timeline",): lists.timeline(), ("years",): lists.years(), ("tags",): lists.tags()}
    assert {t: lists.tag(t) for t in made[("tags",)]} == made[("tags",)]
    return made


@pytest.mark.parametrize("seed", range(6))
def test_lists_carried_through_random_changes_equal_lists_made_afresh(seed: int) -> None:
    rng = random.Random(seed)
    content = Content(rng)
    lists = Listings(content.graph())
    for step in range(60):
        content.step()
        graph = content.graph()
        following = Listings(graph)
        following.follow(lists)
        lists = following
        if rng.random() < 0.4:  # lists not asked for are carried on to a later graph
            assert shown(lists, graph) == expected(graph), f"seed {seed}, step {step}"
            assert lists.tag("no-such-tag") == []


def test_a_list_is_updated_in_place_of_made_again() -> None:
    content = Content(random.Random(1))
    lists = Listings(content.graph())
    before = lists.type_index("articles")
    key = next(k for k in content.records if k[0] == "articles")
    content.put(content.article(key[1]))
    following = Listings(content.graph())
    following.follow(lists)
    after = following.type_index("articles")
    changes = following._changes(lists.graph)
    assert [r.key for r in changes.come] == [key] and [r.key for r in changes.gone] == [key]
    assert after == views.type_index(content.graph(), "articles")
    assert before == views.type_index(lists.graph, "articles")  # the earlier list is left as it was


def test_sorted_keeps_equal_entries_and_reversed_parts() -> None:
    made = Sorted.of((True, False), [(0, (1,), "a"), (1, ("x",), "u"), (0, (2,), "b"), (0, (1,), "a")])
    assert made.ordered() == ["b", "a", "a", "u"]
    changed = made.changed([(0, (1,), "a"), (1, ("y",), "gone already")], [(0, (3,), "c"), (1, ("w",), "v")])
    assert changed.ordered() == ["c", "b", "a", "v", "u"]
    assert made.ordered() == ["b", "a", "a", "u"]
    assert len(changed) == 5


def test_a_first_build_made_elsewhere_leaves_the_lists_and_their_items_at_hand(tmp_path: Path) -> None:
    root = write_content(tmp_path / "content")
    session = Session(BuildOptions(root, None, jobs=2))
    site = session.update().files
    lists, fragments = site.renderer.lists, site.renderer.env.globals["each"]
    assert {("index", "articles"), ("timeline",), ("tags",)} <= lists.made.keys()
    assert len(fragments) >= len(lists.type_index("articles")) + len(lists.timeline())
    path = root / "articles" / "visit.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Wang Yi visits Tehran", "A new headline"), encoding="utf-8")
    update = session.update([path])
    assert update.files.renderer.lists.carried.keys() >= {("index", "articles"), ("timeline",)}
    assert b"A new headline" in update.files["articles/index.html"]


def test_entity_page_items_are_the_same_objects_while_their_record_is_unchanged() -> None:
    content = Content(random.Random(2))
    lists = Listings(content.graph())
    article, official = (next(r for r in content.records.values() if r.type == t) for t in ("articles", "officials"))
    first = lists.ref(article, "concerns")
    assert first == views.ref(article, "concerns") and lists.ref(article, "concerns") is first
    assert lists.ref(article) == views.ref(article) != first
    assert lists.posted_events(official) == views.posted_events(official)
    before = lists.ref(official), lists.posted_events(official)
    content.put(content.article(article.slug))
    following = Listings(content.graph())
    following.follow(lists)
    assert following.ref(official) is before[0] and following.posted_events(official) is before[1]
    edited = content.records[article.key]
    assert following.ref(edited, "concerns") == views.ref(edited, "concerns") != first


def test_the_memo_keeps_two_generations_and_holds_their_records() -> None:
    memo = Memo(limit=2)
    records = [Content(random.Random(3)).article() for _ in range(5)]
    made = [memo.get(("ref", id(r)), r, lambda r=r: views.ref(r)) for r in records]
    assert made == [views.ref(r) for r in records]
    assert len(memo.newer) + len(memo.older) <= 4
    assert memo.get(("ref", id(records[-1])), records[-1], lambda: "made again") is made[-1]
    assert memo.get(("ref", id(records[0])), records[0], lambda: "made again") == "made again"
    assert all(memo.held[0].get(id(r)) is r or memo.held[1].get(id(r)) is r for r in records[-2:])
