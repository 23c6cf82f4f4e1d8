"""Resolve again only the records whose references can have changed since the last build.

A record's references depend on the record itself and on what every record
is called: the keys, names and paths of all records, agreements' parents, the
drafts left out and the copied files. While that shape stays the same, each
unchanged record resolves exactly as before, so its result is kept; when the
shape changes, everything is resolved again. Either way the graph is assembled
in the same order as a clean build's, so the two are equal.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from builder.diagnostics import Report
from builder.markdown import Parsed
from builder.records import Record
from builder.resolve import Graph, Index, Key, Resolved, assemble, fold, names, resolve_one


class Resolver:
    """A drop-in ``resolve`` that remembers each record's references between calls."""

    def __init__(self) -> None:
        self._shape: tuple | None = None
        self._index: Index | None = None
        self._records: dict[Key, Record] = {}
        self._results: dict[Key, Resolved] = {}
        self._rows: dict[Key, tuple] = {}
        self._graph: Graph | None = None
        self._names: dict[Key, tuple] = {}
        self._order: dict[Key, int] = {}
        self.relinked: set[Key] | None = None
        """After a call: records whose links either way changed, or None when all were resolved again."""
        self._context: tuple | None = None
        self._parsed: dict[Key, Parsed | None] = {}
        """The bodies the last graph was resolved from."""
        self._spellings: dict[str, set[Key]] | None = None
        """Records by the wikilink targets their bodies write (folded as names are); None until needed."""
        self._spelled: dict[Key, frozenset[str]] = {}
        """The other way: the folded wikilink targets of each record's body that writes any."""

    def one(self, record: Record, parsed: Parsed | None) -> Graph | None:
        """The last graph with ``record`` in place of the record of the same key, when nothing else can
        resolve differently and it makes the same references with the same problems as before; else None.

        Its body and fields (a title, a date, a summary) may have changed, but not its file, parent or
        draft flag. When its names changed, no other body may spell one of its old or new names: those
        bodies' wikilinks could then resolve differently. Then every other record resolves as before.
        """
        key, graph, result = record.key, self._graph, self._results.get(record.key)
        before = self._records.get(key)
        if (self._context is None or graph is None or result is None or graph.records.get(key) is not before
                or record.path != before.path or record.get("parent") != before.get("parent")
                or bool(record.get("draft")) != bool(before.get("draft"))):
            return None
        named, was = tuple(names(record)), self._names.get(key)
        if named != was and self._spelled_elsewhere(key, was + named):
            return None
        self._swap(before, record, was, named)
        fresh = resolve_one(record, parsed, self._records, self._index, *self._context)
        if _links(fresh) != _links(result) or fresh.diagnostics != result.diagnostics:
            self._swap(record, before, named, was)
            return None
        self._results[key] = fresh
        self._rows[key] = (record, self._rows[key][1], named)
        self._parsed[key] = parsed  # its wikilinks are written as before (same table, same problems): same spellings
        self._graph = dataclasses.replace(graph, records={**graph.records, key: record})
        self.relinked = set()
        return self._graph

    def _swap(self, before: Record, after: Record, was: tuple, named: tuple) -> None:
        """Put ``after`` in the place of ``before`` (same key) among the records and in the index."""
        key, index = after.key, self._index
        self._records[key] = index.by_key[key] = after
        self._names[key] = named
        index.hinted.pop(key, None)  # hints are counted per record, as in a clean build
        if was != named:
            index.rename(key, was, named, self._order)

    def prepare(self) -> None:
        """Gather now what ``one`` needs, rather than at its first call (when someone waits for it)."""
        if self._spellings is None:
            self._spellings, self._spelled = _spellings(self._parsed)

    def _spelled_elsewhere(self, key: Key, spelled: tuple) -> bool:
        """Whether a body other than ``key``'s writes a wikilink to one of ``spelled`` (as names are compared)."""
        self.prepare()
        users = self._spellings
        return any(users.get(fold(n), {key}) - {key} for n in spelled)

    def _keep_spellings(self, parsed: dict[Key, Parsed], again: set[Key] | None) -> None:
        """After resolving: keep the bodies, and the spellings of those read ``again`` (None: every one;
        a record that came or went changes the shape, so every one is then read again)."""
        self._parsed = dict(parsed)
        if again is None:
            self._spellings, self._spelled = None, {}
            return
        for key in again:
            self._respell(key, parsed.get(key))

    def _respell(self, key: Key, body: Parsed | None) -> None:
        """Note the wikilink targets ``body`` writes, as the record ``key``'s (when spellings are kept)."""
        if self._spellings is None:
            return
        for target in self._spelled.pop(key, ()):
            users = self._spellings[target]
            users.discard(key)
            if not users:
                del self._spellings[target]
        targets = frozenset(fold(w.target) for w in body.wikilinks) if body is not None else frozenset()
        for target in targets:
            self._spellings.setdefault(target, set()).add(key)
        if targets:
            self._spelled[key] = targets

    def __reduce__(self) -> tuple:
        """Pickled as its records, results and graph (a rebuild's state); the rest is derived again."""
        return (_restored, (list(self._records.values()), self._results, self._graph, self._shape and self._shape[1:]))

    def __call__(self, records: list[Record], parsed: dict[Key, Parsed], root: Path, assets: set[str],
                 report: Report, hidden: frozenset[Key] = frozenset()) -> Graph:
        frame, named = _shape(records, root, assets, hidden, self._rows)
        everything = frame != self._shape or self._index is None
        renamed: set[Key] = set()
        if everything:
            self._index = Index(records)
        elif named != self._names:
            self._index = Index(records)
            renamed = _renamed(records, parsed, self._names, named, self._results)
        self._shape, self._names = frame, named
        by_key = {r.key: r for r in records}
        results: dict[Key, Resolved] = {}
        relinked: set[Key] = set()
        moved: set[Key] = set()
        again: set[Key] = set()
        for record in records:
            result = self._results.get(record.key)
            if everything or record.key in renamed or self._records.get(record.key) is not record or result is None:
                again.add(record.key)
                self._index.hinted.pop(record.key, None)  # hints are counted per record, as in a clean build
                fresh = resolve_one(record, parsed.get(record.key), by_key, self._index, root, assets, hidden)
                if result is None or _links(result) != _links(fresh):
                    relinked |= _touching(record.key, result) | _touching(record.key, fresh)
                    moved.add(record.key)
                result = fresh
            results[record.key] = result
            report.extend(result.diagnostics)
        self._keep_spellings(parsed, None if everything else again)
        self._records, self._results = by_key, results
        self._context = (root, assets, hidden)
        self.relinked = None if everything else relinked
        if everything or self._graph is None:
            self._order = {r.key: i for i, r in enumerate(records)}
            self._graph = assemble(records, results, hidden)
        else:
            self._graph = _patch(self._graph, records, results, moved, relinked, self._order, hidden)
        return self._graph


