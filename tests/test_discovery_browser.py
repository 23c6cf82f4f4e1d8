"""Search and the relationship graph in a real browser (headless Debian Chromium under Playwright).

The discovery fixture dossier is built with its Pagefind index and served over HTTP; queries
are typed into the search boxes in Latin and Persian script, and the expected record must come
first. Uses the shared browser fixtures of tests/browser.py (skipped locally when Chromium or
Playwright is missing, failing in CI).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from browser import build_into, serve, visit

SITE = Path(__file__).resolve().parent / "sites" / "discovery" / "content"
HASHEMI = "officials/sattar-hashemi/"
RESULT_LINKS = ".pagefind-ui__result-link"


@pytest.fixture(scope="module")
def discovery_url(tmp_path_factory) -> Iterator[str]:
    site = build_into(SITE, tmp_path_factory.mktemp("discovery") / "site")
    assert (site / "pagefind" / "pagefind-ui.js").is_file()
    with serve(site) as base:
        yield base


def results(page) -> list[str]:
    """Result links in order, as site-relative URLs, once the results have appeared."""
    page.wait_for_selector(RESULT_LINKS, timeout=15_000)
    return page.eval_on_selector_all(RESULT_LINKS, "links => links.map(a => a.getAttribute('href'))")


def first_result(chromium, base: str, query: str) -> tuple[list[str], list[str], list[str]]:
    """Type ``query`` into the search page's box; return the result URLs, the problems seen
    (console errors, failed or off-site requests) and the tags shown with the results."""
    def action(page, seen):
        box = page.locator(".pagefind-ui__search-input")
        box.wait_for(timeout=15_000)
        box.press_sequentially(query, delay=20)
        seen.facts["results"] = results(page)
        # each result shows its type, and its date when it has one
        seen.facts["tags"] = page.eval_on_selector_all(".pagefind-ui__result-tag", "t => t.map(x => x.textContent)")
    seen = visit(chromium, base + "search/", width=1024, action=action)
    outside = [r for r in seen.requests if not r.startswith(base)]
    return seen.facts["results"], seen.console_errors + seen.failed + outside, seen.facts["tags"]


@pytest.mark.parametrize("query", ["Hashemi", "hashemi", "ستار هاشمی", "هاشمی", "Seyed Sattar"])
def test_a_name_in_any_script_finds_the_official_first(chromium, discovery_url, query):
    found, problems, tags = first_result(chromium, discovery_url, query)
    assert found and found[0].endswith(HASHEMI), found
    assert not problems
    assert any("Official" in t for t in tags)


def test_an_alias_and_a_native_name_find_their_records(chromium, discovery_url):
    for query, expected in (("Javad Zarif", "officials/javad-zarif/"), ("李乐成", "officials/li-lecheng/"),
                            ("ایران", "countries/iran/")):
        found, problems, _ = first_result(chromium, discovery_url, query)
        assert found and found[0].endswith(expected), (query, found)
        assert not problems


def test_results_show_type_and_date(chromium, discovery_url):
    _, _, tags = first_result(chromium, discovery_url, "memorandum")
    assert any("Article" in t for t in tags) and any("May 2025" in t for t in tags)
    assert not any("names" in t.lower() for t in tags)


def test_header_box_leads_to_results_and_filters_narrow_them(chromium, discovery_url):
    def action(page, seen):
        page.fill("#site-search-q", "ستار هاشمی")
        page.press("#site-search-q", "Enter")
        page.wait_for_url("**/search/?q=*")
        seen.facts["results"] = results(page)
        filters = page.locator(".pagefind-ui__filter-name").all_text_contents()
        seen.facts["filters"] = sorted(f.strip().lower() for f in filters)
        page.locator(".pagefind-ui__filter-name", has_text="Type").click()
        page.locator("label.pagefind-ui__filter-label", has_text="Agreement").click()
        page.wait_for_function(
            "() => [...document.querySelectorAll('.pagefind-ui__result-link')].every(a => a.getAttribute('href').includes('/agreements/'))",
            timeout=15_000)
        seen.facts["filtered"] = results(page)
    seen = visit(chromium, discovery_url, width=1024, action=action)
    assert seen.facts["results"][0].endswith(HASHEMI)
    assert seen.facts["filters"] == ["country", "type"]
    assert seen.facts["filtered"] == ["/agreements/ict-mou/"]
    assert not seen.console_errors and not seen.failed


def test_without_javascript_the_search_page_offers_the_indexes(chromium, discovery_url):
    context = chromium.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(discovery_url + "search/?q=hashemi")
        assert page.locator("#search-fallback").is_visible()
        page.get_by_role("link", name="Officials").last.click()
        assert page.url == discovery_url + "officials/"
    finally:
        context.close()


def test_graph_pages_render_without_console_errors(chromium, discovery_url):
    def action(page, seen):
        drawing = page.locator("svg#site-graph")
        box = drawing.bounding_box()
        seen.facts["size"] = (box["width"], box["height"])
        seen.facts["nodes"] = drawing.locator("a").count()
        seen.facts["name"] = drawing.get_attribute("aria-labelledby")
        drawing.locator("a", has_text="Wang Yi").click()
        page.wait_for_url("**/officials/wang-yi/")
        seen.facts["local"] = page.locator("svg#local-graph a").count()
    seen = visit(chromium, discovery_url + "graph/", width=1024, action=action)
    assert not seen.console_errors and not seen.failed
    width, height = seen.facts["size"]
    assert width > 300 and height > 200
    assert seen.facts["nodes"] == 10 and seen.facts["name"] == "site-graph-title"
    assert seen.facts["local"] >= 3
