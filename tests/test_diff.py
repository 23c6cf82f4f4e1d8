"""``dossier diff``: the review digest of a change, on a git repository made commit by commit."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from builder import cli

FIXTURE = Path(__file__).parent / "data" / "contrib-site"

if shutil.which("git") is None:  # pragma: no cover - git comes with every CI image
    if os.environ.get("CI"):
        pytest.fail("git is needed for dossier diff", pytrace=False)
    pytest.skip("git is not installed", allow_module_level=True)

NEW_ARTICLE = """---
title: Zarif in Beijing
date: 2021-04
officials: [mohammad-javad-zarif]
countries: [china]
sources:
  - title: Zarif in Beijing
    publisher: Example News
---

[[Mohammad Javad Zarif]] met [[Wang Yi]].
"""


def git(repo: Path, *args: str) -> None:
    env = dict(os.environ, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false", *args],
                   cwd=repo, env=env, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    """Two commits: the fixture dossier, then an article added, one removed and an official edited."""
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE, repo / "content")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    content = repo / "content"
    (content / "articles" / "zarif-in-beijing.md").write_text(NEW_ARTICLE, encoding="utf-8")
    (content / "articles" / "document-signed.md").unlink()
    official = content / "officials" / "wang-yi.md"
    official.write_text(official.read_text(encoding="utf-8").replace("name: Wang Yi\n", "name: Wang Yi\nnative_name: 王毅\n")
                        + "\nChina's foreign minister.\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "change")
    monkeypatch.chdir(repo)
    return repo


def digest(capsys, *args: str) -> str:
    assert cli.main(["diff", *args]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


def test_digest_between_two_commits(repo, capsys):
    out = digest(capsys, "HEAD~1", "HEAD")
    head, pages = out.split("### Pages\n")
    assert head == """## Dossier changes: `HEAD~1` → `HEAD`

**1 record added, 1 removed, 1 changed · 4 references added, 5 removed · 0 new problems · 22 pages will change**

### Records added

- `articles/zarif-in-beijing`: article “Zarif in Beijing”

### Records removed

- `articles/document-signed`: article “Iran and China sign a 25-year document”

### Records changed

- `officials/wang-yi`: native_name, body

### References added

- `articles/zarif-in-beijing` → `countries/china` (countries)
- `articles/zarif-in-beijing` → `officials/mohammad-javad-zarif` (mention)
- `articles/zarif-in-beijing` → `officials/mohammad-javad-zarif` (officials)
- `articles/zarif-in-beijing` → `officials/wang-yi` (mention)

### References removed

- `articles/document-signed` → `agreements/iran-china-25-year-cooperation` (agreements)
- `articles/document-signed` → `countries/china` (countries)
- `articles/document-signed` → `countries/iran` (countries)
- `articles/document-signed` → `officials/wang-yi` (mention)
- `articles/document-signed` → `officials/wang-yi` (officials)

"""
    listed = pages.splitlines()
    assert "- added: `articles/zarif-in-beijing/index.html`" in listed
    assert "- removed: `articles/document-signed/index.html`" in listed
    for page in ("officials/wang-yi/index.html", "countries/iran/index.html", "articles/index.html", "feed.xml"):
        assert f"- changed: `{page}`" in listed
    assert "- changed: `countries/index.html`" not in listed  # nothing it shows changed
    assert len([line for line in listed if line.startswith("- ")]) == 22  # with feeds, local graphs and graph data


def test_working_tree_against_head_reports_new_problems(repo, capsys):
    article = repo / "content" / "articles" / "zarif-in-beijing.md"
    article.write_text(NEW_ARTICLE.replace("[mohammad-javad-zarif]", "[mohammad-javad-zarif, wang-yl]"), encoding="utf-8")
    assert digest(capsys) == """## Dossier changes: `HEAD` → working tree

**0 records added, 0 removed, 1 changed · 0 references added, 0 removed · 1 new problem**

### Records changed

- `articles/zarif-in-beijing`: officials

### New problems

- `content/articles/zarif-in-beijing.md:4:35` error `unknown-reference`: unknown officials reference 'wang-yl': no such slug among officials (did you mean 'wang-yi'?)

### Pages

Not computed: the new version has errors, so it does not build.
"""


def test_no_change(repo, capsys):
    assert digest(capsys, "HEAD") == "## Dossier changes: `HEAD` → working tree\n\nNo change to the dossier's records, references, problems or pages.\n"


def test_a_problem_that_only_moved_is_not_new(repo, capsys):
    official = repo / "content" / "officials" / "mohammad-javad-zarif.md"
    official.write_text("---\nname: Mohammad Javad Zarif\ncountry: iran\n---\n\nSee [[Nobody]].\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "broken")
    official.write_text("---\nname: Mohammad Javad Zarif\ncountry: iran\n---\n\nIntro.\n\nSee [[Nobody]].\n", encoding="utf-8")
    out = digest(capsys)
    assert "**0 records added, 0 removed, 1 changed · 0 references added, 0 removed · 0 new problems**" in out
    assert "New problems" not in out


def test_drafts_are_records_too(repo, capsys):
    (repo / "content" / "articles" / "plans.md").write_text(NEW_ARTICLE.replace("date: 2021-04", "date: 2021-04\ndraft: true"), encoding="utf-8")
    out = digest(capsys)
    assert "- `articles/plans`: article “Zarif in Beijing” (draft)" in out
    assert "### Pages" not in out  # a draft is not published: no page changes


def test_content_in_another_folder_of_the_repository(repo, capsys):
    git(repo, "mv", "content", "dossier")
    git(repo, "commit", "-q", "-m", "move")
    assert "No change to the dossier's records" in digest(capsys, "HEAD", "--content", "dossier")
    before_the_move = digest(capsys, "HEAD~1", "HEAD", "--content", "dossier")
    assert "**7 records added, 0 removed, 0 changed" in before_the_move
    assert before_the_move.endswith("Not computed: the old version has errors, so it does not build.\n")


def test_unknown_revision_is_a_usage_error(repo, capsys):
    assert cli.main(["diff", "no-such-branch"]) == 2
    assert capsys.readouterr().err == "dossier: error: unknown revision 'no-such-branch'\n"


def test_outside_a_repository(tmp_path, monkeypatch, capsys):
    shutil.copytree(FIXTURE, tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert cli.main(["diff"]) == 2
    assert capsys.readouterr().err.startswith("dossier: error: ")


def test_site_settings_that_changed(repo, capsys):
    (repo / "content" / "site.yaml").write_text("title: Renamed\nbase_url: https://example.org/dossier/\nlanguage: fa\n", encoding="utf-8")
    out = digest(capsys)
    assert "### Site settings changed\n\n- `title`\n- `language`\n" in out
    assert "- changed: `index.html`" in out
