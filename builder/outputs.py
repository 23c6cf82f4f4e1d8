"""The machine-readable outputs: Atom feed, sitemap and dossier.json."""

from __future__ import annotations

import json
import re
from collections import abc
from json.encoder import encode_basestring
from typing import Any, Iterable, Iterator

from builder import __version__, urls, views
from builder.dates import PartialDate
from builder.records import Position, Record, SiteConfig, Source
from builder.resolve import Graph

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
FEED_SIZE = 50


def atom_feed(config: SiteConfig, graph: Graph, feed_url: str = urls.FEED, keys=None, title: str = "") -> bytes:
    """An Atom feed of articles, newest first; links are absolute when base_url is set."""
    base = config.base_url
    if keys is None:
        articles = graph.of_type("articles")
    else:
        articles = [graph.records[k] for k in keys if k in graph.records and k[0] == "articles"]
    articles.sort(key=lambda r: (r.get("date").sort_key, r.slug), reverse=True)
    children = [_leaf("title", title or config.title)]
    if config.description:
        children.append(_leaf("subtitle", config.description))
    children += [
        _leaf("id", base + feed_url if base else f"urn:dossier:{_slugify(config.title)}:{feed_url}"),
        _leaf("updated", _timestamp(articles[0].get("date")) if articles else "1970-01-01T00:00:00Z"),
        _leaf("link", "", {"rel": "self", "href": _link(base, feed_url, feed_url)}),
        _leaf("link", "", {"rel": "alternate", "type": "text/html", "href": _link(base, urls.HOME, feed_url)}),
        _parent("author", [_leaf("name", config.title)], {}, 1),
        _leaf("generator", "dossier", {"version": __version__})]
    children += [_entry(record, base, feed_url) for record in articles[:FEED_SIZE]]
    attrs = {"xmlns": ATOM, "xml:lang": config.language} if config.language else {"xmlns": ATOM}
    return _document(_parent("feed", children, attrs, 0))


def _entry(record: Record, base: str, feed_url: str) -> str:
    url = urls.record_url("articles", record.slug)
    date = _timestamp(record.get("date"))
    children = [_leaf("title", record.label),
                _leaf("id", base + url if base else f"urn:dossier:articles:{record.slug}"),
                _leaf("link", "", {"rel": "alternate", "type": "text/html", "href": _link(base, url, feed_url)}),
                _leaf("updated", date), _leaf("published", date)]
    if record.get("summary"):
        children.append(_leaf("summary", record.get("summary")))
    children += [_leaf("category", "", {"term": tag}) for tag in record.get("tags", ())]
    return _parent("entry", children, {}, 1)


def sitemap(config: SiteConfig, page_urls: Iterable[str]) -> bytes:
    """Every page; absolute when base_url is set, relative to the sitemap otherwise."""
    base = config.base_url
    entries = [_parent("url", [_leaf("loc", base + url if base else (url or "./"))], {}, 1)
               for url in sorted(page_urls) if url != "404.html"]
    return _document(_parent("urlset", entries, {"xmlns": SITEMAP}, 0))


def dossier_json(config: SiteConfig, graph: Graph, extra: dict[str, Any] | None = None) -> bytes:
    """Every record, its fields and its references both ways; ``extra`` adds top-level keys (the graph)."""
    return b"".join(dossier_json_chunks(config, graph, extra))


def dossier_json_chunks(config: SiteConfig, graph: Graph, extra: dict[str, Any] | None = None) -> Iterator[bytes]:
    """``dossier_json`` in pieces, one record at a time, so a large site's is never held whole."""
    records = sorted(graph.records.values(), key=lambda r: r.key)
    return assemble_json_chunks(config, (record_json(graph, r) for r in records), extra)


def record_json(graph: Graph, record: Record) -> str:
    """One record's entry of dossier.json, as text; kept per record so a rebuild re-encodes only what changed."""
    return dumps(_record_json(graph, record))


def assemble_json(config: SiteConfig, records: list[str], extra: dict[str, Any] | None = None) -> bytes:
    """dossier.json from its records' entries (sorted by type and slug): the same text as one json.dumps."""
    return b"".join(assemble_json_chunks(config, records, extra))


def assemble_json_chunks(config: SiteConfig, records: Iterable[str], extra: dict[str, Any] | None = None) -> Iterator[bytes]:
    """``assemble_json`` in pieces: the head, each record's entry, the tail."""
    site = {"title": config.title, "description": config.description,
            "base_url": config.base_url, "language": config.language}
    generator = {"name": "dossier", "version": __version__}
    yield f'{{\n "site": {dumps(site, " ")},\n "records": '.encode("utf-8")
    separator = "[\n"
    for entry in records:
        yield (separator + _indent(entry, 2)).encode("utf-8")
        separator = ",\n"
    text = "[]" if separator == "[\n" else "\n ]"
    yield (text + f',\n "generator": {dumps(generator, " ")}').encode("utf-8")
    for key, value in (extra or {}).items():
        yield f',\n {json.dumps(key)}: '.encode("utf-8")
        for piece in _json_pieces(value, 1, 2):
            yield piece.encode("utf-8")
    yield b"\n}\n"


