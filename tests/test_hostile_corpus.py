"""The hostile-input corpus: every case builds to exactly its expected diagnostics, never a traceback.

Each folder of tests/hostile/ is one case: its ``content/`` files laid over
``_base/content`` (a site.yaml and one country), ``expected.txt`` (what the
build prints on stderr) and ``exit-status``. Inputs too large to commit, and
those a file system or git could mangle (case-colliding names, symbolic links),
are written by the generators below. Builds run in a subprocess with a cap on
address space, so a case that exhausts memory fails instead of slowing the
machine. ``UPDATE_EXPECTED=1`` rewrites the expected files; read the diff.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

HOSTILE = Path(__file__).parent / "hostile"
BASE = HOSTILE / "_base" / "content"
CASES = sorted(p.name for p in HOSTILE.iterdir() if p.is_dir() and not p.name.startswith("_"))
MEMORY_CAP = 1 << 30
"""Address space a build may use, in bytes: an alias bomb expanded would need far more."""
PAGES = re.compile(r", \d+ pages\)$", re.M)

HEADER = (
    "---\ntitle: {title}\ndate: 2024-05-01\ncountries: [iran]\nsources:\n"
    "  - title: A report\n    url: https://example.org/report\n---\n\n"
)


def _huge_body(work: Path) -> None:
    """An article of 20 MB, over the 8 MiB file limit."""
    paragraph = ("All work and no play makes a very long body. " * 20 + "\n\n").encode()
    (work / "content/articles").mkdir(exist_ok=True)
    with open(work / "content/articles/huge.md", "wb") as out:
        out.write(HEADER.format(title="A twenty megabyte body").encode())
        for _ in range(20 * 1024 * 1024 // len(paragraph) + 1):
            out.write(paragraph)


def _deep_block(work: Path) -> None:
    """A list nested 2,000 levels deep in block style (the flow-style one is committed)."""
    lines = ["---", "title: Deep in block style", "date:"] + [" " * i + "-" for i in range(1, 2001)] + ["---", ""]
    (work / "content/articles/deep-block.md").write_text("\n".join(lines), encoding="utf-8")


def _case_colliding(work: Path) -> None:
    folder = work / "content/officials"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "wang-yi.md").write_text("---\nname: Wang Yi\ncountry: iran\n---\n", encoding="utf-8")
    if (folder / "Wang-Yi.md").exists():
        _cannot("this file system does not tell Wang-Yi.md from wang-yi.md")
    (folder / "Wang-Yi.md").write_text("---\nname: Wang Yi\ncountry: iran\n---\n", encoding="utf-8")


def _invisible_file_name(work: Path) -> None:
    (work / "content/articles/wang\u200byi.md").write_text(HEADER.format(title="Zero width"), encoding="utf-8")


def _symlinks_outside(work: Path) -> None:
    outside = work / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "secret.md").write_text(HEADER.format(title="Secret from outside"), encoding="utf-8")
    (outside / "folder" / "also-secret.md").write_text(HEADER.format(title="Also secret"), encoding="utf-8")
    articles = work / "content/articles"
    articles.mkdir(parents=True, exist_ok=True)
    try:
        (articles / "leak.md").symlink_to(outside / "secret.md")
        (articles / "folder").symlink_to(outside / "folder", target_is_directory=True)
        (articles / "gone.md").symlink_to(outside / "deleted.md")
        (work / "content/passwd.txt").symlink_to("/etc/passwd")
    except OSError as exc:
        _cannot(f"symbolic links cannot be made here: {exc}")


def _many_wikilinks(work: Path) -> None:
    """100,000 wikilinks in one body, ten to a line."""
    body = "[[Iran]] " * 9 + "[[iran]]\n"
    text = HEADER.format(title="A hundred thousand links") + body * 10_000
    (work / "content/articles").mkdir(exist_ok=True)
    (work / "content/articles/many-links.md").write_text(text, encoding="utf-8")


GENERATORS: dict[str, Callable[[Path], None]] = {
    "huge-body": _huge_body,
    "deep-nesting": _deep_block,
    "case-colliding-names": _case_colliding,
    "invisible-characters": _invisible_file_name,
    "symlink-outside": _symlinks_outside,
    "many-wikilinks": _many_wikilinks,
}


def _cannot(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def _build(work: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "builder", "build", "--content", "content", "--output", "site"],
        cwd=work, env=env, capture_output=True, text=True, encoding="utf-8", timeout=300,
        preexec_fn=_limit_memory if os.name == "posix" else None,
    )


def _prepare(case: str, work: Path) -> None:
    shutil.copytree(BASE, work / "content")
    if (HOSTILE / case / "content").is_dir():
        shutil.copytree(HOSTILE / case / "content", work / "content", dirs_exist_ok=True)
    if case in GENERATORS:
        GENERATORS[case](work)


def test_the_corpus_has_every_case_the_issue_lists() -> None:
    wanted = {
        "bom", "crlf", "mixed-line-endings", "tabs-in-yaml", "not-utf8", "empty-file", "front-matter-only",
        "no-front-matter", "unclosed-front-matter", "huge-body", "deep-nesting", "alias-bomb", "yaml-tags",
        "duplicate-keys", "impossible-dates", "parent-cycle", "self-reference", "case-colliding-names",
        "invisible-characters", "symlink-outside", "long-line", "many-wikilinks",
    }
    assert wanted <= set(CASES)
    for case in CASES:
        assert (HOSTILE / case / "expected.txt").is_file() and (HOSTILE / case / "exit-status").is_file(), case


@pytest.mark.parametrize("case", CASES)
def test_hostile_case(case: str, tmp_path: Path) -> None:
    work = tmp_path
    _prepare(case, work)
    result = _build(work)
    assert "Traceback" not in result.stderr, result.stderr
    printed = PAGES.sub(", N pages)", result.stderr)
    expected_file, status_file = HOSTILE / case / "expected.txt", HOSTILE / case / "exit-status"
    if os.environ.get("UPDATE_EXPECTED"):
        expected_file.write_text(printed, encoding="utf-8")
        status_file.write_text(f"{result.returncode}\n")
    assert printed == expected_file.read_text(encoding="utf-8")
    assert result.returncode == int(status_file.read_text())
    assert not (work / "hostile-pwned").exists(), "a YAML tag ran code"
    if result.returncode == 0:
        _assert_every_record_published(work)
    else:
        assert not (work / "site").exists(), "a failed build wrote output"


def _assert_every_record_published(work: Path) -> None:
    """Each record file of the case has its page, showing its title or name as written."""
    for path in (work / "content").rglob("*.md"):
        type_ = path.relative_to(work / "content").parts[0]
        page = work / "site" / type_ / path.stem / "index.html"
        assert page.is_file(), page
        text = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
        label = re.search(r"^(?:title|name): (.+)$", text, re.M).group(1)
        assert label in page.read_text(encoding="utf-8"), f"{label[:40]} not on {page}"
