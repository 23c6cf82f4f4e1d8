"""The committed screenshots: one per kind of page and width, small, and the README's all exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from builder.images import size_of

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "docs" / "screenshots"
KINDS = ["home", "articles-index", "officials-index", "article", "official", "country", "agreement",
         "organization", "tags", "tag", "timeline", "404"]


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_at_phone_and_desktop_width(kind):
    for width in (360, 1280):
        shot = SHOTS / f"{kind}-{width}.png"
        assert size_of(shot.read_bytes())[0] == width, shot


def test_screenshots_stay_small():
    assert {p.name: p.stat().st_size for p in SHOTS.glob("*.png") if p.stat().st_size > 150_000} == {}


def test_readme_shows_screenshots_that_exist():
    shown = re.findall(r"\]\((docs/screenshots/[^)]+\.png)\)", (ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(shown) >= 10
    assert [p for p in shown if not (ROOT / p).is_file()] == []
