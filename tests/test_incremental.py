"""Incremental builds: after any sequence of edits, the site equals a clean build of the same content."""

from __future__ import annotations

import random
import re
import shutil
import struct
from pathlib import Path

import pytest

from builder import deps
from builder.incremental import Session
from builder.pipeline import BuildOptions, build
from builder.render import TEMPLATES
from serve_content import as_bytes, write_content

TAGS = ["diplomacy", "trade", "energy", "ai", "space"]


def png(width: int, height: int) -> bytes:
    """The first bytes of a PNG file of that size: enough for its size to be read."""
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", width, height) + bytes(9)


class Dossier:
    """A content folder and a templates folder that random edits are applied to."""

    def __init__(self, tmp: Path, rng: random.Random) -> None:
        self.root = write_content(tmp / "content")
        self.templates = tmp / "templates"
        shutil.copytree(TEMPLATES, self.templates)
        self.rng = rng
        self.broken: dict[Path, str] = {}
        self.count = 0

    def articles(self) -> list[Path]:
        return sorted(p for p in (self.root / "articles").rglob("*.md") if p not in self.broken)

    def records(self, folder: str) -> list[Path]:
        return sorted(p for p in (self.root / folder).rglob("*.md") if p not in self.broken)

    def step(self) -> list[Path]:
        """Apply one random edit; return the paths it touched."""
        self.count += 1
        ops = [self.edit_title, self.edit_body, self.edit_date, self.edit_tags, self.add_article,
               self.delete_article, self.rename_article, self.toggle_draft, self.rename_person,
               self.rename_country, self.edit_template, self.edit_asset, self.break_or_fix,
               self.move_position, self.edit_stylesheet, self.link_article, self.set_photo, self.resize_image,
               self.toggle_mention, self.toggle_mention]
        op = self.rng.choice(ops)
        touched = op()
        return touched if touched is not None else self.add_article()

    def _sub(self, path: Path, pattern: str, repl: str) -> list[Path]:
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(pattern, repl, text, count=1, flags=re.M), encoding="utf-8")
        return [path]

    def _pick(self, paths: list[Path]) -> Path | None:
        return self.rng.choice(paths) if paths else None

    def edit_title(self):
        if p := self._pick(self.articles()):
            return self._sub(p, r"^title: .*$", f'title: "Retitled {self.count}"')

    def edit_body(self):
        if p := self._pick(self.articles() + self.records("officials")):
            with p.open("a", encoding="utf-8") as f:
                f.write(f"\nA new paragraph {self.count}.\n")
            return [p]

    def edit_date(self):
        if p := self._pick(self.articles()):
            date = self.rng.choice(["2019", "2022-05", "2023-11-02", "2025-01-15"])
            return self._sub(p, r"^date: .*$", f"date: {date}")

    def edit_tags(self):
        if p := self._pick(self.articles()):
            tags = self.rng.sample(TAGS, self.rng.randrange(0, 3))
            text = re.sub(r"^tags: .*\n", "", p.read_text(encoding="utf-8"), flags=re.M)
            if tags:
                text = text.replace("\nsources:", f"\ntags: [{', '.join(tags)}]\nsources:", 1)
            p.write_text(text, encoding="utf-8")
            return [p]

    def add_article(self):
        from serve_content import article

        officials = self.rng.sample(["wang-yi", "araghchi"], self.rng.randrange(0, 3))
        tags = self.rng.sample(TAGS, self.rng.randrange(0, 3))
        link = self.rng.choice(["", "See [[officials/wang-yi]].", "See [[cooperation]].", "See [[countries/china]]."])
        path = self.root / "articles" / self.rng.choice(["", "2024/", "new/"]) / f"added-{self.count}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(article(f"Added {self.count}", f"202{self.rng.randrange(6)}-0{self.rng.randrange(1, 10)}",
                                officials, ["iran"], tags, link + "\n"), encoding="utf-8")
        return [path]

    def delete_article(self):
        if p := self._pick(self.articles()):
            p.unlink()
            return [p]

    def rename_article(self):
        if p := self._pick(self.articles()):
            target = self.root / "articles" / self.rng.choice(["", "2023/"]) / f"renamed-{self.count}.md"
            target.parent.mkdir(parents=True, exist_ok=True)
            p.rename(target)
            return [p, target]

    def toggle_draft(self):
        if p := self._pick(self.articles()):
            text = p.read_text(encoding="utf-8")
            text = text.replace("draft: true\n", "") if "draft: true" in text else text.replace("\nsources:", "\ndraft: true\nsources:", 1)
            p.write_text(text, encoding="utf-8")
            return [p]

    def rename_person(self):
        if p := self._pick(self.records("officials")):
            return self._sub(p, r"^name: .*$", self.rng.choice(["name: Abbas Araghchi", "name: Wang Yi", f"name: Person {self.count}"]))

    def rename_country(self):
        if p := self._pick(self.records("countries")):
            return self._sub(p, r"^name: .*$", f"name: Country {self.count}")

    def move_position(self):
        if p := self._pick(self.records("officials")):
            return self._sub(p, r"start: .*$", f"start: {2000 + self.count % 25}")

    def edit_template(self):
        name = self.rng.choice(["article.html", "official.html", "index.html", "tag.html", "_macros.html", "base.html", "timeline.html"])
        path = self.templates / name
        text = path.read_text(encoding="utf-8")
        marker = f"<!-- edit {self.count} -->"
        if name == "_macros.html":
            text = text.replace('<ul class="refs">', f'<ul class="refs">{marker}', 1)
        elif "{% block main %}" in text:
            text = text.replace("{% block main %}", "{% block main %}" + marker, 1)
        else:
            text = text.replace("<main", marker + "<main", 1)
        path.write_text(text, encoding="utf-8")
        return [path]

    def edit_stylesheet(self):
        path = self.templates / "static" / "style.css"
        with path.open("a", encoding="utf-8") as f:
            f.write(f"/* edit {self.count} */\n")
        return [path]

    def edit_asset(self):
        image = self.root / "img" / f"extra-{self.count % 3}.png"
        if image.exists() and self.rng.random() < 0.5:
            image.unlink()
        else:
            image.write_bytes(b"image " + str(self.count).encode())
        return [image]

    def set_photo(self):
        if p := self._pick(self.records("officials")):
            text = re.sub(r"^x-photo: .*\n", "", p.read_text(encoding="utf-8"), flags=re.M)
            photo = self.rng.choice(["", "../img/map.png", "../img/face.png"])
            if photo:
                (self.root / "img" / "face.png").write_bytes(png(30, 40))
                text = text.replace("---\n", f"---\nx-photo: {photo}\n", 1)
            p.write_text(text, encoding="utf-8")
            return [p, self.root / "img" / "face.png"]

    def resize_image(self):
        image = self.root / "img" / self.rng.choice(["map.png", "face.png"])
        if image.exists():
            image.write_bytes(png(self.rng.randrange(10, 50), self.rng.randrange(10, 50)))
            return [image]

    def toggle_mention(self):
        if p := self._pick(self.articles()):
            line = f"\nAlso [[{self.rng.choice(['officials/wang-yi', 'araghchi', 'countries/china', 'cooperation', 'Wang Yii'])}]].\n"
            text = p.read_text(encoding="utf-8")
            p.write_text(text.replace(line, "") if line in text else text + line, encoding="utf-8")
            return [p]

    def link_article(self):
        source, target = self._pick(self.records("officials")), self._pick(self.articles())
        if source and target:
            with source.open("a", encoding="utf-8") as f:
                f.write(f"\nMentioned in [[articles/{target.stem}]].\n")
            return [source]

    def break_or_fix(self):
        if self.broken:
            path, text = self.broken.popitem()
            path.write_text(text, encoding="utf-8")
            return [path]
        if p := self._pick(self.articles() + self.records("officials")):
            self.broken[p] = p.read_text(encoding="utf-8")
            p.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
            return [p]


