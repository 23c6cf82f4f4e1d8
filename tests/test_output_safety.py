"""The output folder is never a weapon: refused where it could destroy something, atomic when killed.

``dossier build --output`` must refuse the content folder (and any folder
around it), a repository's root, the home folder, ``/`` and any non-empty folder
that dossier did not write. A build killed with SIGKILL at any moment leaves the
previous output exactly as it was (or, past the swap, the new one whole), and
the next build removes the temporary folders killed builds left behind.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.generate import generate
from builder.write import MARKER

SITE_YAML = "title: Output safety\nbase_url: https://example.org/\n"
COUNTRY = "---\nname: Iran\n---\n"


def _dossier(*args: str | Path, cwd: Path, home: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    if home is not None:
        env["HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "builder", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


def _content(root: Path) -> Path:
    (root / "content" / "countries").mkdir(parents=True)
    (root / "content" / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    (root / "content" / "countries" / "iran.md").write_text(COUNTRY, encoding="utf-8")
    return root / "content"


def _tree(folder: Path) -> dict[str, str]:
    """Every entry under ``folder``: a file's hash, or 'dir' for a folder."""
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*"))}


def _refused(result: subprocess.CompletedProcess, words: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("dossier: error: refusing") or result.stderr.startswith("dossier: error: /"), result.stderr
    assert words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("output", ["content", "content/site", ".", "content/countries"])
def test_refuses_the_content_folder_and_folders_around_it(tmp_path: Path, output: str) -> None:
    content = _content(tmp_path)
    before = _tree(tmp_path)
    _refused(_dossier("build", "--content", content, "--output", output, cwd=tmp_path), "content folder")
    assert _tree(tmp_path) == before


def test_refuses_a_repository_root(tmp_path: Path) -> None:
    content = _content(tmp_path / "elsewhere")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    before = _tree(tmp_path)
    _refused(_dossier("build", "--content", content, "--output", repo, cwd=tmp_path), "repository")
    assert _tree(tmp_path) == before


def test_refuses_the_home_folder_even_when_empty(tmp_path: Path) -> None:
    content = _content(tmp_path / "work")
    home = tmp_path / "home"
    home.mkdir()
    _refused(_dossier("build", "--content", content, "--output", home, cwd=tmp_path / "work", home=home), str(home))
    assert list(home.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["home", "work"]


def test_refuses_the_root_folder(tmp_path: Path) -> None:
    content = _content(tmp_path)
    before = sorted(os.listdir("/"))
    _refused(_dossier("build", "--content", content, "--output", "/", cwd=tmp_path), "folder of its own")
    assert sorted(os.listdir("/")) == before


def test_refuses_a_folder_it_did_not_write(tmp_path: Path) -> None:
    content = _content(tmp_path)
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "holiday.jpg").write_bytes(b"precious")
    result = _dossier("build", "--content", content, "--output", foreign, cwd=tmp_path)
    assert result.returncode == 2 and "was not written by dossier" in result.stderr, result.stderr
    assert _tree(foreign) == {"holiday.jpg": hashlib.sha256(b"precious").hexdigest()}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "photos"], "no temporary folder"


def test_refuses_a_file(tmp_path: Path) -> None:
    content = _content(tmp_path)
    (tmp_path / "notes.txt").write_text("keep me")
    result = _dossier("build", "--content", content, "--output", "notes.txt", cwd=tmp_path)
    assert result.returncode == 2 and "is not a folder" in result.stderr
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_writes_into_an_empty_folder_then_replaces_only_its_own(tmp_path: Path) -> None:
    content = _content(tmp_path)
    (tmp_path / "site").mkdir()
    assert _dossier("build", "--content", content, "--output", "site", cwd=tmp_path).returncode == 0
    assert (tmp_path / "site" / MARKER).is_file() and (tmp_path / "site" / "index.html").is_file()
    (tmp_path / "site" / "stray.txt").write_text("left by hand")
    (content / "countries" / "china.md").write_text("---\nname: China\n---\n", encoding="utf-8")
    assert _dossier("build", "--content", content, "--output", "site", cwd=tmp_path).returncode == 0
    assert (tmp_path / "site" / "countries" / "china" / "index.html").is_file()
    assert not (tmp_path / "site" / "stray.txt").exists(), "the marked folder is replaced whole"
    (tmp_path / "site" / MARKER).unlink()
    result = _dossier("build", "--content", content, "--output", "site", cwd=tmp_path)
    assert result.returncode == 2, "without the marker the folder is no longer dossier's"


# --- killed builds -----------------------------------------------------------------------------

