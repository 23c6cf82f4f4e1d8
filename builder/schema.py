"""Field rules for ``site.yaml`` and each record type, and the validator that applies them.

The rules are data, so the same table drives validation, ``dossier new`` and
the JSON Schemas that editors use.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any, Callable

from builder.dates import DateError, PartialDate, parse_date
from builder.frontmatter import FrontMatter
from builder.records import Position, Source

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_RULE = "lowercase letters and digits in words joined by single hyphens, e.g. 'wang-yi'"
ISO = re.compile(r"[A-Z]{2}")
URL = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)
LANGUAGE = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")
AGREEMENT_KINDS = ("treaty", "agreement", "mou", "partnership", "other")


@dataclass(frozen=True, slots=True)
class Field:
    """The rule for one front-matter key."""

    kind: str
    """text, texts, date, bool, ref, refs, tags, enum, iso, url, language, sources, positions."""
    required: bool = False
    targets: tuple[str, ...] = ()
    """For ref and refs: the record types a slug may name, searched in order."""
    choices: tuple[str, ...] = ()
    """For enum: the accepted values."""
    doc: str = ""


def _text(doc: str, required: bool = False) -> Field:
    return Field("text", required, doc=doc)


def _refs(*targets: str, doc: str, required: bool = False) -> Field:
    return Field("refs", required, targets=targets, doc=doc)


SITE = {
    "title": _text("Site title", required=True),
    "description": _text("One sentence, used in <meta> and the feed"),
    "base_url": Field("url", doc="Absolute URL where the site is published, e.g. https://example.org/dossier/"),
    "language": Field("language", doc="BCP 47 tag of the site, default 'en'"),
}

SOURCE = {
    "title": _text("Title of the source", required=True),
    "publisher": _text("Who published it"),
    "url": Field("url", doc="http(s):// address"),
    "date": Field("date", doc="Publication date"),
    "dateline": _text("Place the report was filed from"),
    "credits": Field("texts", doc="Outlets the source itself credits"),
}

POSITION = {
    "title": _text("Title of the post", required=True),
    "organization": Field("ref", targets=("organizations",), doc="Organization slug"),
    "start": Field("date", doc="When it began"),
    "end": Field("date", doc="When it ended"),
}

SCHEMAS: dict[str, dict[str, Field]] = {
    "articles": {
        "title": _text("Headline", required=True),
        "date": Field("date", required=True, doc="Date of the event the article reports"),
        "summary": _text("One plain-text paragraph"),
        "officials": _refs("officials", doc="Officials the article concerns"),
        "countries": _refs("countries", doc="Countries the article concerns"),
        "agreements": _refs("agreements", doc="Agreements the article concerns"),
        "organizations": _refs("organizations", doc="Organizations the article concerns"),
        "tags": Field("tags", doc="Free vocabulary of slugs"),
        "sources": Field("sources", required=True, doc="At least one source"),
        "draft": Field("bool", doc="Left out of build unless --drafts"),
    },
    "officials": {
        "name": _text("Name in English", required=True),
        "native_name": _text("Name in the person's own script"),
        "native_language": Field("language", doc="BCP 47 tag of native_name; guessed from its script when absent"),
        "aliases": Field("texts", doc="Other names and spellings"),
        "country": Field("ref", required=True, targets=("countries",), doc="Country slug"),
        "positions": Field("positions", doc="Posts held"),
    },
    "countries": {
        "name": _text("Name in English", required=True),
        "native_name": _text("Name in the country's own language"),
        "native_language": Field("language", doc="BCP 47 tag of native_name; guessed from its script when absent"),
        "official_name": _text("Official long name"),
        "iso": Field("iso", doc="ISO 3166-1 alpha-2 code, e.g. IR"),
    },
    "agreements": {
        "title": _text("Title", required=True),
        "kind": Field("enum", required=True, choices=AGREEMENT_KINDS, doc="Kind of agreement"),
        "signed": Field("date", doc="Date of signing"),
        "parties": _refs("countries", "organizations", required=True, doc="Country or organization slugs"),
        "signatories": _refs("officials", doc="Officials who signed"),
        "parent": Field("ref", targets=("agreements",), doc="The framework agreement this one was made under"),
        "status": _text("e.g. signed, in force, expired"),
    },
    "organizations": {
        "name": _text("Name in English", required=True),
        "native_name": _text("Name in its own script"),
        "native_language": Field("language", doc="BCP 47 tag of native_name; guessed from its script when absent"),
        "aliases": Field("texts", doc="Other names and abbreviations"),
        "country": Field("ref", targets=("countries",), doc="Country slug"),
        "kind": _text("e.g. ministry, university, news agency"),
    },
}

Emit = Callable[[tuple, str, str, str], None]
"""emit(key path, message, code, hint): report a problem at a key path."""


class Validator:
    """Checks one front-matter block against a table of fields."""

    def __init__(self, front: FrontMatter, emit_at: Callable[[int, int, str, str, str], None]) -> None:
        self.front = front
        self.emit_at = emit_at
        self.ok = True

    def emit(self, path: tuple, message: str, code: str, hint: str = "", key: bool = False) -> None:
        self.ok = False
        line, col = self.front.at(path, key=key)
        self.emit_at(line, col, message, code, hint)

    def mapping(self, data: Any, rules: dict[str, Field], path: tuple = ()) -> dict[str, Any]:
        """Validate a mapping; return the typed values of the keys that passed."""
        if not isinstance(data, dict):
            self.emit(path, f"expected a mapping of keys, got {_kind(data)}", "bad-type")
            return {}
        result: dict[str, Any] = {}
        for key, value in data.items():
            if key.startswith("x-") and path == ():
                continue
            rule = rules.get(key)
            if rule is None:
                self.emit(path + (key,), f"unknown key '{key}'", "unknown-key", did_you_mean(key, rules), key=True)
            elif value is None or (isinstance(value, str) and not value.strip()) or value == []:
                if rule.required:
                    self.emit(path + (key,), f"'{key}' is empty", "missing-key", key=True)
            else:
                checked = self.value(value, rule, path + (key,))
                if checked is not None:
                    result[key] = checked
        for key, rule in rules.items():
            if rule.required and key not in data:
                where = path if path else ()
                self.emit(where, f"missing required key '{key}'", "missing-key")
        return result

    def value(self, value: Any, rule: Field, path: tuple) -> Any:
        check = getattr(self, "_" + rule.kind)
        return check(value, rule, path)

    def _text(self, value: Any, rule: Field, path: tuple) -> str | None:
        if isinstance(value, (list, dict)):
            self.emit(path, f"'{path[-1]}' must be text, got {_kind(value)}", "bad-type")
            return None
        return self.front.raw.get(path, str(value)) if not isinstance(value, str) else value

    def _texts(self, value: Any, rule: Field, path: tuple) -> tuple[str, ...] | None:
        items = self._list(value, path)
        if items is None:
            return None
        texts = [self._text(item, rule, path + (i,)) for i, item in enumerate(items)]
        return tuple(t for t in texts if t is not None)

    def _date(self, value: Any, rule: Field, path: tuple) -> PartialDate | None:
        try:
            return parse_date(value)
        except DateError as exc:
            self.emit(path, f"bad date: {exc}", "bad-date")
            return None

    def _bool(self, value: Any, rule: Field, path: tuple) -> bool | None:
        if not isinstance(value, bool):
            self.emit(path, f"'{path[-1]}' must be true or false", "bad-type")
            return None
        return value

    def _slug(self, value: Any, path: tuple) -> str | None:
        if not isinstance(value, str) or not SLUG.fullmatch(value):
            shown = value if isinstance(value, (str, int)) else _kind(value)
            self.emit(path, f"'{shown}' is not a slug: use {SLUG_RULE}", "bad-slug", _slug_hint(value))
            return None
        return value

    def _ref(self, value: Any, rule: Field, path: tuple) -> str | None:
        return self._slug(value, path)

    def _refs(self, value: Any, rule: Field, path: tuple) -> tuple[str, ...] | None:
        items = self._list(value, path)
        if items is None:
            return None
        slugs = [self._slug(item, path + (i,)) for i, item in enumerate(items)]
        seen: dict[str, int] = {}
        for i, slug in enumerate(slugs):
            if slug is None:
                continue
            if slug in seen:
                self.emit(path + (i,), f"'{slug}' is listed twice", "duplicate-item")
            seen.setdefault(slug, i)
        if rule.required and not items:
            self.emit(path, f"'{path[-1]}' needs at least one slug", "missing-key")
        return tuple(seen)

    _tags = _refs

    def _enum(self, value: Any, rule: Field, path: tuple) -> str | None:
        if value not in rule.choices:
            hint = did_you_mean(str(value), rule.choices)
            choices = ", ".join(rule.choices)
            self.emit(path, f"'{value}' is not a {path[-1]}: use one of {choices}", "bad-value", hint)
            return None
        return value

    def _iso(self, value: Any, rule: Field, path: tuple) -> str | None:
        if not isinstance(value, str) or not ISO.fullmatch(value):
            self.emit(path, f"'{value}' is not an ISO 3166-1 alpha-2 code (two capital letters, e.g. IR)", "bad-value")
            return None
        return value

    def _url(self, value: Any, rule: Field, path: tuple) -> str | None:
        if not isinstance(value, str) or not URL.fullmatch(value.strip()):
            self.emit(path, f"'{value}' is not an http:// or https:// URL", "bad-url")
            return None
        return value.strip()

    def _language(self, value: Any, rule: Field, path: tuple) -> str | None:
        if not isinstance(value, str) or not LANGUAGE.fullmatch(value):
            self.emit(path, f"'{value}' is not a BCP 47 language tag such as 'en' or 'fa-IR'", "bad-value")
            return None
        return value

    def _sources(self, value: Any, rule: Field, path: tuple) -> tuple[Source, ...] | None:
        items = self._list(value, path)
        if items is None:
            return None
        sources = []
        for i, item in enumerate(items):
            fields = self.mapping(item, SOURCE, path + (i,))
            if isinstance(item, dict) and not (item.get("url") or item.get("publisher")):
                self.emit(path + (i,), "a source needs a 'url' or a 'publisher'", "missing-key")
            if "title" in fields:
                sources.append(Source(**fields))
        if not items:
            self.emit(path, "'sources' needs at least one source", "missing-key")
        return tuple(sources)

    def _positions(self, value: Any, rule: Field, path: tuple) -> tuple[Position, ...] | None:
        items = self._list(value, path)
        if items is None:
            return None
        positions = []
        for i, item in enumerate(items):
            fields = self.mapping(item, POSITION, path + (i,))
            start, end = fields.get("start"), fields.get("end")
            if start and end and end < start:
                self.emit(path + (i, "end"), f"position ends ({end}) before it starts ({start})", "bad-date")
            if "title" in fields:
                positions.append(Position(**fields))
        return tuple(positions)

    def _list(self, value: Any, path: tuple) -> list | None:
        if not isinstance(value, list):
            self.emit(path, f"'{path[-1]}' must be a list, got {_kind(value)}", "bad-type", "write it as [a, b] or one '- item' a line")
            return None
        return value


def did_you_mean(word: str, choices) -> str:
    """A "did you mean" hint naming the closest choice (case aside), or ''.

    When nothing is close in spelling, a single choice holding the word as one
    of its hyphenated parts is offered (``miit`` -> ``china-miit``).
    """
    by_fold = {str(c).casefold(): str(c) for c in sorted(choices, key=str)}
    close = difflib.get_close_matches(word.casefold(), list(by_fold), n=1, cutoff=0.6)
    if not close:
        parts = [c for c in by_fold if word.casefold() in c.split("-")]
        close = parts if len(parts) == 1 else []
    return f"did you mean '{by_fold[close[0]]}'?" if close else ""


def _slug_hint(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    fixed = "-".join(re.findall(r"[a-z0-9]+", value.lower()))
    return f"did you mean '{fixed}'?" if fixed and fixed != value else ""


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {list: "a list", dict: "a mapping", bool: "true/false"}.get(type(value), type(value).__name__)
