"""Discovery on the built pages: related articles, feeds per entity, entity timelines, graph
pages and data exports, and the search markup (Pagefind attributes, the search page's CSP)."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from builder import related
from builder.pipeline import BuildOptions, build
from conftest import snapshot

SITE = Path(__file__).resolve().parent / "sites" / "discovery" / "content"
ATOM = "{http://www.w3.org/2005/Atom}"
ENTITY_PAGES = ("officials", "countries", "agreements", "organizations")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> dict[str, str]:
    output = tmp_path_factory.mktemp("discovery") / "site"
    result = build(BuildOptions(SITE, output))
    assert result.ok, [d.text() for d in result.diagnostics]
    return {name: data.decode("utf-8") for name, data in snapshot(output).items() if not name.startswith("pagefind/")}


class Elements(HTMLParser):
    """Start tags with their attributes, and the text inside chosen elements."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(html: str, name: str) -> list[dict[str, str | None]]:
    parser = Elements()
    parser.feed(html)
    return [attrs for tag, attrs in parser.tags if tag == name]


def section(html: str, css_class: str) -> str:
    match = re.search(rf'<section class="{css_class}".*?</section>', html, re.S)
    return match.group(0) if match else ""


def test_related_articles_ranked_by_weight_of_what_is_shared(site):
    page = section(site["articles/hashemi-beijing-visit/index.html"], "related")
    titles = re.findall(r'<a href="\.\./\.\./articles/[^"]+">([^<]+)</a>', page)
    # the memorandum article shares both ministers and the MoU; the MIIT plan one minister and his
    # ministry; the 2021 plan only the two countries
    assert titles == ["Memorandum on ICT and AI cooperation signed", "MIIT sets out an artificial intelligence plan",
                      "Iran and China sign a 25-year cooperation plan"]
    first = page.split("<li>")[1]
    assert re.findall(r'">([^<]+)</a>', first.split("shares", 1)[1]) == [
        "Li Lecheng", "Sattar Hashemi", "Memorandum on ICT and AI cooperation", "China", "Iran"]


def test_related_articles_need_something_shared(site):
    # the 2021 plan and the MIIT plan share only China, so each lists the other last
    built = build(BuildOptions(SITE, None)).graph
    found = related.related_articles(built, ("articles", "cooperation-plan-signed"))
    assert [r.article.label for r in found][-1] == "MIIT sets out an artificial intelligence plan"
    assert [s.label for s in found[-1].shared] == ["China"]
    assert all(r.shared for r in found)
    assert ("articles", "cooperation-plan-signed") not in {tuple(r.article.url.split("/")[:2]) for r in found}


def test_every_entity_has_a_feed_of_the_articles_that_reference_it(site):
    data = json.loads(site["dossier.json"])
    by_url = {r["url"]: r for r in data["records"]}
    for record in data["records"]:
        if record["type"] not in ENTITY_PAGES:
            continue
        feed = ET.fromstring(site[record["url"] + "feed.xml"])
        links = {e.find(f"{ATOM}link").get("href") for e in feed.iter(f"{ATOM}entry")}
        expected = {"https://example.org/dossier/" + r["url"] for r in record["referenced_by"] if r["type"] == "articles"}
        assert links == expected, record["url"]
        assert feed.find(f"{ATOM}link[@rel='self']").get("href") == f"https://example.org/dossier/{record['url']}feed.xml"
        page = site[record["url"] + "index.html"]
        alternates = [t["href"] for t in tags(page, "link") if t.get("type") == "application/atom+xml"]
        assert alternates == ["../../feed.xml", f"../../{record['url']}feed.xml"]
        assert record["url"] in by_url


def test_feed_of_li_lecheng_lists_his_three_articles_newest_first(site):
    feed = ET.fromstring(site["officials/li-lecheng/feed.xml"])
    assert feed.find(f"{ATOM}title").text == "Iran–China technology dossier: articles on Li Lecheng"
    assert [e.find(f"{ATOM}title").text for e in feed.iter(f"{ATOM}entry")] == [
        "Hashemi and Li Lecheng discuss technology ties in Beijing",
        "Memorandum on ICT and AI cooperation signed",
        "MIIT sets out an artificial intelligence plan",
    ]


