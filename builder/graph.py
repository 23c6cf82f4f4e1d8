"""The relationship graph: every typed relationship the content states, in one graph.

Nodes are the entities (officials, countries, agreements, organizations);
articles are not nodes but the places where entities are mentioned together,
so each co-mention edge carries its article and date. The graph is built in a
fixed order (records and edges sorted) so layouts and exports are the same on
every build.
"""

from __future__ import annotations

import csv
import io
from array import array
from collections import Counter
from itertools import accumulate, combinations, islice
from operator import attrgetter, itemgetter
from typing import Any, Iterable, Iterator, Mapping, NamedTuple, Sequence

from builder import urls
from builder.dates import PartialDate
from builder.records import Record
from builder.resolve import Graph, Key

ENTITY_TYPES = ("officials", "countries", "agreements", "organizations")
"""Record types that are nodes of the graph."""

RELATIONS = {
    "official-country": "official of",
    "organization-country": "based in",
    "position": "holds a post at",
    "signatory": "signed",
    "party": "party to",
    "parent": "made under",
    "mention": "mentions",
    "co-mention": "mentioned together in",
}
"""Each relationship's identifier (as exported) and how it reads between two names."""


class Edge(NamedTuple):
    """One typed relationship between two entities (a named tuple: made quickly, as an ``EdgeTable`` makes them)."""

    source: Key
    target: Key
    relation: str
    """One of RELATIONS."""
    label: str
    """How it reads: the relation's phrase, or a post's title."""
    date: PartialDate | None = None
    """When it held or happened, where the content says."""
    article: Key | None = None
    """For a co-mention: the article that names both."""

    @property
    def sort_key(self) -> tuple:
        return (self.source, self.target, self.relation, self.article or ("", ""), self.label)


_sort_key = attrgetter("sort_key")
_new = tuple.__new__

WIDTH = 5
"""Integers in an ``EdgeTable`` row: source, target, kind (relation and label), date, article."""


class EdgeTable(Sequence[Edge]):
    """Edges kept as rows of small integers in one array (the two ends as places among the nodes, the
    kind, date and article as places in short lists of the values they take), each ``Edge`` made when
    read. A large site has hundreds of thousands of edges: as objects they took five times the memory,
    and every process a build forks to render pages wrote to all of it, reading it."""

    __slots__ = ("keys", "kinds", "dates", "articles", "rows")

    def __init__(self, keys: list[Key]) -> None:
        self.keys = keys
        """The nodes, by place."""
        self.kinds: list[tuple[str, str]] = []
        """Each (relation, label) an edge has."""
        self.dates: list[PartialDate | None] = [None]
        self.articles: list[Key | None] = [None]
        self.rows = array("I")
        """``WIDTH`` integers an edge, in the fixed order."""

    @classmethod
    def of(cls, keys: list[Key], found: Iterable[Edge]) -> EdgeTable:
        """The table of ``found``, in their order, between the nodes ``keys``."""
        table = cls(keys)
        place, codes = {key: i for i, key in enumerate(keys)}, _Codes(table)
        for edge in found:
            table.rows.extend((place[edge.source], place[edge.target], *codes.of(edge)))
        return table

    def __len__(self) -> int:
        return len(self.rows) // WIDTH

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return self.at(range(*index.indices(len(self))))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self.at((index,))[0]

    def __iter__(self) -> Iterator[Edge]:
        for start in range(0, len(self), 4096):  # a batch at a time: a large site's edges are never all made at once
            yield from self.at(range(start, min(start + 4096, len(self))))

    def row_tuples(self) -> Iterator[tuple[int, ...]]:
        """Each edge's row as a tuple."""
        return zip(*[iter(self.rows)] * WIDTH)

    def at(self, places: Iterable[int]) -> list[Edge]:
        """The edges at ``places``: ``[self[i] for i in places]``, quicker."""
        rows, keys, kinds, dates, articles = self.rows, self.keys, self.kinds, self.dates, self.articles
        found = []
        for i in places:
            i *= WIDTH
            relation, label = kinds[rows[i + 2]]
            found.append(_new(Edge, (keys[rows[i]], keys[rows[i + 1]], relation, label, dates[rows[i + 3]], articles[rows[i + 4]])))
        return found


