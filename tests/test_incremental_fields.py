"""Edits of one record's fields (a title, a date, a name) take the incremental build's one-record path,
and still give exactly what a clean build gives."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from builder import deps, incremental, reresolve
from builder.incremental import Session
from builder.pipeline import BuildOptions, build
from builder.render import NEWEST_ON_HOME
from builder.resolve import Index
from serve_content import article, as_bytes, write_content
from test_incremental import _check_spellings, _shape

CLASHING = ["Abbas Araghchi", "Wang Yi", "Iran", "Cooperation", "Talks in Beijing"]
"""Titles that other records have or bodies write as wikilinks: other records must then resolve again."""


def fixture(root: Path) -> Path:
    """The preview tests' content with more articles than the home page lists."""
    write_content(root)
    for number in range(NEWEST_ON_HOME + 2):
        text = article(f"Report {number}", f"20{10 + number}-0{1 + number % 9}", ["wang-yi"], ["iran"], ["energy"],
                       f"Report {number} names [[Wang Yi]].\n")
        (root / "articles" / f"report-{number}.md").write_text(text, encoding="utf-8")
    return root


def generated(root: Path) -> Path:
    from bench.generate import generate

    generate(root, 30, 4)
    return root


class FieldEdits:
    """Random edits of one record's front matter or body, none of which adds, removes or moves a file.

    An edit that gives a record a name others use is undone by the next step."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.root, self.rng, self.count = root, rng, 0
        self.undo: tuple[Path, str] | None = None

    def step(self) -> Path:
        self.count += 1
        if self.undo is not None:
            path, text = self.undo
            path.write_text(text, encoding="utf-8")
            self.undo = None
            return path
        return self.rng.choice([self.title, self.title, self.title, self.date, self.summary, self.body, self.name])()

    def _pick(self, folder: str) -> Path:
        return self.rng.choice(sorted((self.root / folder).rglob("*.md")))

    def _sub(self, path: Path, pattern: str, line: str, clash: bool = False) -> Path:
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(pattern, lambda _: line, text, count=1, flags=re.M), encoding="utf-8")
        self.undo = (path, text) if clash else None
        return path

    def title(self) -> Path:
        clash = self.rng.random() < 0.25
        title = self.rng.choice(CLASHING) if clash else self.rng.choice(["Ünïcode Title", f"Retitled {self.count}"])
        return self._sub(self._pick("articles"), r"^title: .*$", f'title: "{title}"', clash)

    def date(self) -> Path:
        date = self.rng.choice(["2001", "2019-04", "2026-11-02", "2030-01-15"])
        return self._sub(self._pick("articles"), r"^date: .*$", f"date: {date}")

    def summary(self) -> Path:
        return self._sub(self._pick("articles"), r"^summary: .*$", f'summary: "Summary {self.count}."')

    def body(self) -> Path:
        path = self._pick("articles")
        with path.open("a", encoding="utf-8") as f:
            f.write(f"\nParagraph {self.count}.\n")
        return path

    def name(self) -> Path:
        name = self.rng.choice(["Wang Yi", "Abbas Araghchi", f"Person {self.count}"])
        return self._sub(self._pick("officials"), r"^name: .*$", f'name: "{name}"', clash=True)


def counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the calls of the resolver's whole-graph path."""
    calls = [0]
    whole = reresolve.Resolver.__call__

    def call(self, *args, **kwargs):
        calls[0] += 1
        return whole(self, *args, **kwargs)

    monkeypatch.setattr(reresolve.Resolver, "__call__", call)
    return calls


@pytest.mark.parametrize(("make", "seed", "steps"), [(fixture, 1, 30), (fixture, 2, 30), (generated, 3, 12)])
def test_random_field_edits_equal_a_clean_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make, seed: int,
                                                steps: int) -> None:
    root = make(tmp_path / "content")
    options = BuildOptions(root, None)
    session, edits = Session(options), FieldEdits(root, random.Random(seed))
    last = session.update()
    whole = counting(monkeypatch)
    for number in range(steps):
        path = edits.step()
        update, clean = session.update([path]), build(options)
        where = f"seed {seed}, step {number}, {path.relative_to(root)}"
        assert [d.text() for d in update.diagnostics] == [d.text() for d in clean.diagnostics], where
        assert update.ok == clean.ok, where
        if clean.ok:
            assert _shape(update.graph) == _shape(clean.graph), where
            expected, served = as_bytes(clean.files), as_bytes(update.files)
            assert sorted(n for n in expected.keys() | served.keys() if served.get(n) != expected.get(n)) == [], where
            resolver = session._resolver
            fresh = Index(list(resolver._records.values()))
            assert resolver._index.by_name == {k: v for k, v in fresh.by_name.items() if v}, where
            _check_spellings(session, where)
            key = (path.relative_to(root).parts[0], path.stem)  # the one record that differs from the last good graph
            assert deps.affected(last.graph, update.graph, None, {key}) == deps.affected(last.graph, update.graph), where
            last = update
    assert whole[0] < steps // 2  # most edits took the one-record path


def test_a_title_edit_resolves_nothing_but_the_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = fixture(tmp_path / "content")
    options = BuildOptions(root, None)
    session = Session(options)
    session.update()

    def refuse(*_args, **_kwargs):
        raise AssertionError("the whole graph was linked again")

    monkeypatch.setattr(incremental, "link", refuse)
    path = root / "articles" / "report-3.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Report 3", "A quieter headline"), encoding="utf-8")
    update = session.update([path])
    assert update.ok and "articles/index.html" in update.changed
    assert as_bytes(update.files) == as_bytes(build(options).files)


@pytest.mark.parametrize("title", ["Abbas Araghchi", "Wang Yi"])
def test_a_title_that_another_body_names_makes_its_wikilinks_ambiguous(tmp_path: Path, title: str) -> None:
    root = fixture(tmp_path / "content")
    options = BuildOptions(root, None)
    session = Session(options)
    good = as_bytes(session.update().files)
    path = root / "articles" / "2024" / "mou.md"
    path.write_text(path.read_text(encoding="utf-8").replace("An MoU on trade", title), encoding="utf-8")
    update = session.update([path])
    assert not update.ok
    assert [d.text() for d in update.diagnostics] == [d.text() for d in build(options).diagnostics]
    assert f"wikilink [[{title}]] is ambiguous" in " ".join(d.text() for d in update.diagnostics)
    assert as_bytes(update.files) == good
    path.write_text(path.read_text(encoding="utf-8").replace(title, "An MoU on trade"), encoding="utf-8")
    assert session.update([path]).ok


def test_date_and_title_edits_move_an_article_onto_and_off_the_home_page(tmp_path: Path) -> None:
    root = fixture(tmp_path / "content")
    options = BuildOptions(root, None)
    session = Session(options)
    session.update()
    path = root / "articles" / "2024" / "mou.md"
    text = path.read_text(encoding="utf-8")
    for date, title in [("1990", "An MoU"), ("1991", "An MoU"), ("2099", "An MoU"), ("2099", "Front page news"),
                        ("2098", "Front page news"), ("1990", "Back page news"), ("1990", "Still back")]:
        path.write_text(text.replace("date: 2024", f"date: {date}").replace("An MoU on trade", title), encoding="utf-8")
        home = as_bytes(session.update([path]).files)["index.html"]
        assert (title.encode() in home) == date.startswith("20"), (date, title)
        assert home == as_bytes(build(options).files)["index.html"], (date, title)