def _spellings(parsed: dict[Key, Parsed | None]) -> tuple[dict[str, set[Key]], dict[Key, frozenset[str]]]:
    """The records by each wikilink target their bodies write (folded as names are), and the other way."""
    users: dict[str, set[Key]] = {}
    spelled: dict[Key, frozenset[str]] = {}
    folded: dict[str, str] = {}  # bodies write the same few targets over and over
    for key, body in parsed.items():
        if body is None or not body.wikilinks:
            continue
        targets = set()
        for wiki in body.wikilinks:
            target = folded.get(wiki.target)
            if target is None:
                target = folded[wiki.target] = fold(wiki.target)
            targets.add(target)
        spelled[key] = frozenset(targets)
        for target in targets:
            users.setdefault(target, set()).add(key)
    return users, spelled


def _shape(records: list[Record], root: Path, assets: set[str], hidden: frozenset[Key],
           rows: dict) -> tuple[tuple, dict[Key, tuple]]:
    """What one record's references can depend on in all the others: keys, paths, parents, drafts, files;
    and, apart, every record's names (``rows`` caches each record's part)."""
    frame, named = [], {}
    for record in records:
        cached = rows.get(record.key)
        if cached is None or cached[0] is not record:
            row = (record.key, record.path, record.get("parent"))
            cached = rows[record.key] = (record, row, tuple(names(record)))
        frame.append(cached[1])
        named[record.key] = cached[2]
    return (tuple(frame), root, frozenset(assets), hidden), named


