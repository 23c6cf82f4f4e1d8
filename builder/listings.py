"""The long lists of a site (each type's index, the timeline, the articles of each tag), made once
per renderer and carried to the next one record by record.

Every entry of these lists comes from one record alone (an index note also from the record's
country), so after a change the lists of the site before are brought up to date by taking out
the entries of the records that went or were replaced and putting in those of the records that
came: records are compared by identity, as a preview session keeps the same ``Record`` for a file
that did not change. The entries are kept sorted by their sort key, so that costs a binary search
per entry instead of sorting the list again. The lists are the same as ``views`` makes them.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import compress
from operator import is_not, itemgetter
from typing import Any, Callable, Iterable, Iterator

from builder import views
from builder.records import Record
from builder.resolve import Graph, Key
from builder.views import Event, Ref

Entry = tuple[int, tuple, Any]
"""One entry of a list: the part it goes in, its sort key and the item."""

REDO_SHARE = 4
"""A list is made anew rather than updated when more than one record in this many changed."""
MEMO_LIMIT = 1 << 16
"""Entries of a renderer's memo kept in its newer generation."""


class Sorted:
    """Items kept in order of their keys, in parts shown one after the other; a reversed part is
    shown from its last key to its first. Never changed once shared: ``changed`` makes a copy."""

    def __init__(self, reverse: tuple[bool, ...]) -> None:
        self.reverse = reverse
        self.keys: list[list[tuple]] = [[] for _ in reverse]
        self.items: list[list[Any]] = [[] for _ in reverse]

    @classmethod
    def of(cls, reverse: tuple[bool, ...], entries: Iterable[Entry]) -> Sorted:
        made = cls(reverse)
        by_part: list[list[Entry]] = [[] for _ in reverse]
        for entry in entries:
            by_part[entry[0]].append(entry)
        for part, chosen in enumerate(by_part):
            chosen.sort(key=itemgetter(1))  # stable, and items never compared
            made.keys[part] = [e[1] for e in chosen]
            made.items[part] = [e[2] for e in chosen]
        return made

    def changed(self, gone: Iterable[Entry], come: Iterable[Entry]) -> Sorted:
        """A copy without the entries ``gone`` (which it holds) and with the entries ``come``."""
        made = Sorted(self.reverse)
        made.keys = [list(k) for k in self.keys]
        made.items = [list(i) for i in self.items]
        for part, key, _ in gone:
            keys = made.keys[part]
            at = bisect_left(keys, key)
            if at < len(keys) and keys[at] == key:
                del keys[at], made.items[part][at]
        for part, key, item in come:
            at = bisect_right(made.keys[part], key)
            made.keys[part].insert(at, key)
            made.items[part].insert(at, item)
        return made

    def __len__(self) -> int:
        return sum(len(k) for k in self.keys)

    def ordered(self) -> list[Any]:
        out: list[Any] = []
        for reverse, items in zip(self.reverse, self.items):
            out.extend(reversed(items) if reverse else items)
        return out


NEWEST_FIRST = (True, False)
"""Dated entries newest first, then the undated by label (``views.newest_first``)."""
BY_LABEL = (False,)
OLDEST_FIRST = (False,)


def _newest_first(ref: Ref) -> Entry:
    if ref.date:
        return (0, (ref.date.sort_key, ref.url), ref)
    return (1, (ref.label.casefold(), ref.url), ref)


def _by_label(ref: Ref) -> Entry:
    return (0, (ref.label.casefold(), ref.url), ref)


def _event(event: Event) -> Entry:
    return (0, (event.date.sort_key, event.ref.url, event.kind, event.text), event)


