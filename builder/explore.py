"""What helps readers find and follow things: search metadata, related articles,
relationship graphs, feeds per entity and structured data, as page context and files.

Pure: the renderer asks for context and pages, the pipeline for files. No disk access.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, partial
from typing import Any, Callable, Iterable, Iterator, Mapping

from markupsafe import Markup

from builder import graph as relgraph
from builder import graphsvg, jsonld, layout, outputs, related, urls, views
from builder.records import SINGULAR, Record, SiteConfig
from builder.resolve import Graph, Key
from builder.scripts import direction, language_of

SEARCH_URL = "search/"
GRAPH_URL = "graph/"
DATA_NODES = "data/nodes.csv"
DATA_EDGES = "data/edges.csv"
FEED_TYPES = relgraph.ENTITY_TYPES
"""Record types that get a feed of the articles referencing them."""
COLLECTION_PAGES = ("tags/", "timeline/") + tuple(f"{t}/" for t in SINGULAR)
WASM_SCRIPT_SRC = Markup("'self' 'wasm-unsafe-eval'")
"""The search page's script-src: Pagefind compiles WebAssembly. Every other page keeps 'self'."""


@dataclass(frozen=True, slots=True)
class SearchMeta:
    """What the search index records about a page beyond its text."""

    type: str
    """Filter and result label: Article, Official, Country, Agreement, Organization."""
    date: str = ""
    """Shown with the result, as precise as the content gives it."""
    countries: tuple[str, ...] = ()
    """Country filter values."""
    names: tuple[views.Name, ...] = ()
    """Every name the record goes by (name, native name, aliases), with language and direction
    where the script is not Latin; indexed with extra weight."""

    @property
    def latin(self) -> str:
        return " · ".join(n.text for n in self.names if not n.lang)

    @property
    def native(self) -> views.Name | None:
        """The first name in another script: a page's native name, ranked like the others."""
        return next((n for n in self.names if n.lang), None)


def feed_url(key: Key) -> str:
    return urls.record_url(*key) + "feed.xml"


