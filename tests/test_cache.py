"""The build cache: reused only when sound, never trusted, and the output the same as without it."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest

from builder import cache as cache_module
from builder.cache import MAGIC, Cache, clean, fingerprint
from builder.cli import main
from builder.diagnostics import Report
from builder.discover import discover
from builder.pipeline import BuildOptions, build
from builder.render import TEMPLATES
from conftest import snapshot

GOLDEN = Path(__file__).resolve().parent / "golden" / "content"


@pytest.fixture
def site(tmp_path: Path):
    """A copy of the golden content, with functions to build it with and without the cache."""
    shutil.copytree(GOLDEN, tmp_path / "content")

    class Site:
        content = tmp_path / "content"
        output = tmp_path / "site"
        cache = tmp_path / "cache"

        def build(self, **kw):
            result = build(BuildOptions(self.content, self.output, cache=self.cache, **kw))
            assert result.ok, [d.text() for d in result.diagnostics]
            return result

        def reference(self) -> dict[str, bytes]:
            build(BuildOptions(self.content, tmp_path / "reference"))
            return snapshot(tmp_path / "reference")

    return Site()


@pytest.mark.parametrize("jobs", [1, 2])
def test_cold_warm_and_unchanged_builds_give_the_same_site(site, jobs: int, monkeypatch) -> None:
    monkeypatch.setattr("builder.parallel.MIN_PARALLEL", 0)
    first = site.build(jobs=jobs)
    assert not first.reused and snapshot(site.output) == site.reference()
    assert site.build(jobs=jobs).reused  # nothing changed: nothing done
    shutil.rmtree(site.output)
    warm = site.build(jobs=jobs)
    assert warm.reused and snapshot(site.output) == site.reference()
    shutil.rmtree(site.output)
    (site.cache / "manifest.pickle").unlink()  # records from the cache, pages rendered again
    again = site.build(jobs=jobs)
    assert not again.reused and snapshot(site.output) == site.reference()


def test_an_edit_is_built_and_matches_a_build_without_cache(site) -> None:
    site.build()
    article = site.content / "articles" / "ict-year.md"
    article.write_text(article.read_text() + "\nA sentence written later.\n")
    result = site.build()
    assert not result.reused
    assert b"A sentence written later." in (site.output / "articles" / "ict-year" / "index.html").read_bytes()
    assert snapshot(site.output) == site.reference()


def test_records_come_from_the_cache_when_their_file_is_unchanged(site, monkeypatch) -> None:
    site.build()
    shutil.rmtree(site.output)
    (site.cache / "manifest.pickle").unlink()  # no whole-site reuse: records must be loaded
    read = []
    expected = site.reference()
    monkeypatch.setattr("builder.parallel.load_record", lambda f, *a: read.append(f.path) or None)
    site.build()
    assert read == [] and snapshot(site.output) == expected


@pytest.mark.parametrize("damage", ["flip", "truncate", "foreign", "hostile"])
def test_a_damaged_or_foreign_cache_is_ignored(site, damage: str, tmp_path: Path) -> None:
    site.build()
    shutil.rmtree(site.output)
    entries = sorted((site.cache / "records").glob("*/*"))
    assert entries, "each record's entry is a file of its own"
    for path in [*entries, site.cache / "stamps.pickle", site.cache / "manifest.pickle"]:
        data = path.read_bytes()
        if damage == "flip":
            data = data[:-50] + bytes([data[-50] ^ 0xFF]) + data[-49:]
        elif damage == "truncate":
            data = data[: len(data) // 2]
        elif damage == "foreign":
            data = data.replace(fingerprint(TEMPLATES).encode(), b"0" * 40, 1)
        else:
            data = _sealed(_Exploit(tmp_path / "pwned"), fingerprint(TEMPLATES))
        path.write_bytes(data)
    result = site.build()
    assert not result.reused and not (tmp_path / "pwned").exists()
    assert snapshot(site.output) == site.reference()


def test_a_stored_page_whose_bytes_changed_is_not_used(site) -> None:
    site.build()
    shutil.rmtree(site.output)
    stored = [p for p in (site.cache / "files").rglob("*") if p.is_file()]
    for path in stored:
        path.write_bytes(b"<p>tampered</p>")
    site.build()
    assert snapshot(site.output) == site.reference()
    assert b"tampered" not in b"".join(snapshot(site.output).values())


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_one_damaged_stored_file_among_many_puts_nothing_back(site, where: str) -> None:
    site.build()
    shutil.rmtree(site.output)
    stored = sorted(p for p in (site.cache / "files").rglob("*") if p.is_file())
    victim = {"first": stored[0], "middle": stored[len(stored) // 2], "last": stored[-1]}[where]
    victim.write_bytes(victim.read_bytes()[:-1] + b"!")  # same size, one byte off
    result = site.build()
    assert not result.reused  # built again, not put back
    assert snapshot(site.output) == site.reference()
    assert not [p for p in site.output.parent.iterdir() if p.name.startswith(".site.tmp-")]


def test_unchanged_output_files_keep_their_times(site) -> None:
    site.build()
    past = 1_000_000_000
    for path in site.output.rglob("*"):
        os.utime(path, (past, past), follow_symlinks=False)
    article = site.content / "articles" / "ict-year.md"
    article.write_text(article.read_text() + "\nOne more line.\n")
    site.build()
    times = {p.relative_to(site.output).as_posix(): p.stat().st_mtime for p in site.output.rglob("*") if p.is_file()}
    assert times["articles/ict-year/index.html"] > past
    kept = [name for name, t in times.items() if t == past]
    assert "officials/wang-yi/index.html" in kept and "assets/style.css" in kept
    assert len(kept) > len(times) * 0.6


def test_unchanged_output_files_keep_their_times_without_cache(site) -> None:
    build(BuildOptions(site.content, site.output))
    past = 1_000_000_000
    os.utime(site.output / "countries" / "iran" / "index.html", (past, past))
    build(BuildOptions(site.content, site.output))
    assert (site.output / "countries" / "iran" / "index.html").stat().st_mtime == past


def test_no_cache_writes_no_cache_and_clean_removes_it(site, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--content", "content", "--output", "a", "--no-cache"]) == 0
    assert not (tmp_path / ".dossier-cache").exists()
    assert main(["build", "--content", "content", "--output", "b", "-j", "1"]) == 0
    assert (tmp_path / ".dossier-cache" / "CACHEDIR.TAG").is_file()
    assert main(["clean"]) == 0 and not (tmp_path / ".dossier-cache").exists()
    assert main(["clean"]) == 0


def test_clean_refuses_a_folder_the_cache_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "keep.txt").write_text("mine")
    with pytest.raises(cache_module.CleanError):
        clean(tmp_path / "notes")
    assert main(["clean", "--cache", str(tmp_path / "notes")]) == 2
    assert (tmp_path / "notes" / "keep.txt").read_text() == "mine"


def test_unpickler_builds_only_record_classes() -> None:
    with pytest.raises(pickle.UnpicklingError):
        cache_module.loads(pickle.dumps(_Exploit(Path("x"))))
    entry = Cache(Path("unused"), "f" * 40)
    assert entry.get_record("missing") is None


class _Exploit:
    """A pickle that would create a file when loaded by an ordinary unpickler."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (Path.touch, (self.path,))


