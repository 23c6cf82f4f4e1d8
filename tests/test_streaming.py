"""A site is written while it is rendered: same bytes whatever the processes and chunks, the old site kept on failure."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bench.generate import generate
from builder import outputs, parallel, render
from builder.pipeline import BuildOptions, build
from builder.records import SiteConfig
from conftest import snapshot

GOLDEN = Path(__file__).resolve().parent / "golden" / "content"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    content = tmp_path_factory.mktemp("generated") / "content"
    generate(content, 30)
    return content


@pytest.mark.parametrize(("jobs", "load_chunk", "render_chunk"), [(2, 1, 1), (2, 7, 3), (3, 64, 100)])
def test_same_bytes_for_any_processes_and_chunk_sizes(generated: Path, tmp_path: Path, monkeypatch,
                                                     jobs: int, load_chunk: int, render_chunk: int) -> None:
    reference = build(BuildOptions(generated, tmp_path / "one", jobs=1, search=False))
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 0)
    monkeypatch.setattr(parallel, "LOAD_CHUNK", load_chunk)
    monkeypatch.setattr(parallel, "RENDER_CHUNK", render_chunk)
    result = build(BuildOptions(generated, tmp_path / "many", jobs=jobs, search=False))
    assert reference.ok and result.ok
    assert list(reference.files) == list(result.files)
    one, many = snapshot(tmp_path / "one"), snapshot(tmp_path / "many")
    assert len(one) > 50 and one == many


def test_written_files_are_named_by_where_they_are_not_held(tmp_path: Path) -> None:
    result = build(BuildOptions(GOLDEN, tmp_path / "site", search=False))
    assert result.ok and all(isinstance(c, Path) for c in result.files.values())
    pages = [name for name in result.files if name.endswith(".html")]
    assert pages and all(result.files[name] == (tmp_path / "site" / name).resolve() for name in pages)
    assert snapshot(tmp_path / "site")["index.html"] == result.files["index.html"].read_bytes()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_build_failing_while_writing_leaves_the_previous_site(tmp_path: Path, monkeypatch, jobs: int) -> None:
    shutil.copytree(GOLDEN, tmp_path / "content")
    build(BuildOptions(tmp_path / "content", tmp_path / "site", search=False))
    before = snapshot(tmp_path / "site")
    article = next((tmp_path / "content" / "articles").rglob("*.md"))
    article.write_text(article.read_text() + "\nA new closing line.\n")
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 0)
    monkeypatch.setattr(parallel, "RENDER_CHUNK", 2)
    original = render.Renderer.render
    calls = []

    def failing(self, page):
        calls.append(page.url)
        if page.url.startswith("tags/"):  # after the article pages are written
            raise RuntimeError("the renderer broke")
        return original(self, page)

    monkeypatch.setattr(render.Renderer, "render", failing)
    with pytest.raises(RuntimeError, match="the renderer broke"):
        build(BuildOptions(tmp_path / "content", tmp_path / "site", jobs=jobs, search=False))
    assert snapshot(tmp_path / "site") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "site"], "the temporary folder is removed"


@pytest.mark.parametrize("count", [0, 1, 3])
def test_dossier_json_in_pieces_is_one_json_document(count: int) -> None:
    graph = build(BuildOptions(GOLDEN, None, search=False)).graph
    graph.records = dict(sorted(graph.records.items())[:count])
    config = SiteConfig(title="T", description="", base_url="https://example.org/", language="en")
    extra = {"graph": {"nodes": [1, {"label": "ایران", "tags": []}], "edges": [{"pair": [[1, 2]]}, {}], "none": {}}}
    text = b"".join(outputs.dossier_json_chunks(config, graph, extra)).decode()
    data = json.loads(text)
    assert len(data["records"]) == count and data["graph"] == extra["graph"]
    assert text == json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def test_the_large_data_files_reach_the_writer_in_pieces(tmp_path: Path, monkeypatch) -> None:
    from builder import graph as relgraph, write

    monkeypatch.setattr(relgraph, "CSV_BATCH", 2)
    given: dict[str, object] = {}
    original = write.Staging.put

    def put(self, name, content):
        given[name] = content
        original(self, name, content)

    monkeypatch.setattr(write.Staging, "put", put)
    result = build(BuildOptions(GOLDEN, tmp_path / "site", jobs=1, search=False))
    assert result.ok
    written = snapshot(tmp_path / "site")
    for name in ("dossier.json", "data/edges.csv"):
        assert not isinstance(given[name], (bytes, Path)), f"{name} was made whole before it was written"
        assert written[name].count(b"\n") > 2
    assert written["data/edges.csv"] == relgraph.edges_csv(relgraph.build(result.graph))
