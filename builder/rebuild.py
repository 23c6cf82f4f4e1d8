"""Rebuild after a few content files changed: read only those, redo only what they affect, write only what differs.

A successful build leaves its state in the cache (``state.pickle``, sealed like every
cache file, so a foreign, stale or corrupt one is ignored): each content file's record
and the links its body makes, the site settings, the resolver's results per record, the
graph, and the name and maker of every output. Bodies are left out (they are most of
it); a page that must be rendered again reads its unchanged file again. The manifest
and the state name each other by a token, so a state is only used with the output it
describes. A body edited and nothing else is quicker still: see ``splice``.

When some content files changed since (their stamps differ from the manifest's), the
build loads those alone, resolves again only what they can reach
(``reresolve.Resolver``), asks ``rerender.changed`` (``deps.affected``) which outputs
may differ, renders those, and writes the ones whose bytes changed. Anything it does
not handle (site.yaml, many files, a content problem found while discovering, an
output folder changed by hand) falls back to the full build. The result is the same,
byte for byte, as a full build of the same content.

Writing. A full build fills a temporary sibling of the output folder and swaps it in
whole (``write.write_site``): a reader never sees a half-built site, but that costs one
hard link per file (11,000 at 10,000 articles, about a third of a second) and the
folders. An incremental build replaces the changed files in place instead, each by
renaming a complete file over it, after every output is rendered:

- a build that fails (content errors, a template error, any exception while rendering)
  writes nothing, so the previous site stays exactly as it was;
- each file is either its old or its new version, never a partial one; for the moments
  the few writes take, a reader may see some files new and others still old;
- the cache is marked before the first write and the mark removed once the manifest
  holds the new stamps: a build killed in between leaves the mark, and the next build
  writes the whole site again through the temporary folder.

When the search index must be made again (a page changed), the site is written the full
way, since Pagefind indexes a complete folder.
"""

from __future__ import annotations

import functools
import io
import os
import pickle
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from builder import previous, splice, write
from builder.cache import _ALLOWED, Cache, loads_or_none
from builder.diagnostics import Diagnostic, Report
from builder.discover import ContentFiles, RecordFile
from builder.records import Record, SiteConfig
from builder.write import Content

if TYPE_CHECKING:  # the stages themselves are imported where used: a rebuild that splices needs none of them
    from builder.markdown import Parsed
    from builder.resolve import Graph, Key

STATE = "state.pickle"
MAX_CHANGED = (50, 0.05)
"""Above this many changed content files, or this share of them, a full build (on every core) is as quick."""
ALLOWED = _ALLOWED | {
    ("builder.resolve", "Graph"), ("builder.resolve", "Resolved"), ("builder.resolve", "AssetRef"),
    ("builder.resolve", "RecordRef"), ("builder.records", "Link"), ("builder.records", "SiteConfig"),
    ("builder.reresolve", "_restored"), ("builder.images", "Photo"), ("collections", "defaultdict"),
    ("builtins", "list"), ("builder.markdown", "Target"),
}
"""The classes a state may build: the cache's, and those of the graph and the resolver."""


@dataclass(slots=True)
class Made:
    """What a full build hands over to be remembered for the next incremental one."""

    config: SiteConfig
    config_diagnostics: list[Diagnostic]
    """Problems site.yaml gave (warnings: the build succeeded)."""
    records: list[Record]
    """Every record loaded, drafts included, in the order the build resolved them."""
    load_diagnostics: list[Diagnostic]
    """Problems reading the record files gave."""
    parsed: Mapping[Key, Parsed]
    """Each record's parsed body (only its links are kept)."""
    resolver: Any
    """The ``reresolve.Resolver`` that made the graph."""
    graph: Graph


class Stale(Exception):
    """An input changed while the build was reading it: build in full instead."""


# -- remembering ---------------------------------------------------------------------------


