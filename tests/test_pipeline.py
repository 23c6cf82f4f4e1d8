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