def check_steps(tmp_path: Path, seed: int, steps: int, drafts: bool) -> None:
    rng = random.Random(seed)
    dossier = Dossier(tmp_path, rng)
    options = BuildOptions(dossier.root, None, drafts, dossier.templates)
    session = Session(options)
    first = session.update()
    assert first.ok and as_bytes(first.files) == as_bytes(build(options).files)
    good = as_bytes(first.files)
    for number in range(steps):
        touched = dossier.step()
        update = session.update(None if rng.random() < 0.1 else touched)
        clean = build(options)
        where = f"seed {seed}, step {number}, touched {[str(p.relative_to(tmp_path)) for p in touched]}"
        assert update.ok == clean.ok, where
        assert [d.text() for d in update.diagnostics] == [d.text() for d in clean.diagnostics], where
        served = as_bytes(update.files)
        if clean.ok:
            assert _shape(update.graph) == _shape(clean.graph), where
            expected = as_bytes(clean.files)
            stale = sorted(n for n in expected.keys() | served.keys() if served.get(n) != expected.get(n))
            assert not stale, f"{where}: stale {stale}"
            good = served
            _check_spellings(session, where)
        else:
            assert served.keys() == good.keys(), where


def _check_spellings(session: Session, where: str) -> None:
    """The wikilink spellings the session's resolver keeps up to date are those of the bodies it resolved."""
    from builder import reresolve

    resolver = session._resolver
    assert resolver._parsed.keys() == resolver._records.keys(), where
    for key, body in resolver._parsed.items():
        assert body is session._loaded[resolver._records[key].path].parsed, where
    assert (resolver._spellings, resolver._spelled) == reresolve._spellings(resolver._parsed), where


