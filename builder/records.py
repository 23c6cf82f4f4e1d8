"""The typed records that flow between the stages of a build."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from builder import spill
from builder.dates import PartialDate

TYPES = ("articles", "officials", "countries", "agreements", "organizations")
"""Record types, as their content folder names, in display order."""

SINGULAR = {
    "articles": "article",
    "officials": "official",
    "countries": "country",
    "agreements": "agreement",
    "organizations": "organization",
}


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """The settings of ``site.yaml``."""

    title: str
    description: str = ""
    base_url: str = ""
    """Absolute URL ending in '/', or '' when not set."""
    language: str = "en"


@dataclass(frozen=True, slots=True)
class Source:
    """A source an article cites."""

    title: str
    publisher: str = ""
    url: str = ""
    date: PartialDate | None = None
    dateline: str = ""
    """Place the report was filed from, as the source gives it."""
    credits: tuple[str, ...] = ()
    """Outlets the source itself credits."""


@dataclass(frozen=True, slots=True)
class Position:
    """A post an official held."""

    title: str
    organization: str = ""
    """Organization slug, or ''."""
    start: PartialDate | None = None
    end: PartialDate | None = None


@dataclass(frozen=True, slots=True)
class Record:
    """One content file, validated: an article, official, country, agreement or organization."""

    type: str
    """One of TYPES."""
    slug: str
    path: Path
    """Absolute path of the source file."""
    fields: Mapping[str, Any]
    """Validated values by key: str, PartialDate, bool, tuple of slugs, Sources, Positions."""
    packed_body: bytes | str = b""
    """The Markdown body, deflated (``body`` reads it; given as text, it is deflated on the way in). Most
    bodies are made into HTML as they are loaded, and their text is wanted again only when an edit is
    compared or a page cannot use that HTML: kept whole, bodies would be over a quarter of a loaded site's memory.
    A one-shot build keeps the deflated bytes on disk (``spill``)."""
    body_line: int = 1
    """File line on which the body starts."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """The ``x-`` keys, kept for templates."""
    marks: Mapping[tuple, tuple[int, int]] = field(default_factory=dict, compare=False, repr=False)
    """Line and column of each front-matter value, by key path, for later diagnostics."""
    key: tuple[str, str] = field(init=False, compare=False, repr=False)
    """``(type, slug)``: made once, so the graph's links and edges share one tuple per record."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", (self.type, self.slug))
        if isinstance(self.packed_body, str):
            object.__setattr__(self, "packed_body", pack(self.packed_body))

    @property
    def body(self) -> str:
        """The Markdown after the front matter."""
        return unpack(self.packed_body)

    @property
    def label(self) -> str:
        """The record's display name: its name or title."""
        return self.fields.get("name") or self.fields.get("title") or self.slug

    @property
    def date(self) -> PartialDate | None:
        """The date a record is filed under: an article's date or an agreement's signing."""
        return self.fields.get("date") or self.fields.get("signed")

    def get(self, key: str, default: Any = None) -> Any:
        return self.fields.get(key, default)


@dataclass(frozen=True, slots=True)
class Link:
    """A reference from one record to another."""

    source: tuple[str, str]
    target: tuple[str, str]
    relation: str
    """The front-matter key that states it (``officials``, ``parties``, ``parent`` ...) or ``mention``."""


def pack(text: str) -> bytes:
    """Text deflated, the same bytes for the same text (so records compare by their bodies)."""
    return zlib.compress(text.encode("utf-8", "surrogatepass"), 1) if text else b""


def unpack(data: bytes | spill.Spilled) -> str:
    return zlib.decompress(spill.read(data)).decode("utf-8", "surrogatepass") if data else ""
