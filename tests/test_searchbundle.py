"""The Pagefind bundle rewritten in a fixed order: same pages, same bytes, still readable."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from builder import searchbundle


def write(path: Path, value) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(searchbundle._pack(value)))


def bundle(tmp_path: Path, order: list[str]) -> Path:
    """A bundle whose 'type' filter lists its values in ``order``, as Pagefind might on any run."""
    root = tmp_path / "-".join(order)
    values = {"Article": [2, 3], "Official": [0], "Country": [1]}
    write(root / "filter" / "en_aaaaaaa.pf_filter", ["type", [[v, values[v]] for v in order]])
    write(root / "filter" / "en_bbbbbbb.pf_filter", ["country", [["Iran", [0, 1, 3]]]])
    meta = ["1.5.2", [["en_1111111", 40], ["en_2222222", 300], ["en_3333333", 70000]], [],
            [["type", "en_aaaaaaa"], ["country", "en_bbbbbbb"]], [], ["type", "date", "title"]]
    write(root / "pagefind.en_0123456789.pf_meta", meta)
    entry = {"version": "1.5.2", "languages": {"en": {"hash": "en_0123456789", "wasm": "en", "page_count": 4}}}
    (root / searchbundle.ENTRY).write_text(json.dumps(entry, separators=(",", ":")))
    return root


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_same_values_in_any_order_give_the_same_bundle(tmp_path):
    one, two = bundle(tmp_path, ["Official", "Article", "Country"]), bundle(tmp_path, ["Country", "Official", "Article"])
    assert files(one) != files(two)
    assert searchbundle.canonicalize(one) and searchbundle.canonicalize(two)
    assert files(one) == files(two)


def test_rewritten_files_are_sorted_named_by_their_bytes_and_referenced(tmp_path):
    root = bundle(tmp_path, ["Official", "Article", "Country"])
    searchbundle.canonicalize(root)
    entry = json.loads((root / searchbundle.ENTRY).read_text())
    meta = searchbundle._read(root / f"pagefind.{entry['languages']['en']['hash']}.pf_meta")
    assert [name for name, _ in meta[3]] == ["country", "type"]
    assert meta[5] == ["date", "title", "type"]
    assert meta[1][2] == ["en_3333333", 70000]  # integers of every width survive
    type_filter = searchbundle._read(root / "filter" / f"{dict(meta[3])['type']}.pf_filter")
    assert type_filter == ["type", [["Article", [2, 3]], ["Country", [1]], ["Official", [0]]]]
    assert sorted(p.name for p in (root / "filter").iterdir()) == sorted(f"{h}.pf_filter" for _, h in meta[3])
    assert len(list(root.glob("*.pf_meta"))) == 1


def test_an_unknown_shape_is_left_alone(tmp_path):
    root = bundle(tmp_path, ["Official"])
    write(root / "pagefind.en_0123456789.pf_meta", ["2.0", "something else"])
    before = files(root)
    assert not searchbundle.canonicalize(root)
    assert files(root) == before
