"""A one-shot build keeps its bodies' deflated Markdown and HTML in a temporary file, not in memory."""

from __future__ import annotations

import gc
import multiprocessing
import pickle
import tracemalloc
from pathlib import Path

import pytest

from bench.generate import generate
from builder import cli, parallel, spill
from builder.discover import discover
from builder.diagnostics import Report
from builder.pipeline import BuildOptions, build
from builder.prerender import Prerendered
from conftest import snapshot

DATA = bytes(range(256)) * 8


def test_outside_a_session_bytes_stay_as_they_are() -> None:
    assert spill.keep(DATA) is DATA
    assert spill.keep(None) is None


def test_in_a_session_bytes_are_written_out_and_read_back() -> None:
    with spill.session():
        kept, other, small = spill.keep(DATA), spill.keep(DATA[::-1]), spill.keep(b"short")
        assert isinstance(kept, spill.Spilled) and isinstance(other, spill.Spilled)
        assert small == b"short" and isinstance(small, bytes)  # not worth a reference
        assert spill.read(kept) == DATA and spill.read(other) == DATA[::-1] and spill.read(DATA) is DATA
        assert len(kept) == len(DATA) and kept == DATA and kept != other and kept == spill.keep(DATA)
        assert pickle.loads(pickle.dumps(kept)) == DATA  # crosses processes and caches as the bytes
        assert type(pickle.loads(pickle.dumps(kept))) is bytes
    with pytest.raises(RuntimeError, match="after their build ended"):
        bytes(kept)


def _read_in_child(kept: spill.Spilled, queue) -> None:
    queue.put(spill.read(kept))


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="workers are forked")
def test_a_forked_worker_reads_what_its_parent_wrote() -> None:
    context = multiprocessing.get_context("fork")
    with spill.session():
        kept = spill.keep(DATA)
        queue = context.Queue()
        child = context.Process(target=_read_in_child, args=(kept, queue))
        child.start()
        assert queue.get(timeout=30) == DATA
        child.join()
        assert spill.keep(DATA[1:]) != kept  # the parent's next write does not overwrite it


def test_a_forked_worker_does_not_write_to_its_parents_file(monkeypatch) -> None:
    with spill.session():
        monkeypatch.setattr(spill._OPEN, "owner", -1)  # as in a worker: another process owns the file
        assert spill.keep(DATA) is DATA


def test_a_site_built_in_a_session_is_the_same_and_its_bodies_are_not_held(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 0)
    generate(tmp_path / "content", 60)
    plain = build(BuildOptions(tmp_path / "content", tmp_path / "plain", jobs=2))
    with spill.session():
        spilled = build(BuildOptions(tmp_path / "content", tmp_path / "spilled", jobs=2))
        bodies = [r.packed_body for r in spilled.graph.records.values() if r.type == "articles"]
        assert bodies and all(isinstance(b, spill.Spilled) for b in bodies)
    assert plain.ok and spilled.ok
    assert not any(isinstance(r.packed_body, spill.Spilled) for r in plain.graph.records.values())
    assert snapshot(tmp_path / "plain") == snapshot(tmp_path / "spilled")


def test_the_build_command_spills(tmp_path: Path, monkeypatch) -> None:
    generate(tmp_path / "content", 10)
    seen = []
    real = parallel._spilled
    monkeypatch.setattr(parallel, "_spilled", lambda item, shared: seen.append(real(item, shared)) or seen[-1])
    assert cli.main(["build", "--content", str(tmp_path / "content"), "--output", str(tmp_path / "site"),
                     "--no-search", "--no-cache", "--jobs", "1"]) == 0
    records = [item.record for item in seen if item.record and item.record.type == "articles"]
    assert records and all(isinstance(r.packed_body, spill.Spilled) for r in records)


def test_loaded_records_hold_a_fraction_of_the_memory_in_a_session(tmp_path: Path) -> None:
    generate(tmp_path / "content", 150)
    files = discover(tmp_path / "content", Report()).records

    def held(in_session: bool) -> tuple[int, int]:
        gc.collect()
        tracemalloc.start()
        try:
            if in_session:
                with spill.session():
                    loaded, parsed = parallel.load_records(files, Report(), 1, None)
                    gc.collect()
                    size = tracemalloc.get_traced_memory()[0]
            else:
                loaded, parsed = parallel.load_records(files, Report(), 1, None)
                gc.collect()
                size = tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
        deflated = sum(len(spill.read(r.packed_body)) for r in loaded) if not in_session else 0
        deflated += sum(len(spill.read(p.template)) for p in parsed.values()
                        if isinstance(p, Prerendered) and p.template is not None) if not in_session else 0
        return size, deflated

    whole, deflated = held(False)
    spilled, _ = held(True)
    assert deflated > whole / 4  # the bodies are a large share of a loaded site
    assert spilled < whole - 0.8 * deflated


def test_problems_found_after_loading_keep_their_lines_when_the_front_matter_is_on_disk(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 0)
    generate(tmp_path / "content", 30)
    article = sorted((tmp_path / "content" / "articles").rglob("*.md"))[3]
    text = article.read_text()
    assert len(text.split("---")[1]) > spill.SMALLEST  # long enough to be kept on disk
    article.write_text(text.replace('officials: ["', 'officials: ["no-such-official", "', 1))
    plain = build(BuildOptions(tmp_path / "content", None, jobs=2))
    with spill.session():
        spilled = build(BuildOptions(tmp_path / "content", None, jobs=2))
        assert any(isinstance(r.marks._source, spill.Spilled) for r in spilled.graph.records.values())
    broken = [d.text() for d in plain.diagnostics if "no-such-official" in d.text()]
    assert broken and f"{article.name}:5:13: error: unknown officials reference" in broken[0]
    assert [d.text() for d in spilled.diagnostics] == [d.text() for d in plain.diagnostics]


def test_bytes_that_cannot_be_written_stay_in_memory(monkeypatch) -> None:
    with spill.session():
        first = spill.keep(DATA)

        def full(*args):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(spill.os, "pwrite", full)
        assert spill.keep(DATA[::-1]) == DATA[::-1] and isinstance(spill.keep(DATA[::-1]), bytes)
        monkeypatch.undo()
        later = spill.keep(DATA[::-1])
        assert spill.read(first) == DATA and spill.read(later) == DATA[::-1]


def test_without_a_temporary_folder_a_session_keeps_everything_in_memory(monkeypatch) -> None:
    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(spill.tempfile, "TemporaryFile", refused)
    with spill.session():
        assert spill.keep(DATA) is DATA
