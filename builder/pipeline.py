"""The build, stage by stage: discover, load, parse, resolve, render, write."""

from __future__ import annotations

import contextlib
import gc
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping

from builder import previous, rebuild, search
from builder.cache import Cache, fingerprint
from builder.diagnostics import Diagnostic, Location, Report
from builder.discover import ContentFiles, discover
from builder.records import Record, SiteConfig
from builder.progress import Clock, Progress
from builder.write import Chunks, Content, OutputError, Staging, check_output

if TYPE_CHECKING:
    from builder.markdown import Parsed
    from builder.resolve import Graph, Key

# The stages below discover are imported where they are used: a build that reuses or splices
# the last one's output starts in a fraction of the time without them (the renderer alone
# brings Jinja2, markdown-it and networkx).
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
"""The templates shipped with dossier (``render.TEMPLATES``)."""


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """What to build and where."""

    content: Path = Path("content")
    output: Path | None = Path("site")
    """None: validate only, write nothing (``dossier check``)."""
    drafts: bool = False
    templates: Path = TEMPLATES
    jobs: int = 1
    """Processes for loading and rendering (the command line's default: every core)."""
    cache: Path | None = None
    """Folder of the persistent cache (e.g. ``.dossier-cache``); None: no cache."""
    progress: Progress | None = field(default=None, compare=False)
    """Told as each stage starts and advances."""
    search: bool = True
    """Index the written site for search with Pagefind (never when validating only)."""


@dataclass(slots=True)
class BuildResult:
    """The outcome of a build: its problems and, when it succeeded, its files."""

    diagnostics: list[Diagnostic]
    files: Mapping[str, Content] = field(default_factory=dict)
    graph: Graph | None = None
    config: SiteConfig | None = None
    timings: list[tuple[str, float]] = field(default_factory=list)
    """Seconds spent in each stage."""
    reused: bool = False
    """Nothing changed since the last build: its output was kept (or put back) as it was."""

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)


class BuildRefused(Exception):
    """The build cannot start: the output folder is unsafe or the content folder is missing."""


def build(options: BuildOptions) -> BuildResult:
    """Validate everything, then (when ``options.output`` is set and nothing failed) write the site."""
    report, clock = Report(), Clock(options.progress)
    _check_folders(options)
    with contextlib.ExitStack() as quick:  # the output check and the collector's rest end here: a full build needs neither
        if gc.isenabled():  # the quick ways make tens of thousands of tuples that live on: collecting finds nothing
            gc.disable()
            quick.callback(gc.enable)
        with clock.stage("discover"):
            cache = Cache(options.cache, fingerprint(options.templates)) if options.cache else None
            output = options.output.absolute() if options.output is not None else None
            check = quick.enter_context(contextlib.closing(previous.Check(cache, output))) if cache else None
            content = discover(options.content, report, take_stamps=cache is not None)  # while the output is checked
            read = previous.inputs(content) if cache else None
            reused = previous.reuse(cache, options, content, check, read) if cache and not report.items else None
        if reused is not None:
            return BuildResult(reused[0], reused[1], timings=clock.timings, reused=True)
        if cache is not None and not report.items:
            with clock.stage("rebuild"):
                rebuilt = rebuild.rebuild(cache, options, content, check, read)
            if rebuilt is not None:
                rebuilt.timings = clock.timings
                return rebuilt
    from builder import parallel
    from builder.load import load_config
    from builder.reresolve import Resolver
    from builder.resolve import resolve

    with clock.stage("load"):
        if cache is not None:
            cache.open()  # only now: a build that reuses the last one's output never reads the records
        start = len(report.items)
        config = load_config(content, report)
        first = len(report.items)
        loaded, bodies = parallel.load_records(content.records, report, options.jobs, cache, options.progress)
        last = len(report.items)
    with clock.stage("resolve"):
        resolver = Resolver() if cache is not None else resolve  # the same graph; it keeps what a rebuild needs
        graph, parsed = link(loaded, lambda r: bodies[id(r)], content, config, options.drafts, report, resolver)
    if cache is not None:
        cache.save_records()
        cache.release()
    result = BuildResult(report.sorted(), graph=graph, config=config, timings=clock.timings)
    if not result.ok or config is None:
        return result
    staging = Staging(options.output, cache.files if cache else None) if options.output is not None else None
    with staging or contextlib.nullcontext():
        with clock.stage("render"):
            result.files = render_site(config, graph, parsed, content, options.templates, options, cache, staging)
        if staging is not None:
            with clock.stage("write"):
                try:
                    staging.commit(result.files, search.index_site if options.search else None)
                except search.SearchError as exc:
                    raise BuildRefused(f"search index: {exc}") from None
                if cache is not None:
                    made = rebuild.Made(config, report.items[start:first], loaded, report.items[first:last], parsed, resolver, graph)
                    state = rebuild.remember(cache, options, content, made, result.files) if read is not None else ""
                    stored = previous.stored_names(cache, result.files)
                    if options.search:
                        stored = previous.with_bundle(cache, options.output.absolute(), stored)
                    previous.remember(cache, options, content, read, result.diagnostics, stored, state)
    return result


