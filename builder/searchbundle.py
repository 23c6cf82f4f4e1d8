"""Make a Pagefind bundle the same bytes for the same pages.

Pagefind (1.5) writes each filter's values in hash-map order, which changes
from run to run, and names the filter files and the language's metadata file
after their bytes. This rewrites those files in a fixed order (filters by name,
values by text) and names them after the new bytes, so two builds of the same
pages give the same bundle. Word indexes and fragments are already stable and
are left alone.

The files are gzip'd ``pagefind_dcd`` + CBOR. Only the small subset of CBOR that
Pagefind writes is read: unsigned integers, byte and text strings, arrays and
maps of definite length. A bundle in any other shape is left as Pagefind wrote it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

MAGIC = b"pagefind_dcd"
ENTRY = "pagefind-entry.json"


class _Unexpected(Exception):
    """The bundle is not in the shape this module knows."""


def canonicalize(bundle: Path) -> bool:
    """Rewrite the bundle's filter and metadata files in a fixed order; False when left alone."""
    try:
        entry = json.loads((bundle / ENTRY).read_text(encoding="utf-8"))
        for language in entry["languages"].values():
            language["hash"] = _language(bundle, language["hash"])
    except (OSError, ValueError, KeyError, TypeError, IndexError, _Unexpected):
        return False
    (bundle / ENTRY).write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return True


def _language(bundle: Path, old_hash: str) -> str:
    """Rewrite one language's filters and metadata; return the metadata's new hash."""
    prefix = old_hash.split("_", 1)[0]
    meta_path = bundle / f"pagefind.{old_hash}.pf_meta"
    meta = _read(meta_path)
    if not (isinstance(meta, list) and len(meta) == 6 and isinstance(meta[3], list)):
        raise _Unexpected("metadata")
    filters = []
    for name, hash_ in meta[3]:
        path = bundle / "filter" / f"{hash_}.pf_filter"
        values = _read(path)
        if not (isinstance(values, list) and len(values) == 2 and values[0] == name):
            raise _Unexpected("filter")
        values[1] = sorted(values[1], key=lambda v: (str(v[0]), v[1]))
        data = _pack(values)
        new_hash = f"{prefix}_{hashlib.sha256(data).hexdigest()[:7]}"
        path.unlink()
        (bundle / "filter" / f"{new_hash}.pf_filter").write_bytes(gzip.compress(data, mtime=0))
        filters.append([name, new_hash])
    meta[3] = sorted(filters)
    meta[5] = sorted(meta[5]) if isinstance(meta[5], list) else meta[5]
    data = _pack(meta)
    new_hash = f"{prefix}_{hashlib.sha256(data).hexdigest()[:10]}"
    meta_path.unlink()
    (bundle / f"pagefind.{new_hash}.pf_meta").write_bytes(gzip.compress(data, mtime=0))
    return new_hash


def _read(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(MAGIC):
        raise _Unexpected(path.name)
    value, end = _decode(data, len(MAGIC))
    if end != len(data):
        raise _Unexpected(path.name)
    return value


def _pack(value: Any) -> bytes:
    out = bytearray(MAGIC)
    _encode(value, out)
    return bytes(out)


def _decode(data: bytes, i: int) -> tuple[Any, int]:
    major, info = data[i] >> 5, data[i] & 31
    i += 1
    if info < 24:
        size = info
    elif info <= 27:
        width = 1 << (info - 24)
        size, i = int.from_bytes(data[i:i + width], "big"), i + width
    else:
        raise _Unexpected("indefinite length")
    if major == 0:
        return size, i
    if major == 2:
        return bytes(data[i:i + size]), i + size
    if major == 3:
        return data[i:i + size].decode("utf-8"), i + size
    if major in (4, 5):
        items = []
        for _ in range(size * (2 if major == 5 else 1)):
            item, i = _decode(data, i)
            items.append(item)
        return (items if major == 4 else dict(zip(items[::2], items[1::2]))), i
    raise _Unexpected(f"CBOR major type {major}")


def _encode(value: Any, out: bytearray) -> None:
    if isinstance(value, bool):
        raise _Unexpected("boolean")
    if isinstance(value, int):
        _head(0, value, out)
    elif isinstance(value, bytes):
        _head(2, len(value), out)
        out += value
    elif isinstance(value, str):
        data = value.encode("utf-8")
        _head(3, len(data), out)
        out += data
    elif isinstance(value, list):
        _head(4, len(value), out)
        for item in value:
            _encode(item, out)
    elif isinstance(value, dict):
        _head(5, len(value), out)
        for key, item in value.items():
            _encode(key, out)
            _encode(item, out)
    else:
        raise _Unexpected(type(value).__name__)


def _head(major: int, size: int, out: bytearray) -> None:
    """A CBOR item head in its shortest form, as Pagefind's encoder writes it."""
    if size < 24:
        out.append(major << 5 | size)
        return
    for info, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if size < 1 << (8 * width):
            out.append(major << 5 | info)
            out += size.to_bytes(width, "big")
            return
    raise _Unexpected("integer too large")