class _Codes:
    """The kind, date and article places of edges being added to ``table``."""

    def __init__(self, table: EdgeTable) -> None:
        self.table = table
        self.kinds: dict[tuple[str, str], int] = {}
        self.dates: dict[PartialDate | None, int] = {None: 0}
        self.articles: dict[Key | None, int] = {None: 0}

    def of(self, edge: Edge) -> tuple[int, int, int]:
        return (_code(self.kinds, self.table.kinds, (edge.relation, edge.label)),
                _code(self.dates, self.table.dates, edge.date), _code(self.articles, self.table.articles, edge.article))


def _code(codes: dict, values: list, value) -> int:
    code = codes.get(value)
    if code is None:
        code = codes[value] = len(values)
        values.append(value)
    return code


class Relationships:
    """Entities as nodes (each with its type, label and URL) and the typed edges between them, in a fixed order.

    Plain dicts and an ``EdgeTable``: a large site has hundreds of thousands of edges, which a networkx
    multigraph would keep in several dicts each, and every page that reads them wants them in order.
    """

    __slots__ = ("nodes", "edges")

    def __init__(self, nodes: dict[Key, dict[str, str]], edges: Sequence[Edge]) -> None:
        self.nodes = nodes
        """Attributes by node, in key order."""
        self.edges = edges if isinstance(edges, EdgeTable) else EdgeTable.of(list(nodes), edges)
        """Every edge, in the fixed order (``Edge.sort_key``)."""

    def __contains__(self, key: object) -> bool:
        return key in self.nodes

    def number_of_nodes(self) -> int:
        return len(self.nodes)


def build(graph: Graph) -> Relationships:
    """The relationship graph of a resolved site: entities as nodes, typed edges between them."""
    nodes = sorted(k for k in graph.records if k[0] in ENTITY_TYPES)
    attributes = {key: {"type": key[0], "label": graph.records[key].label, "url": urls.record_url(*key)} for key in nodes}
    rank = {key: i for i, key in enumerate(nodes)}
    table = EdgeTable(nodes)
    codes = _Codes(table)
    # Each edge as (target, kind, date, article) in its source's array until all are made.
    by_source = [array("I") for _ in nodes]
    for edge in _edges(graph):
        by_source[rank[edge.source]].extend((rank[edge.target], *codes.of(edge)))
    # ``Edge.sort_key`` after the source, as places in the sorted values, which compare quicker.
    relation = _ranks([r for r, _ in table.kinds])
    label = _ranks([l for _, l in table.kinds])
    article = _ranks([a or ("", "") for a in table.articles])

    def order(row: tuple[int, ...]) -> tuple:
        return (row[0], relation[row[1]], article[row[3]], label[row[1]])

    # Sorted and made unique one source at a time: the sort keys and the keys telling duplicates apart
    # are then a few thousand at most, not one for each of the hundreds of thousands of edges at once.
    for i, edges_from in enumerate(by_source):
        kept: dict[tuple, tuple[int, ...]] = {}
        for row in sorted(zip(*[iter(edges_from)] * (WIDTH - 1)), key=order):
            # One edge per key between two ends (``_edge_key``): the last one stays.
            kept[(row[0], relation[row[1]], row[3], -1 if row[3] else label[row[1]])] = row
        for row in kept.values():  # in order: an edge replaced shares the sort key of the one it replaces
            table.rows.append(i)
            table.rows.extend(row)
        by_source[i] = array("I")
    return Relationships(attributes, table)


def _ranks(values: list) -> list[int]:
    """Each value's place among the values sorted (equal values the same place)."""
    places = {value: i for i, value in enumerate(sorted(set(values)))}
    return [places[v] for v in values]


def _edge_key(edge: Edge) -> str:
    return f"{edge.relation}:{edge.article[1] if edge.article else edge.label}"


