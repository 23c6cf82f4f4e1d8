"""Related articles of a large dossier: the ranking that skips most articles sharing only
countries gives exactly the ranking that scores every article."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from builder import related
from builder.dates import PartialDate
from builder.records import Link, Record
from builder.resolve import Graph


def random_graph(seed: int, articles: int = 200) -> Graph:
    rng = random.Random(seed)
    entities = {"officials": 25, "countries": 6, "agreements": 10, "organizations": 5}
    records = [Record(t, f"{t[:3]}-{i}", Path(f"{t}/{i}.md"), {"name": f"{t} {i}"})
               for t, n in entities.items() for i in range(n)]
    for i in range(articles):
        date = None if i % 17 == 0 else PartialDate(rng.randint(2018, 2020), rng.choice([None, 3, 7]))
        fields = {"title": f"Article {i}"} | ({"date": date} if date else {})
        records.append(Record("articles", f"a-{i:03d}", Path(f"a/{i}.md"), fields))
    graph = Graph({r.key: r for r in records})
    for record in records[sum(entities.values()):]:
        for type_, count in entities.items():
            for n in rng.sample(range(count), rng.choice([0, 0, 1, 2] if type_ != "countries" else [1, 2, 3])):
                graph.add(Link(record.key, (type_, f"{type_[:3]}-{n}"), rng.choice([type_, "mention"])))
    return graph


def brute_force(graph: Graph, key) -> list[tuple]:
    """Score every other article, sort them all."""
    mine = related.named(graph, key)
    scored = []
    for other in graph.of_type("articles"):
        score = sum(related.WEIGHTS[k[0]] for k in mine & related.named(graph, other.key))
        if other.key != key and score:
            scored.append((-score, related._newest(other.date), other.slug))
    return [(slug, -score) for score, _, slug in sorted(scored)]


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("broad", [0, 10_000])
def test_ranking_is_the_one_that_scores_every_article(monkeypatch, seed, broad):
    """With ``broad`` 0 every country is visited newest first only while it could still rank;
    with 10,000 none is."""
    monkeypatch.setattr(related, "BROAD", broad)
    graph = random_graph(seed)
    index = related.Index(graph)
    for article in graph.of_type("articles"):
        expected = brute_force(graph, article.key)
        for limit in (1, 5, 12):
            found = [(r.article.url.split("/")[1], r.score) for r in index.related(article.key, limit)]
            assert found == expected[:limit], article.key


def test_the_index_keeps_what_each_article_names_in_little_memory():
    """Built once for the whole site and inherited by every render process: what each article names is
    kept as a tuple of the records' keys (a set for each article took twice as much)."""
    import tracemalloc

    graph = random_graph(7, articles=2000)
    tracemalloc.start()
    try:
        index = related.Index(graph)
        kept, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(index.named) == 2000
    assert kept < 500 * len(index.named)  # 350 bytes an article; with a set for each, 750