def remember(cache: Cache, options, content: ContentFiles, made: Made, files: Mapping[str, Content]) -> str:
    """Store the state of a full build; return its token for the manifest ('' when none was stored)."""
    from builder import rerender
    from builder.render import Renderer, environment

    per_file = _per_file(made.load_diagnostics, made.records)
    if per_file is None:
        return ""
    renderer = Renderer(made.config, made.graph, {}, environment(options.templates), _indexed(options))
    specs = rerender.specs(renderer)
    if not specs.keys() <= files.keys():
        return ""  # a full build made other outputs than an incremental one would know of
    entries = {str(r.path): (r, per_file.get(r.path, []), _links(made.parsed.get(r.key))) for r in made.records}
    token = secrets.token_hex(8)
    _save(cache, {"token": token, "key": previous.key(options, content), "config": made.config,
                  "config_diagnostics": made.config_diagnostics, "files": entries, "resolver": made.resolver,
                  "graph": made.graph, "specs": specs})
    _save_pages(cache, token, renderer, entries)
    return token


def _save_pages(cache: Cache, token: str, renderer, entries: dict[str, tuple]) -> None:
    """What ``splice`` needs of every record page."""
    from builder.render import SINGULAR_TEMPLATE

    records = [e[0] for e in entries.values() if e[0] is not None]
    diagnostics = {e[0].path: e[1] for e in entries.values() if e[0] is not None}
    links = {e[0].key: e[2] for e in entries.values() if e[0] is not None}
    pages = splice.entries(renderer, records, diagnostics, links, lambda v: splice.dumps(v, _Pickler))
    splice.save(cache, token, splice.templates_allow(renderer.env, sorted(set(SINGULAR_TEMPLATE.values()))), pages)


def _per_file(diagnostics: list[Diagnostic], records: list[Record]) -> dict[Path, list[Diagnostic]] | None:
    """Load problems by record file; None when one belongs to no record (it could not be redone alone)."""
    paths = {r.path for r in records}
    grouped: dict[Path, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        if diagnostic.location.path not in paths:
            return None
        grouped.setdefault(diagnostic.location.path, []).append(diagnostic)
    return grouped


def _links(parsed: Parsed | None) -> Parsed | None:
    """A parse without tokens or HTML: what resolving needs."""
    from builder.markdown import Parsed

    return None if parsed is None else Parsed([], parsed.wikilinks, parsed.local_links, {})


def _save(cache: Cache, state: dict) -> None:
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=5).dump(state)
    cache.write(STATE, buffer.getvalue())


class _Pickler(pickle.Pickler):
    """Stores records without their bodies, and small frozen objects as calls of their class: loading
    them then costs one call each, where the default way sets each field in a loop of Python."""

    def reducer_override(self, value: Any) -> Any:
        kind = type(value)
        if kind is Record:
            return (Record, (value.type, value.slug, value.path, value.fields, "", value.body_line, value.extra, value.marks))
        if kind in _by_call():
            return (kind, tuple(getattr(value, name) for name in kind.__slots__))
        return NotImplemented


@functools.cache
def _by_call() -> frozenset[type]:
    from builder.dates import PartialDate
    from builder.diagnostics import Diagnostic, Location
    from builder.markdown import LocalLink, Target, WikiLink
    from builder.records import Link, Position, Source
    from builder.resolve import AssetRef, RecordRef

    return frozenset({PartialDate, Diagnostic, Location, LocalLink, WikiLink, Target, Link, Position, Source, AssetRef, RecordRef})


def _load(cache: Cache) -> dict | None:
    state = loads_or_none(cache.read(STATE), ALLOWED)
    return state if isinstance(state, dict) else None


def _indexed(options) -> bool:
    return options.search and options.output is not None


# -- rebuilding ----------------------------------------------------------------------------


def rebuild(cache: Cache, options, content: ContentFiles, check: previous.Check, read: dict[str, tuple] | None):
    """The build, redone from the last one's state for the files that changed; None when it cannot be.

    ``check`` tells whether the output is as the last build left it (else it is written in full)."""
    manifest = cache.manifest()
    if read is None or options.output is None or not manifest or not manifest.get("state"):
        return None
    if manifest.get("key") != previous.key(options, content):
        return None
    changed = {p for p in read.keys() | manifest["inputs"].keys() if read.get(p) != manifest["inputs"].get(p)}
    if not changed or len(changed) > max(MAX_CHANGED[0], MAX_CHANGED[1] * len(read)) or (content.site and str(content.site) in changed):
        return None
    output = options.output.absolute()
    pages = splice.edits(cache, manifest, changed, output, ALLOWED)
    if not check.intact(manifest):
        return None
    if pages is not None:
        return _spliced(cache, options, content, read, manifest, changed, pages)
    state = _load(cache)
    if state is None or state.get("token") != manifest["state"]:
        return None
    try:
        return _rebuild(cache, options, content, read, manifest, state, changed)
    except Stale:
        return None


