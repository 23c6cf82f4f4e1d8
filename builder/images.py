"""Image sizes read from file headers, and the optional photo of a record (``x-photo``).

Pages give every image its width and height so that nothing jumps while it
loads. Sizes come from the first bytes of PNG, GIF, JPEG, WebP and SVG files;
parsing works on bytes, so it is testable without disk.
"""

from __future__ import annotations

import posixpath
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from builder.diagnostics import Location, Report
from builder.records import Record

HEADER_BYTES = 64 * 1024
"""How much of a file is read to find its size (JPEG metadata can push the frame header far in)."""
IMAGE_SUFFIXES = (".png", ".gif", ".jpg", ".jpeg", ".webp", ".svg")
_SVG_ROOT = re.compile(rb"<svg\b[^>]*>", re.S)
_SVG_ATTR = re.compile(rb"""\b(width|height|viewBox)\s*=\s*["']([^"']*)["']""")
_JPEG_FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}

Size = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Photo:
    """A record's picture for its infobox."""

    path: str
    """Path relative to the content root, with '/' separators."""
    alt: str
    credit: str = ""
    """Who made or published the picture, shown under it."""


def size_of(data: bytes) -> Size | None:
    """Width and height in pixels from an image file's first bytes, or None if unknown."""
    for reader in (_png, _gif, _jpeg, _webp, _svg):
        size = reader(data)
        if size is not None:
            return size if size[0] > 0 and size[1] > 0 else None
    return None


def read_sizes(root: Path, paths: Iterable[str]) -> dict[str, Size]:
    """Sizes of the image files among ``paths`` (relative to ``root``) whose size can be read."""
    sizes = {}
    for path in paths:
        if path.lower().endswith(IMAGE_SUFFIXES):
            with open(root / path, "rb") as file:
                size = size_of(file.read(HEADER_BYTES))
            if size is not None:
                sizes[path] = size
    return sizes


def shown(graph) -> set[str]:
    """Content paths of the files pages show as images or photos (whose sizes they need)."""
    paths = {photo.path for photo in graph.photos.values()}
    for table in graph.local.values():
        if table:
            paths.update(dest.path for dest in table.values() if hasattr(dest, "path"))
    return paths


def photo_of(record: Record, root: Path, assets: set[str], report: Report) -> Photo | None:
    """The ``x-photo`` of a record: a path beside the record's file, or ``{src, alt, credit}``."""
    value = record.extra.get("x-photo")
    if value is None:
        return None
    spec = {"src": value} if isinstance(value, str) else value
    if not isinstance(spec, dict) or not isinstance(spec.get("src"), str):
        report.error(_photo_at(record), "x-photo must be a file path or a mapping with src, alt and credit", "bad-photo")
        return None
    folder = record.path.parent.relative_to(root).as_posix()
    path = posixpath.normpath(posixpath.join(folder, spec["src"]))
    if path not in assets:
        report.error(_photo_at(record), f"x-photo '{spec['src']}' leads to a missing file ({path})", "missing-file")
        return None
    alt = str(spec.get("alt") or f"Photo of {record.label}")
    return Photo(path, alt, str(spec.get("credit") or ""))


def _photo_at(record: Record) -> Location:
    return Location(record.path, *record.marks.get(("x-photo",), (1, 1)))


def _png(data: bytes) -> Size | None:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    return None


def _gif(data: bytes) -> Size | None:
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    return None


def _jpeg(data: bytes) -> Size | None:
    if data[:2] != b"\xff\xd8":
        return None
    at = 2
    while at + 9 < len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
            at += 1 if marker == 0xFF else 2
            continue
        length = struct.unpack(">H", data[at + 2:at + 4])[0]
        if marker in _JPEG_FRAMES:
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return width, height
        at += 2 + length
    return None


def _webp(data: bytes) -> Size | None:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP" or len(data) < 30:
        return None
    kind = data[12:16]
    if kind == b"VP8X":
        return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    if kind == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if kind == b"VP8L" and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    return None


def _svg(data: bytes) -> Size | None:
    root = _SVG_ROOT.search(data)
    if root is None:
        return None
    attrs = {name.decode(): value.decode("ascii", "replace") for name, value in _SVG_ATTR.findall(root.group(0))}
    width, height = _svg_length(attrs.get("width", "")), _svg_length(attrs.get("height", ""))
    box = attrs.get("viewBox", "").replace(",", " ").split()
    if (width is None or height is None) and len(box) == 4:
        try:
            box_w, box_h = float(box[2]), float(box[3])
        except ValueError:
            return None
        if width is not None and box_w:
            height = round(width * box_h / box_w)
        elif height is not None and box_h:
            width = round(height * box_w / box_h)
        else:
            width, height = round(box_w), round(box_h)
    return (width, height) if width is not None and height is not None else None


def _svg_length(value: str) -> int | None:
    """Pixels from an SVG width or height; None for percentages and units that depend on context."""
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(px)?\s*", value)
    return round(float(match.group(1))) if match else None