ARTICLES = 200
"""Enough that a build takes about a second."""
KILLS = 6


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> dict:
    """A folder with a built site (the previous output) and content changed since; and what that content builds to."""
    work = tmp_path_factory.mktemp("kill")
    generate(work / "content", ARTICLES)
    started = time.monotonic()
    assert _dossier("build", "--content", "content", "--output", "site", cwd=work).returncode == 0
    duration = time.monotonic() - started
    previous = _tree(work / "site")
    story = next((work / "content" / "articles").rglob("*.md"))
    story.write_text(story.read_text(encoding="utf-8") + "\nA sentence added since.\n", encoding="utf-8")
    assert _dossier("build", "--content", "content", "--output", "next-site", "--no-cache", cwd=work).returncode == 0
    following = _tree(work / "next-site")
    assert following != previous
    shutil.rmtree(work / "next-site")
    shutil.rmtree(work / ".dossier-cache", ignore_errors=True)
    return {"work": work, "duration": duration, "previous": previous, "next": following}


@pytest.fixture
def dossier(template: dict, tmp_path: Path) -> dict:
    """A fresh copy of the template for one test."""
    shutil.copytree(template["work"], tmp_path / "work")
    return dict(template, work=tmp_path / "work")


def _leftovers(work: Path) -> list[str]:
    return sorted(p.name for p in work.iterdir() if p.name.startswith((".site.tmp-", ".site.old-")))


def test_sigkill_at_random_moments_leaves_the_previous_output_whole(dossier: dict) -> None:
    work, duration = dossier["work"], dossier["duration"]
    seed = int(os.environ.get("KILL_SEED", time.time_ns() % 100_000))
    rng = random.Random(seed)
    killed = tries = 0
    while killed < KILLS and tries < 3 * KILLS:
        # One moment in each of KILLS equal slices of the build, so early and late kills both happen.
        delay = duration * (0.2 + 0.9 * (killed + rng.random()) / KILLS)
        process = subprocess.Popen([sys.executable, "-m", "builder", "build", "--content", "content", "--output", "site"],
                                   cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGKILL)  # the build and any worker processes, as kill -9 on the job would
        tries += 1
        if process.wait() == -signal.SIGKILL:
            killed += 1
        else:  # the build finished first: the machine is faster now than when it was timed
            duration *= 0.7
        state = _tree(work / "site")
        assert state in (dossier["previous"], dossier["next"]), f"seed {seed}: a kill after {delay:.2f}s left a mixed site"
    assert killed >= KILLS // 2, f"seed {seed}: only {killed} of {tries} builds were still running when killed"
    _assert_next_build_cleans_up(work, dossier["next"])


@pytest.mark.parametrize("moment", ["while writing files", "right after the swap", "while removing the old site"])
def test_sigkill_at_the_dangerous_moments(dossier: dict, moment: str) -> None:
    """The same, killed exactly where it matters, by a build that kills itself there."""
    work = dossier["work"]
    result = subprocess.run([sys.executable, "-c", _SELF_KILLING, moment], cwd=work, capture_output=True, text=True, timeout=300)
    assert result.returncode == -signal.SIGKILL, result.stderr
    after = _tree(work / "site")
    assert after == (dossier["previous"] if moment == "while writing files" else dossier["next"])
    assert _leftovers(work), "the killed build left its temporary folder, for the next build to remove"
    _assert_next_build_cleans_up(work, dossier["next"])


def _assert_next_build_cleans_up(work: Path, expected: dict[str, str]) -> None:
    result = _dossier("build", "--content", "content", "--output", "site", cwd=work)
    assert result.returncode == 0, result.stderr
    assert _tree(work / "site") == expected
    assert _leftovers(work) == []


_SELF_KILLING = """
import os, shutil, signal, sys
from builder import cli, pipeline, write

moment = sys.argv[1]
die = lambda: os.kill(os.getpid(), signal.SIGKILL)
if moment == "while writing files":
    original_put = write.Staging.put
    puts = [0]
    main = os.getpid()
    def put(self, name, content):  # called in the render workers too: the whole build dies
        puts[0] += 1
        if puts[0] == 75:
            os.kill(main, signal.SIGKILL)
            die()
        return original_put(self, name, content)
    write.Staging.put = put
elif moment == "right after the swap":
    original_exchange = write._exchange
    def exchange(a, b):
        original_exchange(a, b)
        die()
    write._exchange = exchange
else:
    original_rmtree = shutil.rmtree
    def rmtree(path, *args, **kwargs):
        original_rmtree(os.path.join(path, "articles"), *args, **kwargs)
        die()
    write.shutil.rmtree = rmtree
cli.main(["build", "--content", "content", "--output", "site"])
"""
