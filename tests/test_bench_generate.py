"""The synthetic dossier generator: deterministic, sized as promised, and valid content."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench.generate import Sizes, generate, records
from builder.pipeline import BuildOptions, build


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    generate(tmp_path / "a", 60, seed=3)
    generate(tmp_path / "b", 60, seed=3)
    generate(tmp_path / "c", 60, seed=4)
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    assert _tree(tmp_path / "a") != _tree(tmp_path / "c")


def test_counts_follow_the_article_count() -> None:
    counts = Counter(r.type for r in records(1000))
    assert counts == {"articles": 1000, "officials": 50, "countries": 40, "agreements": 20, "organizations": 10}
    assert Sizes(10).officials == 1 and Sizes(10).agreements == 1


def test_bodies_carry_the_promised_markdown() -> None:
    articles = [r for r in records(100) if r.type == "articles"]
    assert sum("| Year |" in a.body for a in articles) == 20
    for article in articles:
        assert 2 <= article.body.count("[[") <= 4
        assert "## " in article.body and "[^1]:" in article.body and "\n- " in article.body
        assert 450 <= len(article.body.split()) <= 900
    dates = {str(a.fields["date"]).count("-") for a in articles}
    assert dates == {0, 1, 2}


def test_generated_dossier_is_valid_content(tmp_path: Path) -> None:
    generate(tmp_path / "content", 200)
    result = build(BuildOptions(tmp_path / "content", None))
    assert [d.text() for d in result.diagnostics] == []
    assert len(result.graph.records) == 200 + 10 + 40 + 4 + 2


@pytest.mark.parametrize("script", ["run.py", "memory.py", "generate.py"])
def test_each_benchmark_runs_by_its_path_from_any_folder(script: str, tmp_path: Path) -> None:
    bench = Path(__file__).resolve().parent.parent / "bench"
    done = subprocess.run([sys.executable, str(bench / script), "--help"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage:")