def _renamed(records: list[Record], parsed: dict[Key, Parsed], before: dict[Key, tuple], after: dict[Key, tuple],
             results: dict[Key, Resolved]) -> set[Key]:
    """Records to resolve again when only names changed: those whose wikilinks name one of the old
    or new names (a slug that is unique still wins, so others are unaffected), and those with a
    reference that failed, whose hint lists names."""
    changed = {k for k in after if before.get(k) != after[k]}
    spelled = {n.casefold() for k in changed for n in before.get(k, ()) + after[k]}
    again = set()
    for record in records:
        body = parsed.get(record.key)
        if body is not None and any(w.target.casefold() in spelled for w in body.wikilinks):
            again.add(record.key)
        result = results.get(record.key)
        if result is not None and any(d.code in _FAILED for d in result.diagnostics):
            again.add(record.key)
    return again


_FAILED = {"unknown-reference", "ambiguous-reference"}


def _links(result: Resolved) -> tuple:
    return (result.front, result.body, result.wikilinks, result.local)


def _touching(key: Key, result: Resolved | None) -> set[Key]:
    """The record and every record its links lead to."""
    if result is None:
        return {key}
    return {key} | {l.target for l in result.front} | {l.target for l in result.body}


def _patch(old: Graph, records: list[Record], results: dict[Key, Resolved], moved: set[Key],
           touched: set[Key], order: dict[Key, int], hidden: frozenset[Key]) -> Graph:
    """``assemble``'s graph, made from the last one by replacing only the links of ``moved`` records.

    Links into a record are ordered as ``assemble`` orders them: front-matter references before
    mentions (relation ``mention``), each by the position of its source among the records.
    """
    graph = Graph({r.key: r for r in records if r.key not in hidden})
    ordered = [results[r.key] for r in records]
    links = [l for result in ordered for l in result.front] + [l for result in ordered for l in result.body]
    graph.links = [l for l in links if l.source not in hidden and l.target not in hidden] if hidden else links
    graph.outgoing.update(old.outgoing)
    graph.incoming.update(old.incoming)
    graph.wikilinks, graph.local = dict(old.wikilinks), dict(old.local)
    for key in moved:
        result = results[key]
        for table, value in ((graph.wikilinks, result.wikilinks), (graph.local, result.local)):
            if value is None:
                table.pop(key, None)
            else:
                table[key] = value
        mine = [l for l in result.front + result.body if l.source not in hidden and l.target not in hidden]
        if mine:
            graph.outgoing[key] = mine
        else:
            graph.outgoing.pop(key, None)
    for target in touched:
        into = [l for l in old.incoming.get(target, ()) if l.source not in moved]
        into += [l for k in moved for l in graph.outgoing.get(k, ()) if l.target == target]
        into.sort(key=lambda l: (l.relation == "mention", order[l.source]))
        if into:
            graph.incoming[target] = into
        else:
            graph.incoming.pop(target, None)
    return graph


def _restored(records: list[Record], results: dict[Key, Resolved], graph: Graph | None, shape: tuple | None) -> Resolver:
    """A resolver as pickled by ``Resolver.__reduce__``: what can be derived is derived again."""
    resolver = Resolver()
    resolver._records, resolver._results, resolver._graph = {r.key: r for r in records}, results, graph
    if shape is not None:
        frame, resolver._names = _shape(records, *shape, resolver._rows)
        resolver._shape, resolver._index = frame, Index(records)
        resolver._order = {r.key: i for i, r in enumerate(records)}
    return resolver
