"""A golden build: the fixture site in tests/golden/content built and compared file by file.

tests/golden/content uses every feature of the content format (partial dates,
names in Persian and Chinese, an agreement made under another, positions with
dates, tags, wikilinks in every form, a relative image and PDF, a draft, hostile
text). tests/golden/expected holds the committed output, except the files of
templates/static, which are compared with their source instead.

After an intended change to the output, regenerate and review the diff:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
    git diff tests/golden/expected
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest

from builder.pipeline import BuildOptions, build
from builder.render import TEMPLATES
from conftest import snapshot

GOLDEN = Path(__file__).resolve().parent / "golden"
CONTENT = GOLDEN / "content"
EXPECTED = GOLDEN / "expected"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def built(output: Path, drafts: bool = False) -> dict[str, bytes]:
    # The Pagefind bundle is a third-party binary's output; tests/test_search.py covers it.
    result = build(BuildOptions(CONTENT, output, drafts, search=False))
    assert result.ok, [d.text() for d in result.diagnostics]
    return snapshot(output)


def without_static(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in files.items() if not name.startswith("assets/")}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> dict[str, bytes]:
    files = built(tmp_path_factory.mktemp("golden") / "site")
    if UPDATE:
        shutil.rmtree(EXPECTED, ignore_errors=True)
        for name, data in without_static(files).items():
            (EXPECTED / name).parent.mkdir(parents=True, exist_ok=True)
            (EXPECTED / name).write_bytes(data)
    return files


def test_same_files(site):
    assert sorted(without_static(site)) == sorted(snapshot(EXPECTED))


def test_every_file_matches(site):
    expected = snapshot(EXPECTED)
    diffs = []
    for name in sorted(set(expected) & set(site)):
        if site[name] == expected[name]:
            continue
        try:
            old, new = expected[name].decode("utf-8"), site[name].decode("utf-8")
        except UnicodeDecodeError:
            diffs.append(f"{name}: binary content differs")
            continue
        diffs.append("".join(difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), f"expected/{name}", f"built/{name}")))
    assert not diffs, "output differs from tests/golden/expected (UPDATE_GOLDEN=1 to accept):\n" + "\n".join(diffs)


def test_static_files_are_copied_unchanged(site):
    static = TEMPLATES / "static"
    for source in static.rglob("*"):
        if source.is_file():
            assert site["assets/" + source.relative_to(static).as_posix()] == source.read_bytes()


def test_build_is_deterministic(site, tmp_path):
    assert built(tmp_path / "again") == site


def test_rebuild_over_previous_output_is_identical(site, tmp_path):
    output = tmp_path / "site"
    first = built(output)
    assert built(output) == first == site


def test_draft_is_left_out_unless_asked_for(site, tmp_path):
    assert not any(b"planned visit" in data.lower() for data in site.values())
    with_drafts = built(tmp_path / "drafts", drafts=True)
    page = with_drafts["articles/draft-visit/index.html"].decode("utf-8")
    assert "A planned visit" in page and "Draft" in page
    assert b"draft-visit" in with_drafts["officials/wang-yi/index.html"]


def test_private_and_hidden_files_are_not_published(site):
    assert not any(name.startswith((".hidden", "articles/_notes")) for name in site)


def test_same_bytes_whatever_the_hash_seed_and_folder(site, tmp_path):
    from conftest import run_dossier

    for seed in ("1", "2"):
        content = tmp_path / f"copy-{seed}" / "content"
        shutil.copytree(CONTENT, content)
        # like the golden build, without the Pagefind bundle (tests/test_search.py checks its bytes)
        code, _, err = run_dossier("build", "--content", content, "--output", tmp_path / f"site-{seed}", "--no-search",
                                   cwd=tmp_path, env={"PYTHONHASHSEED": seed})
        assert code == 0, err
        assert snapshot(tmp_path / f"site-{seed}") == site


def datetimes(page: bytes, within: str = "") -> list[str]:
    import re
    text = page.decode("utf-8")
    if within:
        text = text[text.index(within):]
    return re.findall(r'<time datetime="([0-9-]+)">', text)


def sort_key(iso: str) -> tuple:
    from builder.dates import parse_date
    return parse_date(iso).sort_key


def test_timeline_has_every_dated_thing_oldest_first(site):
    found = datetimes(site["timeline/index.html"], "<main")
    # 3 articles, 2 signings, positions: Hashemi 1 start, Wang Yi 2 starts and 1 end, Li Lecheng 1 start.
    assert len(found) == 3 + 2 + 5
    assert found == sorted(found, key=sort_key)
    assert found.index("2024") < found.index("2024-08"), "a less precise date sorts first in its period"


def test_article_index_is_newest_first(site):
    found = datetimes(site["articles/index.html"], "<main")
    assert found == ["2025-05-13", "2022", "2021-03"]
    assert found == sorted(found, key=sort_key, reverse=True)


def test_partial_dates_read_naturally(site):
    page = site["articles/plan-signed/index.html"].decode("utf-8")
    assert '<time datetime="2021-03">March 2021</time>' in page
    assert "2021-03-01" not in page
    assert '<time datetime="2022">2022</time>' in site["articles/ict-year/index.html"].decode("utf-8")


def test_every_internal_link_resolves(site, tmp_path):
    from conftest import check_links

    for files in (site, built(tmp_path / "drafts", drafts=True)):
        checked, broken = check_links(files)
        assert checked > 300 and not broken, "\n".join(broken)
