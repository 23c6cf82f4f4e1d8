"""Related articles: the articles that share the most officials, agreements and countries with one."""

from __future__ import annotations

import heapq
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


class Index:
    """What every article names, and the articles naming each record: built once per site."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.named = {r.key: named(graph, r.key) for r in graph.of_type("articles")}
        self.naming: dict[Key, list[Key]] = {}
        for article in sorted(self.named):
            for key in self.named[article]:
                self.naming.setdefault(key, []).append(article)

    def related(self, key: Key, limit: int = LIMIT) -> list[Related]:
        """Other articles ranked by the weight of what they share; ties go to the newer, then by slug."""
        scores: dict[Key, int] = {}
        for shared in self.named.get(key, ()):
            weight = WEIGHTS[shared[0]]
            for other in self.naming[shared]:
                if other != key:
                    scores[other] = scores.get(other, 0) + weight
        records = self.graph.records
        ranked = heapq.nsmallest(limit, scores, key=lambda k: (-scores[k], _newest(records[k].date), k[1]))
        mine = self.named[key]
        return [Related(views.ref(records[k]), scores[k], _ordered(self.graph, mine & self.named[k])) for k in ranked]


def related_articles(graph: Graph, key: Key, limit: int = LIMIT) -> list[Related]:
    """Other articles ranked by the weight of what they share; ties go to the newer, then by slug."""
    return Index(graph).related(key, limit)


def _newest(date) -> tuple:
    """Sorts newer dates first (the exact reverse of oldest first); undated last."""
    if date is None:
        return (1, ())
    return (0, tuple(-part for part in date.sort_key))


def _ordered(graph: Graph, shared: set[Key]) -> tuple[views.Ref, ...]:
    order = list(WEIGHTS)
    keys = sorted(shared, key=lambda k: (order.index(k[0]), graph.records[k].label.casefold(), k))
    return tuple(views.ref(graph.records[k]) for k in keys)
