"""The build, stage by stage: discover, load, parse, resolve, render, write."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from builder import images, markdown, outputs, urls
from builder.diagnostics import Diagnostic, Location, Report
from builder.discover import ContentFiles, discover
from builder.load import check_unique, load_config, load_record
from builder.records import Record, SiteConfig
from builder.render import TEMPLATES, Renderer, environment
from builder.markdown import Parsed
from builder.resolve import Graph, Key, resolve
from builder.write import Content, check_output, OutputError, write_site


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """What to build and where."""

    content: Path = Path("content")
    output: Path | None = Path("site")
    """None: validate only, write nothing (``dossier check``)."""
    drafts: bool = False
    templates: Path = TEMPLATES


@dataclass(slots=True)
class BuildResult:
    """The outcome of a build: its problems and, when it succeeded, its files."""

    diagnostics: list[Diagnostic]
    files: dict[str, Content] = field(default_factory=dict)
    graph: Graph | None = None
    config: SiteConfig | None = None

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)


class BuildRefused(Exception):
    """The build cannot start: the output folder is unsafe or the content folder is missing."""


def build(options: BuildOptions) -> BuildResult:
    """Validate everything, then (when ``options.output`` is set and nothing failed) write the site."""
    report = Report()
    _check_folders(options)
    content = discover(options.content, report)
    config = load_config(content, report)
    partial: list[Record] = []  # invalid records: resolved too, so every problem shows in one run
    loaded = [r for f in content.records if (r := load_record(f, report, partial))] + partial
    graph, parsed = link(loaded, lambda r: markdown.parse(r.body), content, config, options.drafts, report)
    result = BuildResult(report.sorted(), graph=graph, config=config)
    if not result.ok or config is None:
        return result
    result.files = render_site(config, graph, parsed, content, options.templates)
    if options.output is not None:
        write_site(options.output, result.files)
    return result


def link(loaded: list[Record], parse: Callable[[Record], Parsed], content: ContentFiles,
         config: SiteConfig | None, drafts: bool, report: Report) -> tuple[Graph, dict[Key, Parsed]]:
    """Everything between loading and rendering: unique slugs, drafts, references, site-wide warnings.

    Shared by ``build`` and incremental builds, which parse only the bodies that changed.
    """
    records = check_unique(loaded, report)
    parsed = {r.key: parse(r) for r in records}
    hidden = frozenset(r.key for r in records if r.get("draft") and not drafts)
    assets = {p.as_posix() for p in content.assets}
    graph = resolve(records, parsed, content.root, assets, report, hidden)
    graph.photos = {r.key: p for r in records if (p := images.photo_of(r, content.root, assets, report))}
    graph.sizes = images.read_sizes(content.root, images.shown(graph))
    if config is not None and not config.base_url:
        report.warning(Location(content.site or content.root, 1, 1),
                       "no base_url: the feed, the sitemap and the 404 page use relative links", "no-base-url")
    return graph, parsed


def render_site(config: SiteConfig, graph: Graph, parsed: dict, content: ContentFiles, templates: Path) -> dict[str, Content]:
    """Every output file by site-relative path: pages, feed, sitemap, JSON, assets."""
    renderer = Renderer(config, graph, parsed, environment(templates))
    files: dict[str, Content] = {}
    pages = list(renderer.pages())
    for page in pages:
        files[urls.output_path(page.url)] = renderer.render(page).encode("utf-8")
    files[urls.FEED] = outputs.atom_feed(config, graph)
    files["sitemap.xml"] = outputs.sitemap(config, [p.url for p in pages])
    files["dossier.json"] = outputs.dossier_json(config, graph)
    for asset in sorted((templates / "static").rglob("*")):
        if asset.is_file():
            files["assets/" + asset.relative_to(templates / "static").as_posix()] = asset
    for relative in content.assets:
        files.setdefault(relative.as_posix(), content.root / relative)
    return files


def _check_folders(options: BuildOptions) -> None:
    if not options.content.is_dir():
        raise BuildRefused(f"content folder {options.content} does not exist")
    if options.output is not None:
        try:
            check_output(options.output, options.content)
        except OutputError as exc:
            raise BuildRefused(str(exc)) from None


def records_of(result: BuildResult) -> list[Record]:
    return list(result.graph.records.values()) if result.graph else []
