"""Related articles: the articles that share the most officials, agreements and countries with one."""

from __future__ import annotations

import heapq
from bisect import insort
from copy import copy
from dataclasses import dataclass

from builder import views
from builder.resolve import Graph, Key

WEIGHTS = {"officials": 3, "agreements": 3, "organizations": 2, "countries": 1}
"""What sharing one record of each type is worth. Countries weigh least: most
articles of a dossier about two countries name both."""
LIMIT = 5
"""Most related articles shown on a page."""
BROAD = 64
"""Countries named by more articles than this are not walked whole for every article:
their articles are visited newest first, and only while one of them could still rank
(sharing only countries, they rarely can)."""


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
    """What every article names, and the articles naming each record (newest first): built once per site."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        articles = sorted(graph.of_type("articles"), key=lambda r: (_newest(r.date), r.slug))
        self.order = [r.key for r in articles]
        """Articles in the order ties are broken: newer first, then by slug."""
        self.rank = {key: i for i, key in enumerate(self.order)}
        self.named = {key: named(graph, key) for key in self.order}
        self.naming: dict[Key, list[int]] = {}
        """The ranks of the articles naming each record, ascending."""
        for i, article in enumerate(self.order):
            for key in self.named[article]:
                self.naming.setdefault(key, []).append(i)
        self.countries = [frozenset(k for k in self.named[a] if k[0] == "countries") for a in self.order]
        """The countries each article names, by rank."""

    def rebound(self, graph: Graph) -> Index:
        """This index for ``graph``, whose articles have the same shapes (``shape``) as the ones it was built
        from: what it ranks by is the same, and the names it shows are read from ``graph``."""
        index = copy(self)
        index.graph = graph
        return index

    def related(self, key: Key, limit: int = LIMIT) -> list[Related]:
        """Other articles ranked by the weight of what they share; ties go to the newer, then by slug."""
        mine = self.named.get(key, set())
        me = self.rank.get(key)
        broad = [k for k in mine if k[0] == "countries" and len(self.naming[k]) > BROAD]
        narrow = [k for k in mine if k not in broad]
        scores: dict[int, int] = {}
        for shared in narrow:
            weight = WEIGHTS[shared[0]]
            for other in self.naming[shared]:
                scores[other] = scores.get(other, 0) + weight
        scores.pop(me, None)
        seen = set(scores) | {me}
        countries = set(broad)
        if countries and len(scores) > limit > 0:
            # sharing the broad countries adds at most ``ceiling``: an article that even so cannot
            # reach the ``limit``-th best score without them cannot rank
            floor = heapq.nlargest(limit, scores.values())[-1] - WEIGHTS["countries"] * len(countries)
            scores = {other: score for other, score in scores.items() if score >= floor}
        if countries:
            named_by, weight = self.countries, WEIGHTS["countries"]
            for other in scores:
                scores[other] += weight * len(countries & named_by[other])
        top = heapq.nsmallest(limit, ((-score, other) for other, score in scores.items()))
        if broad and limit > 0:
            self._broad(countries, top, seen, limit)
        records = self.graph.records
        return [Related(views.ref(records[self.order[i]]), -score,
                        _ordered(self.graph, mine & self.named[self.order[i]])) for score, i in top]

    def _weigh(self, countries: set[Key], rank: int) -> int:
        return WEIGHTS["countries"] * len(countries & self.countries[rank])

    def _broad(self, countries: set[Key], top: list[tuple[int, int]], seen: set, limit: int) -> None:
        """Add to ``top`` the articles that share only broad countries, newest first, while one could still rank."""
        ceiling = WEIGHTS["countries"] * len(countries)
        for rank in heapq.merge(*(self.naming[k] for k in sorted(countries))):
            if len(top) == limit and top[-1] < (-ceiling, rank):
                return  # every later article ranks below: it shares at most ``ceiling`` and is older
            if rank in seen:
                continue
            seen.add(rank)
            insort(top, (-self._weigh(countries, rank), rank))
            del top[limit:]


def shape(graph: Graph, key: Key) -> tuple | None:
    """What the index holds of an article: its date and what it names; None for a record not in ``graph``
    (and () for one of another type). Two graphs whose records all have the same shapes have the same index."""
    record = graph.records.get(key)
    if record is None:
        return None
    return (record.date, named(graph, key)) if record.type == "articles" else ()


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
