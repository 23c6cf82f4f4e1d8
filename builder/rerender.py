"""A site in memory whose outputs are made when first asked for, and a change that marks only what it affects.

A ``Site`` knows the name of every output and how to make it (a ``Spec``);
the bytes of an output are made on first access and kept. ``changed`` makes the
site after a change: it keeps the outputs the change cannot affect (as
``deps.affected`` decides) and forgets the others, which are made again, from
the new content, when asked for. So a page is never served from an older state
than the site it belongs to, and an edit costs only the pages someone looks at;
``render_all`` makes the rest (for the search index, or a build that writes).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterator, Mapping

from builder import deps, outputs, urls
from builder import graph as relgraph
from builder import related
from builder.explore import DATA_EDGES, DATA_NODES, FEED_TYPES, feed_url
from builder.records import TYPES
from builder.render import SINGULAR_TEMPLATE, Renderer
from builder.resolve import Graph, Key
from builder.write import Content

Spec = tuple
"""How to make one output: ("record", key), ("index", type), ("tag", tag), ("feed-of", key),
or a single output by kind: ("home",), ("tags",), ("timeline",), ("search",), ("graph",),
("404",), ("feed",), ("sitemap",), ("json",), ("nodes",), ("edges",)."""

SINGLE_PAGES = {"index.html": "home", "tags/index.html": "tags", "timeline/index.html": "timeline",
                "search/index.html": "search", "graph/index.html": "graph", "404.html": "404"}
SINGLE_FILES = {urls.FEED: "feed", "sitemap.xml": "sitemap", "dossier.json": "json", DATA_NODES: "nodes",
                DATA_EDGES: "edges"}
PAGE_TEMPLATES = {"home": "home.html", "tags": "tags.html", "timeline": "timeline.html", "search": "search.html",
                  "graph": "graph.html", "404": "404.html", "index": "index.html", "tag": "tag.html"}
"""The template of each kind of page (record pages: ``render.SINGULAR_TEMPLATE``)."""


class Site(Mapping):
    """Every output of a site by path, the generated ones made on first access (thread-safe)."""

    def __init__(self, renderer: Renderer, specs: dict[str, Spec], made: dict[str, bytes],
                 json: dict[Key, str], assets: dict[str, Path], static: dict[str, Path]) -> None:
        self.renderer = renderer
        self.config = renderer.config
        self.graph = renderer.graph
        self.specs = specs
        """Every generated output."""
        self.made = made
        """Generated outputs made so far, by path."""
        self.json = json
        """Each record's entry of dossier.json, as far as made."""
        self.assets = assets
        """Files copied from the content folder, by output path."""
        self.static = static
        """The templates' static files, by output path."""
        self.lock = threading.RLock()
        if renderer.explore.drawings is None:
            renderer.explore.drawings = {}  # kept for the next site, which reuses those a change leaves as they were

    # -- the mapping -----------------------------------------------------------------------

    def __getitem__(self, name: str) -> Content:
        if name in self.static:
            return self.static[name]
        spec = self.specs.get(name)
        if spec is None:
            return self.assets[name]
        data = self.made.get(name)
        if data is None:
            with self.lock:
                data = self.made.get(name)
                if data is None:
                    data = self.made[name] = self._make(name, spec)
        return data

    def __contains__(self, name: object) -> bool:
        return name in self.static or name in self.specs or name in self.assets

    def __iter__(self) -> Iterator[str]:
        yield from (n for n in self.assets if n not in self.specs and n not in self.static)
        yield from (n for n in self.specs if n not in self.static)
        yield from self.static

    def __len__(self) -> int:
        return len(self.assets.keys() | self.specs.keys() | self.static.keys())

    def pending(self) -> list[str]:
        """Generated outputs not made yet."""
        return [n for n in self.specs if n not in self.made]

    def render_all(self) -> None:
        for name in self.pending():
            self[name]

    # -- making outputs --------------------------------------------------------------------

    def _make(self, name: str, spec: Spec) -> bytes:
        kind, renderer, graph = spec[0], self.renderer, self.graph
        if kind in ("record", "index", "tag") or kind in PAGE_TEMPLATES:
            return renderer.render(_page(renderer, spec)).encode("utf-8")
        if kind == "feed-of":
            return renderer.explore.entity_feed(graph.records[spec[1]])
        if kind == "feed":
            return outputs.atom_feed(self.config, graph)
        if kind == "sitemap":
            return outputs.sitemap(self.config, [_url_of(p) for p, s in self.specs.items() if _is_page(s)])
        if kind == "json":
            for record in graph.records.values():
                if record.key not in self.json:
                    self.json[record.key] = outputs.record_json(graph, record)
            extra = {"graph": renderer.explore.graph_json()}
            return outputs.assemble_json(self.config, [self.json[k] for k in sorted(self.json)], extra)
        if kind == "nodes":
            return relgraph.nodes_csv(renderer.explore.relationships)
        return relgraph.edges_csv(renderer.explore.relationships)


