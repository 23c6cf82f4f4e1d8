"""Related articles: the articles that share the most officials, agreements and countries with one."""

from __future__ import annotations

from dataclasses import dataclass

from builder import views
from builder.resolve import Graph, Key

WEIGHTS = {"officials": 3, "agreements": 3, "organizations": 2, "countries": 1}
"""What sharing one record of each type is worth. Countries weigh least: most
articles of a dossier about two countries name both."""
LIMIT = 5
"""Most related articles shown on a page."""


@dataclass(frozen=True, slots=True)
class Related:
    """An article related to another, with what they share."""

    article: views.Ref
    score: int
    shared: tuple[views.Ref, ...]
    """The shared records, officials first, then agreements, organizations, countries."""


def named(graph: Graph, key: Key) -> set[Key]:
    """The records of weighted types an article names, in front matter or body."""
    return {l.target for l in graph.outgoing.get(key, ()) if l.target[0] in WEIGHTS}


def related_articles(graph: Graph, key: Key, limit: int = LIMIT) -> list[Related]:
    """Other articles ranked by the weight of what they share; ties go to the newer, then by URL."""
    mine = named(graph, key)
    found = []
    for other in graph.of_type("articles"):
        if other.key == key:
            continue
        shared = mine & named(graph, other.key)
        if not shared:
            continue
        score = sum(WEIGHTS[k[0]] for k in shared)
        found.append((score, other, shared))
    found.sort(key=lambda f: (-f[0], _newest(f[1].date), f[1].slug))
    return [Related(views.ref(other), score, _ordered(graph, shared)) for score, other, shared in found[:limit]]


def _newest(date) -> tuple:
    """Sorts newer dates first (the exact reverse of oldest first); undated last."""
    if date is None:
        return (1, ())
    return (0, tuple(-part for part in date.sort_key))


def _ordered(graph: Graph, shared: set[Key]) -> tuple[views.Ref, ...]:
    order = list(WEIGHTS)
    keys = sorted(shared, key=lambda k: (order.index(k[0]), graph.records[k].label.casefold(), k))
    return tuple(views.ref(graph.records[k]) for k in keys)
