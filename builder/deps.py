"""Which outputs a change affects: the dependency rules of an incremental rebuild.

Given the graph of the last good build and the graph of the content as it is
now, ``affected`` says which pages must be rendered again and which outputs
regenerated. It compares what each page actually shows of a record (its entry
in lists, its timeline events, its index line, its links both ways), so an
edit of one article's body re-renders that article alone, while a new title
reaches every page that lists it. Pure functions: no disk, no rendering.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Iterable

import jinja2
from jinja2 import meta

from builder import views
from builder.records import TYPES, Record
from builder.render import NEWEST_ON_HOME
from builder.resolve import Graph, Key


@dataclass(slots=True)
class Affected:
    """What an incremental rebuild must redo."""

    records: set[Key] = field(default_factory=set)
    """Record pages to render again (records present now)."""
    removed: set[Key] = field(default_factory=set)
    """Records whose pages disappear."""
    indexes: set[str] = field(default_factory=set)
    """Types whose index page must be rendered again."""
    tags: set[str] = field(default_factory=set)
    """Tags whose page must be rendered again, or removed when no article has them any more."""
    home: bool = False
    tags_index: bool = False
    timeline: bool = False
    feed: bool = False
    sitemap: bool = False
    json: set[Key] = field(default_factory=set)
    """Records whose dossier.json entry must be encoded again."""
    json_changed: bool = False
    """dossier.json must be assembled again (an entry changed, appeared or went)."""
    feeds: set[Key] = field(default_factory=set)
    """Entities whose feed of articles must be made again."""
    relationships: bool = False
    """The relationship graph may differ: the graph page, its data files and dossier.json's graph."""
    restated: set[Key] = field(default_factory=set)
    """Records whose fields (other than the body) or links changed, or that came or went."""


def affected(old: Graph, new: Graph, relinked: set[Key] | None = None, edited: set[Key] | None = None) -> Affected:
    """Everything that differs between the site of ``old`` and the site of ``new``.

    ``relinked``, when the caller knows it, is every record whose links either way changed;
    otherwise they are found by comparing the two graphs. ``edited``, when the caller knows it,
    holds every record that may differ: both graphs have the same keys and, but for these, the
    same records.
    """
    out = Affected()
    before = old.records
    if edited is None:
        added = new.records.keys() - old.records.keys()
        out.removed = set(old.records.keys() - new.records.keys())
        edited = {k for k, r in new.records.items() if before.get(k, r) is not r and _differs(before[k], r)}
    else:
        added = set()
        edited = {k for k in edited if _differs(before[k], new.records[k])}
    touched = added | out.removed | edited
    linked = _relinked(old, new) if relinked is None else relinked & new.records.keys()
    out.records = (added | edited | linked) & new.records.keys()
    shown = _shown_changed(old, new, touched)
    for key in shown:
        out.records.update(k for k in _neighbours(new, key) if k in new.records)
    out.records |= _pictures_changed(old, new)
    out.json = (added | edited | linked) & new.records.keys()
    out.json_changed = bool(out.json or out.removed)
    _lists(old, new, touched, shown, out)
    out.restated = {k for k in touched if _fields_differ(old, new, k)} | linked
    _discovery(old, new, out)
    return out


def _fields_differ(old: Graph, new: Graph, key: Key) -> bool:
    a, b = old.records.get(key), new.records.get(key)
    return a is None or b is None or a.fields != b.fields or a.extra != b.extra


def _discovery(old: Graph, new: Graph, out: Affected) -> None:
    """What discovery shows of the restated records, on other pages and in files.

    Other pages show a record's name, date and country (search filters, structured data), its
    links (related articles share what they name; an entity's local graph draws its co-mentions
    with the articles' titles) and entity feeds list the articles naming them. So every record
    one link away, every entity an article names with the articles naming it, every entity
    mentioned together with an entity, and the records referencing the officials and
    organizations of a country, in the old graph and the new, are rendered again.
    """
    pages, feeds = out.records, out.feeds
    for key in out.restated:
        for graph in (old, new):
            pages.update(_neighbours(graph, key))
            if key[0] == "articles":
                named = {l.target for l in graph.outgoing.get(key, ())}
                feeds.update(named)
                for target in named:
                    pages.update(l.source for l in graph.incoming.get(target, ()) if l.source[0] == "articles")
            else:
                feeds.add(key)
                for link in graph.incoming.get(key, ()):
                    if link.source[0] == "articles":
                        pages.update(l.target for l in graph.outgoing.get(link.source, ()))
                    elif key[0] == "countries" and link.source[0] in ("officials", "organizations"):
                        pages.update(l.source for l in graph.incoming.get(link.source, ()))  # their country filter
    out.records &= new.records.keys()
    out.feeds = {k for k in feeds if k[0] != "articles" and k in new.records}
    out.relationships = bool(out.restated)


