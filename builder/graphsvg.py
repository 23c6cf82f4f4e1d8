"""Relationship graphs drawn as static SVG at build time, with a text list beside them.

The whole site is laid out by networkx's seeded spring layout (``layout``); one
entity's neighbourhood by a centre and a ring, worked out here. Coordinates are
rounded, so the same graph gives the same bytes on every build.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from html import escape
from operator import attrgetter
from typing import Callable, Mapping

from markupsafe import Markup
from markupsafe import escape as html_escape

from builder import layout, urls
from builder.dates import PartialDate
from builder.graph import Edge, ENTITY_TYPES, Relationships, best_connected
from builder.records import SINGULAR
from builder.resolve import Key

SHOWN_ARTICLES = 3
"""Articles named in the list for one pair mentioned together; the rest are counted."""
COLOURS = {"officials": "#1f5f9e", "countries": "#2e7d32", "agreements": "#b23a1e", "organizations": "#6a3d9a"}
"""Node colour by type (each has at least 4.5:1 contrast on white)."""
LABEL_CHARS = 30
"""Longest visible node label; the full name is in the node's title."""
DRAWN_NODES = 120
"""Most records drawn in one picture; a larger graph is drawn by its best-connected records
(every relationship is still in the data files). Also keeps the layout in numpy's dense
code path, which networkx takes below 500 nodes."""


@dataclass(frozen=True, slots=True)
class Item:
    """One line of the text list that stands beside a drawing."""

    source: tuple[str, str]
    """(URL, label) of the first entity."""
    phrase: str
    target: tuple[str, str]
    date: PartialDate | None = None
    articles: tuple[tuple[str, str, PartialDate | None], ...] = ()
    """For co-mentions: (URL, title, date) of the newest articles that name both, newest first."""
    count: int = 0
    """For co-mentions: how many articles name both."""


@dataclass(frozen=True, slots=True)
class GraphView:
    """A drawn graph and the same relationships as a list, for a template."""

    svg: Markup
    items: tuple[Item, ...]
    nodes: int
    edges: int
    legend: tuple[tuple[str, str], ...]
    """(type title, colour) for each type drawn."""
    total_nodes: int = 0
    """Records in the whole graph, when more than are drawn."""
    lines: Markup = Markup("")
    """The items as the list's lines (``<li>`` each), links relative to the page."""


@dataclass(frozen=True, slots=True)
class Drawing:
    """A ``GraphView`` without the articles' titles, which alone change when an article is retitled."""

    view: GraphView
    """The view, its co-mention items' articles without titles, and no lines."""
    articles: tuple[tuple[Key, ...], ...]
    """For each item, the keys of the articles it names."""
    lines: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
    """For each item, its line written up to the articles' links, and each link around its title."""


def site_view(g: Relationships, titles: Mapping[Key, str], page_url: str, title: str) -> GraphView:
    """The whole graph, laid out by a seeded spring layout; only its best-connected records when it is large.
    ``titles`` are the articles' titles."""
    return with_titles(site_drawing(g, page_url, title), titles)


def site_drawing(g: Relationships, page_url: str, title: str, laid_out: SiteLayout | None = None) -> Drawing:
    """``site_view`` without the articles' titles; ``laid_out`` is ``site_layout(g)``, when made already."""
    nodes, drawn, positions = laid_out or site_layout(g)
    return _view(nodes, drawn, positions, page_url, "site-graph", title, (720, 600), None, g.number_of_nodes())


SiteLayout = tuple[dict[Key, dict], list[Edge], dict[Key, tuple[float, float]]]
"""The records the site graph draws (with their attributes), the edges between them, and where each goes."""


def site_layout(g: Relationships, spring: Callable[[list[Key], list[tuple[int, int]]], list] = layout.spring) -> SiteLayout:
    """The best-connected records of the whole graph, the edges between them, and where ``spring``
    (``layout.spring``, or a ``layout.Apart``) puts them."""
    nodes, drawn = best_connected(g, DRAWN_NODES)
    keys = list(nodes)
    place = {key: i for i, key in enumerate(keys)}
    return nodes, drawn, dict(zip(keys, spring(keys, [(place[e.source], place[e.target]) for e in drawn])))


