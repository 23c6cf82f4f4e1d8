"""Every kind of page, loaded in headless Chromium at phone width, as a reader would see it."""

from __future__ import annotations

import re
from urllib.parse import unquote, urldefrag, urlsplit

import pytest

from browser import PAGE_KINDS, status_of, visit
from builder.images import size_of

BUDGET = 30 * 1024
"""Most bytes of CSS and JavaScript together that a page other than search may load."""
GENERIC_LINK_TEXT = {"here", "click here", "more", "read more", "link", "this", "this page", "details", "continue"}

FACTS = """() => {
  const root = document.documentElement;
  const arabic = /[\\u0600-\\u06FF\\u0750-\\u077F\\uFB50-\\uFDFF\\uFE70-\\uFEFF]/;
  const han = /[\\u3400-\\u9FFF\\uF900-\\uFAFF]/;
  const foreign = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent;
    const script = arabic.test(text) ? 'arabic' : han.test(text) ? 'han' : '';
    if (!script) continue;
    const element = walker.currentNode.parentElement;
    const langOf = element.closest('[lang]'), dirOf = element.closest('[dir]');
    foreign.push({text: text.trim(), script, lang: langOf === root ? '' : langOf.lang,
                  dir: dirOf ? dirOf.getAttribute('dir') : ''});
  }
  const attr = (selector, name) => [...document.querySelectorAll(selector)].map(e => e[name]);
  return {
    lang: root.lang, title: document.title,
    description: (document.querySelector('meta[name=description]') || {}).content || '',
    icon: (document.querySelector('link[rel=icon]') || {}).href || '',
    scrollWidth: root.scrollWidth, clientWidth: root.clientWidth,
    headings: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => +h.tagName[1]),
    landmarks: ['header', 'nav', 'main', 'footer'].map(t => document.querySelectorAll(t).length),
    firstLink: (() => { const a = document.querySelector('body a'); return a ? [a.getAttribute('href'), a.innerText] : []; })(),
    ids: [...document.querySelectorAll('[id]')].map(e => e.id),
    links: [...document.querySelectorAll('a[href]')].map(a => ({href: new URL(a.getAttribute('href'), document.baseURI).href,
             text: (a.innerText || a.textContent || '').trim(),  // an SVG link has no innerText; a closed <details> shows none
             label: a.getAttribute('aria-label') || ''})),
    resources: attr('link[href]', 'href').concat(attr('img[src]', 'src'), attr('script[src]', 'src')),
    images: [...document.querySelectorAll('img')].map(i => ({src: i.src, alt: i.getAttribute('alt'),
             width: i.getAttribute('width'), height: i.getAttribute('height')})),
    foreign,
  };
}"""


@pytest.fixture(scope="module")
def seen(chromium, showcase_url):
    """Each page kind, visited once at 360 px and remembered for the whole run."""
    cache = {}

    def get(kind: str):
        if kind not in cache:
            cache[kind] = visit(chromium, showcase_url + PAGE_KINDS[kind], width=360,
                                action=lambda page, v: v.facts.update(page.evaluate(FACTS)))
        return cache[kind]
    return get


@pytest.fixture(scope="session")
def fetch():
    """Status and body of local URLs, each fetched once."""
    cache = {}

    def get(url: str):
        if url not in cache:
            cache[url] = status_of(url)
        return cache[url]
    return get


kinds = pytest.mark.parametrize("kind", list(PAGE_KINDS))


@kinds
def test_no_console_errors_and_no_failed_requests(seen, kind):
    page = seen(kind)
    assert page.console_errors == []
    assert page.failed == []


@kinds
def test_no_horizontal_scrolling_at_360px(seen, kind):
    facts = seen(kind).facts
    assert facts["scrollWidth"] <= facts["clientWidth"] == 360


@kinds
def test_every_link_resolves(seen, fetch, kind, showcase_url):
    facts = seen(kind).facts
    broken = []
    for link in [l["href"] for l in facts["links"]] + facts["resources"]:
        if not link.startswith(showcase_url):
            assert urlsplit(link).scheme in ("https", "http", "mailto"), link
            continue
        target, fragment = urldefrag(link)
        status, body = fetch(target)
        if status != 200:
            broken.append(f"{link}: HTTP {status}")
        elif fragment and f'id="{fragment}"' not in body:
            broken.append(f"{link}: no element with id {fragment!r}")
    assert broken == []


@kinds
def test_css_and_js_within_budget_and_from_this_site_only(seen, kind, showcase_url):
    page = seen(kind)
    assert [u for u in page.requests if not u.startswith(showcase_url)] == []
    weight = sum(size for type_, size in page.loaded.values() if type_ in ("stylesheet", "script"))
    assert 0 < weight <= BUDGET


@kinds
def test_title_description_language_and_favicon(seen, kind):
    facts = seen(kind).facts
    assert facts["title"].strip() and facts["description"].strip()
    assert facts["lang"] == "en"
    assert facts["icon"].endswith("favicon.svg")