def _pictures_changed(old: Graph, new: Graph) -> set[Key]:
    """Records whose photo changed, or that show an image whose size changed."""
    keys = {k for k in old.photos.keys() | new.photos.keys() if old.photos.get(k) != new.photos.get(k)}
    resized = {p for p in old.sizes.keys() | new.sizes.keys() if old.sizes.get(p) != new.sizes.get(p)}
    if resized:
        keys.update(k for k, photo in new.photos.items() if photo.path in resized)
        keys.update(k for k, table in new.local.items() if any(getattr(d, "path", None) in resized for d in table.values()))
    return keys & new.records.keys()


def _differs(a: Record, b: Record) -> bool:
    return a is not b and (a != b or a.body_line != b.body_line)


def _relinked(old: Graph, new: Graph) -> set[Key]:
    """Records whose links, either way, are not what they were."""
    keys = set()
    for key in new.records:
        if (old.outgoing.get(key, []) != new.outgoing.get(key, [])
                or old.incoming.get(key, []) != new.incoming.get(key, [])
                or old.wikilinks.get(key) != new.wikilinks.get(key)
                or old.local.get(key) != new.local.get(key)):
            keys.add(key)
    return keys


def _shown_changed(old: Graph, new: Graph, touched: set[Key]) -> set[Key]:
    """Touched records whose entry in lists or whose timeline events changed."""
    return {k for k in touched if _face(old, k) != _face(new, k)}


def _face(graph: Graph, key: Key) -> tuple:
    """What other pages show of a record."""
    record = graph.records.get(key)
    if record is None:
        return ()
    return (views.ref(record), tuple(views.events(record)))


def _neighbours(graph: Graph, key: Key) -> set[Key]:
    keys = {l.target for l in graph.outgoing.get(key, ())}
    keys.update(l.source for l in graph.incoming.get(key, ()))
    return keys


def _lists(old: Graph, new: Graph, touched: set[Key], shown: set[Key], out: Affected) -> None:
    """Indexes, tags, home, timeline, feed and sitemap."""
    membership = any(k not in old.records or k not in new.records for k in touched)
    for key in touched:
        if _index_line(old, key) != _index_line(new, key):
            out.indexes.add(key[0])
    if any(k[0] == "countries" for k in shown):
        out.indexes.update(TYPES)
    articles = {k for k in touched if k[0] == "articles"}
    for key in articles:
        before, after = _tags(old, key), _tags(new, key)
        if key in shown or before != after:
            out.tags.update(before | after)
        if before != after:
            out.tags_index = True
    out.timeline = any(_events(old, k) != _events(new, k) for k in touched)
    out.feed = any(k in shown or _tags(old, k) != _tags(new, k) for k in articles)
    out.home = membership or (any(k[0] == "articles" for k in shown) and bool(shown & (_newest(old) | _newest(new))))
    out.sitemap = membership or out.tags_index


def _index_line(graph: Graph, key: Key):
    record = graph.records.get(key)
    return views.index_entry(graph, record) if record is not None else None


def _tags(graph: Graph, key: Key) -> frozenset[str]:
    record = graph.records.get(key)
    return frozenset(record.get("tags", ())) if record is not None else frozenset()


def _events(graph: Graph, key: Key) -> tuple:
    record = graph.records.get(key)
    return tuple(views.events(record)) if record is not None else ()


def _newest(graph: Graph) -> frozenset[Key]:
    """The articles the home page lists (worked out once per graph)."""
    newest = graph.derived.get("newest")
    if newest is None:
        articles = (r for r in graph.records.values() if r.type == "articles")
        top = heapq.nlargest(NEWEST_ON_HOME, articles, key=_recency)
        newest = graph.derived["newest"] = frozenset(r.key for r in top)
    return newest


def _recency(record: Record) -> tuple:
    return (record.get("date").sort_key, record.slug)


def carry(old: Graph, new: Graph, keys: set[Key]) -> None:
    """Hand ``new`` what was worked out for ``old`` and still holds: ``new`` has the same records as
    ``old`` but for the records ``keys`` (present in both), which may have other fields."""
    if any(k[0] == "articles" for k in keys):
        if all(_recency(old.records[k]) == _recency(new.records[k]) for k in keys if k[0] == "articles"):
            new.derived["newest"] = _newest(old)
    elif "newest" in old.derived:
        new.derived["newest"] = old.derived["newest"]


def template_dependents(env: jinja2.Environment, changed: Iterable[str]) -> set[str]:
    """The changed templates and every template that extends, includes or imports them, transitively."""
    uses: dict[str, set[str]] = {}
    for name in env.list_templates():
        if name.endswith(".html"):
            uses[name] = _references(env, name)
    result = set(changed)
    grew = True
    while grew:
        more = {name for name, refs in uses.items() if refs & result} - result
        result |= more
        grew = bool(more)
    return result


def _references(env: jinja2.Environment, name: str) -> set[str]:
    try:
        source = env.loader.get_source(env, name)[0]
        return {r for r in meta.find_referenced_templates(env.parse(source)) if r}
    except jinja2.TemplateError:
        return set()