def _shape(graph) -> tuple:
    """A graph as plain data, in its order: records, links, links each way, wikilinks and relative links."""
    non_empty = lambda table: {k: v for k, v in table.items() if v}
    return (list(graph.records), graph.links, non_empty(graph.outgoing), non_empty(graph.incoming),
            graph.wikilinks, graph.local, graph.photos, graph.sizes)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_edits_never_leave_a_stale_page(tmp_path: Path, seed: int) -> None:
    check_steps(tmp_path, seed, steps=40, drafts=False)


def test_random_edits_with_drafts_shown(tmp_path: Path) -> None:
    check_steps(tmp_path, 7, steps=30, drafts=True)


def test_body_edit_re_renders_only_its_page(tmp_path: Path) -> None:
    root = write_content(tmp_path / "content")
    session = Session(BuildOptions(root, None))
    session.update()
    path = root / "articles" / "2024" / "mou.md"
    path.write_text(path.read_text(encoding="utf-8").replace("A short note.", "A longer note."), encoding="utf-8")
    update = session.update([path])
    assert update.ok
    assert update.changed == {"articles/mou/index.html"}


def test_title_edit_reaches_every_page_that_lists_the_article(tmp_path: Path) -> None:
    root = write_content(tmp_path / "content")
    session = Session(BuildOptions(root, None))
    session.update()
    path = root / "articles" / "visit.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Wang Yi visits Tehran", "A new headline"), encoding="utf-8")
    update = session.update([path])
    listing = {name for name, data in as_bytes(update.files).items() if b"A new headline" in data}
    # the graph's data files are made again whenever a record's fields change; the rest is exact
    assert listing == set(update.changed) - {"sitemap.xml", "data/nodes.csv", "data/edges.csv"}
    assert {"index.html", "articles/index.html", "timeline/index.html", "tags/diplomacy/index.html",
            "officials/wang-yi/index.html", "countries/iran/index.html", "feed.xml", "dossier.json"} <= listing


def test_a_failed_update_keeps_the_last_good_site(tmp_path: Path) -> None:
    root = write_content(tmp_path / "content")
    session = Session(BuildOptions(root, None))
    good = as_bytes(session.update().files)
    path = root / "officials" / "wang-yi.md"
    path.write_text("---\nname: [oops\n---\n", encoding="utf-8")
    update = session.update([path])
    assert not update.ok
    assert any(d.location.path == path.resolve() and d.location.line == 3 for d in update.diagnostics)
    assert as_bytes(update.files) == good