def link(loaded: list[Record], parse: Callable[[Record], Parsed], content: ContentFiles,
         config: SiteConfig | None, drafts: bool, report: Report, resolver=None) -> tuple[Graph, dict[Key, Parsed]]:
    """Everything between loading and rendering: unique slugs, drafts, references, site-wide warnings.

    Shared by ``build`` and incremental builds, which parse only the bodies that changed and
    give a ``resolver`` (same arguments as ``resolve``) that re-resolves only what changed.
    """
    from builder import images
    from builder.load import check_unique
    from builder.resolve import resolve

    resolver = resolver or resolve
    records = check_unique(loaded, report)
    parsed = {r.key: parse(r) for r in records}
    hidden = frozenset(r.key for r in records if r.get("draft") and not drafts)
    assets = {p.as_posix() for p in content.assets}
    graph = resolver(records, parsed, content.root, assets, report, hidden)
    graph.photos = {r.key: p for r in records if (p := images.photo_of(r, content.root, assets, report))}
    graph.sizes = images.read_sizes(content.root, images.shown(graph))
    if config is not None and not config.base_url:
        report.warning(Location(content.site or content.root, 1, 1),
                       "no base_url: the feed, the sitemap and the 404 page use relative links", "no-base-url")
    return graph, parsed


def render_site(config: SiteConfig, graph: Graph, parsed: dict, content: ContentFiles, templates: Path,
                options: BuildOptions | None = None, cache: Cache | None = None,
                staging: Staging | None = None) -> dict[str, Content]:
    """Every output file by site-relative path: pages, feed, sitemap, JSON, assets.

    With ``staging``, each file is written into it as soon as it is made (by the worker that made it)
    and named here by where it will be; without, the files are kept in memory (``check``).
    """
    from builder import layout, outputs, parallel, urls
    from builder.render import Renderer, environment

    options = options or BuildOptions(templates=templates)
    indexed = options.search and options.output is not None
    renderer = Renderer(config, graph, parallel.Bodies(graph, parsed), environment(templates), indexed)
    explored = renderer.explore.file_makers()
    extra = {urls.FEED: lambda: outputs.atom_feed(config, graph),
             "dossier.json": lambda: outputs.dossier_json_chunks(config, graph, {"graph": renderer.explore.graph_json()}),
             **explored}
    store = _store(cache, staging)
    if len(graph.records) >= parallel.MIN_PARALLEL:  # started now, it loads networkx while the pages are prepared
        renderer.explore.spring = layout.Apart()
    try:
        page_urls, made = parallel.render_pages(renderer, options.jobs, store, extra, options.progress)
    finally:
        if renderer.explore.spring is not None:
            renderer.explore.spring.close()
    files = {name: content for name, content in made.items() if name not in extra}
    files[urls.FEED] = made[urls.FEED]
    files["sitemap.xml"] = store("sitemap.xml", outputs.sitemap(config, page_urls))
    files["dossier.json"] = made["dossier.json"]
    files.update((name, made[name]) for name in explored)
    for asset in sorted((templates / "static").rglob("*")):
        if asset.is_file():
            name = "assets/" + asset.relative_to(templates / "static").as_posix()
            files[name] = _put(staging, name, asset)
    for relative in content.assets:
        if relative.as_posix() not in files:
            files[relative.as_posix()] = _put(staging, relative.as_posix(), content.root / relative)
    return files


def _store(cache: Cache | None, staging: Staging | None) -> Callable[[str, bytes | Chunks], Content]:
    """Where rendered bytes go: kept in memory, or written (through the cache when there is one) into ``staging``."""
    def store(name: str, data: bytes | Chunks) -> Content:
        if staging is None:
            return data if isinstance(data, bytes) else b"".join(data)
        stored: Content | Chunks = data
        if cache is not None:
            previous_file = staging.output / name
            stored = cache.put_file(data, previous_file) if isinstance(data, bytes) else cache.put_chunks(data, previous_file)
        return _put(staging, name, stored)
    return store


def _put(staging: Staging | None, name: str, content: Content | Chunks) -> Content:
    """Write a file into ``staging``; what names it from then on (a source file, or where it will be)."""
    if staging is None:
        return content
    staging.put(name, content)
    return content if isinstance(content, Path) else staging.output / name


def _check_folders(options: BuildOptions) -> None:
    if not options.content.is_dir():
        raise BuildRefused(f"content folder {options.content} does not exist")
    if options.output is not None:
        try:
            check_output(options.output, options.content)
        except OutputError as exc:
            raise BuildRefused(str(exc)) from None
        if options.search and search.executable() is None:
            raise BuildRefused("the Pagefind binary is not installed (pip install 'pagefind[extended]'); or build with --no-search")
