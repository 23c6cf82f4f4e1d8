"""``dossier new``: a record file with the required keys, ready to fill in."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from builder.schema import SCHEMAS, SLUG, SLUG_RULE

_TEMPLATES = {
    "articles": """---
title: "{title}"
date: {today}
summary: ""
officials: []
countries: []
organizations: []
agreements: []
tags: []
sources:
  - title: ""
    publisher: ""
    url: ""
    date:
---

Write the article here. Link records with [[officials/some-slug]] or [[Their Name]].
""",
    "officials": """---
name: "{title}"
native_name: ""
country: ""
positions:
  - title: ""
    organization: ""
---
""",
    "countries": """---
name: "{title}"
native_name: ""
iso: ""
---
""",
    "agreements": """---
title: "{title}"
kind: agreement  # treaty, agreement, mou, partnership or other
signed:
parties: []
signatories: []
---
""",
    "organizations": """---
name: "{title}"
native_name: ""
country: ""
kind: ""
---
""",
}


def schema_line(record: Path, schema: Path) -> str:
    """The YAML comment that points editors at a JSON Schema, by a path relative to the record."""
    relative = os.path.relpath(schema.resolve(), record.parent.resolve())
    return f"# yaml-language-server: $schema={Path(relative).as_posix()}"


class ScaffoldError(Exception):
    """The record cannot be written; the message says why."""


def new_record(
    content: Path, type_: str, slug: str, title: str = "", today: dt.date | None = None, schemas: Path | None = None
) -> Path:
    """Write ``content/TYPE/SLUG.md``; never overwrite.

    With ``schemas`` (the folder ``dossier schemas`` writes), the front matter's
    first line names the type's JSON Schema, relative to the new file, so editors
    validate and complete it.
    """
    if type_ not in SCHEMAS:
        raise ScaffoldError(f"unknown type '{type_}': use one of {', '.join(SCHEMAS)}")
    if not SLUG.fullmatch(slug):
        raise ScaffoldError(f"'{slug}' is not a slug: use {SLUG_RULE}")
    existing = list((content / type_).rglob(f"{slug}.md")) if (content / type_).is_dir() else []
    path = content / type_ / f"{slug}.md"
    if path.exists() or existing:
        raise ScaffoldError(f"{(existing or [path])[0]} already exists; not overwritten")
    shown = title or slug.replace("-", " ").title()
    text = _TEMPLATES[type_].format(title=shown.replace('"', '\\"'), today=(today or dt.date.today()).isoformat())
    if schemas is not None:
        text = "---\n" + schema_line(path, schemas / f"{type_}.schema.json") + "\n" + text.removeprefix("---\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:
        handle.write(text)
    return path