def _json_pieces(value: Any, depth: int, levels: int) -> Iterator[str]:
    """``dumps(value)`` indented to ``depth``, an item at a time down ``levels`` levels (the graph's
    edges of a large site would make one very long string); an iterator is written as a list,
    its items taken one at a time, so that the items are never all held at once."""
    pad = " " * depth
    if isinstance(value, abc.Iterator):
        yield from _json_list(value, pad)
        return
    if not isinstance(value, (dict, list)) or not value or levels == 0 or (
            isinstance(value, dict) and not all(isinstance(k, str) for k in value)):
        yield dumps(value, pad)
        return
    inner = "\n" + pad + " "
    items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
    yield "{" if isinstance(value, dict) else "["
    for n, (key, item) in enumerate(items):
        yield ("," if n else "") + inner + ("" if key is None else encode_basestring(key) + ": ")
        yield from _json_pieces(item, depth + 1, levels - 1)
    yield "\n" + pad + ("}" if isinstance(value, dict) else "]")


def _json_list(items: Iterator[Any], pad: str, batch: int = 512) -> Iterator[str]:
    """``dumps(list(items), pad)`` in pieces of ``batch`` items."""
    inner = pad + " "
    joint = ",\n" + inner
    opening = "[\n" + inner
    pieces: list[str] = []
    for item in items:
        pieces.append(dumps(item, inner))
        if len(pieces) == batch:
            yield opening + joint.join(pieces)
            opening, pieces = joint, []
    if pieces:
        yield opening + joint.join(pieces)
        opening = joint
    yield "[]" if opening.startswith("[") else "\n" + pad + "]"


def dumps(value: Any, pad: str = "") -> str:
    """``json.dumps(value, ensure_ascii=False, indent=1)`` with ``pad`` before every line but the first.

    The standard library's C encoder cannot indent, and its Python one costs seconds on a
    large site's dossier.json; this writes the same text (plain data only: anything else,
    such as a float or a key that is not a string, goes to ``json.dumps`` as before).
    """
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return int.__repr__(value)
    inner = pad + " "
    if type(value) is dict and all(type(k) is str for k in value):
        if not value:
            return "{}"
        return "{\n" + ",\n".join(inner + encode_basestring(k) + ": " + dumps(v, inner) for k, v in value.items()) \
            + "\n" + pad + "}"
    if type(value) in (list, tuple):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(inner + dumps(v, inner) for v in value) + "\n" + pad + "]"
    return _indent(json.dumps(value, ensure_ascii=False, indent=1), len(pad))[len(pad):]


def _indent(text: str, depth: int) -> str:
    pad = " " * depth
    return pad + text.replace("\n", "\n" + pad)


def _record_json(graph: Graph, record: Record) -> dict[str, Any]:
    return {
        "type": record.type,
        "slug": record.slug,
        "url": urls.record_url(record.type, record.slug),
        "fields": {k: _plain(v) for k, v in record.fields.items()},
        "extra": {k: _plain(v) for k, v in record.extra.items()},
        "references": [_link_json(l.target, l.relation) for l in graph.outgoing.get(record.key, ())],
        "referenced_by": [_link_json(l.source, l.relation) for l in graph.incoming.get(record.key, ())],
    }


def _link_json(key, relation: str) -> dict[str, str]:
    return {"type": key[0], "slug": key[1], "relation": relation, "url": urls.record_url(*key)}


def _plain(value: Any) -> Any:
    if isinstance(value, PartialDate):
        return value.iso()
    if isinstance(value, (Source, Position)):
        return {k: _plain(getattr(value, k)) for k in value.__slots__ if getattr(value, k) not in ("", None, ())}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _document(root: str) -> bytes:
    """An XML file of one written element: the declaration, the element, a final newline."""
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + root + "\n").encode("utf-8", "xmlcharrefreplace")


def _leaf(tag: str, text: str, attrs: dict[str, str] | None = None) -> str:
    """An element without children, written as ElementTree writes it: its text made XML-safe
    (``_xml_safe``) and escaped, and ``<tag />`` when there is none."""
    text = _cdata(_xml_safe(text))
    head = tag + _attributes(attrs) if attrs else tag
    return f"<{head}>{text}</{tag}>" if text else f"<{head} />"


def _parent(tag: str, children: list[str], attrs: dict[str, str], depth: int) -> str:
    """An element of ``children`` (written elements) at ``depth``, indented as ``ElementTree.indent`` indents."""
    inner = "\n" + "  " * (depth + 1)
    return f"<{tag}{_attributes(attrs)}>{inner}{inner.join(children)}\n{'  ' * depth}</{tag}>" if children else _leaf(tag, "", attrs)


def _attributes(attrs: dict[str, str]) -> str:
    return "".join(f' {key}="{_attribute(value)}"' for key, value in attrs.items())


def _cdata(text: str) -> str:
    """Text escaped as ElementTree escapes an element's text."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _attribute(text: str) -> str:
    """Text escaped as ElementTree escapes an attribute's value."""
    text = _cdata(text)
    for char, entity in _ATTRIBUTE_ENTITIES:
        if char in text:
            text = text.replace(char, entity)
    return text


_ATTRIBUTE_ENTITIES = (('"', "&quot;"), ("\r", "&#13;"), ("\n", "&#10;"), ("\t", "&#09;"))


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot carry: control characters other than tab and line ends, lone
surrogates, and the two non-characters U+FFFE and U+FFFF."""


def _xml_safe(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (control characters)."""
    return _NOT_XML.sub("", text)


def _timestamp(date: PartialDate) -> str:
    return date.start().isoformat() + "T00:00:00Z"


def _link(base: str, url: str, from_url: str) -> str:
    return base + url if base else urls.relative(from_url, url)


def _slugify(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split()) or "site"