def local_view(nodes: dict[Key, dict], touching: list[Edge], titles: Mapping[Key, str], centre: Key,
               page_url: str, title: str) -> GraphView:
    """One entity in the middle and its neighbours on a ring, in type and name order; only its
    best-connected neighbours when it has many. The neighbourhood is plain data (``graph.local_parts``
    or ``graph.around``); ``titles`` are the articles' titles."""
    return with_titles(local_drawing(nodes, touching, centre, page_url, title), titles)


def local_drawing(nodes: dict[Key, dict], touching: list[Edge], centre: Key, page_url: str, title: str) -> Drawing:
    """``local_view`` without the articles' titles."""
    total = len(nodes)
    nodes, touching = _best_connected(nodes, touching, DRAWN_NODES, keep=centre)
    others = sorted((n for n in nodes if n != centre), key=lambda n: (_type_rank(n), nodes[n]["label"].casefold(), n))
    positions = _ring(centre, others) if others else {centre: (0.0, 0.0)}
    return _view(nodes, touching, positions, page_url, "local-graph", title, (720, 440), centre, total)


def _ring(centre: Key, others: list[Key]) -> dict[Key, tuple[float, float]]:
    """The centre in the middle and the others evenly round a ring of radius 0.5, the first on
    the right, counter-clockwise: ``nx.shell_layout(nodes, nlist=[[centre], others], rotate=0)``."""
    step = 2 * math.pi / len(others)
    return {centre: (0.0, 0.0), **{key: (0.5 * math.cos(i * step), 0.5 * math.sin(i * step)) for i, key in enumerate(others)}}


def _best_connected(nodes: dict[Key, dict], drawn: list[Edge], limit: int,
                    keep: Key | None = None) -> tuple[dict[Key, dict], list[Edge]]:
    """The nodes and edges themselves when there are at most ``limit`` nodes; otherwise the
    ``limit`` nodes with the most relationships (ties by key, so the choice is stable), always
    including ``keep``, in their given order, and the edges between them."""
    if len(nodes) <= limit:
        return nodes, drawn
    degree: Counter[Key] = Counter(map(_source, drawn))
    degree.update(map(_target, drawn))
    chosen = set(sorted(nodes, key=lambda n: (n != keep, -degree[n], n))[:limit])
    return ({n: data for n, data in nodes.items() if n in chosen},
            [e for e in drawn if e.source in chosen and e.target in chosen])


_source, _target = attrgetter("source"), attrgetter("target")


def _type_rank(key: Key) -> int:
    return ENTITY_TYPES.index(key[0]) if key[0] in ENTITY_TYPES else len(ENTITY_TYPES)


def with_titles(drawing: Drawing, titles: Mapping[Key, str]) -> GraphView:
    """The view of a drawing with the articles' titles (an article without one is named by its slug)."""
    items, lines = [], []
    for item, keys, (head, links) in zip(drawing.view.items, drawing.articles, drawing.lines):
        if not keys:
            items.append(item)
            lines.append(head)
            continue
        named = [titles.get(key, key[1]) for key in keys]
        articles = tuple((url, title, when) for (url, _, when), title in zip(item.articles, named))
        items.append(Item(item.source, item.phrase, item.target, item.date, articles, item.count))
        lines.append(head)
        for (before, after), title in zip(links, named):
            lines += (before, html_escape(title), after)  # joined as str: Markup + str would escape the str
        lines.append("</li>\n")
    return replace(drawing.view, items=tuple(items), lines=Markup("".join(lines)))


def _lines(items: list[Item], page_url: str) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """The lines of ``templates/_graph.html``'s list, written here (a page lists every relationship of its
    entity, and a Jinja call per link and date was most of the time such a page took): each up to the links
    to the articles, whose titles come later, and each of those links before and after the title."""
    from builder.render import time_element  # render imports this module

    up = "../" * page_url.count("/")
    out = []
    for item in items:
        head = f'      <li><a href="{up}{item.source[0]}">{html_escape(item.source[1])}</a>'
        target = f'<a href="{up}{item.target[0]}">{html_escape(item.target[1])}</a>'
        if not item.count:
            when = f" ({time_element(item.date)})" if item.date else ""
            out.append((f"{head} {html_escape(item.phrase)} {target}{when}</li>\n", ()))
            continue
        head += f" and {target} are mentioned together in"
        if item.count > 1:
            head += f" {item.count} articles{', most recently' if item.count > len(item.articles) else ''}:"
        last = len(item.articles) - 1
        links = tuple((f'<a href="{up}{url}">', "</a>" + (f" ({time_element(when)})" if when else "") + (", " if i < last else ""))
                      for i, (url, _, when) in enumerate(item.articles))
        out.append((head, links))
    return tuple(out)


