"""Markdown to HTML with markdown-it-py: wikilinks, safe links, and the links a body makes.

Parsing and rendering are two steps. ``parse`` returns the tokens with every
wikilink and relative link found (with its line), so the resolve stage can
check them; ``render`` then writes HTML with the targets it was given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping, Sequence
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

_SAFE_SCHEMES = {"http", "https", "mailto"}
_WIKILINK = re.compile(r"\[\[([^\[\]\n|]+)(?:\|([^\[\]\n]*))?\]\]")
MAX_WIKILINKS = 10_000
"""Most wikilinks resolved in one body; more is an error."""


@dataclass(frozen=True, slots=True)
class WikiLink:
    """A ``[[target|text]]`` as written, and where (body line 0-based, column 1-based)."""

    target: str
    text: str
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class LocalLink:
    """A relative link or image path as written, and where."""

    url: str
    line: int
    col: int


@dataclass(slots=True)
class Parsed:
    """A parsed body: its tokens and the links it makes, for the resolve stage."""

    tokens: list[Token]
    wikilinks: list[WikiLink] = field(default_factory=list)
    local_links: list[LocalLink] = field(default_factory=list)
    footnotes: dict = field(default_factory=dict)
    """markdown-it's footnote environment, needed again to render."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where a link goes from the page being rendered."""

    href: str
    label: str = ""
    """Shown when the wikilink gives no text."""


def _is_safe(url: str) -> bool:
    """Only http(s), mailto and scheme-less links are kept; javascript:, data: and the rest are dropped."""
    scheme = urlsplit(url.strip()).scheme.lower() if ":" in url else ""
    return not scheme or scheme in _SAFE_SCHEMES


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[[", state.pos):
        return False
    match = _WIKILINK.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        token = state.push("wikilink", "", 0)
        token.meta = {"target": match.group(1).strip(), "text": (match.group(2) or "").strip()}
        token.content = match.group(0)
    state.pos = match.end()
    return True


def _render_wikilink(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    from markdown_it.common.utils import escapeHtml

    meta = tokens[idx].meta
    target: Target | None = env.get("wikilinks", {}).get(meta["target"])
    text = meta["text"] or (target.label if target else meta["target"])
    if target is None:
        return f'<span class="broken-link">{escapeHtml(text)}</span>'
    return f'<a class="wikilink" href="{escapeHtml(target.href)}">{escapeHtml(text)}</a>'


def _rewrite_links(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    token = tokens[idx]
    attr = "src" if token.type == "image" else "href"
    url = token.attrGet(attr)
    if isinstance(url, str) and url in env.get("local", {}):
        token.attrSet(attr, env["local"][url])
    if token.type == "image":
        return self.image(tokens, idx, options, env)
    return self.renderToken(tokens, idx, options, env)


def make_parser() -> MarkdownIt:
    """CommonMark with tables, strikethrough, footnotes, heading anchors and wikilinks; no raw HTML."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin).use(anchors_plugin, min_level=2, max_level=4)
    md.validateLink = _is_safe
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
    md.add_render_rule("wikilink", _render_wikilink)
    md.add_render_rule("link_open", _rewrite_links)
    md.add_render_rule("image", _rewrite_links)
    return md


_MD = make_parser()


def parse(body: str) -> Parsed:
    """Parse a body; lines in the result count from 0 at the body's first line."""
    env: dict = {}
    tokens = _MD.parse(body, env)
    parsed = Parsed(tokens, footnotes=env)
    lines = body.split("\n")
    for token, line in _inline_children(tokens):
        if token.type == "wikilink":
            col = _column(lines, line, token.content)
            parsed.wikilinks.append(WikiLink(token.meta["target"], token.meta["text"], line, col))
        elif token.type in ("link_open", "image"):
            url = token.attrGet("href" if token.type == "link_open" else "src")
            if isinstance(url, str) and _is_local(url):
                parsed.local_links.append(LocalLink(url, line, _column(lines, line, url)))
    return parsed


def render(parsed: Parsed, wikilinks: Mapping[str, Target], local: Mapping[str, str]) -> str:
    """HTML for a parsed body, with wikilink targets and rewritten relative links."""
    env = dict(parsed.footnotes, wikilinks=wikilinks, local=local)
    return _MD.renderer.render(parsed.tokens, _MD.options, env)


def to_html(text: str) -> str:
    """HTML for a short text with no links to resolve (a summary, a note)."""
    return render(parse(text), {}, {})


def _inline_children(tokens: list[Token]):
    """Each inline child token with its body line, counting line breaks within a block."""
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        line = block.map[0] if block.map else 0
        for child in block.children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            yield child, line
            if child.type == "image" and child.children:
                for grandchild in child.children:
                    if grandchild.type == "wikilink":
                        yield grandchild, line


def _column(lines: list[str], line: int, needle: str) -> int:
    if 0 <= line < len(lines):
        at = lines[line].find(needle)
        if at >= 0:
            return at + 1
    return 1


def _is_local(url: str) -> bool:
    """A relative path to a file: no scheme, not absolute, not only a fragment or query."""
    if not url or url.startswith(("#", "/", "?")) or ":" in url.split("/", 1)[0]:
        return False
    return bool(unquote(urlsplit(url).path))
