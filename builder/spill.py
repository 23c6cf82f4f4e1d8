"""Bytes a build holds from loading to the end but reads once or twice: kept in a temporary file.

Every body's deflated HTML (``prerender``) and Markdown (``records.pack``), and
every front matter's text (``frontmatter.Marks``), are two fifths of what a large
site's build holds once loaded, yet each is read only when its page is rendered
(the text, only for a problem found after loading). Inside ``session()``, ``keep`` writes such bytes to
one unnamed temporary file and gives a small reference in their place; the
operating system keeps the file's pages in its cache while memory allows, and
drops them first when it does not.

Forked workers read through the descriptor they inherit (``os.pread``, which
shares no file offset). A reference pickles as the bytes it stands for, so a
cache entry or anything sent between processes never points into the file.
Outside a session ``keep`` gives the bytes back as they are: the preview
server's graphs outlive any one build, and it changes few bodies at a time.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

SMALLEST = 256
"""Shorter bytes stay in memory: the reference would save little."""


@dataclass(slots=True)
class _File:
    fd: int
    end: int
    owner: int
    """The process that writes; a forked worker only reads."""


_OPEN: _File | None = None


class Spilled:
    """Bytes written to the session's file: where they are, and how many."""

    __slots__ = ("offset", "length")

    def __init__(self, offset: int, length: int) -> None:
        self.offset = offset
        self.length = length

    def __bytes__(self) -> bytes:
        if _OPEN is None:
            raise RuntimeError("spilled bytes read after their build ended")
        data = os.pread(_OPEN.fd, self.length, self.offset)
        if len(data) != self.length:
            raise OSError(f"spill file gave {len(data)} of {self.length} bytes")
        return data

    def __len__(self) -> int:
        return self.length

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Spilled, bytes)):
            return self is other or bytes(self) == bytes(other)
        return NotImplemented

    def __reduce__(self):
        return bytes, (bytes(self),)

    def __repr__(self) -> str:
        return f"Spilled({self.length} bytes)"


def keep(data: bytes | None) -> bytes | Spilled | None:
    """``data``, or a reference to it in the session's file."""
    file = _OPEN
    if file is None or not isinstance(data, bytes) or len(data) < SMALLEST or file.owner != os.getpid():
        return data
    offset, view = file.end, memoryview(data)
    try:
        while view:
            view = view[os.pwrite(file.fd, view, offset + len(data) - len(view)):]
    except OSError:  # e.g. the disk is full: these bytes stay in memory, and the next write goes where these began
        return data
    file.end = offset + len(data)
    return Spilled(offset, len(data))


def read(data: bytes | Spilled) -> bytes:
    """The bytes themselves, wherever they are kept."""
    return data if isinstance(data, bytes) else bytes(data)


@contextmanager
def session() -> Iterator[None]:
    """Spill what ``keep`` is given to a temporary file until the block ends (then nothing read from it)."""
    global _OPEN
    if _OPEN is not None:  # already in one: the outer session owns the file
        yield
        return
    try:
        handle = tempfile.TemporaryFile(prefix="dossier-spill-")
    except OSError:  # no writable temporary folder: everything stays in memory, as outside a session
        yield
        return
    with handle:
        _OPEN = _File(handle.fileno(), 0, os.getpid())
        try:
            yield
        finally:
            _OPEN = None