def _rebuild(cache: Cache, options, content: ContentFiles, read: dict, manifest: dict, state: dict, changed: set[str]):
    from builder import pipeline

    report = Report(list(state["config_diagnostics"]))
    entries, bodies, fresh = _load_records(content, state["files"], changed, report)
    loaded = [e[0] for e in entries.values() if e[0] is not None] + [r for e in entries.values() for r in e[3]]
    resolver = state["resolver"]
    graph, _ = pipeline.link(loaded, lambda r: bodies[id(r)], content, state["config"], options.drafts, report, resolver)
    result = pipeline.BuildResult(report.sorted(), graph=graph, config=state["config"])
    if not result.ok:
        return result
    site, touched = _render(cache, options, content, state, graph, fresh, resolver.relinked, manifest, changed)
    touched |= {n for n in site.assets if str(site.assets[n]) in changed}
    result.files = site
    outputs, writes = dict(manifest["outputs"]), {}
    for name in sorted(touched):
        if name not in site:
            outputs.pop(name, None)
            continue
        value = site[name]
        path = cache.put_file(value) if isinstance(value, bytes) else value
        source = previous.stored_names(cache, {name: path})[name]
        if outputs.get(name) != source or str(path) in changed:
            writes[name], outputs[name] = path, source
    token = secrets.token_hex(8)
    _write(cache, options, content, read, manifest, changed, result.diagnostics, outputs, writes, token)
    entries = {p: e[:3] for p, e in entries.items()}
    _save(cache, {**state, "token": token, "files": entries, "resolver": resolver, "graph": graph, "specs": site.specs})
    _save_pages(cache, token, site.renderer, entries)
    return result


def _spliced(cache: Cache, options, content: ContentFiles, read: dict, manifest: dict, changed: set[str],
             pages: dict[str, bytes]):
    """Write pages whose body alone changed; the state stays as it is, since it holds no bodies."""
    from builder import pipeline

    outputs, writes = dict(manifest["outputs"]), {}
    for name, data in pages.items():
        path = cache.put_file(data)
        source = previous.stored_names(cache, {name: path})[name]
        if outputs.get(name) != source:
            writes[name], outputs[name] = path, source
    _write(cache, options, content, read, manifest, changed, manifest["diagnostics"], outputs, writes, manifest["state"])
    return pipeline.BuildResult(manifest["diagnostics"], previous.stored(cache, outputs))


def _load_records(content: ContentFiles, known: dict, changed: set[str], report: Report):
    """Every record file's (record, diagnostics, links, invalid records): as stored, or read again when changed;
    the links of every record's body by record id; and the full parse of each body read, by record key."""
    from builder import markdown
    from builder.load import load_record

    entries: dict[str, tuple] = {}
    bodies: dict[int, Parsed | None] = {}
    fresh: dict[Key, Parsed] = {}
    for file in content.records:
        name = str(file.path)
        entry = known.get(name)
        if entry is None or name in changed:
            own, partial = Report(), []
            record = load_record(file, own, partial)
            for r in ([record] if record else []) + partial:
                bodies[id(r)] = fresh[r.key] = markdown.parse(r.body)
            entry = (record, own.items, _links(bodies.get(id(record))), partial)
        else:
            entry = (*entry, [])
            bodies[id(entry[0])] = entry[2]
        report.extend(entry[1])
        entries[name] = entry
    return entries, bodies, fresh


