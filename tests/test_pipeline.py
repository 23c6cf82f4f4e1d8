"""The whole build in process, on small content folders written by each test."""

from __future__ import annotations

from builder.pipeline import BuildOptions, build
from conftest import snapshot

ARTICLE = "---\ntitle: A\ndate: 2021\nsources: [{title: s, publisher: p}]\n---\n"


def test_asset_paths_are_percent_encoded_in_pages(content, tmp_path):
    folder = content({
        "articles/a.md": ARTICLE + "![map](img/map%20big.png) [نقشه](img/نقشه.pdf)\n",
        "articles/img/map big.png": b"PNG",
        "articles/img/نقشه.pdf": b"%PDF",
    })
    result = build(BuildOptions(folder, tmp_path / "site"))
    assert result.ok, [d.text() for d in result.diagnostics]
    site = snapshot(tmp_path / "site")
    page = site["articles/a/index.html"].decode("utf-8")
    assert 'src="../../articles/img/map%20big.png"' in page
    assert 'href="../../articles/img/%D9%86%D9%82%D8%B4%D9%87.pdf"' in page
    assert site["articles/img/map big.png"] == b"PNG" and site["articles/img/نقشه.pdf"] == b"%PDF"


def test_markdown_in_a_misnamed_type_folder_is_warned_about(content):
    folder = content({"oficials/wang-yi.md": "---\nname: Wang Yi\n---\n", "notes/readme.md": "notes\n"})
    result = build(BuildOptions(folder, None))
    assert result.ok
    assert [(d.severity, d.code, d.hint) for d in result.diagnostics] == [("warning", "misplaced-record", "did you mean 'officials'?")]


def test_rebuild_drops_stale_pages_and_keeps_unchanged_files(content, tmp_path):
    import os

    folder = content({"countries/iran.md": "---\nname: Iran\n---\n", "countries/china.md": "---\nname: China\n---\n"})
    output = tmp_path / "site"
    assert build(BuildOptions(folder, output)).ok
    kept = output / "countries" / "china" / "index.html"
    before = os.stat(kept)
    os.utime(kept, ns=(before.st_atime_ns, before.st_mtime_ns - 10**9))
    old_mtime = os.stat(kept).st_mtime_ns
    (folder / "countries" / "iran.md").unlink()
    assert build(BuildOptions(folder, output)).ok
    assert not (output / "countries" / "iran").exists()
    assert os.stat(kept).st_mtime_ns == old_mtime, "an unchanged page keeps its modification time"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "site"], "no temporary folder is left behind"


def test_console_script_is_declared():
    from importlib.metadata import entry_points

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "dossier"]
    assert script.value == "builder.cli:main"