def _edges(graph: Graph) -> Iterable[Edge]:
    for record in graph.records.values():
        if record.type == "articles":
            yield from _co_mentions(graph, record)
        else:
            yield from _stated(graph, record)


def _stated(graph: Graph, record: Record) -> Iterable[Edge]:
    """Relationships an entity's own front matter and body state."""
    key = record.key
    for link in graph.outgoing.get(key, ()):
        target = link.target
        if target[0] not in ENTITY_TYPES:
            continue
        if link.relation == "country":
            relation = "official-country" if record.type == "officials" else "organization-country"
            yield Edge(key, target, relation, RELATIONS[relation])
        elif link.relation == "parties":
            yield Edge(target, key, "party", RELATIONS["party"], record.get("signed"))
        elif link.relation == "signatories":
            yield Edge(target, key, "signatory", RELATIONS["signatory"], record.get("signed"))
        elif link.relation == "parent":
            yield Edge(key, target, "parent", RELATIONS["parent"])
        elif link.relation == "mention":
            yield Edge(key, target, "mention", RELATIONS["mention"])
    for position in record.get("positions", ()):
        target = ("organizations", position.organization)
        if position.organization and target in graph.records:
            yield Edge(key, target, "position", position.title, position.start)


def _co_mentions(graph: Graph, article: Record, key: Key | None = None, named: list[Key] | None = None) -> Iterable[Edge]:
    """Every pair of entities one article names (``named``, when known), dated by the article; with
    ``key``, only the pairs it is in."""
    if named is None:
        named = _named(graph, article.key)
    pairs = combinations(named, 2) if key is None else (
        (min(key, other), max(key, other)) for other in named if other != key and key in named)
    date, phrase = article.get("date"), RELATIONS["co-mention"]
    for a, b in pairs:
        yield Edge(a, b, "co-mention", phrase, date, article.key)


def _named(graph: Graph, key: Key) -> list[Key]:
    """The entities an article names, sorted."""
    return sorted({l.target for l in graph.outgoing.get(key, ()) if l.target[0] in ENTITY_TYPES})


def edges(g: Relationships, keys: Iterable[Key] | None = None) -> list[Edge]:
    """The graph's edges in a fixed order; with ``keys``, only those touching one of them."""
    if keys is None:
        return list(g.edges)
    wanted = set(keys)
    return [e for e in g.edges if e.source in wanted or e.target in wanted]


def touching(g: Relationships) -> Touching:
    """The edges touching each node, in the fixed order: what ``around`` finds for one node, for all at once."""
    return Touching(g.edges)


class Touching(Mapping[Key, list[Edge]]):
    """The edges touching each node, kept as their places in an ``EdgeTable`` (one array for all the
    nodes, each node's run of it marked in another), the edges made when a node's are read."""

    __slots__ = ("table", "place", "starts", "found")

    def __init__(self, table: EdgeTable) -> None:
        self.table = table
        self.place = {key: i for i, key in enumerate(table.keys)}
        sources, targets = table.rows[0::WIDTH], table.rows[1::WIDTH]
        count = [0] * (len(table.keys) + 1)
        for source, target in zip(sources, targets):
            count[source + 1] += 1
            if target != source:
                count[target + 1] += 1
        starts = list(accumulate(count))
        self.starts = array("I", starts)
        """Where each node's edges start in ``found``; the last, where they all end."""
        self.found = array("I", [0]) * starts[-1]
        """The places of the edges touching each node, node after node, in the fixed order."""
        for edge, (source, target) in enumerate(zip(sources, targets)):
            self.found[starts[source]] = edge
            starts[source] += 1
            if target != source:
                self.found[starts[target]] = edge
                starts[target] += 1

    def __getitem__(self, key: Key) -> list[Edge]:
        i = self.place[key]
        return self.table.at(self.found[self.starts[i]:self.starts[i + 1]])

    def __iter__(self) -> Iterator[Key]:
        return iter(self.table.keys)

    def __len__(self) -> int:
        return len(self.table.keys)