class _Bodies(Mapping):
    """Parsed bodies by record key: those read by this build, the others read again from their unchanged files."""

    def __init__(self, graph: Graph, fresh: dict[Key, Parsed]) -> None:
        self.graph = graph
        self.fresh = fresh

    def get(self, key: Key, default=None) -> Parsed | None:
        return self[key] if key in self.graph.records else default

    def __getitem__(self, key: Key) -> Parsed:
        parsed = self.fresh.get(key)
        if parsed is None:
            from builder import markdown
            from builder.load import load_record

            record = self.graph.records[key]
            again = load_record(RecordFile(record.type, record.path), Report())
            if again is None or again.slug != record.slug:
                raise Stale(str(record.path))
            parsed = self.fresh[key] = markdown.parse(again.body)
        return parsed

    def __iter__(self) -> Iterator[Key]:
        return iter(self.graph.records)

    def __len__(self) -> int:
        return len(self.graph.records)


def _render(cache: Cache, options, content: ContentFiles, state: dict, graph: Graph, fresh: dict[Key, Parsed],
            relinked: set[Key] | None, manifest: dict, changed: set[str]):
    """The new site (outputs made when first read) and the outputs that may differ from the last build's."""
    from builder import outputs, rerender
    from builder.render import Renderer, environment

    env = environment(options.templates)
    config = state["config"]
    static_folder = options.templates / "static"
    static = {"assets/" + f.relative_to(static_folder).as_posix(): f
              for f in sorted(static_folder.rglob("*")) if f.is_file()}
    assets = {p.as_posix(): content.root / p for p in content.assets}
    stored = manifest["outputs"]
    made = {n: cache.file_path(s[1:]) for n, s in stored.items() if s.startswith("=")}
    old_assets = {n: Path(s) for n, s in stored.items() if s and not s.startswith("=") and n not in static}
    before = state["graph"]
    # Entries of dossier.json are made again from the last graph for the records whose entry may change
    # (``deps.affected``'s ``json``: records read again or relinked); the others are never compared.
    again = before.records.keys() if relinked is None else relinked | {e[0].key for p, e in state["files"].items() if p in changed}
    json = {k: outputs.record_json(before, before.records[k]) for k in again if k in before.records}
    old = rerender.Site(Renderer(config, before, {}, env, _indexed(options)), state["specs"], made, json, old_assets, static)
    renderer = Renderer(config, graph, _Bodies(graph, fresh), env, _indexed(options))
    return rerender.changed(renderer, old, set(), relinked, assets, static)


def _write(cache: Cache, options, content: ContentFiles, read: dict, manifest: dict, changed: set[str],
           diagnostics: list[Diagnostic], outputs: dict[str, str], writes: dict[str, Path], token: str) -> None:
    """Put ``writes`` (output path -> stored file) in place and remove outputs that are no more; or, when the
    search index must change, write the whole site the full way. ``outputs`` is every output's stored name."""
    from builder import search

    output = options.output.absolute()
    removed = sorted(manifest["outputs"].keys() - outputs.keys())
    if options.search and any(n.endswith(".html") for n in [*writes, *removed]):
        pages = {n: v for n, v in outputs.items() if not n.startswith(search.BUNDLE + "/")}
        write.write_site(output, previous.stored(cache, pages), cache.files, search.index_site)
        previous.remember(cache, options, content, read, diagnostics, previous.with_bundle(cache, output, pages), token)
        return
    previous.unverify(cache)
    for name, path in writes.items():
        _replace(output / name, path)
    for name in removed:
        _remove(output, name)
    fresh = previous.stamps(output, writes)
    written = None if fresh is None else {**dict.fromkeys(removed), **fresh}
    previous.update(cache, options, content, read, changed, diagnostics, outputs, written, token)


def _replace(target: Path, source: Path) -> None:
    """Put ``source``'s bytes at ``target`` by one rename: hard-linked from the store, or copied."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    temp.unlink(missing_ok=True)
    if not write.hard_link(source, temp):
        shutil.copyfile(source, temp)
    os.replace(temp, target)


def _remove(output: Path, name: str) -> None:
    """Remove an output that is no more, and the folders it leaves empty."""
    path = output / name
    path.unlink(missing_ok=True)
    folder = path.parent
    while folder != output and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
