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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

import jinja2

from builder import deps, markdown, outputs, urls, views
from builder.diagnostics import Diagnostic, Location, Report
from builder.discover import ContentFiles, RecordFile, discover, is_visible, kind_of
from builder.load import load_config, load_record
from builder.markdown import Parsed
from builder.pipeline import BuildOptions, link
from builder.records import TYPES, Record, SiteConfig
from builder.render import Page, Renderer, environment
from builder.resolve import Graph, Key
from builder.write import Content


@dataclass(frozen=True, slots=True)
class Update:
    """The outcome of one incremental build."""

    ok: bool
    """False when the content has errors; ``files`` is then the last good site."""
    diagnostics: list[Diagnostic]
    files: Mapping[str, Content]
    """The site as it now stands, by site-relative path (never modified after it is returned)."""
    changed: frozenset[str] = frozenset()
    """Output paths written, rewritten or removed by this update."""


@dataclass(slots=True)
class _Loaded:
    """One content file as last read."""

    stamp: tuple
    record: Record | None
    parsed: Parsed | None
    diagnostics: list[Diagnostic]


@dataclass(slots=True)
class _Good:
    """The last site that built without errors, and what it was made from."""

    config: SiteConfig
    graph: Graph
    pages: dict[str, bytes]
    templates: dict[str, str]
    """Template of each page, by output path."""
    json: dict[Key, str] = field(default_factory=dict)
    files: dict[str, Content] = field(default_factory=dict)


