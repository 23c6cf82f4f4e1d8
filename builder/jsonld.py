"""Structured data and sharing tags: schema.org JSON-LD, Open Graph and Twitter cards.

Each page gets one JSON-LD block with the page's main thing (a NewsArticle,
Person, Country, Organization or Legislation; a WebSite or WebPage otherwise)
and its BreadcrumbList. URLs are absolute when the site has a base_url and
relative to the page otherwise, which JSON-LD resolves against the page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable

from markupsafe import Markup

from builder import urls
from builder.records import Record, SiteConfig
from builder.resolve import Graph
from builder.views import SINGULAR_KIND

SCHEMA_TYPES = {
    "articles": "NewsArticle",
    "officials": "Person",
    "countries": "Country",
    "organizations": "Organization",
    "agreements": "Legislation",
}
"""The schema.org type of each record type."""

OG_TYPES = {"articles": "article", "officials": "profile"}


@dataclass(frozen=True, slots=True)
class PageInfo:
    """What structured data needs to know about a page."""

    url: str
    title: str
    description: str = ""
    breadcrumbs: tuple[tuple[str, str], ...] = ()
    """(label, URL) of each page above this one."""
    record: Record | None = None
    kind: str = "WebPage"
    """schema.org type of a page that shows no record: WebPage, CollectionPage, SearchResultsPage."""


class Linker:
    """Turns site-relative URLs into the ones written into a page's data."""

    def __init__(self, config: SiteConfig, page_url: str) -> None:
        self.base = config.base_url
        self.page_url = page_url

    def __call__(self, url: str) -> str:
        return self.base + url if self.base else urls.relative(self.page_url, url)


def structured_data(config: SiteConfig, graph: Graph, page: PageInfo) -> dict[str, Any]:
    """The page's JSON-LD document: its main thing and its breadcrumbs."""
    link = Linker(config, page.url)
    if page.record is not None:
        main = _record(graph, page.record, link, config)
    elif page.url == urls.HOME:
        main = _website(config, link)
    else:
        main = {"@type": page.kind, "name": page.title, "url": link(page.url),
                "isPartOf": {"@id": link(urls.HOME) + "#website"}}
    items: list[dict[str, Any]] = [main]
    if page.breadcrumbs:
        items.append(_breadcrumbs(page, link))
    return {"@context": "https://schema.org", "@graph": items}


