"""One broken content folder per validation rule, with its diagnostics compared exactly.

Layout: ``tests/invalid/RULE/content/`` is the content folder and
``tests/invalid/RULE/expected.txt`` is the exact stderr of ``dossier build``
and ``dossier check`` run with the current folder set to (a copy of)
``tests/invalid/RULE`` (so every path in it starts with ``content/``), including the closing
summary line. A build must exit 1 and leave a previous output folder exactly
as it was.

To regenerate expected.txt after an intended change of wording, run
``UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_invalid.py`` and
review the diff before committing it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from builder import cli
from builder.write import MARKER
from conftest import run_dossier, snapshot

INVALID = Path(__file__).resolve().parent / "invalid"
CASES = sorted(p.name for p in INVALID.iterdir() if (p / "content").is_dir())
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def previous_site(folder: Path) -> dict[str, bytes]:
    """An output folder as an earlier build left it."""
    (folder / "articles").mkdir(parents=True)
    (folder / MARKER).write_text("written by dossier\n")
    (folder / "index.html").write_text("<p>previous build</p>\n")
    (folder / "articles" / "index.html").write_text("<p>previous articles</p>\n")
    return snapshot(folder)


def run_in(case: Path, argv: list[str], capsys, monkeypatch) -> tuple[int, str, str]:
    monkeypatch.chdir(case)
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_there_is_a_folder_per_rule():
    assert len(CASES) >= 40


@pytest.mark.parametrize("name", CASES)
def test_invalid_folder(name, tmp_path, capsys, monkeypatch):
    # Run in a copy, so nothing a build leaves beside its content (a cache) lands in the repository.
    case = tmp_path / name
    shutil.copytree(INVALID / name / "content", case / "content")
    output = tmp_path / "site"
    before = previous_site(output)
    code, out, err = run_in(case, ["build", "--content", "content", "--output", str(output)], capsys, monkeypatch)
    expected_file = INVALID / name / "expected.txt"
    if UPDATE:
        expected_file.write_text(err, encoding="utf-8")
    assert err == expected_file.read_text(encoding="utf-8")
    assert (code, out) == (1, "")
    assert snapshot(output) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, "site"]), "no temporary folder is left behind"
    assert "Traceback" not in err

    code, out, check_err = run_in(case, ["check", "--content", "content"], capsys, monkeypatch)
    assert (code, out, check_err) == (1, "", err)


def test_every_problem_of_a_run_is_reported_at_once():
    lines = (INVALID / "many-errors" / "expected.txt").read_text(encoding="utf-8").splitlines()
    files = {line.split(":", 1)[0] for line in lines if ": error: " in line}
    assert len(files) >= 6 and len(lines) >= 11


def test_through_the_real_command_line(tmp_path):
    """The same diagnostics from ``python -m builder`` in a subprocess."""
    case = tmp_path / "many-errors"
    shutil.copytree(INVALID / "many-errors" / "content", case / "content")
    output = tmp_path / "site"
    before = previous_site(output)
    code, out, err = run_dossier("build", "--content", "content", "--output", output, cwd=case)
    assert (code, out) == (1, "")
    assert err == (INVALID / "many-errors" / "expected.txt").read_text(encoding="utf-8")
    assert snapshot(output) == before
