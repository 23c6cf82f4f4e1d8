"""``dossier check --format text|github|json`` and ``--strict``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from builder import cli
from builder.diagnostics import Diagnostic, Location
from builder.formats import escape_data, escape_property, github, strict

FIXTURE = Path(__file__).parent / "data" / "contrib-site"

BROKEN_ARTICLE = """---
title: Zarif meets Wang Yi
date: 2021-13-01
officials: [wang-yi, mohammad-javad-zarf]
countries: [iran, china]
---

Zarif met [[Wang Yi]].
"""
"""A pull request as a contributor might make it: a bad date, a slug typo, no source."""


@pytest.fixture
def broken(tmp_path, monkeypatch) -> Path:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    (content / "articles" / "zarif-meets-wang-yi.md").write_text(BROKEN_ARTICLE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return content


def test_github_format_points_at_each_problem_inline(broken, capsys):
    assert cli.main(["check", "--format", "github"]) == 1
    out, err = capsys.readouterr()
    path = "content/articles/zarif-meets-wang-yi.md"
    assert out.splitlines() == [
        f"::error file={path},line=1,col=1,title=missing-key::missing required key 'sources'",
        f"::error file={path},line=3,col=7,title=bad-date::bad date: '2021-13-01' has month 13; months run 01 to 12",
        f"::error file={path},line=4,col=22,title=unknown-reference::unknown officials reference "
        "'mohammad-javad-zarf': no such slug among officials (did you mean 'mohammad-javad-zarif'?)",
    ]
    assert err == "dossier: 3 errors, 0 warnings\n"


def test_json_format_lists_every_field(broken, capsys):
    assert cli.main(["check", "--format", "json"]) == 1
    items = json.loads(capsys.readouterr().out)
    assert [(i["line"], i["column"], i["code"]) for i in items] == [(1, 1, "missing-key"), (3, 7, "bad-date"), (4, 22, "unknown-reference")]
    assert items[2] == {
        "path": "content/articles/zarif-meets-wang-yi.md",
        "line": 4,
        "column": 22,
        "severity": "error",
        "code": "unknown-reference",
        "message": "unknown officials reference 'mohammad-javad-zarf': no such slug among officials",
        "hint": "did you mean 'mohammad-javad-zarif'?",
    }


def test_text_format_is_the_default_and_goes_to_stderr(broken, capsys):
    assert cli.main(["check"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines()[1] == "content/articles/zarif-meets-wang-yi.md:3:7: error: bad date: '2021-13-01' has month 13; months run 01 to 12"


def test_valid_content_prints_an_empty_json_list(tmp_path, monkeypatch, capsys):
    shutil.copytree(FIXTURE, tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_strict_turns_warnings_into_errors(tmp_path, monkeypatch, capsys):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    (content / "site.yaml").write_text("title: No base URL\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check", "--format", "github"]) == 0
    assert capsys.readouterr().out.startswith("::warning file=content/site.yaml,line=1,col=1,title=no-base-url::")
    assert cli.main(["check", "--format", "github", "--strict"]) == 1
    assert capsys.readouterr().out.startswith("::error file=content/site.yaml,line=1,col=1,title=no-base-url::")
    assert cli.main(["check", "--strict"]) == 1
    assert "content/site.yaml:1:1: error: no base_url" in capsys.readouterr().err


def test_unknown_format_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        cli.main(["check", "--format", "xml"])
    assert exc.value.code == 2


def test_escaping_follows_the_workflow_command_rules():
    assert escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert escape_property("dir:a,b%\n") == "dir%3Aa%2Cb%25%0A"


def test_github_escapes_paths_and_messages(tmp_path):
    odd = Diagnostic(Location(tmp_path / "a,b:c.md", 2, 3), "50% of\nit", "bad-value", severity="warning", hint="x: y")
    assert github([odd], cwd=tmp_path) == "::warning file=a%2Cb%3Ac.md,line=2,col=3,title=bad-value::50%25 of%0Ait (x: y)\n"


def test_strict_keeps_everything_but_the_severity(tmp_path):
    warning = Diagnostic(Location(tmp_path / "a.md"), "m", "self-reference", "warning", "h")
    assert strict([warning]) == [Diagnostic(Location(tmp_path / "a.md"), "m", "self-reference", "error", "h")]


def test_a_record_with_errors_is_still_resolved(tmp_path, monkeypatch, capsys):
    """A bad file's references are checked too, and references to it are not called unknown."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    official = (content / "officials" / "wang-yi.md").read_text(encoding="utf-8")
    (content / "officials" / "wang-yi.md").write_text(official.replace("Wang Yi", "Wang Yi\nborn: 1953"), encoding="utf-8")
    (content / "organizations" / "china-mfa.md").write_text("---\nname: MFA\ncountry: chna\nkind: [ministry]\n---\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check", "--format", "json"]) == 1
    found = [(i["path"], i["line"], i["code"]) for i in json.loads(capsys.readouterr().out)]
    assert found == [
        ("content/officials/wang-yi.md", 3, "unknown-key"),
        ("content/organizations/china-mfa.md", 3, "unknown-reference"),
        ("content/organizations/china-mfa.md", 4, "bad-type"),
    ]