class Changes:
    """How one graph's records differ from another's."""

    def __init__(self, old: Graph, new: Graph) -> None:
        before, after = old.records, new.records
        if len(before) == len(after) and list(before) == list(after):
            # the same records in the same order (an edit): compare them pairwise, at C speed
            differs = list(map(is_not, before.values(), after.values()))
            self.come = list(compress(after.values(), differs))
            self.gone = list(compress(before.values(), differs))
        else:
            self.come = [r for k, r in after.items() if before.get(k) is not r]
            self.gone = [before[k] for k in before.keys() - after.keys()]
            self.gone += [before[r.key] for r in self.come if r.key in before]
        """Records new or replaced, as they are now; records removed or replaced, as they were."""
        self.countries = any(r.type == "countries" for r in self.come + self.gone)
        self.many = len(self.come) + len(self.gone) > 2 * len(after) // REDO_SHARE


class Memo:
    """What was made of a record, by (kind, id of the record, note), holding the record (so that the
    id stays its own): right for as long as it is kept, since records are not changed but replaced.
    Two generations, as in ``fragments.Fragments``: at most twice ``limit`` entries."""

    def __init__(self, limit: int = MEMO_LIMIT) -> None:
        self.limit = limit
        self.newer: dict[tuple, Any] = {}
        self.older: dict[tuple, Any] = {}
        self.held: tuple[dict[int, Record], dict[int, Record]] = ({}, {})
        """The records of the newer and the older generation, by id."""

    def get(self, key: tuple, record: Record, make: Callable[[], Any]) -> Any:
        made = self.newer.get(key)
        if made is None:
            made = self.older.get(key)
            if made is None:
                made = make()
            if len(self.newer) >= self.limit:
                self.older, self.newer = self.newer, {}
                self.held = ({}, self.held[0])
            self.newer[key] = made
            self.held[0][id(record)] = record
        return made


