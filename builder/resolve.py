"""Resolve references: front-matter slugs, wikilinks and relative links, both ways."""

from __future__ import annotations

import difflib
import posixpath
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote, urlsplit

from builder import spoofing
from builder.diagnostics import Location, Report
from builder.markdown import MAX_WIKILINKS, Parsed, WikiLink
from builder.records import TYPES, Link, Record
from builder.schema import SCHEMAS, did_you_mean

Key = tuple[str, str]
MAX_HINTS = 100
"""Unknown references per record that get a "did you mean"; past that, finding each would take minutes."""


@dataclass(frozen=True, slots=True)
class AssetRef:
    """A relative link that leads to a copied file."""

    path: str
    """Path relative to the content root, with '/' separators."""
    fragment: str = ""


@dataclass(frozen=True, slots=True)
class RecordRef:
    """A relative link that leads to another record's source file."""

    key: Key
    fragment: str = ""


@dataclass(slots=True)
class Graph:
    """Every record and every reference between them."""

    records: dict[Key, Record]
    links: list[Link] = field(default_factory=list)
    outgoing: dict[Key, list[Link]] = field(default_factory=lambda: defaultdict(list))
    incoming: dict[Key, list[Link]] = field(default_factory=lambda: defaultdict(list))
    wikilinks: dict[Key, dict[str, Key]] = field(default_factory=dict)
    """For each record, its wikilink targets as written and the record each names."""
    local: dict[Key, dict[str, AssetRef | RecordRef]] = field(default_factory=dict)
    """For each record, its relative links as written and where they lead."""
    photos: dict[Key, Any] = field(default_factory=dict)
    """Each record's ``x-photo`` (an ``images.Photo``), for those that have one."""
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Width and height of the images pages show, by content path."""
    derived: dict[str, Any] = field(default_factory=dict, init=False, compare=False, repr=False)
    """Values worked out from the records when first needed, by name (see ``deps``); a copy made with
    ``dataclasses.replace`` starts without them."""

    def add(self, link: Link) -> None:
        if link in self.outgoing[link.source]:
            return
        self.links.append(link)
        self.outgoing[link.source].append(link)
        self.incoming[link.target].append(link)

    def of_type(self, type_: str) -> list[Record]:
        return [r for r in self.records.values() if r.type == type_]


def resolve(
    records: list[Record],
    parsed: dict[Key, Parsed],
    root: Path,
    assets: set[str],
    report: Report,
    hidden: frozenset[Key] = frozenset(),
) -> Graph:
    """Check every reference and return the graph; ``hidden`` are drafts left out of the site."""
    index = Index(records)
    by_key = {r.key: r for r in records}
    results = {r.key: resolve_one(r, parsed.get(r.key), by_key, index, root, assets, hidden) for r in records}
    for result in results.values():
        report.extend(result.diagnostics)
    return assemble(records, results, hidden)


@dataclass(slots=True)
class Resolved:
    """One record's references as resolving it found them; the same whatever else is resolved with it."""

    front: list[Link]
    """Front-matter references, in the order written."""
    body: list[Link]
    """Mentions by wikilinks and relative links not already among ``front``."""
    wikilinks: dict[str, Key] | None
    local: dict[str, AssetRef | RecordRef] | None
    diagnostics: list


def resolve_one(record: Record, body: Parsed | None, records: dict[Key, Record], index: Index,
                root: Path, assets: set[str], hidden: frozenset[Key]) -> Resolved:
    """Resolve one record's references against the index of every record."""
    graph = Graph(records)
    report = Report()
    _front_matter_links(record, graph, index, report)
    front = list(graph.outgoing.get(record.key, ()))
    _parent_cycle(record, graph, report)
    if body is not None:
        _wikilinks(record, body, graph, index, report, hidden)
        _local_links(record, body, graph, root, assets, report, hidden)
    links = graph.outgoing.get(record.key, [])
    return Resolved(front, links[len(front):], graph.wikilinks.get(record.key), graph.local.get(record.key), report.items)


def assemble(records: list[Record], results: dict[Key, Resolved], hidden: frozenset[Key] = frozenset()) -> Graph:
    """The graph of every record from each one's references: front matter first, then bodies, in record order."""
    graph = Graph({r.key: r for r in records if r.key not in hidden})
    ordered = [results[r.key] for r in records]
    links = [l for result in ordered for l in result.front] + [l for result in ordered for l in result.body]
    if hidden:
        links = [l for l in links if l.source not in hidden and l.target not in hidden]
    outgoing, incoming = graph.outgoing, graph.incoming
    for link in links:
        outgoing[link.source].append(link)
        incoming[link.target].append(link)
    graph.links = links
    for record, result in zip(records, ordered):
        if result.wikilinks is not None:
            graph.wikilinks[record.key] = result.wikilinks
        if result.local is not None:
            graph.local[record.key] = result.local
    return graph


