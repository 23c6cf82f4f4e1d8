"""The typed records that flow between the stages of a build."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field, fields
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


def share_values(record: Record, shared: dict) -> None:
    """Make ``record``'s slug and the text and dates in its fields the very objects equal to them in
    ``shared`` (adding those not there yet). Loaded in other processes or read from the cache, every
    record holds its own copies of the same keys, slugs, tags, sources and dates: at ten thousand
    articles, three in four of the strings in their fields, half of their bytes."""
    slug = shared.setdefault(record.slug, record.slug)
    object.__setattr__(record, "slug", slug)
    object.__setattr__(record, "key", (shared.setdefault(record.type, record.type), slug))
    object.__setattr__(record, "fields", _shared(record.fields, shared))
    object.__setattr__(record, "extra", _shared(record.extra, shared))


_SHARED_KINDS = {str, PartialDate}
"""Immutable values that are shared by being equal."""


def _shared(value: Any, shared: dict) -> Any:
    kind = type(value)
    if kind in _SHARED_KINDS:
        return shared.setdefault(value, value)
    if kind is tuple or kind is list:
        return kind(_shared(item, shared) for item in value)
    if kind is dict:
        return {_shared(key, shared): _shared(item, shared) for key, item in value.items()}
    if kind is Source or kind is Position:
        return kind(*[_shared(getattr(value, name), shared) for name in _FIELD_NAMES[kind]])
    return value


_FIELD_NAMES = {kind: tuple(f.name for f in fields(kind)) for kind in (Source, Position)}


def pack(text: str) -> bytes:
    """Text deflated, the same bytes for the same text (so records compare by their bodies)."""
    return zlib.compress(text.encode("utf-8", "surrogatepass"), 1) if text else b""


def unpack(data: bytes | spill.Spilled) -> str:
    return zlib.decompress(spill.read(data)).decode("utf-8", "surrogatepass") if data else ""
