"""Every input the fuzzer (fuzz/fuzz_load.py) crashed on, replayed; and each crash as a readable test."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.diagnostics import Report
from builder.load import parse_record
from fuzz.target import load_and_validate

CRASHES = sorted((Path(__file__).parent.parent / "fuzz" / "crashes").iterdir())


@pytest.mark.parametrize("crash", CRASHES, ids=[p.name for p in CRASHES])
def test_fuzzer_crash_is_now_diagnostics(crash: Path) -> None:
    report = load_and_validate(crash.read_bytes())
    assert report.errors, "the input is invalid content: it must be reported, not crash or pass"


@pytest.mark.parametrize("type_, front, key", [
    ("officials", "name: Ali\ncountry: iran\naliases: Ali", "aliases"),
    ("organizations", "name: A\naliases: 7", "aliases"),
    ("articles", "title: t\ndate: 2024\nsources: [{title: s, publisher: p, credits: IRNA}]", "credits"),
])
def test_a_text_where_a_list_of_texts_belongs_is_an_error(type_: str, front: str, key: str) -> None:
    """Found by the fuzzer: ``aliases: Ali`` (a text, not a list) raised TypeError and stopped the build."""
    report = Report()
    assert parse_record(f"---\n{front}\n---\n", type_, Path(f"/c/{type_}/a.md"), report) is None
    assert [(d.code, d.message) for d in report.items] == [("bad-type", f"'{key}' must be a list, got {_kind(front)}")]


def _kind(front: str) -> str:
    return "int" if front.endswith("7") else "str"