def script_json(data: dict[str, Any]) -> Markup:
    """JSON safe inside a <script> element: no '<', '>' or '&' left to end it or open a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def social_tags(config: SiteConfig, page: PageInfo) -> list[tuple[str, str, str]]:
    """Open Graph and Twitter card tags as (attribute, name, content)."""
    record = page.record
    description = page.description or config.description or page.title
    og_type = OG_TYPES.get(record.type, "website") if record is not None else "website"
    tags = [("property", "og:site_name", config.title), ("property", "og:title", page.title),
            ("property", "og:description", description), ("property", "og:type", og_type)]
    if config.base_url:
        tags.append(("property", "og:url", config.base_url + page.url))
    if record is not None and record.type == "articles":
        tags.append(("property", "article:published_time", record.get("date").iso()))
        tags.extend(("property", "article:tag", t) for t in record.get("tags", ()))
    tags += [("name", "twitter:card", "summary"), ("name", "twitter:title", page.title),
             ("name", "twitter:description", description)]
    return tags


def _website(config: SiteConfig, link: Linker) -> dict[str, Any]:
    home = link(urls.HOME)
    return {
        "@type": "WebSite", "@id": home + "#website", "name": config.title, "url": home,
        "description": config.description or config.title, "inLanguage": config.language,
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": link("search/") + "?q={search_term_string}"},
            "query-input": "required name=search_term_string",
        },
    }


def _breadcrumbs(page: PageInfo, link: Linker) -> dict[str, Any]:
    trail = list(page.breadcrumbs) + [(page.title, page.url)]
    return {"@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": i, "name": label, "item": link(url)}
        for i, (label, url) in enumerate(trail, start=1)]}


def _stub(record: Record, link: Linker) -> dict[str, Any]:
    url = link(urls.record_url(record.type, record.slug))
    return {"@type": SCHEMA_TYPES[record.type], "@id": url + "#record", "name": record.label, "url": url}


def _record(graph: Graph, record: Record, link: Linker, config: SiteConfig) -> dict[str, Any]:
    data = _stub(record, link)
    data["mainEntityOfPage"] = data["url"]
    names = [record.get("native_name"), record.get("official_name"), *record.get("aliases", ())]
    if any(names):
        data["alternateName"] = [n for n in names if n]
    build = _BUILDERS[record.type]
    data.update({k: v for k, v in build(graph, record, link, config).items() if v not in (None, "", [])})
    return data


def _refs(graph: Graph, record: Record, relation: str, link: Linker) -> list[dict[str, Any]]:
    return [_stub(graph.records[l.target], link) for l in graph.outgoing.get(record.key, ()) if l.relation == relation]


def _article(graph: Graph, record: Record, link: Linker, config: SiteConfig) -> dict[str, Any]:
    site = {"@type": "Organization", "name": config.title, "url": link(urls.HOME)}
    about = [r for rel in ("officials", "countries", "agreements", "organizations") for r in _refs(graph, record, rel, link)]
    return {
        "headline": record.label, "datePublished": record.get("date").iso(),
        "description": record.get("summary", ""), "inLanguage": config.language,
        "author": site, "publisher": site, "keywords": list(record.get("tags", ())),
        "citation": [_citation(s) for s in record.get("sources", ())],
        "about": about, "mentions": [m for m in _refs(graph, record, "mention", link) if m not in about],
    }


def _citation(source) -> dict[str, Any]:
    data: dict[str, Any] = {"@type": "CreativeWork", "name": source.title}
    if source.url:
        data["url"] = source.url
    if source.publisher:
        data["publisher"] = {"@type": "Organization", "name": source.publisher}
    if source.date:
        data["datePublished"] = source.date.iso()
    return data


def _person(graph: Graph, record: Record, link: Linker, config: SiteConfig) -> dict[str, Any]:
    nationality = _refs(graph, record, "country", link)
    affiliation: list[dict[str, Any]] = []
    for position in record.get("positions", ()):
        organization = graph.records.get(("organizations", position.organization))
        if organization is not None and _stub(organization, link) not in affiliation:
            affiliation.append(_stub(organization, link))
    positions = record.get("positions", ())
    return {"nationality": nationality[0] if nationality else None, "affiliation": affiliation,
            "hasOccupation": [{"@type": "Occupation", "name": p.title} for p in positions],
            "jobTitle": [p.title for p in positions if p.end is None]}


def _country(graph: Graph, record: Record, link: Linker, config: SiteConfig) -> dict[str, Any]:
    return {"identifier": record.get("iso", "")}


def _organization(graph: Graph, record: Record, link: Linker, config: SiteConfig) -> dict[str, Any]:
    country = _refs(graph, record, "country", link)
    return {"location": country[0] if country else None, "description": record.get("kind", "")}


def _agreement(graph: Graph, record: Record, link: Linker, config: SiteConfig) -> dict[str, Any]:
    parent = _refs(graph, record, "parent", link)
    signed = record.get("signed")
    return {
        "legislationType": SINGULAR_KIND.get(record.get("kind"), ""),
        "legislationDate": signed.iso() if signed else None,
        "legislationPassedBy": _refs(graph, record, "parties", link),
        "contributor": _refs(graph, record, "signatories", link),
        "isBasedOn": parent[0] if parent else None,
        "creativeWorkStatus": record.get("status", ""),
    }


_BUILDERS: dict[str, Callable[..., dict[str, Any]]] = {
    "articles": _article, "officials": _person, "countries": _country,
    "organizations": _organization, "agreements": _agreement,
}
