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
from markdown_it.common.normalize_url import normalizeLink
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

from builder.scripts import direction, runs

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
    in_alt: bool = False
    """Written in an image's alt text: checked, shown as text, but no link and so no reference."""


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
    """Only http(s), mailto and scheme-less links are kept; javascript:, data: and the rest are dropped.

    The scheme is read after percent-decoding and dropping whitespace and control
    characters, as a browser's URL parser would skip some of them (``java%09script:``).
    """
    if "%" not in url and url.isascii() and url.isprintable():  # the common case, without a loop per character
        cleaned = url.replace(" ", "")
    else:
        cleaned = "".join(c for c in unquote(url) if c.isprintable() and not c.isspace())
    try:
        scheme = urlsplit(cleaned).scheme.lower() if ":" in cleaned else ""
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False
    return not scheme or scheme in _SAFE_SCHEMES


_PLAIN_URL = re.compile(r"(?:https?://[A-Za-z0-9.-]+(?=[/?#]|\Z))?[A-Za-z0-9\-._~/?#=&+,;!$*'()]*")
"""A link that markdown-it's normalizing leaves as it is: an optional plain http(s) host, then only
characters that need no escape, with no ``:``, ``@``, ``%``, brackets or spaces to parse."""


def _normalize_link(url: str) -> str:
    """markdown-it's ``normalizeLink``, without parsing and re-encoding the links it would not change
    (nearly every link in a body: parsing a link with ``mdurl`` was about a tenth of parsing a body)."""
    return url if _PLAIN_URL.fullmatch(url) else normalizeLink(url)


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[[", state.pos):
        return False
    match = _WIKILINK.match(state.src, state.pos)
    if not match or not (target := match.group(1).strip()):  # ``[[ ]]`` names nothing: plain text
        return False
    if not silent:
        token = state.push("wikilink", "", 0)
        token.meta = {"target": target, "text": (match.group(2) or "").strip()}
        token.content = match.group(0)
    state.pos = match.end()
    return True


def lang_spans(text: str) -> str:
    """Escaped ``text`` with each run of another script in a span carrying its lang and dir."""
    if text.isascii():  # most text: no other script, so no span
        return escapeHtml(text)
    return "".join(
        f'<span lang="{lang}" dir="{direction(lang)}">{escapeHtml(piece)}</span>' if lang else escapeHtml(piece)
        for piece, lang in runs(text))


def _render_text(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    return lang_spans(tokens[idx].content)


def _accessible_footnotes(md: MarkdownIt) -> None:
    """Footnotes under a "Notes" heading, with links that make sense when read out alone."""
    ref, anchor = md.renderer.rules["footnote_ref"], md.renderer.rules["footnote_anchor"]

    def render_ref(self, tokens, idx, options, env) -> str:
        return ref(tokens, idx, options, env).replace('">[', '"><span class="visually-hidden">Note </span>[', 1)

    def render_anchor(self, tokens, idx, options, env) -> str:
        number = self.rules["footnote_caption"](tokens, idx, options, env).strip("[]")
        label = f'class="footnote-backref" aria-label="Back to the text of note {number}">'
        return anchor(tokens, idx, options, env).replace('class="footnote-backref">', label, 1)

    md.add_render_rule("footnote_ref", render_ref)
    md.add_render_rule("footnote_anchor", render_anchor)
    md.add_render_rule("footnote_block_open",
                       lambda self, *args: '<section class="footnotes">\n<h2>Notes</h2>\n<ol class="footnotes-list">\n')


def _render_wikilink(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    meta = tokens[idx].meta
    target: Target | None = env.get("wikilinks", {}).get(meta["target"])
    text = meta["text"] or (target.label if target else meta["target"])
    if target is None:
        return f'<span class="broken-link">{escapeHtml(text)}</span>'
    return f'<a class="wikilink" href="{escapeHtml(target.href)}">{lang_spans(text)}</a>'


def _rewrite_links(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    token = tokens[idx]
    attr = "src" if token.type == "image" else "href"
    url = token.attrGet(attr)
    if isinstance(url, str) and url in env.get("local", {}):
        if env["local"][url] is None and token.type == "link_open":
            _unlink(tokens, idx)
        else:
            token.attrSet(attr, env["local"][url] or url)
    if token.type == "image":
        token.attrSet("alt", _alt_text(token.children or [], env))
        size = env.get("sizes", {}).get(url)
        if size:
            token.attrSet("width", str(size[0]))
            token.attrSet("height", str(size[1]))
        token.attrSet("loading", "lazy")
        return self.renderToken(tokens, idx, options, env)
    return self.renderToken(tokens, idx, options, env)


def _unlink(tokens: Sequence[Token], idx: int) -> None:
    """Render the link opening at ``idx`` as a span, up to its matching close."""
    depth = 0
    for token in tokens[idx:]:
        if token.type == "link_open":
            depth += 1
        elif token.type == "link_close":
            depth -= 1
        if depth == 0:
            token.tag = "span"
            break
    tokens[idx].tag = "span"
    tokens[idx].attrs = {"class": "broken-link"}


def _alt_text(children: Sequence[Token], env) -> str:
    """An image's alt text, with each wikilink as the text it shows."""
    parts = []
    for child in children:
        if child.type == "wikilink":
            target = env.get("wikilinks", {}).get(child.meta["target"])
            parts.append(child.meta["text"] or (target.label if target else child.meta["target"]))
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(_alt_text(child.children or [], env))
        else:
            parts.append(child.content)
    return "".join(parts)


def make_parser() -> MarkdownIt:
    """CommonMark with tables, strikethrough, footnotes, heading anchors and wikilinks; no raw HTML."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": False, "xhtmlOut": False})
    md.enable(["table", "strikethrough"])
    md.disable(["html_block", "html_inline"])  # with raw HTML off they would be tried at every tag, only to refuse
    md.use(footnote_plugin).use(anchors_plugin, min_level=2, max_level=4)
    md.validateLink = _is_safe
    md.normalizeLink = _normalize_link
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
    md.add_render_rule("wikilink", _render_wikilink)
    md.add_render_rule("link_open", _rewrite_links)
    md.add_render_rule("image", _rewrite_links)
    md.add_render_rule("text", _render_text)
    md.core.ruler.push("align_classes", _align_classes)
    _accessible_footnotes(md)
    return md


_ALIGN = re.compile(r"text-align:(left|center|right)")


def _align_classes(state) -> None:
    """Table cell alignment as a class: the pages' Content-Security-Policy forbids inline styles."""
    for token in state.tokens:
        style = token.attrGet("style") if token.type in ("th_open", "td_open") else None
        if isinstance(style, str) and (match := _ALIGN.fullmatch(style)):
            del token.attrs["style"]
            token.attrSet("class", f"align-{match.group(1)}")


_MD = make_parser()


def parse(body: str) -> Parsed:
    """Parse a body; lines in the result count from 0 at the body's first line."""
    env: dict = {}
    tokens = _MD.parse(body, env)
    parsed = Parsed(tokens, footnotes=env)
    columns = _Columns(body.split("\n"))
    for token, line, in_alt in _inline_children(tokens):
        if token.type == "wikilink":
            col = columns.find(line, token.content)
            parsed.wikilinks.append(WikiLink(token.meta["target"], token.meta["text"], line, col, in_alt))
        elif token.type == "code_inline":
            columns.find(line, token.content)
        elif token.type in ("link_open", "image"):
            url = token.attrGet("href" if token.type == "link_open" else "src")
            if isinstance(url, str) and _is_local(url):
                parsed.local_links.append(LocalLink(url, line, columns.find(line, url)))
    return parsed


def render(parsed: Parsed, wikilinks: Mapping[str, Target], local: Mapping[str, str | None],
           sizes: Mapping[str, tuple[int, int]] | None = None) -> str:
    """HTML for a parsed body, with wikilink targets, rewritten relative links (None: shown unlinked)
    and image sizes (width and height by the image's path as written).
    """
    if hasattr(parsed, "fill"):  # made once with marked targets (builder.prerender)
        return parsed.fill(wikilinks, local, sizes)
    env = dict(parsed.footnotes, wikilinks=wikilinks, local=local, sizes=sizes or {})
    # Only relative links and image sizes are rewritten in tokens; other changes are made afresh each time.
    kept = [(t, t.tag, dict(t.attrs)) for t in _link_tokens(parsed.tokens)] if local or sizes else []
    try:
        return _MD.renderer.render(parsed.tokens, _MD.options, env)
    finally:
        for token, tag, attrs in kept:  # rendering rewrites links in place; an incremental build renders again
            token.tag, token.attrs = tag, attrs


def _link_tokens(tokens: list[Token]):
    """Every link and image token inside the blocks, at any depth."""
    for block in tokens:
        stack = list(block.children or ())
        while stack:
            token = stack.pop()
            if token.type in ("link_open", "link_close", "image"):
                yield token
            stack.extend(token.children or ())


def to_html(text: str) -> str:
    """HTML for a short text with no links to resolve (a summary, a note)."""
    return render(parse(text), {}, {})


def _inline_children(tokens: list[Token]):
    """Each inline child token with its body line (counting line breaks within a block) and whether it is in an alt text."""
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        line = block.map[0] if block.map else 0
        for child in block.children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            if child.type == "image" and child.children:  # the alt text comes before the path
                for grandchild in child.children:
                    if grandchild.type == "wikilink":
                        yield grandchild, line, True
            yield child, line, False


class _Columns:
    """Finds each link's column, searching a line left to right past what was already found."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.cursor: dict[int, int] = {}

    def find(self, line: int, needle: str) -> int:
        """1-based column of ``needle`` on ``line`` after the last find there; 1 when not found."""
        if not 0 <= line < len(self.lines):
            return 1
        at = self.lines[line].find(needle, self.cursor.get(line, 0))
        if at < 0:
            return 1
        self.cursor[line] = at + len(needle)
        return at + 1


def _is_local(url: str) -> bool:
    """A relative path to a file: no scheme, not absolute, not only a fragment or query."""
    if not url or url.startswith(("#", "/", "?")) or ":" in url.split("/", 1)[0]:
        return False
    try:
        return bool(unquote(urlsplit(url).path))
    except ValueError:
        return False
