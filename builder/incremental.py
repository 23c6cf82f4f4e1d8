"""Incremental builds: keep the last good site in memory and redo only what a change affects.

A ``Session`` reads and validates only the files that changed (the rest are
cached by file identity, size and modification time, and re-read whenever the
caller names them), resolves the whole graph again (cheap), asks
``deps.affected`` which outputs differ, and renders only those. The result is
always the same set of files, byte for byte, as a clean ``pipeline.build`` of
the same content; a build that fails keeps the last good site.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

import jinja2

from builder import deps, images, markdown, parallel, rerender
from builder.diagnostics import Diagnostic, Location, Report
from builder.discover import ContentFiles, RecordFile, discover, is_visible, kind_of
from builder.load import load_config, load_record
from builder.markdown import Parsed
from builder.pipeline import BuildOptions, link
from builder.records import Record, SiteConfig
from builder.render import Renderer, environment
from builder.reresolve import Resolver
from builder.resolve import Graph, Key
from builder.write import Content


@dataclass(frozen=True, slots=True)
class Update:
    """The outcome of one incremental build."""

    ok: bool
    """False when the content has errors; ``files`` is then the last good site."""
    diagnostics: list[Diagnostic]
    files: Mapping[str, Content]
    """The site as it now stands, by site-relative path; pages are rendered when first read, from the
    content as it was at this update (reading any later still gives the same bytes)."""
    changed: frozenset[str] = frozenset()
    """Output paths that may have been written, rewritten or removed by this update."""
    graph: Graph | None = None
    """The graph of the content as it now is (also when the build failed)."""


@dataclass(slots=True)
class _Loaded:
    """One content file as last read."""

    stamp: tuple
    record: Record | None
    parsed: Parsed | None
    diagnostics: list[Diagnostic]


class Cancelled(Exception):
    """The session was cancelled while it was building."""


class Session:
    """An incremental builder for one content folder; call ``update`` after every change."""

    def __init__(self, options: BuildOptions, indexed: bool = False) -> None:
        self.options = options
        self.indexed = indexed
        """Whether the site is served with a search index (its search page then loads it)."""
        self.root = options.content.resolve()
        self.templates = options.templates.resolve()
        self._loaded: dict[Path, _Loaded] = {}
        self._records: set[Path] = set()
        self._assets: set[Path] = set()
        self._site: Path | None = None
        self._scan_report: list[Diagnostic] = []
        self._scanned = False
        self._pending_templates: set[str] = set()
        self._env: jinja2.Environment | None = None
        self._config_cache: tuple | None = None
        self._good: rerender.Site | None = None
        self._resolver = Resolver()
        self._relinked: set[Key] | None = None
        """Records relinked since the last good build; None: unknown, compare the graphs."""
        self._pending_static: set[str] = set()
        self._trusted = False
        self._cancelled = False
        self._last: tuple | None = None
        """Config, graph, parsed bodies and diagnostics of the last update, when it was good."""

    def cancel(self) -> None:
        """Make a build in progress (in another thread) stop soon by raising ``Cancelled``, and every later one."""
        self._cancelled = True

    def _check(self, *_) -> None:
        if self._cancelled:
            raise Cancelled()

    def update(self, paths: Iterable[Path] | None = None) -> Update:
        """Bring the site up to date; ``paths`` are the files that changed (None: look at everything)."""
        forced = self._note_changes(paths)
        quick = self._one_record(forced)
        if quick is not None:
            return quick
        self._last = None
        report = Report(list(self._scan_report))
        config = self._config(forced, report)
        loaded = self._load_records(forced, report)
        content = ContentFiles(self.root, self._site, assets=sorted(self._assets))
        graph, parsed = link(loaded, lambda r: self._loaded[r.path].parsed, content, config, self.options.drafts,
                             report, self._resolver)
        relinked = self._resolver.relinked
        self._relinked = None if relinked is None or self._relinked is None else self._relinked | relinked
        diagnostics = report.sorted()
        if config is None or any(d.severity == "error" for d in diagnostics):
            return self._failed(diagnostics)
        try:
            changed = self._render(config, graph, parsed)
        except jinja2.TemplateError as exc:
            return self._failed(sorted(diagnostics + [self._template_problem(exc)], key=lambda d: d.sort_key))
        self._pending_templates.clear()
        self._pending_static.clear()
        self._relinked = set()
        self._last = (config, graph, parsed, diagnostics)
        self._resolver.prepare()  # a whole-graph update is slow anyway; the next edit of one record need not be
        return Update(True, diagnostics, self._good, frozenset(changed), graph)

    def _one_record(self, forced: set[Path]) -> Update | None:
        """The common edit made cheap: after a good build, one record changed (its body, or fields such as
        its title or date) and it keeps its file, references and problems, and every other record
        resolves as before. Then nothing but that record is read or resolved again; None when the
        change is any other."""
        last = self._last
        if last is None or not self._trusted or len(forced) != 1 or self._pending_templates or self._pending_static:
            return None
        path = next(iter(forced))
        before = self._loaded.get(path)
        if before is None or before.record is None or path not in self._records:
            return None
        now = self._load(path)
        record, old = now.record, before.record
        if record is None or now.diagnostics != before.diagnostics or record.key != old.key:
            return None
        config, graph, parsed, diagnostics = last
        photo = self._photo(record, graph)
        if photo is False:
            return None
        fresh = self._resolver.one(record, now.parsed)
        if fresh is None:
            return None
        if photo is not None:
            fresh.photos = {**graph.photos, record.key: photo}
        deps.carry(graph, fresh, {record.key})
        parsed = {**parsed, record.key: now.parsed}
        changed = self._render(config, fresh, parsed, {record.key})
        self._last = (config, fresh, parsed, diagnostics)
        return Update(True, diagnostics, self._good, frozenset(changed), fresh)

    def _photo(self, record: Record, graph: Graph) -> images.Photo | None | bool:
        """The record's photo when it is the same file as before but may read otherwise (its alt text
        names the record); None when it has none, as before; False when anything else changed."""
        report, photo, was = Report(), None, graph.photos.get(record.key)
        if "x-photo" in record.extra:
            photo = images.photo_of(record, self.root, {p.as_posix() for p in self._assets}, report)
        if report.items or (photo is None) != (was is None) or (photo is not None and photo.path != was.path):
            return False
        return photo if photo != was else None

    # -- reading -----------------------------------------------------------------------------

    def _note_changes(self, paths: Iterable[Path] | None) -> set[Path]:
        """Apply changed paths to the file lists; return the content files that must be re-read."""
        if paths is None or not self._scanned:
            self._rescan()
            self._pending_templates.add("*")
            return set()
        forced: set[Path] = set()
        self._trusted, scan = True, False
        for path in (Path(os.path.abspath(p)) for p in paths):
            if path.is_relative_to(self.templates):
                self._template_changed(path)
            elif path.is_relative_to(self.root):
                scan = scan or not self._content_changed(path)
                forced.add(path)
        if scan:
            self._rescan()
        return forced

    def _rescan(self) -> None:
        self._trusted = False
        report = Report()
        files = discover(self.root, report)
        self._scan_report = report.sorted()
        self._site = files.site
        self._records = {f.path for f in files.records}
        self._assets = set(files.assets)
        self._scanned = True

    def _content_changed(self, path: Path) -> bool:
        """Note one changed content file; False when only a fresh scan can tell (folders, links)."""
        relative = path.relative_to(self.root)
        if relative.parts and not is_visible(relative):
            return True
        if path.is_symlink() or path.is_dir() or any(p.is_symlink() for p in path.parents if p.is_relative_to(self.root)):
            return False
        kind = kind_of(relative)
        known = path == self._site or path in self._records or relative in self._assets
        if not path.exists():
            if not known:
                return False
            self._forget(path, relative, kind)
            return True
        if kind == "site":
            self._site = path
        elif kind == "record":
            self._records.add(path)
        else:
            self._assets.add(relative)
        return True

    def _forget(self, path: Path, relative: Path, kind: str) -> None:
        if kind == "site":
            self._site = None
        self._records.discard(path)
        self._assets.discard(relative)
        self._loaded.pop(path, None)

    def _template_changed(self, path: Path) -> None:
        relative = path.relative_to(self.templates).as_posix()
        if relative.startswith("static/"):
            self._pending_static.add(relative[len("static/"):])
        else:
            self._pending_templates.add(relative)
            self._env = None

    def _stamp(self, path: Path) -> tuple:
        try:
            st = path.stat()
        except OSError:
            return ()
        return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)

    def _fresh(self, path: Path, forced: set[Path]) -> _Loaded | None:
        """The cached file unless it changed: named by the caller, or (after a scan) with another stamp."""
        cached = self._loaded.get(path)
        if cached is None or path in forced:
            return None
        if self._trusted:  # the caller named every change: no need to look at the other files
            return cached
        return cached if cached.stamp == self._stamp(path) else None

    def _config(self, forced: set[Path], report: Report) -> SiteConfig | None:
        site = self._site
        stamp = self._stamp(site) if site else ()
        cached = self._config_cache
        if cached is None or cached[0] != (site, stamp) or site in forced:
            own = Report()
            config = load_config(ContentFiles(self.root, site), own)
            cached = self._config_cache = ((site, stamp), config, own.items)
        report.extend(cached[2])
        return cached[1]

    def _load_records(self, forced: set[Path], report: Report) -> list[Record]:
        records = []
        loaded = self._loaded
        if self.options.jobs > 1 and len(self._records) - len(loaded) >= parallel.MIN_PARALLEL:
            self._load_many(sorted(p for p in self._records if p not in loaded))
        for path in self._records:
            cached = loaded.get(path) if self._trusted and path not in forced else None
            if cached is None:
                self._check()
                cached = self._fresh(path, forced) or self._load(path)
            if cached.diagnostics:
                report.extend(cached.diagnostics)
            if cached.record is not None:
                records.append(cached.record)
        return records

    def _load_many(self, paths: list[Path]) -> None:
        """Read many records at once (a first build) in worker processes, as ``dossier build`` does."""
        stamps = [self._stamp(p) for p in paths]  # before reading: a change made meanwhile reads again
        files = [RecordFile(p.relative_to(self.root).parts[0], p) for p in paths]
        for path, stamp, item in zip(paths, stamps, parallel.load_each(files, self.options.jobs, self._check)):
            record = item.record or (item.partial[0] if item.partial else None)
            parsed = item.links[0] if record is not None else None
            if parsed is not None and getattr(parsed, "template", None) is None:
                parsed = markdown.parse(record.body)  # bodies with images or relative links are not made ahead
            self._loaded[path] = _Loaded(stamp, record, parsed, item.diagnostics)

    def _load(self, path: Path) -> _Loaded:
        """Read one record; an invalid one is kept as the placeholder the build resolves too."""
        own = Report()
        stamp = self._stamp(path)
        type_ = path.relative_to(self.root).parts[0]
        partial: list[Record] = []
        record = load_record(RecordFile(type_, path), own, partial) or (partial[0] if partial else None)
        was = self._loaded.get(path)
        if was is not None and was.parsed is not None and record is not None and was.record.packed_body == record.packed_body:
            parsed = was.parsed  # a body parses the same however the front matter above it changed
        else:
            parsed = markdown.parse(record.body) if record is not None else None
        loaded = _Loaded(stamp, record, parsed, own.items)
        self._loaded[path] = loaded
        return loaded

    # -- rendering ---------------------------------------------------------------------------

    def _environment(self) -> jinja2.Environment:
        if self._env is None:
            self._env = environment(self.templates)
        return self._env

    def _render(self, config: SiteConfig, graph: Graph, parsed: dict, edited: set[Key] | None = None) -> set[str]:
        """Make the site of ``graph``; ``edited`` (when known) holds every record that may differ from the last."""
        renderer = Renderer(config, graph, parsed, self._environment(), search=self.indexed)
        old = self._good
        if edited is not None and old is not None:  # one record's edit: no other file came, went or changed
            assets, static = old.assets, old.static
        else:
            assets, static = {p.as_posix(): self.root / p for p in sorted(self._assets)}, self._static()
        pending = self._pending_templates
        reshown = deps.template_dependents(renderer.env, pending) if old is not None and pending else set()
        if old is None or old.config != config or "*" in pending or "base.html" in reshown:
            site = rerender.full(renderer, assets, static, self._render_all(renderer) if old is None else {})
            changed = set(site) | (set(old) if old is not None else set())
            reshown = None if pending else set()
        else:
            site, changed = rerender.changed(renderer, old, reshown, self._relinked, assets, static, edited)
        rerender.try_templates(site, reshown)  # a template's errors fail this build, not a later request
        changed |= {p for p in static if p[len("assets/"):] in self._pending_static}
        self._good = site
        return changed

    def _render_all(self, renderer: Renderer) -> dict[str, bytes]:
        """Every page of a first build, made now by worker processes as ``dossier build`` makes them;
        {} with one job (pages are then made when first asked for)."""
        if self.options.jobs <= 1:
            return {}
        made = parallel.render_pages(renderer, self.options.jobs, lambda name, data: data, {}, self._check)[1]
        made.pop("search/index.html", None)  # the workers' renderer does not know whether the site is indexed
        return made

    def _static(self) -> dict[str, Path]:
        folder = self.templates / "static"
        return {"assets/" + f.relative_to(folder).as_posix(): f for f in sorted(folder.rglob("*")) if f.is_file()}

    # -- failures ----------------------------------------------------------------------------

    def _failed(self, diagnostics: list[Diagnostic]) -> Update:
        files = self._good if self._good is not None else {}
        return Update(False, diagnostics, files)

    def _template_problem(self, exc: jinja2.TemplateError) -> Diagnostic:
        name = getattr(exc, "name", None) or getattr(exc, "filename", None) or "templates"
        line = getattr(exc, "lineno", None) or 1
        path = self.templates / name if not os.path.isabs(name) else Path(name)
        return Diagnostic(Location(path, line, 1), f"template error: {exc.message or exc}", "template-error")
