"""Jinja2 environment and the pages of a site, rendered in memory. No disk writes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from builder import markdown, urls, views
from builder.fragments import Fragments, any_dated
from builder.listings import Listings
from builder.dates import PartialDate
from builder.explore import Explore
from builder.records import SINGULAR, TYPES, Record, SiteConfig
from builder.resolve import AssetRef, Graph, Key
from builder.views import SINGULAR_KIND, SINGULAR_TITLES, TYPE_TITLES

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
NEWEST_ON_HOME = 10


@dataclass(frozen=True, slots=True)
class Page:
    """One HTML page to write: its URL, template and context."""

    url: str
    template: str
    context: dict[str, Any]


def environment(templates: Path = TEMPLATES) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["human"] = lambda d: d.human() if d else ""
    env.filters["iso"] = lambda d: d.iso() if d else ""
    env.filters["langs"] = langs
    env.globals.update(TYPE_TITLES=TYPE_TITLES, SINGULAR_TITLES=SINGULAR_TITLES, KIND_TITLES=SINGULAR_KIND, date=time_element)
    env.globals.update(each=Fragments(), any_dated=any_dated)  # list items rendered once per environment
    return env


def time_element(date: PartialDate | None) -> Markup:
    """A date as the page shows it: ``<time datetime="2021-03">March 2021</time>``; nothing for no date."""
    return _time_element(date) if date else Markup("")


@lru_cache(maxsize=8192)
def _time_element(date: PartialDate) -> Markup:
    return Markup('<time datetime="{}">{}</time>').format(date.iso(), date.human())


def langs(text: object) -> Markup:
    """Escaped text with each run of another script marked with its language (``markdown.lang_spans``)."""
    text = str(text)
    return Markup(markdown.lang_spans(text)) if text.isascii() else _langs(text)


@lru_cache(maxsize=8192)
def _langs(text: str) -> Markup:
    """Names in other scripts recur on many pages: each is split into scripts once. (Latin text,
    most of it, is only escaped: keeping it would cost more memory than escaping it again costs time.)"""
    return Markup(markdown.lang_spans(text))


class Renderer:
    """Turns a resolved graph into pages; one per call of ``pages``."""

    def __init__(self, config: SiteConfig, graph: Graph, parsed: dict, env: jinja2.Environment, search: bool = True) -> None:
        self.config = config
        self.graph = graph
        self.parsed = parsed
        self.env = env
        self.explore = Explore(config, graph, search)
        self.lists = Listings(graph)
        """The long lists (indexes, timeline, tags), made once for all the pages that show them."""

    def render(self, page: Page) -> str:
        context = dict(self.common(page.url), **page.context)
        context.update(self.explore.page_context(page.url, context))
        return self.env.get_template(page.template).render(context)

    def common(self, url: str) -> dict[str, Any]:
        base = self.config.base_url if url == "404.html" else ""
        up = "../" * url.count("/")  # urls.relative, with the way up from this page counted once
        rel: Callable[[str], str] = (lambda to: base + to) if base else (lambda to: up + to or "./")
        nav = [(TYPE_TITLES[t], urls.index_url(t)) for t in TYPES]
        nav += [("Tags", "tags/"), ("Timeline", "timeline/"), ("Graph", "graph/")]
        canonical = self.config.base_url + url if self.config.base_url else ""
        return {"site": self.config, "page_url": url, "rel": rel, "nav": nav, "canonical": canonical,
                "stylesheet": urls.STYLESHEET, "feed": urls.FEED, "breadcrumbs": [], "description": "",
                "script_src": Markup("'self'"), "searchable": False, "search": None, "feeds": [], "graph_view": None}

    def pages(self) -> Iterator[Page]:
        graph = self.graph
        yield self.home()
        for type_ in TYPES:
            yield self.index_page(type_)
            for record in graph.of_type(type_):
                yield self.record_page(record)
        tags = self.lists.tags()
        yield self.tags_page(tags)
        for tag, refs in tags.items():
            yield self.tag_page(tag, refs)
        yield self.timeline_page()
        yield self.search_page()
        yield self.graph_page()
        yield self.not_found_page()

    def index_page(self, type_: str) -> Page:
        return Page(urls.index_url(type_), "index.html", {
            "title": TYPE_TITLES[type_], "type": type_, "refs": self.lists.type_index(type_),
            "breadcrumbs": [("Home", urls.HOME)]})

    def tags_page(self, tags: dict[str, list[views.Ref]]) -> Page:
        return Page("tags/", "tags.html", {"title": "Tags", "tags": tags, "breadcrumbs": [("Home", urls.HOME)]})

    def tag_page(self, tag: str, refs: list[views.Ref]) -> Page:
        return Page(urls.tag_url(tag), "tag.html", {
            "title": f"Tag: {tag}", "tag": tag, "refs": refs,
            "breadcrumbs": [("Home", urls.HOME), ("Tags", "tags/")]})

    def timeline_page(self) -> Page:
        return Page("timeline/", "timeline.html", {
            "title": "Timeline", "years": self.lists.years(), "breadcrumbs": [("Home", urls.HOME)]})

    def not_found_page(self) -> Page:
        return Page("404.html", "404.html", {"title": "Page not found"})

    def search_page(self) -> Page:
        return Page(*self.explore.search_page())

    def graph_page(self) -> Page:
        return Page(*self.explore.graph_page())

    def home(self) -> Page:
        articles = self.lists.type_index("articles")
        counts = [(TYPE_TITLES[t], urls.index_url(t), len(self.graph.of_type(t))) for t in TYPES]
        return Page(urls.HOME, "home.html", {
            "title": self.config.title, "description": self.config.description,
            "newest": articles[:NEWEST_ON_HOME], "counts": counts})

    def record_page(self, record: Record) -> Page:
        url = urls.record_url(record.type, record.slug)
        graph, key = self.graph, record.key
        context = {
            "title": record.label,
            "description": record.get("summary") or _describe(record),
            "record": record,
            "native": views.native_name(record),
            "body": self.body(record, url),
            "incoming": views.incoming_groups(graph, key, self.lists.ref),
            "out": {rel: views.outgoing(graph, key, rel) for rel in views.RELATION},
            "mentions": views.mentions(graph, key),
            "events": views.entity_timeline(graph, key, self.lists.posted_events),
            "breadcrumbs": [("Home", urls.HOME), (TYPE_TITLES[record.type], urls.index_url(record.type))],
        }
        context["photo"] = self.photo(record, url)
        context.update(self.explore.record_context(record, url))
        if record.type == "officials":
            context["positions"] = [(p, self.maybe_ref("organizations", p.organization)) for p in record.get("positions", ())]
        return Page(url, SINGULAR_TEMPLATE[record.type], context)

    def photo(self, record: Record, page_url: str) -> dict[str, Any] | None:
        photo = self.graph.photos.get(record.key)
        if photo is None:
            return None
        width, height = self.graph.sizes.get(photo.path, (None, None))
        return {"src": urls.relative(page_url, quote(urls.asset_url(photo.path))), "alt": photo.alt,
                "credit": photo.credit, "width": width, "height": height}

    def maybe_ref(self, type_: str, slug: str) -> views.Ref | None:
        record = self.graph.records.get((type_, slug)) if slug else None
        return views.ref(record) if record else None

    def body(self, record: Record, page_url: str) -> Markup:
        parsed = self.parsed.get(record.key)
        if parsed is None:
            return Markup("")
        return Markup(markdown.render(parsed, *self.body_links(record, page_url)))

    def body_links(self, record: Record, page_url: str) -> tuple[dict, dict, dict]:
        """Where a body's links lead from its page: wikilink targets, relative links, image sizes."""
        targets = {}
        for text, key in self.graph.wikilinks.get(record.key, {}).items():
            target = self.graph.records.get(key)
            if target is not None:
                targets[text] = markdown.Target(urls.relative(page_url, urls.record_url(*key)), target.label)
        local, sizes = {}, {}
        for raw, dest in self.graph.local.get(record.key, {}).items():
            if isinstance(dest, AssetRef):
                local[raw] = urls.relative(page_url, quote(dest.path)) + dest.fragment
                if dest.path in self.graph.sizes:
                    sizes[raw] = self.graph.sizes[dest.path]
            elif dest.key in self.graph.records:
                local[raw] = urls.relative(page_url, urls.record_url(*dest.key)) + dest.fragment
            else:  # a draft left out of this build
                local[raw] = None
        return targets, local, sizes


SINGULAR_TEMPLATE = {t: f"{SINGULAR[t]}.html" for t in TYPES}


def _describe(record: Record) -> str:
    return f"{SINGULAR_TITLES[record.type]}: {record.label}"
