"""Render a whole site, or only the outputs that ``deps.affected`` names, into a ``Site`` in memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from builder import deps, outputs, urls, views
from builder.records import TYPES, SiteConfig
from builder.render import Page, Renderer
from builder.resolve import Graph, Key
from builder.write import Content

CORE_OUTPUTS = (urls.FEED, "sitemap.xml", "dossier.json")
"""Outputs other than pages that are not discovery's (feeds per entity, graph data)."""


@dataclass(slots=True)
class Site:
    """A built site and what it was made from, kept so that the next build can redo only what changed."""

    config: SiteConfig
    graph: Graph
    pages: dict[str, bytes]
    """Rendered pages by output path."""
    templates: dict[str, str]
    """Template of each page, by output path."""
    json: dict[Key, str]
    """Each record's entry of dossier.json."""
    outputs: dict[str, bytes] = field(default_factory=dict)
    """Feed, sitemap and dossier.json."""
    assets: dict[str, Path] = field(default_factory=dict)
    """Files copied from the content folder, by output path."""
    static: dict[str, Path] = field(default_factory=dict)
    """The templates' static files, by output path."""
    files: dict[str, Content] = field(default_factory=dict)
    """Everything above as one site, with the build's precedence: content files, then generated, then static."""


def full(renderer: Renderer, assets: dict[str, Path], static: dict[str, Path]) -> Site:
    """Every page and output."""
    site = Site(renderer.config, renderer.graph, {}, {}, {}, assets=assets, static=static)
    for page in renderer.pages():
        _render(renderer, page, site)
    site.json = {r.key: outputs.record_json(site.graph, r) for r in site.graph.records.values()}
    site.outputs = {urls.FEED: outputs.atom_feed(site.config, site.graph), "sitemap.xml": _sitemap(site),
                    "dossier.json": _json(site, renderer), **renderer.explore.files()}
    site.files = {**assets, **site.pages, **site.outputs, **static}
    return site


def partial(renderer: Renderer, old: Site, reshown: set[str], relinked: set[Key] | None,
            assets: dict[str, Path], static: dict[str, Path]) -> tuple[Site, set[str]]:
    """The site after a change: only affected pages rendered again; and the output paths that changed."""
    graph = renderer.graph
    todo = deps.affected(old.graph, graph, relinked)
    site = Site(renderer.config, graph, dict(old.pages), dict(old.templates), dict(old.json), dict(old.outputs),
                assets, static)
    touched = set(assets.keys() ^ old.assets.keys()) | {p for p in assets if old.assets.get(p) != assets[p]}
    touched |= static.keys() ^ old.static.keys()
    for path in _removed_pages(graph, todo):
        site.pages.pop(path, None)
        site.templates.pop(path, None)
        touched.add(path)
    for page in _pages_to_render(renderer, old, todo, reshown):
        touched.add(_render(renderer, page, site))
    _json_changed(site, todo)
    site.outputs["dossier.json"] = _json(site, renderer)  # the graph in it may change with any edit
    fresh = renderer.explore.files()
    for name in [n for n in site.outputs if n not in CORE_OUTPUTS and n not in fresh]:
        del site.outputs[name]
    site.outputs.update(fresh)
    touched |= old.outputs.keys()
    if todo.feed:
        site.outputs[urls.FEED] = outputs.atom_feed(site.config, graph)
    if todo.sitemap:
        site.outputs["sitemap.xml"] = _sitemap(site)
    touched |= site.outputs.keys()
    site.files = {**assets, **site.pages, **site.outputs, **static}
    changed = {p for p in touched if site.files.get(p) != old.files.get(p)}
    return site, changed


def _render(renderer: Renderer, page: Page, site: Site) -> str:
    path = urls.output_path(page.url)
    site.pages[path] = renderer.render(page).encode("utf-8")
    site.templates[path] = page.template
    return path


def _json(site: Site, renderer: Renderer) -> bytes:
    graph = {"graph": renderer.explore.graph_json()}
    return outputs.assemble_json(site.config, [site.json[k] for k in sorted(site.json)], graph)


def _json_changed(site: Site, todo: deps.Affected) -> bool:
    changed = bool(todo.removed)
    for key in todo.removed:
        site.json.pop(key, None)
    for key in todo.json:
        text = outputs.record_json(site.graph, site.graph.records[key])
        changed |= site.json.get(key) != text
        site.json[key] = text
    return changed


def _sitemap(site: Site) -> bytes:
    return outputs.sitemap(site.config, [_url_of(p) for p in site.pages])


def _pages_to_render(renderer: Renderer, old: Site, todo: deps.Affected, reshown: set[str]) -> list[Page]:
    graph = renderer.graph
    keys, types, tags = set(todo.records), set(todo.indexes), set(todo.tags)
    singles = {"home": todo.home, "tags": todo.tags_index, "timeline": todo.timeline, "404": False, "search": False}
    discovered, singles["graph"] = renderer.explore.reshown(old.graph)
    keys |= discovered
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
    extra = {"home": renderer.home, "timeline": renderer.timeline_page, "404": renderer.not_found_page,
             "search": renderer.search_page, "graph": renderer.graph_page}
    pages += [make() for name, make in extra.items() if singles[name]]
    return pages


def _removed_pages(graph: Graph, todo: deps.Affected) -> list[str]:
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
    if parts in (["tags"], ["timeline"], ["search"], ["graph"]):
        return (parts[0], None)
    if parts[0] == "tags":
        return ("tag", parts[1])
    if len(parts) == 1 and parts[0] in TYPES:
        return ("index", parts[0])
    return ("record", (parts[0], parts[1]))


def _url_of(path: str) -> str:
    return path[: -len("index.html")] if path.endswith("index.html") else path
