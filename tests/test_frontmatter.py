"""Front matter: framing, YAML with marks, and the YAML features refused. String in, object out."""

from __future__ import annotations

import pickle

import pytest

from builder.frontmatter import FrontMatter, Marks, Problem, normalize, parse, split


def problems(text: str) -> list[tuple[int, int, str]]:
    result = parse(text)
    assert isinstance(result, list), f"expected problems, got {result!r}"
    return [(p.line, p.col, p.code) for p in result]


def test_split_gives_yaml_body_and_body_line():
    assert split("---\na: 1\nb: 2\n---\nHello\n") == ("a: 1\nb: 2", "Hello\n", 5)


def test_split_accepts_empty_front_matter_and_empty_body():
    assert split("---\n---\n") == ("", "", 3)
    assert split("---\n---") == ("", "", 3)


def test_body_may_hold_further_rules():
    source, body, line = split("---\na: 1\n---\ntext\n---\nmore\n")
    assert source == "a: 1" and body == "text\n---\nmore\n" and line == 4


@pytest.mark.parametrize("text", ["title: x\n---\n", "\n---\na: 1\n---\n", " ---\na: 1\n---\n", ""])
def test_no_front_matter(text):
    result = split(text)
    assert isinstance(result, Problem) and result.code == "no-front-matter" and (result.line, result.col) == (1, 1)


def test_unclosed_front_matter():
    result = split("---\ntitle: x\nbody\n")
    assert isinstance(result, Problem) and result.code == "unclosed-front-matter"


def test_values_and_marks_count_file_lines():
    front = parse("---\ntitle: Hello\nsources:\n  - title: A\n    url: https://a.example/\n---\nBody\n")
    assert isinstance(front, FrontMatter)
    assert front.data == {"title": "Hello", "sources": [{"title": "A", "url": "https://a.example/"}]}
    assert front.marks[("title",)] == (2, 8)
    assert front.key_marks[("title",)] == (2, 1)
    assert front.marks[("sources", 0, "url")] == (5, 10)
    assert front.key_marks[("sources", 0, "url")] == (5, 5)
    assert front.body == "Body\n" and front.body_line == 7


def test_kept_marks_are_the_yaml_text_read_again_when_asked_for():
    text = "---\ntitle: Hello\nsources:\n  - title: A\n    url: https://a.example/\n---\nBody\n"
    front = parse(text)
    marks = Marks.of(front)
    sent = pickle.dumps(marks)
    assert dict(marks) == front.marks and marks[("sources", 0, "url")] == (5, 10)
    assert pickle.dumps(marks) == sent  # the table read is not stored or sent
    again = pickle.loads(sent)
    assert again == marks and again[("title",)] == (2, 8) and again == front.marks
    assert Marks.of(parse(text.replace("title: Hello", "title:  Hello"))) != marks


def test_at_falls_back_to_nearest_parent():
    front = parse("---\nsources:\n  - title: A\n---\n")
    assert front.at(("sources", 0, "url")) == (3, 5)
    assert front.at(("missing",)) == (1, 1)


def test_scalars_keep_yaml_types_but_dates_stay_text():
    front = parse("---\na: 2021\nb: true\nc: 2021-03-14\nd: '2021'\ne: ~\nf: 1.5\n---\n")
    assert front.data == {"a": 2021, "b": True, "c": "2021-03-14", "d": "2021", "e": None, "f": 1.5}
    assert front.raw[("a",)] == "2021"


def test_unquoted_impossible_date_is_text_not_a_crash():
    assert parse("---\ndate: 2025-13-01\n---\n").data == {"date": "2025-13-01"}


def test_duplicated_key_is_an_error_at_the_second():
    result = parse("---\ntitle: a\nsummary: s\ntitle: b\n---\n")
    assert isinstance(result, list) and len(result) == 1
    assert (result[0].line, result[0].col, result[0].code) == (4, 1, "duplicate-key")
    assert "first given on line 2" in result[0].message


def test_duplicated_nested_key():
    assert problems("---\nsources:\n  - title: a\n    title: b\n---\n") == [(4, 5, "duplicate-key")]


@pytest.mark.parametrize("text,where", [
    ("---\na: !!python/object:os.system x\n---\n", (2, 4)),
    ("---\na: !!binary aGVsbG8=\n---\n", (2, 4)),
    ("---\na: !custom x\n---\n", (2, 4)),
    ("---\na: !!set {x}\n---\n", (2, 4)),
])
def test_tags_are_refused(text, where):
    assert problems(text) == [(*where, "yaml-tag")]


def test_aliases_are_refused_where_written():
    assert problems("---\na: &x hello\nb: *x\n---\n") == [(3, 4, "yaml-alias")]


def test_anchor_without_alias_is_harmless():
    assert parse("---\na: &x hello\n---\n").data == {"a": "hello"}


def test_merge_keys_are_refused():
    codes = {c for *_, c in problems("---\nbase: &b {k: 1}\nc:\n  <<: *b\n---\n")}
    assert "yaml-alias" in codes


def test_yaml_syntax_error_points_into_the_file():
    result = problems("---\ntitle: a\nlist: [a, b\n---\n")
    assert result and result[0][2] == "yaml-syntax" and result[0][0] >= 3


def test_front_matter_must_be_a_mapping():
    assert problems("---\n- a\n- b\n---\n") == [(2, 1, "yaml-not-mapping")]


def test_deep_nesting_is_refused():
    assert "too-deep" in {c for *_, c in problems("---\na: " + "[" * 40 + "]" * 40 + "\n---\n")}


def test_crlf_and_bom_are_normalized():
    text = "\ufeff---\r\ntitle: Hello\r\n---\r\nBody\r\nline\r\n"
    front = parse(text)
    assert front.data == {"title": "Hello"} and front.body == "Body\nline\n" and front.body_line == 4
    assert front.marks[("title",)] == (2, 8)


def test_old_mac_line_ends():
    assert normalize("a\rb\r\nc") == "a\nb\nc"


def test_closing_line_may_carry_trailing_spaces():
    assert parse("---  \ntitle: x\n--- \nB").body == "B"


def test_inline_merge_key_is_refused():
    assert problems("---\nc:\n  <<: {k: 1}\n---\n") == [(3, 3, "bad-key")]
