"""The quickest rebuild: a body edited, and nothing else, is written into its page as it stands.

A record's body is shown on its own page and nowhere else (lists, feeds, dossier.json,
search data and structured data use its fields and links), and inside that page only
where the template puts ``{{ body }}``. So when an edit leaves a record's fields, its
body's links and its diagnostics as they were, the new page is the old one with the
body's HTML replaced, and no other output changes. This needs neither the graph nor the
templates: the last build stores, for each record page, the record (without body), its
links, its diagnostics and where its body's links lead (``pages-*.pickle``), and checks
once that the templates show the body only in ``<div class="body">`` (the Markdown
renderer writes no ``div``, so the body's end is found without doubt).

Anything else (front matter, links, a new or removed file, a draft, templates that show
the body elsewhere) is left to ``rebuild``'s general way.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path
from typing import Any

from builder.cache import Cache, loads_or_none
from builder.diagnostics import Diagnostic, Report
from builder.records import Record

PAGES = "pages-{:02x}.pickle"
"""Cache files of the entries, each holding the pages of one shard: a splice reads one small file."""
SHARDS = 64
START = b'<div class="body">\n'
END = b"\n  </div>"
SHOWN = '<div class="body">\n{{ body }}\n  </div>'
"""How the templates must show a body (and nothing else of it) for a page to be spliced."""


def entries(renderer, records: list[Record], load_diagnostics: dict[Path, list[Diagnostic]],
            parsed: dict, dump) -> dict[str, bytes]:
    """What splicing needs of each record with a page, by file path; ``dump`` pickles one entry."""
    from builder import urls

    made = {}
    graph = renderer.graph
    for record in records:
        if record.key not in graph.records:
            continue  # a draft left out: no page
        url = urls.record_url(record.type, record.slug)
        links = parsed.get(record.key)
        made[str(record.path)] = dump((record, load_diagnostics.get(record.path, []), links,
                                       urls.output_path(url), *renderer.body_links(record, url)))
    return made


def templates_allow(env, templates: list[str]) -> bool:
    """Whether each template (with all it extends, includes and imports) shows the body once, as ``SHOWN``."""
    from jinja2 import meta, nodes

    for name in templates:
        names, todo, shown, uses = set(), [name], 0, 0
        while todo:
            current = todo.pop()
            if current in names:
                continue
            names.add(current)
            source = env.loader.get_source(env, current)[0]
            tree = env.parse(source)
            shown += source.count(SHOWN)
            uses += sum(1 for n in tree.find_all(nodes.Name) if n.name == "body")
            uses += sum(1 for n in tree.find_all(nodes.Getattr) if n.attr == "body")
            todo += [t for t in meta.find_referenced_templates(tree) if t]
        if shown != 1 or uses != 1:
            return False
    return True


def save(cache: Cache, token: str, allowed: bool, pages: dict[str, bytes]) -> None:
    shards: list[dict[str, bytes]] = [{} for _ in range(SHARDS)]
    for path, blob in pages.items():
        shards[_shard(path)][path] = blob
    for number, shard in enumerate(shards):
        cache.write(PAGES.format(number), {"token": token, "allowed": allowed, "pages": shard})


def _shard(path: str) -> int:
    return int.from_bytes(hashlib.blake2b(path.encode("utf-8", "surrogatepass"), digest_size=2).digest(), "big") % SHARDS


def edits(cache: Cache, manifest: dict, changed: set[str], output: Path, allowed_classes) -> dict[str, bytes] | None:
    """The new bytes of each page whose body alone changed, by output path; None unless every change is one."""
    shards: dict[int, Any] = {}
    made: dict[str, bytes] = {}
    for path in sorted(changed):
        number = _shard(path)
        stored = shards[number] = shards.get(number) or cache.read(PAGES.format(number))
        if not isinstance(stored, dict) or stored.get("token") != manifest["state"] or not stored.get("allowed"):
            return None
        pages = stored.get("pages")
        blob = pages.get(path) if isinstance(pages, dict) else None
        entry = loads_or_none(blob, allowed_classes)
        page = _page(Path(path), entry, output)
        if page is None:
            return None
        made[entry[3]] = page
    return made


def _page(path: Path, entry: Any, output: Path) -> bytes | None:
    from builder import markdown
    from builder.discover import RecordFile
    from builder.load import load_record

    if not (isinstance(entry, tuple) and len(entry) == 7 and isinstance(entry[0], Record)):
        return None
    before, diagnostics, links, name, targets, local, sizes = entry
    report, partial = Report(), []
    record = load_record(RecordFile(before.type, path), report, partial)
    if record is None or partial or report.items != diagnostics or not _same_but_body(before, record):
        return None
    parsed = markdown.parse(record.body)
    if not isinstance(links, markdown.Parsed) or (parsed.wikilinks, parsed.local_links) != (links.wikilinks, links.local_links):
        return None
    try:
        old = (output / name).read_bytes()
    except OSError:
        return None
    return _splice(old, markdown.render(parsed, targets, local, sizes))


def _same_but_body(a: Record, b: Record) -> bool:
    return ((a.type, a.slug, a.path, a.fields, a.body_line, a.extra, a.marks)
            == (b.type, b.slug, b.path, b.fields, b.body_line, b.extra, b.marks))


def _splice(page: bytes, html: str) -> bytes | None:
    """``page`` with its body's HTML replaced; None when the page is not shaped as the templates promise."""
    if page.count(START) != 1:
        return None
    start = page.index(START) + len(START)
    end = page.find(END, start)
    if end < 0 or b"</div>" in page[start:end] or "</div>" in html:
        return None
    return page[:start] + html.encode("utf-8") + page[end:]


def dumps(value: Any, pickler: type[pickle.Pickler]) -> bytes:
    import io

    buffer = io.BytesIO()
    pickler(buffer, protocol=5).dump(value)
    return buffer.getvalue()
