"""Image sizes from file headers, sizes on Markdown images, x-photo, and lang on other scripts."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from builder import images, markdown
from builder.diagnostics import Report
from builder.records import Record

SHOWCASE_CHART = Path(__file__).parent / "sites" / "showcase" / "articles" / "2024" / "chart.png"


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + b"\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


@pytest.mark.parametrize("data, size", [
    (png(320, 120), (320, 120)),
    (b"GIF89a" + struct.pack("<HH", 17, 9) + b"\x00" * 8, (17, 9)),
    (jpeg(640, 480), (640, 480)),
    (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="160" height="200">', (160, 200)),
    (b'<svg viewBox="0 0 32 16" xmlns="http://www.w3.org/2000/svg">', (32, 16)),
    (b'<svg width="64" viewBox="0,0,32,16">', (64, 32)),
    (b'<svg width="100%" height="100%">', None),
    (b"RIFF\x00\x00\x00\x00WEBPVP8X" + b"\x00" * 8 + (99).to_bytes(3, "little") + (49).to_bytes(3, "little"), (100, 50)),
    (b"not an image at all", None),
    (png(0, 10), None),
    (b"\xff\xd8\xff", None),
])
def test_size_of(data, size):
    assert images.size_of(data) == size


def test_size_of_the_showcase_chart():
    assert images.size_of(SHOWCASE_CHART.read_bytes()) == (320, 120)


def test_read_sizes_skips_what_is_not_an_image(tmp_path):
    (tmp_path / "a.png").write_bytes(png(3, 4))
    (tmp_path / "b.pdf").write_bytes(b"%PDF-1.7")
    (tmp_path / "c.jpg").write_bytes(b"broken")
    assert images.read_sizes(tmp_path, ["a.png", "b.pdf", "c.jpg"]) == {"a.png": (3, 4)}


def test_markdown_images_get_their_size_and_load_lazily():
    parsed = markdown.parse("![A chart](chart.png)\n")
    html = markdown.render(parsed, {}, {"chart.png": "../../chart.png"}, {"chart.png": (320, 120)})
    assert '<img src="../../chart.png" alt="A chart" width="320" height="120" loading="lazy">' in html
    again = markdown.render(parsed, {}, {"chart.png": "../chart.png"}, {"chart.png": (320, 120)})
    assert 'src="../chart.png"' in again and 'width="320"' in again


def test_other_scripts_in_bodies_are_marked_with_lang_and_dir():
    html = markdown.to_html("Met ستار هاشمی and 李乐成 in Москва.")
    assert '<span lang="fa" dir="rtl">ستار هاشمی</span>' in html
    assert '<span lang="zh" dir="ltr">李乐成</span>' in html
    assert '<span lang="ru" dir="ltr">Москва</span>' in html
    assert markdown.lang_spans("<b>only Latin</b>") == "&lt;b&gt;only Latin&lt;/b&gt;"


def _official(tmp_path: Path, photo) -> Record:
    path = tmp_path / "officials" / "someone.md"
    return Record("officials", "someone", path, {"name": "Someone"}, extra={"x-photo": photo},
                  marks={("x-photo",): (5, 10)})


def test_photo_as_a_path_or_a_mapping(tmp_path):
    report = Report()
    assets = {"officials/someone.jpg"}
    plain = images.photo_of(_official(tmp_path, "someone.jpg"), tmp_path, assets, report)
    full = images.photo_of(_official(tmp_path, {"src": "someone.jpg", "alt": "Portrait", "credit": "IRNA"}),
                           tmp_path, assets, report)
    assert plain == images.Photo("officials/someone.jpg", "Photo of Someone")
    assert full == images.Photo("officials/someone.jpg", "Portrait", "IRNA")
    assert report.items == []


def test_a_missing_or_malformed_photo_is_an_error_at_its_key(tmp_path):
    report = Report()
    assert images.photo_of(_official(tmp_path, "nobody.jpg"), tmp_path, set(), report) is None
    assert images.photo_of(_official(tmp_path, ["a"]), tmp_path, set(), report) is None
    assert [(d.location.line, d.location.col, d.code) for d in report.items] == [(5, 10, "missing-file"), (5, 10, "bad-photo")]
    assert "officials/nobody.jpg" in report.items[0].message

