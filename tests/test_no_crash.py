"""Property: no front matter or body, however malformed, raises; every problem is a diagnostic."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from builder import markdown
from builder.diagnostics import Report
from builder.load import parse_record
from builder.records import TYPES

KEYS = ["title", "date", "sources", "officials", "tags", "name", "country", "positions", "kind", "parties",
        "parent", "signed", "iso", "native_name", "aliases", "draft", "summary", "x-a", "start", "end", "url",
        "publisher", "signatories", "status", "official_name", "organization"]
SCALARS = ["", "2021", "2021-13", "x", "{title: t}", "~", "true", "1e5", "!!str 5", "'q", "2021-02-30",
           "http://x", "[[a]]", "0x10", ".inf", "2001-12-14t21:59:43.10-05:00", "- a", "{url: 'ftp://x'}",
           "[{title: t, start: 2021, end: 2020}]", "{organization: 3}", "-1", "null"]
VALUES = st.recursive(
    st.one_of(st.sampled_from(SCALARS), st.text(max_size=5)),
    lambda inner: st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
    max_leaves=5)
LINES = st.tuples(st.sampled_from(KEYS), VALUES, st.sampled_from(["", "  "])).map(lambda t: f"{t[2]}{t[0]}: {t[1]}")
DOCS = st.lists(LINES, max_size=8).map(lambda lines: "---\n" + "\n".join(lines) + "\n---\n")


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(DOCS, st.sampled_from(TYPES), st.text(max_size=40))
def test_malformed_records_give_diagnostics_not_exceptions(front, type_, body):
    report = Report()
    record = parse_record(front + body, type_, Path("/c") / type_ / "x.md", report)
    assert (record is None) == bool(report.errors)
    for diagnostic in report.items:
        assert diagnostic.location.line >= 1 and diagnostic.location.col >= 1
    markdown.render(markdown.parse(body), {}, {})