class Explore:
    """Discovery data of one site, computed once and handed out per page."""

    def __init__(self, config: SiteConfig, graph: Graph, search: bool = True) -> None:
        self.config = config
        self.graph = graph
        self.search = search
        """Whether the site gets a search index; the search page loads it only then."""
        self.drawings: dict[Key, graphsvg.Drawing | None] | None = None
        """Each entity's local graph as drawn so far (None: none without a local graph), when they are
        kept (a preview keeps them and hands them to the next site, a build does not)."""
        self.titles = Titles(graph.records)
        """Each article's title, for the graphs' lists."""
        self.touching: relgraph.Touching | None = None
        """The edges touching each entity (``relgraph.touching``), when the whole relationship graph was
        made first (``prepare``); otherwise each entity's neighbourhood is made from the records linking to it."""
        self.spring: layout.Apart | None = None
        """Where a build has the site graph laid out (``layout``), when not in this process."""
        self.site_laid_out: graphsvg.SiteLayout | None = None
        """The relationship graph's ``graphsvg.site_layout``, when laid out by ``spring`` (``prepare``)."""

    @cached_property
    def relationships(self):
        """The relationship graph, built when a page or file first needs it (an article page does not)."""
        return relgraph.build(self.graph)

    @cached_property
    def related_index(self) -> related.Index:
        return related.Index(self.graph)

    @cached_property
    def site_drawing(self) -> graphsvg.Drawing:
        """The whole relationship graph drawn, without the articles' titles."""
        return self._draw_site()

    def _draw_site(self) -> graphsvg.Drawing:
        return graphsvg.site_drawing(self.relationships, GRAPH_URL, "Relationship graph of the dossier", self.site_laid_out)

    def prepare(self) -> None:
        """Make now, once, what many pages read (related articles, the relationship graph and each entity's
        edges in it, and the site graph's layout when ``spring`` makes it), so that the processes the pages
        are shared out to inherit it instead of each making it."""
        self.related_index
        self.touching = relgraph.touching(self.relationships)
        if self.spring is not None:
            self.site_laid_out = graphsvg.site_layout(self.relationships, self.spring)

    def warm(self) -> None:
        """Make now what the pages an edit renders again will want: related articles and every entity's
        local graph (for a site whose pages were made elsewhere, and whose parts the next site reuses)."""
        self.related_index
        if self.drawings is None:
            self.drawings = {}
        named: dict[Key, list[Key]] = {}
        for type_ in relgraph.ENTITY_TYPES:
            for record in self.graph.of_type(type_):
                self.drawing(record, urls.record_url(*record.key), named)

    def page_context(self, url: str, context: dict[str, Any]) -> dict[str, Any]:
        """JSON-LD and sharing tags for any page, from the context it is rendered with."""
        record = context.get("record")
        kind = "SearchResultsPage" if url == SEARCH_URL else "CollectionPage" if url in COLLECTION_PAGES or url.startswith("tags/") else "WebPage"
        info = jsonld.PageInfo(url, context["title"], context.get("description", ""),
                               tuple(context.get("breadcrumbs", ())), record, kind)
        return {"jsonld": jsonld.script_json(jsonld.structured_data(self.config, self.graph, info)),
                "social": jsonld.social_tags(self.config, info)}

    def record_context(self, record: Record, url: str) -> dict[str, Any]:
        """Search metadata, related articles, the local graph and the feed link of a record page."""
        context: dict[str, Any] = {"searchable": True, "search": self.search_meta(record),
                                   "related": [], "graph_view": None, "feeds": []}
        if record.type == "articles":
            context["related"] = self.related_index.related(record.key)
            return context
        drawing = self.drawing(record, url)
        if drawing is not None:
            context["graph_view"] = graphsvg.with_titles(drawing, self.titles)
        if record.type in FEED_TYPES:
            context["feeds"] = [(f"{self.config.title}: articles on {record.label}", feed_url(record.key))]
        return context

    def drawing(self, record: Record, url: str, named: dict | None = None) -> graphsvg.Drawing | None:
        """An entity's local graph without the articles' titles; None when it is related to nothing.
        ``named``: what each article names, kept across calls (``relgraph.local_parts``)."""
        if self.drawings is not None and record.key in self.drawings:
            return self.drawings[record.key]
        if self.touching is not None:
            nodes, touching = relgraph.around(self.relationships, record.key, self.touching)
        else:
            nodes, touching = relgraph.local_parts(self.graph, record.key, named)
        drawing = None
        if len(nodes) > 1:
            drawing = graphsvg.local_drawing(nodes, touching, record.key, url, f"Connections of {record.label}")
        if self.drawings is not None:
            self.drawings[record.key] = drawing
        return drawing

    def search_page(self) -> tuple[str, str, dict[str, Any]]:
        """(URL, template, context) of the search page."""
        return SEARCH_URL, "search.html", {
            "title": "Search", "breadcrumbs": [("Home", urls.HOME)], "search_index": self.search,
            "script_src": WASM_SCRIPT_SRC if self.search else Markup("'self'"),
            "description": "Search every article, official, country, agreement and organization, in any script."}

    def graph_page(self) -> tuple[str, str, dict[str, Any]]:
        """(URL, template, context) of the site-wide relationship graph."""
        # A preview keeps the drawing for the next site (``rerender``); a build draws it for this one page.
        drawing = self.site_drawing if self.drawings is not None else self._draw_site()
        view = graphsvg.with_titles(drawing, self.titles)
        return GRAPH_URL, "graph.html", {
            "title": "Relationship graph", "breadcrumbs": [("Home", urls.HOME)], "graph_view": view,
            "data_files": (DATA_NODES, DATA_EDGES, "dossier.json"),
            "description": "Who is connected to whom: every relationship the dossier states, drawn as one graph."}

    def file_makers(self) -> dict[str, Callable[[], bytes | Iterable[bytes]]]:
        """Feeds per entity and the graph as CSV node and edge lists, by name, each made when called:
        a build makes them in its workers, one at a time."""
        makers: dict[str, Callable[[], bytes | Iterable[bytes]]] = {
            DATA_NODES: lambda: relgraph.nodes_csv(self.relationships),
            DATA_EDGES: lambda: relgraph.edges_csv_chunks(self.relationships)}
        for type_ in FEED_TYPES:
            for record in self.graph.of_type(type_):
                makers[feed_url(record.key)] = partial(self.entity_feed, record)
        return makers

    def entity_feed(self, record: Record) -> bytes:
        """The feed of the articles referencing one entity."""
        articles = {l.source for l in self.graph.incoming.get(record.key, ()) if l.source[0] == "articles"}
        title = f"{self.config.title}: articles on {record.label}"
        return outputs.atom_feed(self.config, self.graph, feed_url(record.key), articles, title)

    def graph_json(self) -> dict[str, Any]:
        return relgraph.as_json(self.relationships)

    def search_meta(self, record: Record) -> SearchMeta:
        date = record.date.human() if record.date else ""
        names = [record.label, record.get("native_name"), record.get("official_name"), *record.get("aliases", ())]
        if record.type == "articles":
            names = []  # a headline is no name: matching it must not lift an article over the entity it is about
        return SearchMeta(SINGULAR[record.type].capitalize(), date, self._countries(record),
                          tuple(_name(n) for n in dict.fromkeys(n for n in names if n)))

    def _countries(self, record: Record) -> tuple[str, ...]:
        """The countries a record belongs to or concerns, for the search filter."""
        if record.type == "countries":
            return (record.label,)
        found: list[Key] = []
        for link in self.graph.outgoing.get(record.key, ()):
            target = link.target
            if target[0] == "countries":
                found.append(target)
            elif target[0] in ("officials", "organizations") and link.relation != "mention":
                country = self.graph.records[target].get("country")
                if country and ("countries", country) in self.graph.records:
                    found.append(("countries", country))
        labels = [self.graph.records[k].label for k in dict.fromkeys(found)]
        return tuple(sorted(set(labels), key=str.casefold))


class Titles(Mapping):
    """The articles' titles by key, read from the records when asked for (most pages want a few)."""

    def __init__(self, records: Mapping[Key, Record]) -> None:
        self.records = records

    def __getitem__(self, key: Key) -> str:
        record = self.records[key]
        if record.type != "articles":
            raise KeyError(key)
        return record.label

    def __iter__(self) -> Iterator[Key]:
        return (k for k, r in self.records.items() if r.type == "articles")

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _name(text: str) -> views.Name:
    lang = language_of(text, "")
    return views.Name(text, lang, direction(lang) if lang else "")
