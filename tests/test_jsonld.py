"""Structured data: every page's JSON-LD parses, has the right schema.org types and their
required properties, survives hostile text; Open Graph, Twitter and canonical tags."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from builder.pipeline import BuildOptions, build
from conftest import snapshot

SITE = Path(__file__).resolve().parent / "sites" / "discovery" / "content"
BASE = "https://example.org/dossier/"
LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
REQUIRED = {
    "NewsArticle": ("headline", "datePublished", "url", "author", "publisher", "citation"),
    "Person": ("name", "url", "nationality"),
    "Country": ("name", "url"),
    "Organization": ("name", "url"),
    "Legislation": ("name", "url", "legislationPassedBy"),
    "WebSite": ("name", "url", "potentialAction"),
    "BreadcrumbList": ("itemListElement",),
    "CollectionPage": ("name", "url"),
    "WebPage": ("name", "url"),
    "SearchResultsPage": ("name", "url"),
}
RECORD_TYPES = {"articles": "NewsArticle", "officials": "Person", "countries": "Country",
                "organizations": "Organization", "agreements": "Legislation"}


def built(folder: Path, output: Path) -> dict[str, str]:
    result = build(BuildOptions(folder, output, search=False))
    assert result.ok, [d.text() for d in result.diagnostics]
    return {n: d.decode("utf-8") for n, d in snapshot(output).items() if n.endswith(".html")}


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, str]:
    return built(SITE, tmp_path_factory.mktemp("ld") / "site")


def graph_of(html: str) -> list[dict]:
    blocks = LD.findall(html)
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert data["@context"] == "https://schema.org"
    return data["@graph"]


def main_thing(html: str) -> dict:
    return graph_of(html)[0]


def test_every_page_has_one_block_with_types_and_required_properties(pages):
    for name, html in pages.items():
        for thing in graph_of(html):
            missing = [p for p in REQUIRED[thing["@type"]] if not thing.get(p)]
            assert not missing, (name, thing["@type"], missing)


def test_record_pages_describe_their_record_with_its_schema_type(pages):
    for name, html in pages.items():
        parts = name.split("/")
        if len(parts) == 3 and parts[0] in RECORD_TYPES:
            thing = main_thing(html)
            assert thing["@type"] == RECORD_TYPES[parts[0]], name
            assert thing["url"] == BASE + name.removesuffix("index.html")
            assert thing["@id"] == thing["url"] + "#record"


def test_article_cites_its_sources(pages):
    thing = main_thing(pages["articles/hashemi-beijing-visit/index.html"])
    assert thing["headline"] == "Hashemi and Li Lecheng discuss technology ties in Beijing"
    assert thing["datePublished"] == "2025-05-13"
    assert thing["citation"] == [{"@type": "CreativeWork", "name": "Iranian ICT minister meets Chinese counterpart",
                                  "url": "https://example.com/news/hashemi-li",
                                  "publisher": {"@type": "Organization", "name": "Example News Agency"},
                                  "datePublished": "2025-05-14"}]
    about = {(a["@type"], a["name"]) for a in thing["about"]}
    assert ("Person", "Sattar Hashemi") in about and ("Legislation", "Memorandum on ICT and AI cooperation") in about
    assert "mentions" not in thing  # its one wikilink names the MoU, already in "about"


def test_partial_dates_keep_their_precision(pages):
    assert main_thing(pages["articles/ict-memorandum-signed/index.html"])["datePublished"] == "2025-05"
    assert main_thing(pages["articles/miit-ai-plan/index.html"])["datePublished"] == "2025"


def test_person_has_nationality_affiliation_and_occupation(pages):
    person = main_thing(pages["officials/sattar-hashemi/index.html"])
    assert person["alternateName"] == ["ستار هاشمی", "Seyed Sattar Hashemi"]
    assert person["nationality"]["@type"] == "Country" and person["nationality"]["name"] == "Iran"
    assert [a["name"] for a in person["affiliation"]] == ["Ministry of Information and Communications Technology"]
    assert person["hasOccupation"] == [{"@type": "Occupation", "name": "Minister of Information and Communications Technology"}]
    assert person["jobTitle"] == ["Minister of Information and Communications Technology"]
    zarif = main_thing(pages["officials/javad-zarif/index.html"])
    assert "jobTitle" not in zarif  # his only post ended
    assert "affiliation" not in zarif  # and named no organization


def test_agreement_is_legislation_with_parties_signatories_and_framework(pages):
    mou = main_thing(pages["agreements/ict-mou/index.html"])
    assert mou["legislationDate"] == "2025-05"
    assert mou["legislationType"] == "Memorandum of understanding"
    assert [p["name"] for p in mou["legislationPassedBy"]] == ["Ministry of Information and Communications Technology",
                                                               "Ministry of Industry and Information Technology"]
    assert [p["@type"] for p in mou["contributor"]] == ["Person", "Person"]
    assert mou["isBasedOn"]["@id"] == BASE + "agreements/comprehensive-cooperation/#record"


def test_country_and_organization(pages):
    iran = main_thing(pages["countries/iran/index.html"])
    assert iran["identifier"] == "IR" and iran["alternateName"] == ["ایران", "Islamic Republic of Iran"]
    miit = main_thing(pages["organizations/china-miit/index.html"])
    assert miit["location"]["name"] == "China" and miit["alternateName"] == ["工业和信息化部", "MIIT"]


def test_breadcrumbs_end_at_the_page(pages):
    crumbs = graph_of(pages["officials/li-lecheng/index.html"])[1]
    assert crumbs["@type"] == "BreadcrumbList"
    assert [(i["position"], i["name"], i["item"]) for i in crumbs["itemListElement"]] == [
        (1, "Home", BASE), (2, "Officials", BASE + "officials/"), (3, "Li Lecheng", BASE + "officials/li-lecheng/")]


def test_home_is_a_website_with_a_search_action(pages):
    [site] = graph_of(pages["index.html"])
    assert site["@type"] == "WebSite"
    assert site["potentialAction"]["target"]["urlTemplate"] == BASE + "search/?q={search_term_string}"


def meta(html: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for attr, name, content in re.findall(r'<meta (property|name)="([^"]+)" content="([^"]*)">', html):
        found.setdefault(name, []).append(content)
    return found


def test_open_graph_and_twitter_tags(pages):
    tags = meta(pages["articles/hashemi-beijing-visit/index.html"])
    assert tags["og:type"] == ["article"] and tags["og:title"] == ["Hashemi and Li Lecheng discuss technology ties in Beijing"]
    assert tags["og:url"] == [BASE + "articles/hashemi-beijing-visit/"]
    assert tags["article:published_time"] == ["2025-05-13"] and tags["article:tag"] == ["ai", "ict"]
    assert tags["twitter:card"] == ["summary"]
    assert tags["og:description"] == tags["twitter:description"] == [
        "The two ministers discuss cooperation on networks and artificial intelligence."]
    assert meta(pages["officials/wang-yi/index.html"])["og:type"] == ["profile"]
    assert meta(pages["countries/china/index.html"])["og:type"] == ["website"]
    assert '<link rel="canonical" href="https://example.org/dossier/officials/wang-yi/">' in pages["officials/wang-yi/index.html"]


HOSTILE = "Talks </script><script>alert(1)</script> <!-- & \u2028 end"


def test_hostile_text_cannot_leave_the_json_block(content, tmp_path):
    folder = content({
        "countries/iran.md": "---\nname: Iran\n---\n",
        "articles/a.md": ("---\ntitle: " + json.dumps(HOSTILE) + "\ndate: 2024\ncountries: [iran]\n"
                          "sources:\n  - title: " + json.dumps(HOSTILE) + "\n    url: https://example.org/?a=1&b=</script>\n---\n"),
    })
    html = built(folder, tmp_path / "site")["articles/a/index.html"]
    block = LD.findall(html)
    assert len(block) == 1 and not re.search(r"[<>&]", block[0])
    article = json.loads(block[0])["@graph"][0]
    assert article["headline"] == HOSTILE
    assert article["citation"][0] == {"@type": "CreativeWork", "name": HOSTILE, "url": "https://example.org/?a=1&b=</script>"}
    assert html.count("<script") == 1  # nothing else became a script
    assert 'content="Talks &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;' in html


def test_without_base_url_links_are_relative_and_there_is_no_canonical(content, tmp_path):
    folder = content({"countries/iran.md": "---\nname: Iran\n---\n"}, site="title: T\n")
    html = built(folder, tmp_path / "site")["countries/iran/index.html"]
    thing = main_thing(html)
    assert thing["url"] == "../../countries/iran/"
    assert 'rel="canonical"' not in html and "og:url" not in html