def timeline_lines(html: str) -> list[str]:
    page = section(html, "timeline")
    items = re.findall(r'<li class="event[^"]*">(.*?)</li>', page, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", li).split()) for li in items]


def test_entity_timeline_in_date_order_with_partial_dates_as_given(site):
    assert timeline_lines(site["officials/sattar-hashemi/index.html"]) == [
        "August 2024 position Sattar Hashemi becomes Minister of Information and Communications Technology",
        "May 2025 signing Memorandum on ICT and AI cooperation signed",
        "May 2025 article Memorandum on ICT and AI cooperation signed",
        "13 May 2025 article Hashemi and Li Lecheng discuss technology ties in Beijing",
    ]


def test_organization_timeline_shows_posts_held_there_only(site):
    # Li Lecheng's post is at MIIT; Hashemi's, at the Iranian ministry, must not show on MIIT's page
    lines = timeline_lines(site["organizations/china-miit/index.html"])
    assert "December 2024 position Li Lecheng becomes Minister of Industry and Information Technology" in lines
    assert not any("Hashemi becomes" in line for line in lines)


def test_agreement_timeline_leaves_out_the_signatories_careers(site):
    lines = timeline_lines(site["agreements/comprehensive-cooperation/index.html"])
    assert "27 March 2021 signing Iran–China Comprehensive Cooperation Plan signed" in lines
    assert not any("position" in line for line in lines)


def test_country_timeline_shows_its_officials_posts(site):
    lines = timeline_lines(site["countries/iran/index.html"])
    assert "August 2013 position Mohammad Javad Zarif becomes Minister of Foreign Affairs" in lines
    assert "August 2021 position Mohammad Javad Zarif leaves the post of Minister of Foreign Affairs" in lines
    assert not any("Wang Yi becomes" in line for line in lines)


def test_every_entity_page_has_a_local_graph_and_article_pages_do_not(site):
    for name, html in site.items():
        if not name.endswith("/index.html") or name.count("/") != 2:
            continue
        has_graph = 'id="local-graph"' in html
        assert has_graph == name.startswith(ENTITY_PAGES), name
        if has_graph:
            drawing = section(html, "graph")
            assert "data-pagefind-ignore" in drawing.split(">", 1)[0]
            assert '<details class="graph-list">' in drawing


def test_graph_page_and_data_files(site):
    page = site["graph/index.html"]
    assert 'id="site-graph"' in page and "<figcaption>" in page
    assert [t["href"] for t in tags(page, "a") if t.get("href", "").startswith("../data/")] == [
        "../data/nodes.csv", "../data/edges.csv"]
    data = json.loads(site["dossier.json"])["graph"]
    nodes = list(csv.DictReader(io.StringIO(site["data/nodes.csv"])))
    edges = list(csv.DictReader(io.StringIO(site["data/edges.csv"])))
    assert [n["id"] for n in data["nodes"]] == [n["id"] for n in nodes]
    assert data["edges"] == edges
    items = re.findall(r"<li>", section(page, "graph").split("<details", 1)[1])
    pairs = {frozenset((e["source"], e["target"])) for e in edges if e["relation"] == "co-mention"}
    assert len(items) == len([e for e in edges if e["relation"] != "co-mention"]) + len(pairs)
    assert ("are mentioned together in 3 articles, most recently:" in page) or ("are mentioned together in 3 articles:" in page)


def test_search_markup(site):
    official = site["officials/sattar-hashemi/index.html"]
    main = tags(official, "main")[0]
    assert "data-pagefind-body" in main
    for tag in ("header", "footer"):
        assert "data-pagefind-ignore" in tags(official, tag)[0]
    assert [t["data-pagefind-filter"] for t in tags(official, "span") if "data-pagefind-filter" in t] == ["type", "country"]
    assert ('<p class="search-names" hidden data-pagefind-weight="10">Sattar Hashemi · '
            '<span lang="fa" dir="rtl">ستار هاشمی</span> · Seyed Sattar Hashemi</p>') in official
    assert '<span data-pagefind-meta="names">Sattar Hashemi · Seyed Sattar Hashemi</span>' in official
    assert '<span data-pagefind-meta="native" lang="fa" dir="rtl">ستار هاشمی</span>' in official
    for name in ("index.html", "officials/index.html", "timeline/index.html", "graph/index.html", "search/index.html", "tags/index.html"):
        assert "data-pagefind-body" not in site[name], name
    article = site["articles/hashemi-beijing-visit/index.html"]
    assert '<span data-pagefind-meta="date">13 May 2025</span>' in article
    assert 'class="search-names"' not in article


def csp(html: str) -> str:
    return next(t["content"] for t in tags(html, "meta") if t.get("http-equiv") == "Content-Security-Policy")


def test_only_the_search_page_allows_webassembly(site):
    for name, html in site.items():
        if not name.endswith(".html"):
            continue
        policy = csp(html)
        assert ("'wasm-unsafe-eval'" in policy) == (name == "search/index.html"), name
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_search_box_is_a_plain_form_and_the_search_page_lists_the_indexes(site):
    for name in ("index.html", "officials/sattar-hashemi/index.html", "404.html"):
        [form] = [f for f in tags(site[name], "form") if f.get("role") == "search"]
        assert form["method"] == "get" and form["action"].endswith("search/")
        assert [i["name"] for i in tags(site[name], "input") if i.get("type") == "search"] == ["q"]
    page = site["search/index.html"]
    fallback = re.search(r'<div id="search-fallback".*?</div>', page, re.S).group(0)
    for index in ("articles/", "officials/", "countries/", "agreements/", "organizations/"):
        assert f'href="../{index}"' in fallback
    scripts = [t["src"] for t in tags(page, "script") if t.get("src")]
    assert scripts == ["../pagefind/pagefind-ui.js", "../assets/search.js"]


def test_without_an_index_the_search_page_loads_nothing_and_says_so(tmp_path):
    result = build(BuildOptions(SITE, tmp_path / "site", search=False))
    assert result.ok
    page = (tmp_path / "site" / "search" / "index.html").read_text(encoding="utf-8")
    assert not [t for t in tags(page, "script") if t.get("src")]
    assert "pagefind" not in page.replace("data-pagefind", "")
    assert "'wasm-unsafe-eval'" not in csp(page)
    assert "built without its search index" in page