class Listings:
    """The lists of one renderer's graph, each made when first asked for."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.made: dict[tuple, tuple[Graph, Any]] = {}
        """Each list's kept form (a Sorted, or a Sorted by tag), with the graph it was made of."""
        self.carried: dict[tuple, tuple[Graph, Any]] = {}
        """Lists of an earlier graph, to bring up to date when asked for."""
        self.shown: dict[tuple, Any] = {}
        """Each list as pages show it."""
        self.memo = Memo()
        """What ``ref`` and ``posted_events`` made, shared with the renderers before and after."""
        self.changes: dict[int, tuple[Graph, Changes]] = {}
        """How this graph differs from each earlier one (kept alive here, so that ids stay theirs)."""

    def follow(self, before: Listings) -> None:
        """Take the lists ``before`` made (or had carried) to update instead of making them anew."""
        self.carried = {**before.carried, **before.made}
        self.memo = before.memo

    # -- the items of entity pages ---------------------------------------------------------------

    def ref(self, record: Record, note: str = "") -> Ref:
        """``views.ref``, the same object for the same record and note while the record is unchanged."""
        return self.memo.get(("ref", id(record), note), record, lambda: views.ref(record, note))

    def posted_events(self, record: Record) -> list[tuple[Any, Event]]:
        """``views.posted_events``, kept in the same way."""
        return self.memo.get(("events", id(record)), record, lambda: views.posted_events(record))

    # -- the lists -----------------------------------------------------------------------------

    def type_index(self, type_: str) -> list[Ref]:
        """``views.type_index``."""
        return self._shown(("index", type_), lambda: self._index(type_).ordered())

    def timeline(self) -> list[Event]:
        """``views.timeline``."""
        return self._shown(("timeline",), lambda: self._timeline().ordered())

    def years(self) -> list[tuple[int, list[Event]]]:
        """The timeline by year, oldest first."""
        return self._shown(("years",), self._years)

    def tags(self) -> dict[str, list[Ref]]:
        """``views.tags``."""
        return self._shown(("tags",), lambda: {t: s.ordered() for t, s in sorted(self._tags().items())})

    def tag(self, tag: str) -> list[Ref]:
        """The articles of one tag, newest first (none for a tag no article has)."""
        return self._shown(("tag", tag), lambda: self._tags()[tag].ordered() if tag in self._tags() else [])

    def _shown(self, name: tuple, make: Callable[[], Any]) -> Any:
        shown = self.shown.get(name)
        if shown is None:
            shown = self.shown[name] = make()
        return shown

    def _years(self) -> list[tuple[int, list[Event]]]:
        kept = self._timeline()
        keys, events = kept.keys[0], kept.items[0]
        years, start = [], 0
        while start < len(keys):
            year = keys[start][0][0]
            end = bisect_left(keys, ((year + 1,),), start)  # (year + 1,) sorts before every date in that year
            years.append((year, events[start:end]))
            start = end
        return years

    # -- kept forms, made or brought up to date ------------------------------------------------------

    def _index(self, type_: str) -> Sorted:
        order, entry = (NEWEST_FIRST, _newest_first) if type_ == "articles" else (BY_LABEL, _by_label)

        def entries(graph: Graph, records: Iterable[Record]) -> Iterator[Entry]:
            return (entry(views.index_entry(graph, r)) for r in records if r.type == type_)

        return self._sorted(("index", type_), order, entries, redo=lambda c: c.countries)

    def _timeline(self) -> Sorted:
        def entries(graph: Graph, records: Iterable[Record]) -> Iterator[Entry]:
            return (_event(e) for r in records for e in views.events(r))

        return self._sorted(("timeline",), OLDEST_FIRST, entries)

    def _tags(self) -> dict[str, Sorted]:
        return self._kept(("tags",), _tag_lists, lambda kept, graph, changes: _tags_changed(kept, changes))

    def _sorted(self, name: tuple, order: tuple[bool, ...],
                entries: Callable[[Graph, Iterable[Record]], Iterable[Entry]],
                redo: Callable[[Changes], bool] = lambda c: False) -> Sorted:
        """A list whose entries each come from one record (``entries`` of a graph's records)."""
        return self._kept(name, lambda records: Sorted.of(order, entries(self.graph, records)),
                          lambda kept, graph, c: kept.changed(entries(graph, c.gone), entries(self.graph, c.come)),
                          redo)

    def _kept(self, name: tuple, make: Callable[[Iterable[Record]], Any],
              update: Callable[[Any, Graph, Changes], Any], redo: Callable[[Changes], bool] = lambda c: False) -> Any:
        """The kept form of one list: made of every record, or ``update``d from the one carried
        (made of an earlier graph) for the records that changed since."""
        made = self.made.get(name)
        if made is not None:
            return made[1]
        graph, kept = self.carried.pop(name, (None, None))
        changes = self._changes(graph) if graph is not None else None
        if changes is None or changes.many or redo(changes):
            kept = make(self.graph.records.values())
        elif changes.come or changes.gone:
            kept = update(kept, graph, changes)
        self.made[name] = (self.graph, kept)
        return kept

    def _changes(self, graph: Graph) -> Changes:
        known = self.changes.get(id(graph))
        if known is None:
            known = self.changes[id(graph)] = (graph, Changes(graph, self.graph))
        return known[1]


def _tagged(records: Iterable[Record]) -> Iterator[tuple[str, Entry]]:
    for record in records:
        if record.type == "articles":
            tags = record.get("tags", ())
            if tags:
                entry = _newest_first(views.ref(record))
                for tag in tags:
                    yield tag, entry


def _tag_lists(records: Iterable[Record]) -> dict[str, Sorted]:
    by_tag: dict[str, list[Entry]] = {}
    for tag, entry in _tagged(records):
        by_tag.setdefault(tag, []).append(entry)
    return {tag: Sorted.of(NEWEST_FIRST, entries) for tag, entries in by_tag.items()}


def _tags_changed(kept: dict[str, Sorted], changes: Changes) -> dict[str, Sorted]:
    gone: dict[str, list[Entry]] = {}
    come: dict[str, list[Entry]] = {}
    for tag, entry in _tagged(changes.gone):
        gone.setdefault(tag, []).append(entry)
    for tag, entry in _tagged(changes.come):
        come.setdefault(tag, []).append(entry)
    out = dict(kept)
    for tag in gone.keys() | come.keys():
        lists = out.get(tag) or Sorted(NEWEST_FIRST)
        lists = lists.changed(gone.get(tag, ()), come.get(tag, ()))
        if len(lists):
            out[tag] = lists
        else:
            out.pop(tag, None)
    return out
