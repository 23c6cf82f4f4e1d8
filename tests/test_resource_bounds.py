"""Resource bounds: a large generated dossier builds within a memory budget; limits are documented.

The figure for 10,000 articles comes from ``python -m bench.memory --articles 10000``
(see SECURITY.md); the suite measures a tenth of that to stay quick, against a
budget with room for the machine, so a change that makes memory grow much
faster than the content fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.memory import measure
from builder.frontmatter import MAX_DEPTH
from builder.load import MAX_FILE_BYTES
from builder.markdown import MAX_WIKILINKS

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = 1_000
BUDGET = 400 * 2**20
"""Bytes of peak resident memory allowed for ARTICLES articles (about 180 MiB measured)."""


def test_a_thousand_articles_build_within_the_memory_budget(tmp_path: Path) -> None:
    pytest.importorskip("resource")
    result = measure(ARTICLES, tmp_path)
    assert result.exit_status == 0
    assert 0 < result.peak_rss < BUDGET, f"peak RSS {result.peak_rss / 2**20:.0f} MiB"


def test_security_md_states_the_limits_the_code_enforces() -> None:
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    assert f"{MAX_FILE_BYTES // 2**20} MiB" in text
    assert re.search(rf"\b{MAX_DEPTH} levels\b", text)
    assert f"{MAX_WIKILINKS:,} wikilinks" in text


def test_did_you_mean_hints_stop_after_the_first_hundred_unknown_references(tmp_path: Path) -> None:
    """Without a cap, 9,000 unknown wikilinks against 1,000 records took five minutes finding hints."""
    from builder.pipeline import BuildOptions, build
    from builder.resolve import MAX_HINTS

    content = tmp_path / "content"
    (content / "countries").mkdir(parents=True)
    (content / "articles").mkdir()
    (content / "site.yaml").write_text("title: t\nbase_url: https://example.org/\n", encoding="utf-8")
    (content / "countries" / "iran.md").write_text("---\nname: Iran\n---\n", encoding="utf-8")
    body = " ".join("[[Irann]]" for _ in range(MAX_HINTS + 50))
    (content / "articles" / "a.md").write_text(
        f"---\ntitle: t\ndate: 2024\ncountries: [{', '.join(['irann'] * 1)}]\nsources: [{{title: s, publisher: p}}]\n---\n{body}\n",
        encoding="utf-8")
    unknown = [d for d in build(BuildOptions(content, None)).diagnostics if d.code == "unknown-reference"]
    assert len(unknown) == MAX_HINTS + 51
    assert [bool(d.hint) for d in unknown] == [True] * MAX_HINTS + [False] * 51
