"""Validation of each record type against contract section 1. String in, record or diagnostics out."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.dates import PartialDate
from builder.diagnostics import Report
from builder.load import check_unique, parse_record
from builder.records import Position, Source

ARTICLE = """---
title: A meeting
date: 2025-05-13
sources:
  - title: Report
    publisher: IRNA
---
"""


def validate(type_: str, text: str, name: str = "x.md", folder: str = "/c"):
    """(record or None, [(line, col, code, message, hint)])."""
    report = Report()
    record = parse_record(text, type_, Path(folder) / type_ / name, report)
    return record, [(d.location.line, d.location.col, d.code, d.message, d.hint) for d in report.sorted()]


def codes(type_: str, text: str, name: str = "x.md"):
    return [(line, col, code) for line, col, code, *_ in validate(type_, text, name)[1]]


def fm(*lines: str) -> str:
    return "---\n" + "\n".join(lines) + "\n---\n"


def test_valid_article_becomes_a_record():
    record, problems = validate("articles", ARTICLE + "Body\n", "a-meeting.md")
    assert problems == []
    assert record.key == ("articles", "a-meeting")
    assert record.get("date") == PartialDate(2025, 5, 13)
    assert record.get("sources") == (Source("Report", publisher="IRNA"),)
    assert record.body == "Body\n" and record.body_line == 8


def test_every_field_of_every_type_is_typed():
    official, p = validate("officials", fm(
        "name: Wang Yi", "native_name: 王毅", "aliases: [Wang]", "country: china",
        "positions:", "  - title: Minister", "    organization: mfa", "    start: 2013-03", "    end: 2022")) 
    assert p == []
    assert official.get("positions") == (Position("Minister", "mfa", PartialDate(2013, 3), PartialDate(2022)),)
    assert official.get("aliases") == ("Wang",)
    agreement, p = validate("agreements", fm(
        "title: Plan", "kind: mou", "signed: 2021", "parties: [iran, china]", "signatories: [a]",
        "parent: frame", "status: in force"))
    assert p == [] and agreement.get("parties") == ("iran", "china") and agreement.get("signed") == PartialDate(2021)
    country, p = validate("countries", fm("name: Iran", "native_name: ایران", "official_name: IRI", "iso: IR"))
    assert p == [] and country.get("iso") == "IR"
    org, p = validate("organizations", fm("name: MIIT", "kind: ministry", "country: china", "aliases: [工信部]"))
    assert p == [] and org.get("kind") == "ministry"


@pytest.mark.parametrize("type_,text,missing", [
    ("articles", fm("date: 2021", "sources: [{title: t, publisher: p}]"), "title"),
    ("articles", fm("title: t", "sources: [{title: t, publisher: p}]"), "date"),
    ("articles", fm("title: t", "date: 2021"), "sources"),
    ("officials", fm("country: iran"), "name"),
    ("officials", fm("name: n"), "country"),
    ("countries", fm("iso: IR"), "name"),
    ("agreements", fm("kind: mou", "parties: [iran]"), "title"),
    ("agreements", fm("title: t", "parties: [iran]"), "kind"),
    ("agreements", fm("title: t", "kind: mou"), "parties"),
    ("organizations", fm("kind: ministry"), "name"),
])
def test_missing_required_key_is_reported_on_line_1(type_, text, missing):
    record, problems = validate(type_, text)
    assert record is None
    assert problems == [(1, 1, "missing-key", f"missing required key '{missing}'", "")]


def test_empty_required_key_points_at_the_key():
    assert validate("officials", fm("name:", "country: iran"))[1] == [(2, 1, "missing-key", "'name' is empty", "")]
    assert codes("officials", fm("name: ''", "country: iran")) == [(2, 1, "missing-key")]


def test_unknown_key_points_at_the_key_with_a_hint():
    record, problems = validate("officials", fm("name: n", "country: iran", "positons: []"))
    assert record is None
    assert problems == [(4, 1, "unknown-key", "unknown key 'positons'", "did you mean 'positions'?")]


def test_x_keys_are_kept_for_templates():
    record, problems = validate("countries", fm("name: Iran", "x-flag: green"))
    assert problems == [] and record.extra == {"x-flag": "green"} and "x-flag" not in record.fields


def test_unknown_key_inside_a_source():
    assert validate("articles", fm("title: t", "date: 2021", "sources:", "  - title: t", "    publsher: p"))[1] == [
        (5, 5, "missing-key", "a source needs a 'url' or a 'publisher'", ""),
        (6, 5, "unknown-key", "unknown key 'publsher'", "did you mean 'publisher'?"),
    ]


@pytest.mark.parametrize("name,hint", [
    ("Wang-Yi.md", "did you mean 'wang-yi'?"),
    ("wang_yi.md", "did you mean 'wang-yi'?"),
    ("wang--yi.md", "did you mean 'wang-yi'?"),
    ("-wang.md", "did you mean 'wang'?"),
    ("王毅.md", ""),
])
def test_bad_file_name(name, hint):
    record, problems = validate("countries", fm("name: X"), name)
    assert record is None
    assert [(l, c, code, h) for l, c, code, _, h in problems] == [(1, 1, "bad-slug", hint)]


def test_invisible_characters_in_a_file_name():
    assert codes("countries", fm("name: X"), "ir\u200ban.md") == [(1, 1, "bad-slug")]


def test_case_colliding_file_names_are_caught():
    report = Report()
    good = parse_record(fm("name: Wang Yi", "country: china"), "officials", Path("/c/officials/wang-yi.md"), report)
    bad = parse_record(fm("name: Wang Yi", "country: china"), "officials", Path("/c/officials/a/Wang-Yi.md"), report)
    assert bad is None and [d.code for d in report.items] == ["bad-slug"]
    assert check_unique([good], report) == [good]


def test_duplicate_slug_across_subfolders():
    report = Report()
    text = fm("name: Wang Yi", "country: china")
    a = parse_record(text, "officials", Path("/c/officials/2021/wang-yi.md"), report)
    b = parse_record(text, "officials", Path("/c/officials/wang-yi.md"), report)
    kept = check_unique([b, a], report)
    assert kept == [a]
    assert [(d.location.path, d.code) for d in report.items] == [(Path("/c/officials/wang-yi.md"), "duplicate-slug")]
    assert "also " in report.items[0].message and "2021" in report.items[0].message


def test_same_slug_in_two_types_is_fine():
    report = Report()
    a = parse_record(fm("name: Iran"), "countries", Path("/c/countries/iran.md"), report)
    b = parse_record(fm("name: Iran org"), "organizations", Path("/c/organizations/iran.md"), report)
    assert check_unique([a, b], report) == [a, b] and report.items == []


@pytest.mark.parametrize("value,fragment", [
    ("2025-13-01", "month 13"),
    ("'2021-02-30'", "February 2021 has 28 days"),
    ("March 2021", "not a date"),
    ("yes", "true/false"),
    ("[2021]", "a list"),
])
def test_bad_date(value, fragment):
    record, problems = validate("articles", ARTICLE.replace("2025-05-13", value))
    assert record is None and len(problems) == 1
    line, col, code, message, _ = problems[0]
    assert (line, col, code) == (3, 7, "bad-date") and fragment in message


def test_bare_year_and_quoted_dates_are_accepted():
    for value in ("2021", "'2021'", "\"2021-03\"", "2021-03-14"):
        record, problems = validate("articles", ARTICLE.replace("2025-05-13", value))
        assert problems == [], value


def test_position_end_before_start():
    text = fm("name: n", "country: c", "positions:", "  - title: t", "    start: 2021", "    end: 2020-12")
    assert codes("officials", text) == [(7, 10, "bad-date")]


def test_bad_kind_enum_with_hint():
    record, problems = validate("agreements", fm("title: t", "kind: treatie", "parties: [iran]"))
    assert problems == [(3, 7, "bad-value", "'treatie' is not a kind: use one of treaty, agreement, mou, partnership, other", "did you mean 'treaty'?")]


@pytest.mark.parametrize("url", ["ftp://a.example/x", "javascript:alert(1)", "example.org/x", "//a.example", "https://", "http://a b"])
def test_bad_source_url(url):
    text = ARTICLE.replace("    publisher: IRNA", f"    url: '{url}'")
    assert codes("articles", text) == [(6, 10, "bad-url")]


def test_source_without_url_or_publisher():
    text = fm("title: t", "date: 2021", "sources:", "  - title: Report", "    date: 2021")
    assert validate("articles", text)[1] == [(5, 5, "missing-key", "a source needs a 'url' or a 'publisher'", "")]


def test_source_without_title():
    text = fm("title: t", "date: 2021", "sources:", "  - publisher: IRNA")
    assert validate("articles", text)[1] == [(5, 5, "missing-key", "missing required key 'title'", "")]


def test_no_sources():
    assert codes("articles", fm("title: t", "date: 2021", "sources: []")) == [(4, 1, "missing-key")]


@pytest.mark.parametrize("line,where", [
    ("officials: wang-yi", (4, 12)),
    ("tags: ai", (4, 7)),
    ("sources: {title: t}", (4, 10)),
])
def test_non_list_where_list_expected(line, where):
    text = fm("title: t", "date: 2021", line, "sources: [{title: t, publisher: p}]" if "sources" not in line else "")
    result = codes("articles", text)
    assert (*where, "bad-type") in result


def test_non_text_where_text_expected():
    assert codes("countries", fm("name: [Iran]")) == [(2, 7, "bad-type")]


def test_numbers_as_text_keep_their_spelling():
    record, _ = validate("countries", fm("name: 007", "official_name: 1.50"))
    assert record.get("name") == "007" and record.get("official_name") == "1.50"


def test_bad_slug_in_a_reference_list_with_hint():
    assert validate("articles", ARTICLE.replace("sources:", "officials: [Wang Yi]\nsources:"))[1] == [
        (4, 13, "bad-slug", "'Wang Yi' is not a slug: use lowercase letters and digits in words joined by single hyphens, e.g. 'wang-yi'", "did you mean 'wang-yi'?")]


def test_slug_listed_twice():
    assert codes("articles", ARTICLE.replace("sources:", "tags: [ai, ict, ai]\nsources:")) == [(4, 17, "duplicate-item")]


def test_draft_must_be_boolean():
    assert codes("articles", ARTICLE.replace("sources:", "draft: maybe\nsources:")) == [(4, 8, "bad-type")]


@pytest.mark.parametrize("iso", ["ir", "IRN", "I1", "'12'"])
def test_bad_iso(iso):
    assert codes("countries", fm("name: Iran", f"iso: {iso}")) == [(3, 6, "bad-value")]


def test_every_problem_of_a_file_is_reported():
    text = fm("titel: t", "date: 2025-13-01", "sources: [{title: t, url: 'ftp://x'}]", "draft: 3")
    found = {code for *_, code in codes("articles", text, "Bad Name.md")}
    assert found == {"unknown-key", "bad-date", "bad-url", "bad-type", "missing-key", "bad-slug"}


def test_site_config():
    from builder.discover import ContentFiles
    from builder.load import load_config

    def config(text):
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "site.yaml"
            path.write_text(text, encoding="utf-8")
            report = Report()
            result = load_config(ContentFiles(Path(tmp), site=path), report)
            return result, [(d.location.line, d.location.col, d.code) for d in report.items]

    result, problems = config("title: T\nbase_url: https://example.org/d\nlanguage: fa-IR\n")
    assert problems == [] and result.base_url == "https://example.org/d/" and result.language == "fa-IR"
    assert config("title: T\n")[0].language == "en"
    assert config("description: d\n")[1] == [(1, 1, "missing-key")]
    assert config("title: T\nbase_url: example.org\n")[1] == [(2, 11, "bad-url")]
    assert config("title: T\nlang: en\n")[1] == [(2, 1, "unknown-key")]
    assert config("title: T\nlanguage: english language\n")[1] == [(2, 11, "bad-value")]


@pytest.mark.parametrize("word,choices,hint", [
    ("positons", ["positions", "name"], "did you mean 'positions'?"),
    ("Wang Yl", ["Wang Yi", "Li Lecheng"], "did you mean 'Wang Yi'?"),
    ("miit", ["china-miit", "irna"], "did you mean 'china-miit'?"),
    ("mfa", ["iran-mfa", "china-mfa"], ""),
    ("zzz", ["wang-yi"], ""),
])
def test_did_you_mean(word, choices, hint):
    from builder.schema import did_you_mean
    assert did_you_mean(word, choices) == hint


def test_whitespace_only_required_text_is_empty():
    assert codes("countries", fm("name: '   '")) == [(2, 1, "missing-key")]


def test_x_keys_are_only_free_at_the_top():
    text = fm("title: t", "date: 2021", "sources: [{title: s, publisher: p, x-note: n}]")
    assert [c for *_, c in codes("articles", text)] == ["unknown-key"]


def test_non_list_where_a_list_of_texts_is_expected():
    assert codes("officials", fm("name: n", "country: c", "aliases: 2021")) == [(4, 10, "bad-type")]
