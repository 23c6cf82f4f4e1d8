"""Related articles: the articles that share the most officials, agreements and countries with one."""

from __future__ import annotations

import heapq
from bisect import insort
from collections import Counter
from copy import copy
from dataclasses import dataclass

from builder import views
from builder.resolve import Graph, Key

WEIGHTS = {"officials": 3, "agreements": 3, "organizations": 2, "countries": 1}
"""What sharing one record of each type is worth. Countries weigh least: most
articles of a dossier about two countries name both."""
LIMIT = 5
"""Most related articles shown on a page."""
TYPE_ORDER = list(WEIGHTS)
"""The order shared records are listed in, by type."""
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
        self.named = {key: tuple(named(graph, key)) for key in self.order}
        """What each article names, as a tuple: a set for each article takes twice the memory."""
        self.naming: dict[Key, list[int]] = {}
        """The ranks of the articles naming each record, ascending."""
        for i, article in enumerate(self.order):
            for key in self.named[article]:
                self.naming.setdefault(key, []).append(i)
        self.bits = {k: 1 << i for i, k in enumerate(sorted(k for k in self.naming if k[0] == "countries"))}
        """A bit for each country named, so that what two articles share of them is one ``&``."""
        self.countries = [sum(self.bits[k] for k in self.named[a] if k[0] == "countries") for a in self.order]
        """The countries each article names, by rank, as bits."""
        self.refs: dict[Key, views.Ref] = {}
        """Each record shown so far, as shown (made once, however many lists show it)."""
        self.places: dict[Key, tuple] = {}
        """Where each record shared so far is listed among what two articles share."""

    def rebound(self, graph: Graph) -> Index:
        """This index for ``graph``, whose articles have the same shapes (``shape``) as the ones it was built
        from: what it ranks by is the same, and the names it shows are read from ``graph``."""
        index = copy(self)
        index.graph = graph
        index.refs, index.places = {}, {}
        return index

    def related(self, key: Key, limit: int = LIMIT) -> list[Related]:
        """Other articles ranked by the weight of what they share; ties go to the newer, then by slug."""
        mine = self.named.get(key, ())
        me = self.rank.get(key)
        broad = [k for k in mine if k[0] == "countries" and len(self.naming[k]) > BROAD]
        narrow = [k for k in mine if k not in broad]
        scores: Counter[int] = Counter()
        for shared in narrow:
            for _ in range(WEIGHTS[shared[0]]):
                scores.update(self.naming[shared])  # counted in C: adding 1 a few times is quicker than the weight once
        scores.pop(me, None)
        seen = set(scores) | {me}
        countries = set(broad)
        mask = sum(self.bits[k] for k in countries)
        if countries and len(scores) > limit > 0:
            # sharing the broad countries adds at most ``ceiling``: an article that even so cannot
            # reach the ``limit``-th best score without them cannot rank
            floor = heapq.nlargest(limit, scores.values())[-1] - WEIGHTS["countries"] * len(countries)
            scores = {other: score for other, score in scores.items() if score >= floor}
        if countries:
            named_by, weight = self.countries, WEIGHTS["countries"]
            for other in scores:
                scores[other] += weight * (mask & named_by[other]).bit_count()
        top = heapq.nsmallest(limit, ((-score, other) for other, score in scores.items()))
        if broad and limit > 0:
            self._broad(countries, mask, top, seen, limit)
        mine = set(mine)
        return [Related(self._ref(self.order[i]), -score, self._ordered(mine.intersection(self.named[self.order[i]])))
                for score, i in top]

    def _ref(self, key: Key) -> views.Ref:
        ref = self.refs.get(key)
        if ref is None:
            ref = self.refs[key] = views.ref(self.graph.records[key])
        return ref

    def _ordered(self, shared: set[Key]) -> tuple[views.Ref, ...]:
        """The shared records, officials first, then agreements, organizations, countries; each by name."""
        return tuple(self._ref(k) for k in sorted(shared, key=self._place))

    def _place(self, key: Key) -> tuple:
        place = self.places.get(key)
        if place is None:
            place = self.places[key] = (TYPE_ORDER.index(key[0]), self.graph.records[key].label.casefold(), key)
        return place

    def _weigh(self, mask: int, rank: int) -> int:
        return WEIGHTS["countries"] * (mask & self.countries[rank]).bit_count()

    def _broad(self, countries: set[Key], mask: int, top: list[tuple[int, int]], seen: set, limit: int) -> None:
        """Add to ``top`` the articles that share only broad countries, newest first, while one could still rank."""
        ceiling = WEIGHTS["countries"] * len(countries)
        for rank in heapq.merge(*(self.naming[k] for k in sorted(countries))):
            if len(top) == limit and top[-1] < (-ceiling, rank):
                return  # every later article ranks below: it shares at most ``ceiling`` and is older
            if rank in seen:
                continue
            seen.add(rank)
            insort(top, (-self._weigh(mask, rank), rank))
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