def try_templates(site: Site, templates: set[str] | None) -> None:
    """Render one page of each template named (None: of every template), so that their errors raise now."""
    if templates is not None and not templates:
        return
    tried: set[str] = set()
    for name, spec in site.specs.items():
        template = template_of(spec)
        if template is not None and template not in tried and (templates is None or template in templates):
            tried.add(template)
            site[name]


def _page(renderer: Renderer, spec: Spec):
    kind, graph = spec[0], renderer.graph
    if kind == "record":
        return renderer.record_page(graph.records[spec[1]])
    if kind == "index":
        return renderer.index_page(spec[1])
    if kind == "tag":
        return renderer.tag_page(spec[1], renderer.lists.tag(spec[1]))
    if kind == "tags":
        return renderer.tags_page(renderer.lists.tags())
    makers = {"home": renderer.home, "timeline": renderer.timeline_page, "search": renderer.search_page,
              "graph": renderer.graph_page, "404": renderer.not_found_page}
    return makers[kind]()


def _is_page(spec: Spec) -> bool:
    return spec[0] in ("record", "index", "tag") or spec[0] in PAGE_TEMPLATES


def template_of(spec: Spec) -> str | None:
    """The template a page is rendered with; None for other outputs."""
    if spec[0] == "record":
        return SINGULAR_TEMPLATE[spec[1][0]]
    return PAGE_TEMPLATES.get(spec[0])


def specs(renderer: Renderer) -> dict[str, Spec]:
    """Every generated output of the renderer's site: the same names a full build makes."""
    graph = renderer.graph
    made: dict[str, Spec] = {"index.html": ("home",)}
    for type_ in TYPES:
        made[urls.output_path(urls.index_url(type_))] = ("index", type_)
        for record in graph.of_type(type_):
            made[urls.output_path(urls.record_url(type_, record.slug))] = ("record", record.key)
    for tag in renderer.lists.tags():
        made[urls.output_path(urls.tag_url(tag))] = ("tag", tag)
    for path, kind in (SINGLE_PAGES | SINGLE_FILES).items():
        made.setdefault(path, (kind,))
    for type_ in FEED_TYPES:
        for record in graph.of_type(type_):
            made[feed_url(record.key)] = ("feed-of", record.key)
    return made


def full(renderer: Renderer, assets: dict[str, Path], static: dict[str, Path],
         made: Mapping[str, bytes] | None = None) -> Site:
    """A new site; ``made`` gives outputs already made for it (a full render done elsewhere)."""
    names = specs(renderer)
    known = {n: d for n, d in (made or {}).items() if n in names and isinstance(d, bytes)}
    site = Site(renderer, names, known, {}, assets, static)
    if known:
        _warm(renderer, names)
    return site


def _warm(renderer: Renderer, names: dict[str, Spec]) -> None:
    """Make in this process what the pages made elsewhere (by workers) made there, so that the first
    edit's pages find it: the templates compiled, related articles, the entities' local graphs, and
    the long lists with their rendered items (by rendering the pages that show them)."""
    for template in renderer.env.list_templates(filter_func=lambda n: n.endswith(".html") and not n.startswith("static/")):
        renderer.env.get_template(template)
    renderer.explore.warm()
    for spec in names.values():
        if spec[0] in ("index", "tag", "timeline"):
            renderer.render(_page(renderer, spec))


