"""What each page shows, as plain data: lists of references, timelines, tags. No HTML."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable

from builder import urls
from builder.dates import PartialDate
from builder.records import SINGULAR, TYPES, Position, Record
from builder.resolve import Graph, Key
from builder.scripts import direction, language_of

RELATION = {
    "officials": "concerns",
    "countries": "concerns",
    "agreements": "concerns",
    "organizations": "concerns",
    "country": "country",
    "positions": "position",
    "parties": "party",
    "signatories": "signatory",
    "parent": "made under",
    "mention": "mentions",
}
"""How an incoming reference reads on the page it points to, by the key that states it."""


@dataclass(frozen=True, slots=True)
class Name:
    """A name in another script, with its language and direction."""

    text: str
    lang: str
    dir: str


@dataclass(frozen=True, slots=True)
class Ref:
    """A record as shown in a list."""

    url: str
    label: str
    type: str
    date: PartialDate | None = None
    note: str = ""
    native: Name | None = None
    summary: str = ""

    def __hash__(self) -> int:
        # Lists look their items up by value (builder.fragments): hash a few strings, not every field.
        return hash((self.url, self.label, self.note))


@dataclass(frozen=True, slots=True)
class Event:
    """One dated line of a timeline."""

    date: PartialDate
    kind: str
    text: str
    ref: Ref

    def __hash__(self) -> int:
        return hash((self.ref.url, self.kind, self.text))


@dataclass(frozen=True, slots=True)
class Group:
    """References of one record type, under a heading."""

    type: str
    title: str
    refs: tuple[Ref, ...]


def native_name(record: Record) -> Name | None:
    text = record.get("native_name")
    if not text:
        return None
    lang = record.get("native_language") or language_of(text, "und")
    return Name(text, lang, direction(lang))


def ref(record: Record, note: str = "") -> Ref:
    url = urls.record_url(record.type, record.slug)
    return Ref(url, record.label, record.type, record.date, note, native_name(record), record.get("summary", ""))


def sort_by_label(refs) -> list[Ref]:
    return sorted(refs, key=lambda r: (r.label.casefold(), r.url))


def newest_first(refs) -> list[Ref]:
    """Dated references newest first (the exact reverse of oldest first); undated last."""
    dated = sorted((r for r in refs if r.date), key=lambda r: (r.date.sort_key, r.url), reverse=True)
    return dated + sort_by_label(r for r in refs if not r.date)


def outgoing(graph: Graph, key: Key, relation: str) -> list[Ref]:
    """The records ``key`` names under one front-matter key, in the order written."""
    return [ref(graph.records[l.target]) for l in graph.outgoing.get(key, ()) if l.relation == relation]


def incoming_groups(graph: Graph, key: Key, make_ref: Callable[[Record, str], Ref] = ref) -> list[Group]:
    """Every record that references ``key``, grouped by type, with the relation as a note.

    ``make_ref`` is ``ref`` or one that keeps what it made (``listings.Listings.ref``)."""
    by_type: dict[str, dict[Key, list[str]]] = defaultdict(dict)
    for link in graph.incoming.get(key, ()):
        notes = by_type[link.source[0]].setdefault(link.source, [])
        if RELATION[link.relation] not in notes:
            notes.append(RELATION[link.relation])
    groups = []
    for type_ in TYPES:
        refs = [make_ref(graph.records[k], ", ".join(notes)) for k, notes in by_type.get(type_, {}).items()]
        if refs:
            ordered = newest_first(refs) if type_ in ("articles", "agreements") else sort_by_label(refs)
            groups.append(Group(type_, type_.capitalize(), tuple(ordered)))
    return groups


def mentions(graph: Graph, key: Key) -> list[Ref]:
    """Records an article names that its front matter does not list."""
    listed = {l.target for l in graph.outgoing.get(key, ()) if l.relation != "mention"}
    seen = []
    for link in graph.outgoing.get(key, ()):
        if link.relation == "mention" and link.target not in listed and link.target not in seen:
            seen.append(link.target)
    return sort_by_label(ref(graph.records[k]) for k in seen)


def timeline(graph: Graph, keys=None) -> list[Event]:
    """Every dated thing (articles, signings, starts and ends of positions), oldest first."""
    records = graph.records.values() if keys is None else (graph.records[k] for k in keys if k in graph.records)
    events = [event for record in records for event in _events(record)]
    return sorted(events, key=lambda e: (e.date.sort_key, e.ref.url, e.kind, e.text))


def events(record: Record) -> list[Event]:
    """The dated things one record contributes to timelines."""
    return _events(record)


def entity_timeline(graph: Graph, key: Key,
                    posted: Callable[[Record], list[tuple[Position | None, Event]]] | None = None) -> list[Event]:
    """One record's timeline, oldest first: its own dated things, those of every record one
    reference away, and the posts held at it (an organization) or by its people (a country).

    ``posted`` is ``posted_events`` or one that keeps what it made (``listings.Listings.posted_events``)."""
    page = graph.records[key]
    posted = posted or posted_events
    events = []
    for near in _neighbourhood(graph, key):
        record = graph.records[near]
        events.extend(e for p, e in posted(record) if p is None or _post_belongs(page, record, p))
    return sorted(events, key=lambda e: (e.date.sort_key, e.ref.url, e.kind, e.text))


def _neighbourhood(graph: Graph, key: Key) -> set[Key]:
    """The record and every record one reference away."""
    keys = {key}
    keys.update(l.target for l in graph.outgoing.get(key, ()))
    keys.update(l.source for l in graph.incoming.get(key, ()))
    return {k for k in keys if k in graph.records}


def _post_belongs(page: Record, holder: Record, position) -> bool:
    """Whether a post of ``holder`` belongs on ``page``'s timeline."""
    if holder.key == page.key:
        return True
    if page.type == "organizations":
        return position.organization == page.slug
    return page.type == "countries" and holder.get("country") == page.slug