class Index:
    """Lookups by type and slug, by slug alone, and by name."""

    def __init__(self, records: list[Record]) -> None:
        self.by_key = {r.key: r for r in records}
        self.by_slug: dict[str, list[Key]] = defaultdict(list)
        self.by_name: dict[str, list[Key]] = defaultdict(list)
        self.hinted: Counter[Key] = Counter()
        for record in records:
            self.by_slug[record.slug].append(record.key)
            for name in _names(record):
                keys = self.by_name[fold(name)]
                if record.key not in keys:
                    keys.append(record.key)

    def rename(self, key: Key, before: tuple[str, ...], after: tuple[str, ...], order: dict[Key, int]) -> None:
        """Give the record ``key`` the names ``after`` in place of ``before``; ``order`` is every record's
        position, so that each name lists its records as an index made afresh would."""
        for name in {fold(n) for n in before}:
            keys = self.by_name.get(name, [])
            if key in keys:
                keys.remove(key)
            if not keys:
                self.by_name.pop(name, None)
        for name in {fold(n) for n in after}:
            keys = self.by_name[name]
            keys.append(key)
            keys.sort(key=order.__getitem__)

    def hint(self, record: Record, word: str, choices: Callable[[], list[str]]) -> str:
        """A "did you mean" for one of the first MAX_HINTS unknown references of ``record``, else ''."""
        self.hinted[record.key] += 1
        return did_you_mean(word, choices()) if self.hinted[record.key] <= MAX_HINTS else ""

    def spellings(self, target: str) -> list[str]:
        """What a wikilink target could have meant: ``type/slug`` forms, or slugs and names as written."""
        if "/" in target:
            return [f"{t}/{s}" for t, s in self.by_key]
        return list(self.by_slug) + [n for r in self.by_key.values() for n in _names(r)]

    def slugs(self, types: tuple[str, ...]) -> list[str]:
        return [slug for (t, slug) in self.by_key if t in types]

    def find(self, slug: str, types: tuple[str, ...]) -> Key | None:
        for type_ in types:
            record = self.by_key.get((type_, slug))
            if record is not None:
                return record.key  # the record's own key: every link to it shares one tuple
        return None

    def wikilink(self, target: str) -> list[Key]:
        """Candidates for a wikilink target, by the contract's order of forms."""
        type_, _, slug = target.partition("/")
        if slug and type_ in TYPES:
            record = self.by_key.get((type_, slug))
            return [record.key] if record is not None else []
        by_slug = self.by_slug.get(target, [])
        if len(by_slug) == 1:
            return list(by_slug)
        by_name = self.by_name.get(fold(target), [])
        if len(by_slug) > 1:  # a shared slug is ambiguous even when one of its records has that name
            return by_slug + [k for k in by_name if k not in by_slug]
        return list(by_name)


def names(record: Record) -> list[str]:
    """The names a wikilink may use for a record."""
    return _names(record)


def _names(record: Record) -> list[str]:
    names = [record.get(k) for k in ("name", "native_name", "title", "official_name")]
    return [n for n in names if n] + list(record.get("aliases", ()))


def _front_matter_links(record: Record, graph: Graph, index: Index, report: Report) -> None:
    for key, rule in SCHEMAS[record.type].items():
        if rule.kind in ("ref", "refs"):
            value = record.get(key)
            slugs = (value,) if isinstance(value, str) else value or ()
            for i, slug in enumerate(slugs):
                path = (key,) if rule.kind == "ref" else (key, i)
                _link(record, slug, rule.targets, key, path, graph, index, report)
    for i, position in enumerate(record.get("positions", ())):
        if position.organization:
            path = ("positions", i, "organization")
            _link(record, position.organization, ("organizations",), "positions", path, graph, index, report)


def _link(record, slug, types, relation, path, graph, index, report) -> None:
    target = index.find(slug, types)
    if target is None:
        what = " or ".join(types)
        hint = index.hint(record, slug, lambda: index.slugs(types))
        report.error(_at(record, path), f"unknown {relation} reference '{slug}': no such slug among {what}", "unknown-reference", hint)
        return
    graph.add(Link(record.key, target, relation))


