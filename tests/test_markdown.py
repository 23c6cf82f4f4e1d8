"""The Markdown stage: HTML out, and the wikilinks and relative links it found with their lines."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from hypothesis import given, settings, strategies as st
from markdown_it.common.normalize_url import normalizeLink

from builder import markdown
from builder.markdown import LocalLink, Target, WikiLink, parse, render, to_html

TARGETS = {
    "officials/wang-yi": Target("../../officials/wang-yi/", "Wang Yi"),
    "wang-yi": Target("../../officials/wang-yi/", "Wang Yi"),
    "Wang Yi": Target("../../officials/wang-yi/", "Wang Yi"),
}


def html(text: str, local: dict | None = None) -> str:
    return render(parse(text), TARGETS, local or {})


@pytest.mark.parametrize("source,target,text", [
    ("[[officials/wang-yi]]", "officials/wang-yi", ""),
    ("[[wang-yi]]", "wang-yi", ""),
    ("[[Wang Yi]]", "Wang Yi", ""),
    ("[[ wang-yi | the minister ]]", "wang-yi", "the minister"),
])
def test_wikilink_forms_are_found(source, target, text):
    assert parse(source).wikilinks == [WikiLink(target, text, 0, 1)]


def test_wikilinks_render_with_label_or_text():
    out = html("See [[wang-yi]] and [[Wang Yi|him]].")
    assert out == ('<p>See <a class="wikilink" href="../../officials/wang-yi/">Wang Yi</a> and '
                   '<a class="wikilink" href="../../officials/wang-yi/">him</a>.</p>\n')


def test_unresolved_wikilink_renders_as_plain_text():
    assert html("[[nobody|<b>x</b>]]") == '<p><span class="broken-link">&lt;b&gt;x&lt;/b&gt;</span></p>\n'


def test_wikilinks_inside_code_are_left_alone():
    text = "Use `[[wang-yi]]` here.\n\n```\n[[wang-yi]]\n```\n\n    [[wang-yi]]\n"
    parsed = parse(text)
    assert parsed.wikilinks == []
    out = render(parsed, TARGETS, {})
    assert out.count("[[wang-yi]]") == 3 and "<a" not in out


def test_wikilink_lines_and_columns():
    text = "First line\nsecond `[[x]]` [[a]] and [[b|B]]\n\n- item [[c]]\n\n> quote\n> [[d]]\n\n| h |\n|---|\n| [[e]] |\n"
    found = [(w.target, w.line, w.col) for w in parse(text).wikilinks]
    assert found == [("a", 1, 16), ("b", 1, 26), ("c", 3, 8), ("d", 6, 3), ("e", 10, 3)]


def test_wikilink_in_image_alt_is_found_and_shown_as_text():
    parsed = parse("![map of [[wang-yi]]'s visit](map.png)")
    assert [(w.target, w.col, w.in_alt) for w in parsed.wikilinks] == [("wang-yi", 10, True)]
    assert render(parsed, TARGETS, {}) == '<p><img src="map.png" alt="map of Wang Yi\'s visit" loading="lazy"></p>\n'


def test_raw_html_is_escaped():
    out = html("<script>alert(1)</script>\n\nText <img src=x onerror=alert(1)> and <b>bold</b>\n")
    assert "<script" not in out and "<img" not in out and "<b>" not in out
    assert "&lt;script&gt;" in out and "&lt;b&gt;" in out


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JAVASCRIPT:alert(1)", " javascript:alert(1)", "&#106;avascript:alert(1)",
    "&#x6A;&#x61;vascript:alert(1)", "javascript&colon;alert(1)", "java&#x09;script:alert(1)",
    "java%09script:alert(1)", "<javascript:alert(1)>", "data:text/html;base64,PHNjcmlwdD4=",
    "vbscript:msgbox(1)", "VBScript:msgbox(1)", "file:///etc/passwd",
])
def test_unsafe_link_targets_are_dropped(url):
    for source in (f"[click]({url})", f"![img]({url})", f"<{url}>", f"[click][r]\n\n[r]: {url}\n"):
        out = html(source)
        for attr in re.findall(r'(?:href|src)="([^"]*)"', out):
            cleaned = re.sub(r"[\s\x00-\x1f]", "", unquote(attr)).lower()
            assert not cleaned.startswith(("javascript:", "data:", "vbscript:", "file:")), (source, out)


@pytest.mark.parametrize("url", ["https://example.org/a?b=c#d", "http://example.org", "mailto:a@example.org", "#notes", "../x/"])
def test_safe_links_are_kept(url):
    assert f'href="{url}"' in html(f"[x]({url})")


def test_relative_links_found_with_lines():
    text = "An [annex](annex.pdf) and\n![map](img/map%20big.png \"Map\")\n\n[far](../officials/wang-yi.md#career) [web](https://a.example/x.png) [top](#x) [abs](/x.png)\n"
    assert parse(text).local_links == [
        LocalLink("annex.pdf", 0, 12),
        LocalLink("img/map%20big.png", 1, 8),
        LocalLink("../officials/wang-yi.md#career", 3, 7),
    ]


def test_relative_links_are_rewritten():
    out = html("[a](annex.pdf) ![m](map.png)", {"annex.pdf": "../../articles/annex.pdf", "map.png": "../../articles/map.png"})
    assert out == '<p><a href="../../articles/annex.pdf">a</a> <img src="../../articles/map.png" alt="m" loading="lazy"></p>\n'


def test_tables_footnotes_strikethrough_and_heading_anchors():
    out = to_html("## Key points\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ text[^1]\n\n[^1]: A note.\n")
    assert '<h2 id="key-points">' in out
    assert "<table>" in out and "<td>1</td>" in out
    assert "<s>old</s>" in out
    assert 'class="footnote-ref"' in out and "A note." in out


def test_wikilink_inside_link_text_leaves_the_outer_link_literal():
    # CommonMark forbids links inside links; the wikilink wins and nothing nests.
    out = html("[see [[wang-yi]]](https://a.example/)")
    assert out.count("<a ") == 1 and "<a class=\"wikilink\"" in out


def test_table_alignment_is_a_class_not_an_inline_style():
    # The pages' Content-Security-Policy has no 'unsafe-inline' for styles.
    html = to_html("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n")
    assert "style=" not in html
    assert '<th class="align-left">a</th>' in html
    assert '<td class="align-center">2</td>' in html
    assert '<td class="align-right">3</td>' in html


@pytest.mark.parametrize("body", ["[[ ]]", "[[\x0c]]", "[[ \t|text]]"])
def test_a_wikilink_naming_nothing_is_plain_text(body):
    parsed = parse(body)
    assert parsed.wikilinks == [] and "wikilink" not in render(parsed, {}, {})


_URL_PREFIXES = st.sampled_from(["", "http://", "https://", "HTTPS://", "mailto:", "//", "../", "#", "http://ex.com",
                                 "https://a-b.C0m/", "javascript:", "http://[::1]"])


@settings(max_examples=3000, deadline=None)
@given(_URL_PREFIXES, st.text(alphabet="abcXYZ019-._~/?#=&:+,;@!$*'()[]% \t\"<>\\|^`{}é中", max_size=24))
def test_links_are_normalized_as_markdown_it_normalizes_them(prefix, rest):
    url = prefix + rest
    assert markdown._normalize_link(url) == normalizeLink(url)


def test_the_links_a_body_usually_makes_are_kept_without_parsing():
    for url in ("https://www.example.com/news/2021/03/27/item-1.html?id=4&lang=en#top",
                "../officials/ebrahim-raisi/", "http://example.org", "#fn1", "report_(final).pdf"):
        assert markdown._PLAIN_URL.fullmatch(url), url
