"""Body HTML made once, where the parse is, with markers where link targets go.

A body's HTML depends on the rest of the site only through its wikilinks (each
target's address from the page and its label). So the stage that parses a
body also renders it with a marker in place of each target's address and
label; rendering it for a page is then a matter of putting the real ones in.
The HTML, deflated, can be kept for every body of a large site, stored in the
cache and sent between processes, where tokens would be too heavy. Bodies
whose HTML depends on more (relative links, images) or whose links do not all
resolve are parsed and rendered again, as usual.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Mapping

from markdown_it.common.utils import escapeHtml

from builder import markdown, spill
from builder.markdown import Parsed, Target
from builder.records import pack, unpack

MARK = "\0"
"""markdown-it turns every NUL of a body into U+FFFD, so a NUL in the HTML is a marker."""


@dataclass(slots=True)
class Prerendered(Parsed):
    """A parsed body without its tokens, with its HTML made for marked targets."""

    template: bytes | None = None
    """The HTML with markers, deflated (a large site holds every body's at once), or None when the
    body must be rendered from tokens; on disk in a one-shot build (``spill``)."""
    packed: bytes = b""
    """The body, deflated (``records.pack``; the record's own bytes, not a copy), parsed again when the
    template cannot be used."""

    @property
    def source(self) -> str:
        return unpack(self.packed)

    def fill(self, wikilinks: Mapping[str, Target], local: Mapping, sizes: Mapping | None) -> str:
        """The HTML for the given targets: the template filled in, or a full render when it cannot be."""
        if self.template is None or local:
            return markdown.render(markdown.parse(self.source), wikilinks, local, sizes)
        html = zlib.decompress(spill.read(self.template)).decode("utf-8")
        for i, name in enumerate(_targets(self)):
            target = wikilinks.get(name)
            if target is None:
                return markdown.render(markdown.parse(self.source), wikilinks, local, sizes)
            html = html.replace(f"{MARK}H{i}{MARK}", escapeHtml(target.href))
            html = html.replace(f"{MARK}L{i}{MARK}", markdown.lang_spans(target.label))
        return html


def prerender(body: str, parsed: Parsed, packed: bytes | None = None) -> Prerendered:
    """The links of ``parsed`` and, when the body allows it, its HTML with marked targets; ``packed``:
    the body already deflated (``Record.packed_body``)."""
    result = Prerendered([], parsed.wikilinks, parsed.local_links, {}, None, pack(body) if packed is None else packed)
    if parsed.local_links or _has_image(body, parsed) or MARK in body:
        return result
    marked = {name: Target(f"{MARK}H{i}{MARK}", f"{MARK}L{i}{MARK}") for i, name in enumerate(_targets(result))}
    result.template = zlib.compress(markdown.render(parsed, marked, {}, {}).encode("utf-8"), 6)
    return result


def _targets(parsed: Parsed) -> list[str]:
    return list(dict.fromkeys(w.target for w in parsed.wikilinks))


def _has_image(body: str, parsed: Parsed) -> bool:
    if "![" not in body:  # every image starts so, reference images too
        return False
    stack = list(parsed.tokens)
    while stack:
        token = stack.pop()
        if token.type == "image":
            return True
        stack.extend(token.children or ())
    return False