def best_connected(g: Relationships, limit: int) -> tuple[dict[Key, dict], list[Edge]]:
    """The whole graph when it has at most ``limit`` nodes; otherwise the ``limit`` nodes with the most
    relationships (ties by key), in the graph's order, and the edges between them: what
    ``graphsvg._best_connected`` chooses from all the edges, counted on the table without making them."""
    table = g.edges
    if len(g.nodes) <= limit:
        return dict(g.nodes), list(table)
    degree = Counter(table.rows[0::WIDTH])
    degree.update(table.rows[1::WIDTH])
    keys = table.keys
    chosen = set(sorted(range(len(keys)), key=lambda i: (-degree[i], keys[i]))[:limit])
    return ({keys[i]: g.nodes[keys[i]] for i in sorted(chosen)},
            table.at([i for i, row in enumerate(table.row_tuples()) if row[0] in chosen and row[1] in chosen]))


def local_parts(graph: Graph, key: Key, named: dict[Key, list[Key]] | None = None) -> tuple[dict[Key, dict], list[Edge]]:
    """One entity's neighbourhood, made from the records linking to it alone: the node and its
    neighbours (sorted, with their attributes) and the edges touching the node (in a fixed order).
    Equal to ``around(build(graph), key)``: each edge comes from one record (the one stating it, or
    the article naming both), so the order the records are walked in does not matter. ``named``
    keeps what each article names for the next call (when many neighbourhoods are made at once)."""
    if key[0] not in ENTITY_TYPES or key not in graph.records:
        return {}, []
    named = {} if named is None else named
    found: list[Edge] = []
    for source in {key} | {l.source for l in graph.incoming.get(key, ())}:
        record = graph.records[source]
        if record.type == "articles":
            entities = named.get(source)
            if entities is None:
                entities = named[source] = _named(graph, source)
            found += _co_mentions(graph, record, key, entities)
        else:
            found += [e for e in _stated(graph, record) if key in (e.source, e.target)]
    kept: dict[tuple, Edge] = {}
    for edge in sorted(found, key=_sort_key):
        kept[(edge.source, edge.target, _edge_key(edge))] = edge  # as in ``build``: the last one stays
    around = {key} | {e.source for e in kept.values()} | {e.target for e in kept.values()}
    nodes = {n: {"type": n[0], "label": graph.records[n].label, "url": urls.record_url(*n)} for n in sorted(around)}
    return nodes, list(kept.values())  # in order: an edge replaced shares the sort key of the one it replaces


def shape(graph: Graph, key: Key) -> tuple | None:
    """What a record gives the relationship graph: an article its date and the entities it names,
    an entity its label and the relationships it states; None for a record not in ``graph``.
    Two graphs whose records all have the same shapes have the same relationship graph."""
    record = graph.records.get(key)
    if record is None:
        return None
    if record.type == "articles":
        return (record.get("date"), frozenset(l.target for l in graph.outgoing.get(key, ()) if l.target[0] in ENTITY_TYPES))
    if record.type not in ENTITY_TYPES:
        return (record.type,)
    return (record.label, tuple(_stated(graph, record)))


def reach(graphs: Iterable[Graph], keys: Iterable[Key]) -> set[Key]:
    """The entities whose neighbourhood (``local_parts``) a change of the shapes of ``keys`` may change, in
    any of ``graphs``: the entities an article names; an entity itself, the entities it links or is linked
    by, and those mentioned together with it (their neighbourhoods show its label)."""
    found: set[Key] = set()
    for graph in graphs:
        for key in keys:
            found.add(key)
            found.update(l.target for l in graph.outgoing.get(key, ()))
            if key[0] == "articles":
                continue
            for link in graph.incoming.get(key, ()):
                found.add(link.source)
                if link.source[0] == "articles":
                    found.update(l.target for l in graph.outgoing.get(link.source, ()))
    return {k for k in found if k[0] in ENTITY_TYPES}


