"""JSON Schemas for editors, generated from the field tables in builder/schema.py.

Editors (through yaml-language-server) validate and complete front matter with
these files. They are built from the same ``SITE``, ``SCHEMAS``, ``SOURCE`` and
``POSITION`` tables as the validator, so the two cannot drift apart, and they
follow the validator's rules exactly: an optional key may be empty (null, ``""``
blank text or ``[]``), a required one may not; top-level ``x-`` keys are free; reference
fields list the slugs that exist in the content folder.

Patterns are written to mean the same in Python's ``re`` (the validator) and
in ECMA-262 (editors): they end with ``(?![\\s\\S])`` ("nothing follows")
rather than ``$``, which in Python also matches before a final newline, and
spell out whitespace as the characters ``str.strip`` removes, since ``\\s``
differs between the two.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping, Sequence

from builder.diagnostics import Report
from builder.discover import discover
from builder.records import SINGULAR, TYPES
from builder.schema import POSITION, SCHEMAS, SITE, SOURCE, SLUG, Field

DRAFT = "http://json-schema.org/draft-07/schema#"
"""Draft 7: the newest draft that every common YAML editor plugin understands."""
END = r"(?![\s\S])"
SPACE = r"[\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
"""Whitespace as Python's ``str.isspace`` knows it."""
NOT_SPACE = "[^" + SPACE[1:]
SLUG_PATTERN = "^" + SLUG.pattern + END
DATE_PATTERN = (
    "^" + SPACE + "*(?:"
    r"(?!0000)[0-9]{4}(?:-(?:0[1-9]|1[0-2]))?"
    r"|(?!0000)[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))"
    r"|(?!0000)(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29"
    ")" + SPACE + "*" + END
)
"""YYYY, YYYY-MM or YYYY-MM-DD of a day that exists (29 February only in leap years)."""

DEFINITIONS: dict[str, dict[str, Any]] = {
    "empty": {
        "description": "Treated as not given: nothing, blank text or an empty list",
        "anyOf": [{"type": "null"}, {"type": "string", "pattern": "^" + SPACE + "*" + END}, {"type": "array", "maxItems": 0}],
    },
    "falsy": {"enum": [None, "", [], {}, False, 0]},
    "text": {"type": ["string", "number", "boolean", "null"]},
    "date": {
        "description": "YYYY, YYYY-MM or YYYY-MM-DD, as precise as the source allows",
        "anyOf": [
            {"type": "string", "pattern": DATE_PATTERN},
            {"type": "integer", "minimum": 1000, "maximum": 9999},
        ],
    },
}
"""Shared parts, referred to as ``#/definitions/NAME``."""
EMPTY = {"$ref": "#/definitions/empty"}
"""Values the validator treats as "not given"."""
FALSY = {"$ref": "#/definitions/falsy"}
TEXT = {"$ref": "#/definitions/text"}
KINDS: dict[str, dict[str, Any]] = {
    "text": TEXT,
    "texts": {"type": "array", "items": TEXT},
    "date": {"$ref": "#/definitions/date"},
    "bool": {"type": "boolean"},
    "iso": {"type": "string", "pattern": "^[A-Z]{2}" + END},
    "url": {"type": "string", "pattern": f"^{SPACE}*[Hh][Tt][Tt][Pp][Ss]?://{NOT_SPACE[:-1]}/$.?#]{NOT_SPACE}*{SPACE}*{END}"},
    "language": {"type": "string", "pattern": "^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*" + END},
}
SCHEMA_FILE = "{}.schema.json"

Slugs = Mapping[str, Sequence[str]]
"""Existing slugs by record type; None or a missing type: any slug."""


def site_schema() -> dict[str, Any]:
    """The schema of ``site.yaml``."""
    return {"$schema": DRAFT, "title": "dossier site.yaml", **_mapping(SITE, {}, top=True), "definitions": DEFINITIONS}


def record_schema(type_: str, slugs: Slugs | None = None) -> dict[str, Any]:
    """The schema of one record type's front matter; references limited to ``slugs`` when given."""
    title = f"dossier {SINGULAR[type_]} front matter"
    return {"$schema": DRAFT, "title": title, **_mapping(SCHEMAS[type_], slugs, top=True), "definitions": DEFINITIONS}


def all_schemas(slugs: Slugs | None = None) -> dict[str, dict[str, Any]]:
    """Every schema by file name: ``site.schema.json`` and one per record type."""
    schemas = {SCHEMA_FILE.format("site"): site_schema()}
    for type_ in TYPES:
        schemas[SCHEMA_FILE.format(type_)] = record_schema(type_, slugs)
    return schemas


def content_slugs(content: Path) -> dict[str, list[str]]:
    """The slugs of the records in a content folder, by type (file names only: nothing is parsed)."""
    files = discover(content, Report())
    found: dict[str, set[str]] = {type_: set() for type_ in TYPES}
    for record in files.records:
        if SLUG.fullmatch(record.path.stem):
            found[record.type].add(record.path.stem)
    return {type_: sorted(slugs) for type_, slugs in found.items()}


def dumps(schema: dict[str, Any]) -> str:
    """A schema as the text written to disk: stable, indented, UTF-8."""
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def write_schemas(output: Path, schemas: dict[str, dict[str, Any]]) -> list[Path]:
    """Write each schema into ``output``; return the files whose text changed."""
    output.mkdir(parents=True, exist_ok=True)
    changed = []
    for name, schema in schemas.items():
        path = output / name
        text = dumps(schema)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def _mapping(rules: dict[str, Field], slugs: Slugs | None, top: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {key: _property(rule, slugs) for key, rule in rules.items()},
        "required": [key for key, rule in rules.items() if rule.required],
        "additionalProperties": False,
    }
    if top:
        schema["patternProperties"] = {"^x-": {"description": "Kept for templates; not checked"}}
    return schema


def _property(rule: Field, slugs: Slugs | None) -> dict[str, Any]:
    value = _value(rule, slugs)
    described = {"description": rule.doc} if rule.doc else {}
    if rule.required:
        return {**described, "allOf": [{"not": EMPTY}, value]}
    return {**described, "anyOf": [EMPTY, value]}


def _value(rule: Field, slugs: Slugs | None) -> dict[str, Any]:
    if rule.kind in KINDS:
        return KINDS[rule.kind]
    if rule.kind == "enum":
        return {"enum": list(rule.choices)}
    if rule.kind == "ref":
        return _slug(rule.targets, slugs)
    if rule.kind in ("refs", "tags"):
        return {"type": "array", "items": _slug(rule.targets, slugs), "uniqueItems": True}
    if rule.kind == "sources":
        return {"type": "array", "items": {**_mapping(SOURCE, slugs), "anyOf": [_truthy("url"), _truthy("publisher")]}}
    if rule.kind == "positions":
        return {"type": "array", "items": _mapping(POSITION, slugs)}
    raise ValueError(f"no JSON Schema for field kind {rule.kind!r}")


def _slug(targets: tuple[str, ...], slugs: Slugs | None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "pattern": SLUG_PATTERN}
    if targets and slugs is not None:
        # A slug is looked up among the targets in order; the union is what may be named.
        schema["enum"] = sorted({slug for type_ in targets for slug in slugs.get(type_, ())})
    return schema


def _truthy(key: str) -> dict[str, Any]:
    """The key is given and is not empty, zero or false (a source needs a url or a publisher)."""
    return {"required": [key], "properties": {key: {"not": FALSY}}}