def test_template_dependents_follow_extends_and_imports() -> None:
    from builder.render import environment

    env = environment(TEMPLATES)
    assert "article.html" in deps.template_dependents(env, {"_macros.html"})
    assert deps.template_dependents(env, {"base.html"}) >= {"home.html", "article.html", "404.html"}
    assert deps.template_dependents(env, {"tag.html"}) == {"tag.html"}


def test_a_rename_updates_the_hints_of_broken_links_elsewhere(tmp_path: Path) -> None:
    root = write_content(tmp_path / "content")
    options = BuildOptions(root, None)
    session = Session(options)
    session.update()
    visit, official = root / "articles" / "visit.md", root / "officials" / "wang-yi.md"
    visit.write_text(visit.read_text(encoding="utf-8") + "\nAlso [[Wang Yii]].\n", encoding="utf-8")
    assert "did you mean 'Wang Yi'" in " ".join(d.text() for d in session.update([visit]).diagnostics)
    official.write_text(official.read_text(encoding="utf-8").replace("name: Wang Yi", "name: Person 4"), encoding="utf-8")
    update = session.update([official])
    assert [d.text() for d in update.diagnostics] == [d.text() for d in build(options).diagnostics]
    assert "did you mean 'wang-yi'" in " ".join(d.text() for d in update.diagnostics)


@pytest.mark.parametrize("site", ["discovery/content", "showcase", "generated"])
def test_a_local_graph_made_from_one_records_links_equals_its_part_of_the_whole(tmp_path: Path, site: str) -> None:
    from bench.generate import generate
    from builder import graph as relgraph

    root = Path(__file__).parent / "sites" / site
    if site == "generated":
        generate(root := tmp_path / "content", 150, 3)
    result = build(BuildOptions(root, None))
    whole = relgraph.build(result.graph)
    entities = [k for k in result.graph.records if k[0] != "articles"]
    assert len(entities) > 5
    for key in entities + [next(iter(result.graph.of_type("articles"))).key]:
        assert relgraph.local_parts(result.graph, key) == relgraph.around(whole, key), key


def test_body_edits_move_the_problems_they_report(tmp_path: Path) -> None:
    from builder.resolve import MAX_HINTS

    root = write_content(tmp_path / "content")
    options = BuildOptions(root, None)
    session = Session(options)
    path = root / "articles" / "visit.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nAlso [[Wang Yii]].\n", encoding="utf-8")
    first = session.update()
    for number in range(MAX_HINTS + 1):  # more edits than a record's hints are counted to
        text = path.read_text(encoding="utf-8").replace("\nAlso [[Wang Yii]]", f"\nLine {number}.\n\nAlso [[Wang Yii]]")
        path.write_text(text, encoding="utf-8")
        update = session.update([path])
    clean = build(options)
    assert update.ok == clean.ok
    assert [d.text() for d in update.diagnostics] == [d.text() for d in clean.diagnostics]
    assert "did you mean 'Wang Yi'" in " ".join(d.text() for d in update.diagnostics)
    assert [d.location.line for d in update.diagnostics] != [d.location.line for d in first.diagnostics]


def test_a_first_build_with_workers_equals_a_clean_build(tmp_path: Path) -> None:
    from bench.generate import generate
    from builder import parallel

    root = tmp_path / "content"
    generate(root, parallel.MIN_PARALLEL + 20, 2)
    options = BuildOptions(root, None, jobs=2)
    session = Session(options)
    update = session.update()
    assert update.ok and len(session._loaded) > parallel.MIN_PARALLEL
    assert as_bytes(update.files) == as_bytes(build(BuildOptions(root, None)).files)
    path = sorted((root / "articles").rglob("*.md"))[5]
    path.write_text(path.read_text(encoding="utf-8") + "\nA sentence more.\n", encoding="utf-8")
    after = session.update([path])
    assert after.changed == {f"articles/{path.stem}/index.html"}
    assert as_bytes(after.files) == as_bytes(build(BuildOptions(root, None)).files)