class Session:
    """An incremental builder for one content folder; call ``update`` after every change."""

    def __init__(self, options: BuildOptions) -> None:
        self.options = options
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
        self._good: _Good | None = None

    def update(self, paths: Iterable[Path] | None = None) -> Update:
        """Bring the site up to date; ``paths`` are the files that changed (None: look at everything)."""
        forced = self._note_changes(paths)
        report = Report(list(self._scan_report))
        config = self._config(forced, report)
        loaded = self._load_records(forced, report)
        content = ContentFiles(self.root, self._site, assets=sorted(self._assets))
        graph, parsed = link(loaded, lambda r: self._loaded[r.path].parsed, content, config, self.options.drafts, report)
        diagnostics = report.sorted()
        if config is None or any(d.severity == "error" for d in diagnostics):
            return self._failed(diagnostics)
        try:
            changed = self._render(config, graph, parsed)
        except jinja2.TemplateError as exc:
            return self._failed(sorted(diagnostics + [self._template_problem(exc)], key=lambda d: d.sort_key))
        self._pending_templates.clear()
        return Update(True, diagnostics, self._good.files, frozenset(changed))

    # -- reading -----------------------------------------------------------------------------

    def _note_changes(self, paths: Iterable[Path] | None) -> set[Path]:
        """Apply changed paths to the file lists; return the content files that must be re-read."""
        if paths is None or not self._scanned:
            self._rescan()
            self._pending_templates.add("*")
            return set()
        forced: set[Path] = set()
        for path in (Path(os.path.abspath(p)) for p in paths):
            if path.is_relative_to(self.templates):
                self._template_changed(path)
            elif path.is_relative_to(self.root):
                if not self._content_changed(path):
                    self._rescan()
                    return set()
                forced.add(path)
        return forced

    def _rescan(self) -> None:
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
        relative = path.relative_to(self.templates)
        self._pending_templates.add(relative.as_posix())
        self._env = None

    def _stamp(self, path: Path) -> tuple:
        try:
            st = path.stat()
        except OSError:
            return ()
        return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)

    def _fresh(self, path: Path, forced: set[Path]) -> _Loaded | None:
        cached = self._loaded.get(path)
        if cached is not None and path not in forced and cached.stamp == self._stamp(path):
            return cached
        return None

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
        for path in self._records:
            cached = self._fresh(path, forced)
            if cached is None:
                cached = self._load(path)
            report.extend(cached.diagnostics)
            if cached.record is not None:
                records.append(cached.record)
        return records

    def _load(self, path: Path) -> _Loaded:
        """Read one record; an invalid one is kept as the placeholder the build resolves too."""
        own = Report()
        stamp = self._stamp(path)
        type_ = path.relative_to(self.root).parts[0]
        partial: list[Record] = []
        record = load_record(RecordFile(type_, path), own, partial) or (partial[0] if partial else None)
        parsed = markdown.parse(record.body) if record is not None else None
        loaded = _Loaded(stamp, record, parsed, own.items)
        self._loaded[path] = loaded
        return loaded

    # -- rendering ---------------------------------------------------------------------------

    def _environment(self) -> jinja2.Environment:
        if self._env is None:
            self._env = environment(self.templates)
        return self._env

    def _render(self, config: SiteConfig, graph: Graph, parsed: dict) -> set[str]:
        renderer = Renderer(config, graph, parsed, self._environment())
        good = self._good
        if good is None or good.config != config or "*" in self._pending_templates:
            return self._full(renderer)
        reshown = deps.template_dependents(renderer.env, self._pending_templates)
        if "base.html" in reshown:
            return self._full(renderer)
        return self._partial(renderer, good, reshown)

    def _full(self, renderer: Renderer) -> set[str]:
        pages: dict[str, bytes] = {}
        templates: dict[str, str] = {}
        for page in renderer.pages():
            path = urls.output_path(page.url)
            pages[path] = renderer.render(page).encode("utf-8")
            templates[path] = page.template
        graph = renderer.graph
        json = {r.key: outputs.record_json(graph, r) for r in graph.records.values()}
        before = self._good.files if self._good else {}
        good = _Good(renderer.config, graph, pages, templates, json)
        self._outputs(good, renderer, feed=True, sitemap=True, assemble=True)
        self._good = good
        return _diff(before, good.files)

    def _partial(self, renderer: Renderer, old: _Good, reshown: set[str]) -> set[str]:
        graph = renderer.graph
        todo = deps.affected(old.graph, graph)
        good = _Good(renderer.config, graph, dict(old.pages), dict(old.templates), dict(old.json))
        wanted = self._pages_to_render(renderer, old, todo, reshown)
        for path in _removed_pages(old, graph, todo):
            good.pages.pop(path, None)
            good.templates.pop(path, None)
        for page in wanted:
            path = urls.output_path(page.url)
            good.pages[path] = renderer.render(page).encode("utf-8")
            good.templates[path] = page.template
        for key in todo.removed:
            good.json.pop(key, None)
        for key in todo.json:
            good.json[key] = outputs.record_json(graph, graph.records[key])
        self._outputs(good, renderer, feed=todo.feed, sitemap=todo.sitemap, assemble=todo.json_changed, old=old)
        self._good = good
        return _diff(old.files, good.files)

    def _pages_to_render(self, renderer: Renderer, old: _Good, todo: deps.Affected, reshown: set[str]) -> list[Page]:
        graph = renderer.graph
        keys = set(todo.records)
        types, tags = set(todo.indexes), set(todo.tags)
        singles = {"home": todo.home, "tags": todo.tags_index, "timeline": todo.timeline, "404": False}
        for path, template in old.templates.items():
            if template in reshown:
                kind, arg = _spec(path)
                if kind == "record":
                    keys.add(arg)
                elif kind == "index":
                    types.add(arg)
                elif kind == "tag":
                    tags.add(arg)
                else:
                    singles[kind] = True
        keys &= graph.records.keys()
        pages = [renderer.record_page(graph.records[k]) for k in sorted(keys)]
        pages += [renderer.index_page(t) for t in sorted(types)]
        if tags or singles["tags"]:
            tagged = views.tags(graph, None if singles["tags"] else tags)
            pages += [renderer.tag_page(t, refs) for t, refs in tagged.items() if t in tags]
            if singles["tags"]:
                pages.append(renderer.tags_page(tagged))
        extra = {"home": renderer.home, "timeline": renderer.timeline_page, "404": renderer.not_found_page}
        pages += [make() for name, make in extra.items() if singles[name]]
        return pages

    def _outputs(self, good: _Good, renderer: Renderer, feed: bool, sitemap: bool, assemble: bool,
                 old: _Good | None = None) -> None:
        config, graph = good.config, good.graph
        files: dict[str, Content] = {}
        for relative in self._assets:
            files[relative.as_posix()] = self.root / relative
        files.update(good.pages)
        files[urls.FEED] = outputs.atom_feed(config, graph) if feed or old is None else old.files[urls.FEED]
        page_urls = [_url_of(p) for p in good.pages]
        files["sitemap.xml"] = outputs.sitemap(config, page_urls) if sitemap or old is None else old.files["sitemap.xml"]
        if assemble or old is None:
            files["dossier.json"] = outputs.assemble_json(config, [good.json[k] for k in sorted(good.json)])
        else:
            files["dossier.json"] = old.files["dossier.json"]
        static = self.templates / "static"
        for asset in sorted(static.rglob("*")):
            if asset.is_file():
                files["assets/" + asset.relative_to(static).as_posix()] = asset
        good.files = files

    # -- failures ----------------------------------------------------------------------------

    def _failed(self, diagnostics: list[Diagnostic]) -> Update:
        files = self._good.files if self._good else {}
        return Update(False, diagnostics, files)

    def _template_problem(self, exc: jinja2.TemplateError) -> Diagnostic:
        name = getattr(exc, "name", None) or getattr(exc, "filename", None) or "templates"
        line = getattr(exc, "lineno", None) or 1
        path = self.templates / name if not os.path.isabs(name) else Path(name)
        return Diagnostic(Location(path, line, 1), f"template error: {exc.message or exc}", "template-error")


def _removed_pages(old: _Good, graph: Graph, todo: deps.Affected) -> list[str]:
    paths = [urls.output_path(urls.record_url(*k)) for k in todo.removed]
    tagged = {t for r in graph.of_type("articles") for t in r.get("tags", ())} if todo.tags else set()
    paths += [urls.output_path(urls.tag_url(t)) for t in todo.tags if t not in tagged]
    return paths


def _spec(path: str) -> tuple[str, object]:
    """What an output page is, from its path: home, index, record, tags, tag, timeline or 404."""
    parts = path.split("/")[:-1]
    if path == "404.html":
        return ("404", None)
    if not parts:
        return ("home", None)
    if parts == ["tags"] or parts == ["timeline"]:
        return (parts[0], None)
    if parts[0] == "tags":
        return ("tag", parts[1])
    if len(parts) == 1 and parts[0] in TYPES:
        return ("index", parts[0])
    return ("record", (parts[0], parts[1]))


def _url_of(path: str) -> str:
    return path[: -len("index.html")] if path.endswith("index.html") else path


def _diff(before: Mapping[str, Content], after: Mapping[str, Content]) -> set[str]:
    changed = {p for p in after if before.get(p) != after[p]}
    return changed | (before.keys() - after.keys())
