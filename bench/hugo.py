"""The same synthetic dossier as a Hugo site, for comparing build times.

Articles keep their bodies, with wikilinks turned into ordinary links; the
officials, countries, agreements and organizations become taxonomies whose
term pages (with the record's body in ``_index.md``) stand in for entity pages.
Partial dates are padded to a day, since Hugo needs one.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from bench.generate import COUNTRIES, SynthRecord, records, slugify

TAXONOMIES = {"official": "officials", "country": "countries", "agreement": "agreements",
              "organization": "organizations", "tag": "tags"}

CONFIG = """baseURL = "https://example.org/dossier/"
title = "Synthetic dossier"
languageCode = "en"
disableKinds = []
[taxonomies]
{taxonomies}
[markup.goldmark.renderer]
unsafe = false
"""

BASEOF = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} · {{ site.Title }}</title>
<link rel="stylesheet" href="{{ "style.css" | relURL }}"></head>
<body><header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a>
<nav>{{ range $k, $v := site.Taxonomies }}<a href="{{ (printf "/%s/" $k) | relURL }}">{{ $k }}</a> {{ end }}</nav></header>
<main>{{ block "main" . }}{{ end }}</main></body></html>
"""
SINGLE = """{{ define "main" }}<article><h1>{{ .Title }}</h1><p>{{ .Date.Format "2 January 2006" }}</p>
<p>{{ .Summary }}</p>{{ .Content }}
{{ range $tax, $_ := site.Taxonomies }}{{ with $.GetTerms $tax }}<h3>{{ $tax }}</h3><ul>{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>{{ end }}{{ end }}
</article>{{ end }}
"""
LIST = """{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ .Date.Format "2006-01-02" }}</li>{{ end }}</ul>{{ end }}
"""
HOME = """{{ define "main" }}<h1>{{ site.Title }}</h1>
<ul>{{ range first 10 (where site.RegularPages "Section" "articles") }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
"""

_WIKILINK = re.compile(r"\[\[([^\[\]\n|]+)(?:\|([^\[\]\n]*))?\]\]")


def write_hugo_site(root: Path, articles: int, seed: int = 0) -> None:
    """Write a Hugo project (config, layouts, content) equivalent to ``generate(…, articles, seed)``."""
    if root.exists():
        shutil.rmtree(root)
    layouts = root / "layouts" / "_default"
    layouts.mkdir(parents=True)
    taxonomies = "\n".join(f'{singular} = "{plural}"' for singular, plural in TAXONOMIES.items())
    (root / "hugo.toml").write_text(CONFIG.format(taxonomies=taxonomies))
    for name, text in (("baseof", BASEOF), ("single", SINGLE), ("list", LIST), ("taxonomy", LIST), ("term", LIST)):
        (layouts / f"{name}.html").write_text(text)
    (root / "layouts" / "index.html").write_text(HOME)
    made: set[Path] = set()
    for record in records(articles, seed):
        path = root / "content" / _hugo_path(record)
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_text(_hugo_text(record), encoding="utf-8")


def _hugo_path(record: SynthRecord) -> str:
    if record.type == "articles":
        return f"articles/{record.slug}.md"
    return f"{record.type}/{record.slug}/_index.md"


def _hugo_text(record: SynthRecord) -> str:
    front: dict = {"title": record.label}
    if record.type == "articles":
        front["date"] = _full_date(record.fields["date"])
        front["summary"] = record.fields["summary"]
        for key in ("officials", "countries", "agreements", "organizations", "tags"):
            if key in record.fields:
                front[key] = record.fields[key]
    return "---\n" + json.dumps(front, ensure_ascii=False, indent=1) + "\n---\n" + _links(record.body)


def _full_date(value: str | int) -> str:
    text = str(value)
    return text + "-01-01" if len(text) == 4 else text + "-01" if len(text) == 7 else text


def _links(body: str) -> str:
    return _WIKILINK.sub(_link, body)


def _link(match: re.Match) -> str:
    target, text = match.group(1).strip(), (match.group(2) or "").strip()
    if "/" in target:
        url = "/" + target + "/"
    elif target in {c[0] for c in COUNTRIES}:
        url = f"/countries/{slugify(target)}/"
    else:
        url = f"/officials/{target}/"
    return f"[{text or target}]({url})"