def _sealed(value, fingerprint_: str) -> bytes:
    import hashlib

    body = pickle.dumps(value)
    return MAGIC + fingerprint_.encode() + b"\n" + hashlib.blake2b(body, digest_size=20).digest() + body


def test_record_entries_are_files_bound_to_their_key_and_pruned(site, monkeypatch) -> None:
    site.build()
    entries = sorted((site.cache / "records").glob("*/*"))
    assert len(entries) == len(discover(site.content, Report()).records)
    first, second = entries[0].read_bytes(), entries[1].read_bytes()
    entries[0].write_bytes(second)  # a sound entry under another file's key
    entries[1].write_bytes(first)
    shutil.rmtree(site.output)
    (site.cache / "manifest.pickle").unlink()
    read = []
    original = cache_module.Cache.put_record
    monkeypatch.setattr(cache_module.Cache, "put_record", lambda self, key, sealed: read.append(key) or original(self, key, sealed))
    site.build()
    assert len(read) == 2 and snapshot(site.output) == site.reference()
    monkeypatch.undo()
    removed = next(site.content.rglob("articles/**/*.md"))
    removed.unlink()
    (site.cache / "manifest.pickle").unlink()  # a full build, which reads the records
    site.build()
    assert len(list((site.cache / "records").glob("*/*"))) == len(entries) - 1
