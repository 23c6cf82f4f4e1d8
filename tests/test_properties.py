"""Property-based tests: for any input, the parsers succeed or return diagnostics; they never raise.

Each property runs 300 generated inputs (``PROPERTY_EXAMPLES`` to change it): arbitrary text, and text
built from the characters that matter to YAML, Markdown and wikilinks (so the
interesting paths are reached, not only "not front matter"). A failure prints
the smallest input that breaks the property; turn it into a case in
tests/hostile/ or a unit test when fixing it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder import frontmatter, markdown
from builder.dates import DateError, PartialDate, parse_date
from builder.diagnostics import Report
from builder.frontmatter import FrontMatter, Problem
from builder.load import parse_record
from builder.records import TYPES, Record
from builder.schema import SLUG, _slug_hint, did_you_mean

EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "300"))
"""Inputs per property; set PROPERTY_EXAMPLES higher to search longer."""
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

YAML_PIECES = st.sampled_from([
    "---", "\n", "\r\n", "\r", " ", "  ", "\t", ":", ": ", "- ", "[", "]", "{", "}", ",", "&a", "*a", "!", "!!str", "!!python/object",
    "?", "|", ">", "#", "'", '"', "\\", "%", "@", "`", "~", "null", "true", "0x1f", "1e9", "2024-02-30", "0000-01-01", "12:30",
    "title", "date", "sources", "url", "name", "country", "parent", "x-", "<<", "\ufeff", "\u202e", "\u200b", "\x00", "\x1b",
    "é", "ایران", "中国", "9" * 40,
])
MARKDOWN_PIECES = st.sampled_from([
    "[[", "]]", "|", "[", "]", "(", ")", "<", ">", "!", "`", "```", "\n", "\n\n", " ", "    ", "*", "_", "#", "##", "-", ">",
    "\\", "&", "&#106;", "&amp;", "javascript:", "data:", "http://", "http://[", "a.md", "../x", "#frag", "?q", ":", "^",
    "[^1]", "[^1]: ", "| a |", "|---|", "~~", "<script>", "onerror=", "officials/wang-yi", "Wang Yi", "\u202e", "\u200b",
    "\r", "\t", "x", "é", "中",
])


def _joined(pieces: st.SearchStrategy[str], max_size: int = 60) -> st.SearchStrategy[str]:
    return st.lists(pieces, max_size=max_size).map("".join)


FRONT_MATTER = st.one_of(
    st.text(),
    _joined(YAML_PIECES),
    st.tuples(_joined(YAML_PIECES), st.text(max_size=50)).map(lambda p: f"---\n{p[0]}\n---\n{p[1]}"),
)


@PROPERTY
@given(FRONT_MATTER)
def test_split_returns_parts_or_a_problem(text: str) -> None:
    text = frontmatter.normalize(text)
    result = frontmatter.split(text)
    if isinstance(result, Problem):
        assert result.line >= 1 and result.col >= 1 and result.code
    else:
        source, body, body_line = result
        lines = text.split("\n")
        assert lines[0].rstrip() == "---" and lines[body_line - 2].rstrip() == "---", "the fences frame the YAML"
        assert "\n".join(lines[1 : body_line - 2]) == source and "\n".join(lines[body_line - 1 :]) == body


@PROPERTY
@given(FRONT_MATTER)
def test_parse_returns_front_matter_or_problems_with_places_in_the_file(text: str) -> None:
    result = frontmatter.parse(text)
    lines = frontmatter.normalize(text).count("\n") + 1
    if isinstance(result, FrontMatter):
        assert isinstance(result.data, dict)
        assert all(1 <= line <= lines and col >= 1 for line, col in result.marks.values())
    else:
        assert result and all(isinstance(p, Problem) for p in result)
        assert all(1 <= p.line <= lines + 1 and p.col >= 1 and p.code for p in result)


DATE_VALUES = st.one_of(
    st.text(max_size=20),
    st.from_regex(r"-?\d{1,5}(-\d{1,3}(-\d{1,3})?)?", fullmatch=True),
    st.integers(),
    st.integers(min_value=-(10**5000), max_value=10**5000),
    st.floats(allow_nan=True),
    st.booleans(),
    st.none(),
    st.dates(),
    st.datetimes(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@PROPERTY
@given(DATE_VALUES)
def test_parse_date_returns_a_date_or_a_date_error(value: object) -> None:
    try:
        date = parse_date(value)
    except DateError as exc:
        assert str(exc)
        return
    assert isinstance(date, PartialDate)
    assert parse_date(date.iso()) == date, "a date reads back from its own ISO form"
    assert date.human() and date.start() <= dt.date(9999, 12, 31)


@PROPERTY
@given(st.text(), st.lists(st.text(max_size=12), max_size=8))
def test_slug_hints_are_slugs_and_did_you_mean_never_raises(word: str, choices: list[str]) -> None:
    hint = _slug_hint(word)
    if hint:
        suggested = re.fullmatch(r"did you mean '(.*)'\?", hint).group(1)
        assert SLUG.fullmatch(suggested) and suggested != word
    close = did_you_mean(word, choices)
    assert close == "" or any(f"'{c}'" in close for c in choices)


FILE_NAMES = st.text(min_size=1, max_size=30).filter(lambda n: "/" not in n and "\x00" not in n and n not in (".", ".."))


@PROPERTY
@given(FILE_NAMES, st.sampled_from(TYPES))
def test_a_record_is_accepted_exactly_when_its_file_name_is_a_slug(name: str, type_: str) -> None:
    text = {
        "articles": "---\ntitle: t\ndate: 2024\nsources: [{title: s, publisher: p}]\n---\n",
        "officials": "---\nname: n\ncountry: iran\n---\n",
        "countries": "---\nname: n\n---\n",
        "agreements": "---\ntitle: t\nkind: mou\nparties: [iran]\n---\n",
        "organizations": "---\nname: n\n---\n",
    }[type_]
    report = Report()
    record = parse_record(text, type_, Path("/content") / type_ / f"{name}.md", report)
    if SLUG.fullmatch(name):
        assert isinstance(record, Record) and record.slug == name and report.items == []
    else:
        assert record is None and [d.code for d in report.items] == ["bad-slug"]


@PROPERTY
@given(st.one_of(st.text(), _joined(MARKDOWN_PIECES, 80)))
def test_markdown_parse_finds_wikilinks_where_they_are_and_renders_no_script(body: str) -> None:
    parsed = markdown.parse(body)
    lines = body.split("\n")
    for wiki in parsed.wikilinks:
        assert wiki.target and not set(wiki.target) & set("[]|\n")
        assert 0 <= wiki.line < max(len(lines), 1) + body.count("\r") and wiki.col >= 1
    for link in parsed.local_links:
        assert link.url and link.col >= 1
    html = markdown.render(parsed, {}, {})
    assert "<script" not in html.lower()
    for url in re.findall(r'(?:href|src)="([^"]*)"', html):
        assert not re.match(r"\s*(javascript|data|vbscript):", url, re.I), url


RECORD_TEXT = st.one_of(
    st.text(),
    st.tuples(_joined(YAML_PIECES, 80), _joined(MARKDOWN_PIECES, 40)).map(lambda p: f"---\n{p[0]}\n---\n{p[1]}"),
)


@PROPERTY
@given(RECORD_TEXT, st.sampled_from(TYPES))
def test_load_and_validate_gives_a_record_or_errors(text: str, type_: str) -> None:
    report = Report()
    record = parse_record(text, type_, Path("/content") / type_ / "sample.md", report)
    if record is None:
        assert report.errors, "a refused record says why"
    else:
        assert isinstance(record, Record) and not report.errors
        markdown.parse(record.body)
    for diagnostic in report.items:
        assert "\n" not in diagnostic.text() and diagnostic.location.line >= 1