def _view(nodes: dict[Key, dict], all_edges: list[Edge], positions, page_url: str,
          ident: str, title: str, size: tuple[int, int], centre: Key | None, total: int) -> Drawing:
    points = _fit(positions, size, symmetric=centre is not None)
    labels = {n: data["label"] for n, data in nodes.items()}
    pairs: dict[tuple[Key, Key], list[Edge]] = defaultdict(list)
    for edge in all_edges:
        if edge.source != edge.target:
            pairs[(edge.source, edge.target) if edge.source < edge.target else (edge.target, edge.source)].append(edge)
    degree: Counter[Key] = Counter()
    for a, b in pairs:
        degree[a] += 1
        degree[b] += 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size[0]} {size[1]}" class="graph-drawing" '
             f'role="group" aria-labelledby="{ident}-title" id="{ident}">',
             f'<title id="{ident}-title">{escape(title)}</title>', '<g class="graph-edges">']
    dated = _Dates()
    mentions = {pair: sorted((e for e in group if e.relation == "co-mention"), key=lambda e: (dated.when(e.date), e.article))
                for pair, group in pairs.items()}
    for (a, b), group in sorted(pairs.items()):
        parts.append(_line(points[a], points[b], group, mentions[a, b], labels, centre, dated))
    parts.append('</g><g class="graph-nodes">')
    for node in sorted(nodes):
        parts.append(_node(node, nodes[node], points[node], degree[node], page_url))
    parts.append("</g></svg>")
    legend = tuple((SINGULAR[t].capitalize(), COLOURS[t]) for t in ENTITY_TYPES if any(n[0] == t for n in nodes))
    stated = [(_item(e, nodes), ()) for e in all_edges if e.relation != "co-mention"]
    together = [_together(group, nodes, centre) for group in mentions.values() if group]
    items = sorted(stated + together, key=lambda pair: _item_order(pair[0]))
    shown = len(nodes)
    view = GraphView(Markup("\n".join(parts)), tuple(i for i, _ in items), shown, len(all_edges), legend,
                     total if total > shown else 0)
    return Drawing(view, tuple(keys for _, keys in items), _lines([i for i, _ in items], page_url))


def _fit(positions, size: tuple[int, int], symmetric: bool = False) -> dict[Key, tuple[float, float]]:
    """Scale layout coordinates into the drawing, leaving room for labels; rounded for stable bytes.

    ``symmetric`` keeps the layout's origin (a local graph's centre) in the middle of the picture.
    """
    if not positions:
        return {}
    xs = [float(p[0]) for p in positions.values()]
    ys = [float(p[1]) for p in positions.values()]
    if symmetric:
        reach_x, reach_y = max(abs(x) for x in xs), max(abs(y) for y in ys)
        xs, ys = xs + [-reach_x, reach_x], ys + [-reach_y, reach_y]
    low_x, high_x, low_y, high_y = min(xs), max(xs), min(ys), max(ys)
    span_x, span_y = (high_x - low_x) or 1.0, (high_y - low_y) or 1.0
    margin_x, margin_y = 110, 40
    width, height = size[0] - 2 * margin_x, size[1] - 2 * margin_y
    fitted = {}
    for node, (x, y) in positions.items():
        fx = margin_x + (float(x) - low_x) / span_x * width if high_x > low_x else size[0] / 2
        fy = margin_y + (float(y) - low_y) / span_y * height if high_y > low_y else size[1] / 2
        fitted[node] = (round(fx, 1), round(fy, 1))
    return fitted


def _line(a: tuple[float, float], b: tuple[float, float], group: list[Edge], together: list[Edge],
          labels: dict[Key, str], centre: Key | None, dated: _Dates) -> str:
    relations = sorted({e.relation for e in group})
    width = 1 + min(len(group), 6) * 0.5
    text = "; ".join(_describe(group, together, labels, centre, dated))
    css = " ".join(f"edge-{r}" for r in relations)
    return (f'<line class="edge {css}" x1="{a[0]}" y1="{a[1]}" x2="{b[0]}" y2="{b[1]}" '
            f'stroke="#7a7a7a" stroke-width="{width}" stroke-opacity="0.7">'
            f"<title>{escape(text)}</title></line>")