def _events(record: Record, keep=lambda position: True) -> list[Event]:
    return [e for p, e in posted_events(record) if p is None or keep(p)]


def posted_events(record: Record) -> list[tuple[Position | None, Event]]:
    """The dated things one record contributes to timelines, each with the post it is about (or None)."""
    own = ref(record)
    if record.type == "articles":
        return [(None, Event(record.get("date"), "article", record.label, own))]
    if record.type == "agreements" and record.get("signed"):
        return [(None, Event(record.get("signed"), "signing", f"{record.label} signed", own))]
    events = []
    for position in record.get("positions", ()):
        if position.start:
            events.append((position, Event(position.start, "position", f"{record.label} becomes {position.title}", own)))
        if position.end:
            events.append((position, Event(position.end, "position",
                                           f"{record.label} leaves the post of {position.title}", own)))
    return events


def tags(graph: Graph, only: set[str] | None = None) -> dict[str, list[Ref]]:
    """Each tag (or each of ``only``) with its articles, newest first; tags in alphabetical order."""
    table: dict[str, list[Ref]] = defaultdict(list)
    for record in graph.of_type("articles"):
        for tag in record.get("tags", ()):
            if only is None or tag in only:
                table[tag].append(ref(record))
    return {tag: newest_first(table[tag]) for tag in sorted(table)}


def type_index(graph: Graph, type_: str) -> list[Ref]:
    refs = [ref(r, _index_note(graph, r)) for r in graph.of_type(type_)]
    return newest_first(refs) if type_ == "articles" else sort_by_label(refs)


def index_entry(graph: Graph, record: Record) -> Ref:
    """The record as its type's index lists it."""
    return ref(record, _index_note(graph, record))


def _index_note(graph: Graph, record: Record) -> str:
    country = record.get("country")
    if country and ("countries", country) in graph.records:
        return graph.records[("countries", country)].label
    if record.type == "agreements":
        return SINGULAR_KIND.get(record.get("kind"), "")
    return record.get("kind", "") if record.type == "organizations" else ""


SINGULAR_KIND = {
    "treaty": "Treaty",
    "agreement": "Agreement",
    "mou": "Memorandum of understanding",
    "partnership": "Partnership",
    "other": "Other",
}
TYPE_TITLES = {t: t.capitalize() for t in TYPES}
SINGULAR_TITLES = {t: SINGULAR[t].capitalize() for t in TYPES}