def _parent_cycle(record: Record, graph: Graph, report: Report) -> None:
    chain = [record.slug]
    current = record
    while current is not None and current.get("parent"):
        parent = current.get("parent")
        if parent in chain:
            cycle = " -> ".join(chain + [parent])
            report.error(_at(record, ("parent",)), f"agreement parent chain forms a cycle: {cycle}", "parent-cycle")
            return
        chain.append(parent)
        current = graph.records.get(("agreements", parent))


def _wikilinks(record, body: Parsed, graph, index, report, hidden) -> None:
    table: dict[str, Key] = {}
    graph.wikilinks[record.key] = table
    if len(body.wikilinks) > MAX_WIKILINKS:
        first_over = body.wikilinks[MAX_WIKILINKS]
        report.error(_body_at(record, first_over.line, first_over.col), f"{len(body.wikilinks):,} wikilinks in one body; the limit is {MAX_WIKILINKS:,}", "too-many-links")
        return
    for wiki in body.wikilinks:
        where = _body_at(record, wiki.line, wiki.col)
        _warn_spoofing(wiki, where, report)
        candidates = index.wikilink(wiki.target)
        if not candidates:
            hint = index.hint(record, wiki.target, lambda: index.spellings(wiki.target))
            report.error(where, f"wikilink [[{wiki.target}]] matches no record", "unknown-reference", hint)
        elif len(candidates) > 1:
            names = ", ".join(f"{t}/{s}" for t, s in sorted(candidates))
            report.error(where, f"wikilink [[{wiki.target}]] is ambiguous: write one of {names}", "ambiguous-reference")
        elif candidates[0] in hidden and record.key not in hidden:
            report.warning(where, f"wikilink [[{wiki.target}]] names a draft; it is shown as plain text", "draft-reference")
        else:
            table[wiki.target] = candidates[0]
            if candidates[0] == record.key:
                report.warning(where, "this record links to itself", "self-reference")
            elif not wiki.in_alt:
                graph.add(Link(record.key, candidates[0], "mention"))


def _local_links(record, body: Parsed, graph, root: Path, assets: set[str], report, hidden=frozenset()) -> None:
    table: dict[str, AssetRef | RecordRef] = {}
    graph.local[record.key] = table
    folder = record.path.parent.relative_to(root).as_posix()
    for link in body.local_links:
        parts = urlsplit(link.url)
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        target = posixpath.normpath(posixpath.join(folder, unquote(parts.path)))
        where = _body_at(record, link.line, link.col)
        if target.startswith("../") or target == "..":
            report.error(where, f"link '{link.url}' leads outside the content folder", "missing-file")
        elif target in assets:
            table[link.url] = AssetRef(target, fragment)
        elif (key := _record_at(target, graph, root)) is not None:
            table[link.url] = RecordRef(key, fragment)
            if key == record.key:
                report.warning(where, "this record links to itself", "self-reference")
            elif key in hidden and record.key not in hidden:
                report.warning(where, f"link '{link.url}' leads to a draft; it is shown as plain text", "draft-reference")
            else:
                graph.add(Link(record.key, key, "mention"))
        else:
            report.error(where, f"link '{link.url}' leads to a missing file ({target})", "missing-file")


def _record_at(target: str, graph: Graph, root: Path) -> Key | None:
    """The record whose source file is at ``target`` (relative to the content root), if any."""
    type_, _, rest = target.partition("/")
    if type_ in TYPES and target.endswith(".md"):
        record = graph.records.get((type_, posixpath.basename(target)[:-3]))
        if record is not None and record.path.relative_to(root).as_posix() == target:
            return record.key
    return None


def _at(record: Record, path: tuple) -> Location:
    while path and path not in record.marks:
        path = path[:-1]
    line, col = record.marks.get(path, (1, 1))
    return Location(record.path, line, col)


def _body_at(record: Record, line: int, col: int) -> Location:
    return Location(record.path, record.body_line + line, col)


def _warn_spoofing(wiki: WikiLink, where: Location, report: Report) -> None:
    for part, text in (("wikilink", wiki.target), ("wikilink text", wiki.text)):
        if found := spoofing.suspicious(text):
            report.warning(where, f"{part} '{text}' holds {spoofing.describe(found)}", "invisible-characters")


def fold(name: str) -> str:
    """A name as compared: the same in NFC and NFD, and without regard to case."""
    return unicodedata.normalize("NFC", name).casefold()