def around(g: Relationships, key: Key, by_node: Mapping[Key, list[Edge]] | None = None) -> tuple[dict[Key, dict], list[Edge]]:
    """One node's neighbourhood in a built graph: the node and its neighbours (sorted, with their
    attributes) and the edges touching the node (in a fixed order), read from ``by_node`` (``touching(g)``)
    when given."""
    if key not in g:
        return {}, []
    found = list(by_node[key]) if by_node is not None else edges(g, (key,))
    ends = {key} | {e.source for e in found} | {e.target for e in found}
    return {n: g.nodes[n] for n in sorted(ends)}, found


def node_id(key: Key) -> str:
    """A node's identifier in the exports: ``officials/wang-yi``."""
    return f"{key[0]}/{key[1]}"


def as_json(g: Relationships) -> dict[str, Any]:
    """Nodes and edges as plain data for dossier.json; the edges an iterator, made as they are written
    (``outputs.dumps`` writes it as a list): a large site has hundreds of thousands."""
    return {
        "nodes": [_node_row(g, key) for key in g.nodes],
        "edges": (dict(zip(EDGE_COLUMNS, row)) for row in _table_rows(g.edges)),
    }


NODE_COLUMNS = ("id", "type", "slug", "label", "url")
EDGE_COLUMNS = ("source", "target", "relation", "label", "date", "article")


def _node_row(g: Relationships, key: Key) -> dict[str, str]:
    data = g.nodes[key]
    return {"id": node_id(key), "type": key[0], "slug": key[1], "label": data["label"], "url": data["url"]}


def _edge_rows(found: Iterable[Edge]) -> Iterator[tuple[str, ...]]:
    """Each edge's values in the order of EDGE_COLUMNS; the identifiers and dates, which recur on many
    edges, written once each."""
    ids: dict[Key | None, str] = {None: ""}
    days: dict[PartialDate | None, str] = {None: ""}
    def named(key: Key | None) -> str:
        text = ids.get(key)
        if text is None:
            text = ids[key] = node_id(key)
        return text

    for edge in found:
        day = days.get(edge.date)
        if day is None:
            day = days[edge.date] = edge.date.iso()
        yield named(edge.source), named(edge.target), edge.relation, edge.label, day, named(edge.article)


def _table_rows(table: EdgeTable) -> Iterator[tuple[str, ...]]:
    """``_edge_rows`` of a table's edges, read from its rows without making the edges."""
    ids = [node_id(key) for key in table.keys]
    days = ["" if day is None else day.iso() for day in table.dates]
    articles = ["" if key is None else node_id(key) for key in table.articles]
    kinds = table.kinds
    for source, target, kind, day, article in table.row_tuples():
        relation, label = kinds[kind]
        yield ids[source], ids[target], relation, label, days[day], articles[article]


def nodes_csv(g: Relationships) -> bytes:
    return _csv(NODE_COLUMNS, map(itemgetter(*NODE_COLUMNS), (_node_row(g, key) for key in g.nodes)))


def edges_csv(g: Relationships) -> bytes:
    return b"".join(edges_csv_chunks(g))


def edges_csv_chunks(g: Relationships) -> Iterator[bytes]:
    """``edges_csv`` in pieces of ``CSV_BATCH`` rows: a large site's edge list is never held whole."""
    return _csv_chunks(EDGE_COLUMNS, _table_rows(g.edges))


def _csv(columns: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> bytes:
    """A header and ``rows`` (values in the order of ``columns``): what csv.DictWriter writes of the same rows as dicts."""
    return b"".join(_csv_chunks(columns, rows))


CSV_BATCH = 4096


def _csv_chunks(columns: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> Iterator[bytes]:
    """``_csv`` a batch of rows at a time."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    rows = iter(rows)
    for batch in iter(lambda: list(islice(rows, CSV_BATCH)), []):
        writer.writerows(batch)
        yield out.getvalue().encode("utf-8")
        out.seek(0)
        out.truncate()
    if out.tell():
        yield out.getvalue().encode("utf-8")