def changed(renderer: Renderer, old: Site, reshown: set[str], relinked: set[Key] | None,
            assets: dict[str, Path], static: dict[str, Path], edited: set[Key] | None = None) -> tuple[Site, set[str]]:
    """The site after a change, and the output paths that may differ from ``old``'s.

    Outputs the change cannot affect are carried over as made; the others are made anew when asked for.
    ``edited``, when the caller knows it, is as for ``deps.affected``.
    """
    graph = renderer.graph
    with old.lock:
        _carry_lists(renderer, old)
        todo = deps.affected(old.graph, graph, relinked, edited)
        membership = bool(todo.removed) or graph.records.keys() != old.graph.records.keys() or todo.tags_index
        names = specs(renderer) if membership else old.specs
        made = dict(old.made)
        json = dict(old.json)
        _reuse(renderer, old, todo)
    stale = _stale(names, old, todo, reshown)
    for key in todo.removed:
        json.pop(key, None)
    for key in todo.json:
        text = outputs.record_json(graph, graph.records[key])
        before = json.get(key)
        if before is None and key in old.graph.records:
            before = outputs.record_json(old.graph, old.graph.records[key])
        if before != text:
            stale.add("dossier.json")
        json[key] = text
    if todo.removed or todo.relationships:
        stale.add("dossier.json")
    for name in stale:
        made.pop(name, None)
    same = names is old.specs  # no output came or went: nothing to compare
    gone = set() if same else old.specs.keys() - names.keys()
    for name in gone:
        made.pop(name, None)
    touched = stale | gone | (set() if same else names.keys() - old.specs.keys())
    touched |= {p for p in assets.keys() | old.assets.keys() if assets.get(p) != old.assets.get(p)}
    touched |= static.keys() ^ old.static.keys()
    return Site(renderer, names, made, json, assets, static), touched


def _reuse(renderer: Renderer, old: Site, todo: deps.Affected) -> None:
    """Hand the new site the parts of discovery the change leaves as they were, when already made.

    Those parts depend on the records' shapes (``related.shape``, ``relgraph.shape``: links, dates,
    entities' labels and stated relationships), not on articles' titles, which are read from the new
    graph when shown. So they are reused unless a record that changed (``restated``) changed shape.
    """
    if renderer.config != old.config:
        return
    before, explore = old.renderer.explore, renderer.explore
    made = before.__dict__
    if "related_index" in made and not _reshaped(related.shape, old.graph, renderer.graph, todo.restated):
        explore.related_index = made["related_index"].rebound(renderer.graph)
    reshaped = _reshaped(relgraph.shape, old.graph, renderer.graph, todo.restated)
    if not reshaped:
        for part in ("relationships", "site_drawing"):
            if part in made:
                setattr(explore, part, made[part])
    if before.drawings:
        redrawn = relgraph.reach((old.graph, renderer.graph), reshaped)
        explore.drawings = {k: d for k, d in before.drawings.items() if k not in redrawn}


def _reshaped(shape, old: Graph, new: Graph, keys: set[Key]) -> set[Key]:
    """The ``keys`` whose ``shape`` differs between the two graphs."""
    return {k for k in keys if shape(old, k) != shape(new, k)}


def _carry_lists(renderer: Renderer, old: Site) -> None:
    """Hand the new renderer the long lists made so far, to bring up to date rather than make anew."""
    renderer.lists.follow(old.renderer.lists)


def _stale(names: dict[str, Spec], old: Site, todo: deps.Affected, reshown: set[str]) -> set[str]:
    """Outputs (present now) that the change may affect."""
    stale = {urls.output_path(urls.record_url(*k)) for k in todo.records}
    stale |= {urls.output_path(urls.index_url(t)) for t in todo.indexes}
    stale |= {urls.output_path(urls.tag_url(t)) for t in todo.tags}
    stale |= {feed_url(k) for k in todo.feeds}
    singles = {"index.html": todo.home, "tags/index.html": todo.tags_index, "timeline/index.html": todo.timeline,
               urls.FEED: todo.feed, "sitemap.xml": todo.sitemap, "graph/index.html": todo.relationships,
               DATA_NODES: todo.relationships, DATA_EDGES: todo.relationships}
    stale |= {name for name, flag in singles.items() if flag}
    if reshown:
        stale |= {name for name, spec in names.items() if template_of(spec) in reshown}
    return {name for name in stale if name in names}


def _url_of(path: str) -> str:
    return path[: -len("index.html")] if path.endswith("index.html") else path