def _node(key: Key, data: dict, point: tuple[float, float], degree: int, page_url: str) -> str:
    radius = round(6 + min(degree, 16) ** 0.5 * 2, 1)
    label = data["label"]
    shown = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"
    href = urls.relative(page_url, data["url"])
    x, y = point
    return (f'<a href="{escape(href)}" class="node node-{key[0]}">'
            f"<title>{escape(SINGULAR[key[0]].capitalize())}: {escape(label)}</title>"
            f'<circle cx="{x}" cy="{y}" r="{radius}" fill="{COLOURS[key[0]]}" stroke="#ffffff" stroke-width="1.5"/>'
            f'<text x="{x}" y="{round(y + radius + 13, 1)}" text-anchor="middle" font-size="12" fill="#1a1a1a">{escape(shown)}</text></a>')


class _Dates:
    """Each date's sort key and words, worked out once per drawing (a few hundred dates recur in it)."""

    def __init__(self) -> None:
        self.keys: dict[PartialDate | None, tuple] = {}
        self.words: dict[PartialDate, str] = {}

    def when(self, date: PartialDate | None) -> tuple:
        """Sorts oldest first, undated before all."""
        key = self.keys.get(date)
        if key is None:
            key = self.keys[date] = date.sort_key if date else ()
        return key

    def human(self, date: PartialDate) -> str:
        words = self.words.get(date)
        if words is None:
            words = self.words[date] = date.human()
        return words


def _describe(group: list[Edge], together: list[Edge], labels: dict[Key, str], centre: Key | None,
              dated: _Dates) -> list[str]:
    """How the relationships between one pair read: each stated one, then the co-mentions (``together``,
    oldest first) counted."""
    phrases = []
    for edge in group:
        if edge.relation == "co-mention":
            continue
        a, b = labels[edge.source], labels[edge.target]
        when = f" ({dated.human(edge.date)})" if edge.date else ""
        if edge.relation == "position":
            phrases.append(f"{a} holds the post of {edge.label} at {b}{when}")
        else:
            phrases.append(f"{a} {edge.label} {b}{when}")
    if together:
        first, second = _oriented(together[0], centre)
        dates = ", ".join(dated.human(e.date) for e in together if e.date)
        count = f"{len(together)} articles" if len(together) > 1 else "an article"
        phrases.append(f"{labels[first]} and {labels[second]} are mentioned together in {count}" + (f" ({dates})" if dates else ""))
    return phrases


def _oriented(edge: Edge, centre: Key | None) -> tuple[Key, Key]:
    """A symmetric relationship's ends, with the page's own entity first."""
    if edge.target == centre:
        return edge.target, edge.source
    return edge.source, edge.target


def _item(edge: Edge, nodes: dict[Key, dict]) -> Item:
    source = (nodes[edge.source]["url"], nodes[edge.source]["label"])
    target = (nodes[edge.target]["url"], nodes[edge.target]["label"])
    phrase = f"holds the post of {edge.label} at" if edge.relation == "position" else edge.label
    return Item(source, phrase, target, edge.date)


def _together(mentions: list[Edge], nodes: dict[Key, dict], centre: Key | None) -> tuple[Item, tuple[Key, ...]]:
    """One line for every co-mention of a pair (``mentions``, oldest first): how many articles, and the
    newest of them (titled later by ``with_titles``), with those articles' keys."""
    first, second = _oriented(mentions[0], centre)
    newest = mentions[: -SHOWN_ARTICLES - 1 : -1]
    articles = tuple((urls.record_url(*e.article), "", e.date) for e in newest)
    item = Item((nodes[first]["url"], nodes[first]["label"]), "mentioned together in",
                (nodes[second]["url"], nodes[second]["label"]), newest[0].date, articles, len(mentions))
    return item, tuple(e.article for e in newest)


def _item_order(item: Item) -> tuple:
    """Stated relationships first, then co-mentions; each by names, then oldest first."""
    when = item.date.sort_key if item.date else ()
    return (item.count > 0, item.source[1].casefold(), item.target[1].casefold(), item.phrase, when)