@kinds
def test_one_h1_and_headings_in_order(seen, kind):
    levels = seen(kind).facts["headings"]
    assert levels.count(1) == 1 and levels[0] == 1
    skips = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
    assert skips == []


@kinds
def test_landmarks_and_skip_link(seen, kind):
    facts = seen(kind).facts
    header, nav, main, footer = facts["landmarks"]
    assert main == 1 and header >= 1 and nav >= 1 and footer == 1
    href, text = facts["firstLink"]
    assert href == "#main" and "skip" in text.lower() and "main" in facts["ids"]


@kinds
def test_foreign_script_text_has_lang_and_direction(seen, kind):
    foreign = seen(kind).facts["foreign"]
    assert [f for f in foreign if f["lang"] in ("", "en")] == []
    assert [f for f in foreign if f["script"] == "arabic" and f["dir"] not in ("rtl", "auto")] == []


@kinds
def test_images_have_sizes_and_alt(seen, kind, showcase_site, showcase_url):
    for image in seen(kind).facts["images"]:
        assert image["alt"], image
        assert image["width"] and image["height"], image
        data = (showcase_site / unquote(image["src"].removeprefix(showcase_url))).read_bytes()
        assert (int(image["width"]), int(image["height"])) == size_of(data), image


@kinds
def test_link_text_makes_sense_out_of_context(seen, kind):
    for link in seen(kind).facts["links"]:
        text = (link["label"] or link["text"]).strip().lower()
        assert re.search(r"\w", text) and text not in GENERIC_LINK_TEXT, link


def test_showcase_pages_cover_the_features_checked(seen):
    """The showcase must keep what the checks above rely on, or they would pass vacuously."""
    article = seen("article").facts
    assert {f["script"] for f in article["foreign"]} == {"arabic", "han"}
    assert any(i["src"].endswith("chart.png") for i in article["images"])
    assert any(not l["href"].startswith("http://127.0.0.1") for l in article["links"])
    official = seen("official (Persian name)").facts
    assert any(i["src"].endswith(".svg") for i in official["images"])
    assert any(f["dir"] == "rtl" for f in official["foreign"])


def test_focus_is_visible_from_the_keyboard(chromium, showcase_url):
    def tab_through(page, seen):
        styles = []
        for _ in range(4):
            page.keyboard.press("Tab")
            styles.append(page.evaluate("""() => {
              const e = document.activeElement, s = getComputedStyle(e), r = e.getBoundingClientRect();
              return {tag: e.tagName, href: e.getAttribute('href'), outline: s.outlineStyle,
                      width: parseFloat(s.outlineWidth), top: r.top, bottom: r.bottom};
            }"""))
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Enter")
        styles.append(page.evaluate("() => [location.hash, document.activeElement.id]"))
        seen.facts["focus"] = styles
    focus = visit(chromium, showcase_url + PAGE_KINDS["article"], action=tab_through).facts["focus"]
    skip, *others, after_enter = focus
    assert skip["href"] == "#main" and skip["top"] >= 0 and skip["bottom"] <= 800
    for element in [skip, *others]:
        assert element["tag"] == "A" and element["outline"] != "none" and element["width"] >= 2, element
    assert after_enter == ["#main", "main"]


def test_dark_scheme_changes_colours(chromium, showcase_url):
    def background(page, seen):
        seen.facts["bg"] = page.evaluate("getComputedStyle(document.body).backgroundColor")
    light = visit(chromium, showcase_url, color_scheme="light", action=background).facts["bg"]
    dark = visit(chromium, showcase_url, color_scheme="dark", action=background).facts["bg"]
    luminance = [sum(map(int, re.findall(r"\d+", colour)[:3])) / 3 for colour in (light, dark)]
    assert luminance[0] > 200 and luminance[1] < 60


def test_print_hides_navigation_shows_source_urls_and_keeps_infoboxes_whole(chromium, showcase_url):
    def printed(page, seen):
        page.emulate_media(media="print")
        seen.facts.update(page.evaluate("""() => ({
          nav: getComputedStyle(document.querySelector('.site-header nav')).display,
          source: [...document.querySelectorAll('.sources a[href^="http"]')].map(
            a => [a.href, getComputedStyle(a, '::after').content]),
        })"""))
    article = visit(chromium, showcase_url + PAGE_KINDS["article"], action=printed).facts
    assert article["nav"] == "none"
    assert article["source"] and all(href in after for href, after in article["source"])

    def infobox(page, seen):
        page.emulate_media(media="print")
        seen.facts["box"] = page.evaluate("getComputedStyle(document.querySelector('.infobox')).breakInside")
    assert visit(chromium, showcase_url + PAGE_KINDS["official (Persian name)"], action=infobox).facts["box"] == "avoid"
