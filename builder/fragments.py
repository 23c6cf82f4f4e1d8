"""Rendered list items kept by value, so a long list costs a lookup per item it renders again.

A list macro in the templates (``ref_list``, ``event_list``) hands its items to
``Fragments``, which returns each item's HTML as the item macro (``ref_item``,
``event_item``) wrote it the first time it was asked for the same item, flags and
links. The key is the value of everything the output depends on: the item macro's
compiled code, the item (a frozen, hashable dataclass), the flags, and the prefix
that ``rel`` puts before a link (pages of different depth link differently; the
404 page links by absolute URL). So an entry is never out of date and a change
needs no invalidation: an edited record makes a new item, hence a new key.

That holds because item macros use only their arguments, ``rel`` and
context-free globals (``date``, filters, macros that do the same): the rule is
written beside them in ``_macros.html`` and checked by the tests. The cache
lives on the Jinja environment: a template change, which makes a new
environment, drops it.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from markupsafe import Markup

LIMIT = 1 << 14
"""Entries kept in the newer generation before it becomes the older one (and the older one is dropped).
Each entry holds its item and its HTML, about 300 bytes: at 10,000 articles, eight times as many
entries cost some 45 MB more and rendered no faster (``python -m bench.memory``)."""

PROBE = "_"


class Table:
    """The items of one macro, link prefix and flags: their HTML by value, and by the identity of
    the objects last asked for (a lookup by ``id`` costs no ``__hash__`` and ``__eq__`` calls)."""

    __slots__ = ("by_value", "by_id", "held")

    def __init__(self) -> None:
        self.by_value: dict[Any, Markup] = {}
        self.by_id: dict[int, Markup] = {}
        self.held: dict[int, Any] = {}
        """The items of ``by_id`` by their id: holding them keeps their ids theirs. (Two flat tables
        rather than one of pairs: fewer objects for the garbage collector to go through.)"""


class Fragments:
    """Item HTML by (macro, link prefix, flags) and item, in two generations: a hit in the older
    one moves to the newer, and when the newer one is full it becomes the older one, dropping the
    one before. So at most twice ``limit`` entries are kept, and the items of the pages being
    rendered stay."""

    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self.newer: dict[tuple, Table] = {}
        self.older: dict[tuple, Table] = {}
        self.size = 0
        """Entries in the newer generation."""

    def __call__(self, macro: Callable[..., Markup], items: Iterable[Any], rel: Callable[[str], str],
                 *flags: Any) -> Markup:
        """Each item as ``macro(item, *flags)`` renders it on a page whose links ``rel`` makes, joined."""
        group = (macro.name, _code(macro), link_prefix(rel), flags)
        table = self.newer.get(group)
        if table is None:
            table = self.newer[group] = Table()
        items = items if isinstance(items, (list, tuple)) else list(items)
        out = list(map(table.by_id.get, map(id, items)))
        if None in out:
            self._fill(group, table, macro, items, out, flags)
        return Markup("".join(out))

    def _fill(self, group: tuple, table: Table, macro: Callable[..., Markup], items: list, out: list,
              flags: tuple) -> None:
        older = self.older.get(group) or Table()
        for i, html in enumerate(out):
            if html is None:
                item = items[i]
                html = table.by_value.get(item)
                if html is None:
                    html = older.by_value.get(item)
                    if html is None:
                        html = macro(item, *flags)
                    table.by_value[item] = html
                    self.size += 1
                table.by_id[id(item)] = html
                table.held[id(item)] = item
                out[i] = html
                self.size += 1
                if self.size >= self.limit:
                    self.older, self.newer, self.size = self.newer, {}, 0
                    older = self.older.get(group) or Table()
                    table = self.newer[group] = Table()

    def __len__(self) -> int:
        """Items kept by value."""
        return sum(len(t.by_value) for t in self.newer.values()) + sum(len(t.by_value) for t in self.older.values())


def link_prefix(rel: Callable[[str], str]) -> str:
    """What ``rel`` puts before a (non-empty) site path: ``../../`` on a page two folders deep."""
    link = rel(PROBE)
    if not link.endswith(PROBE):
        raise ValueError(f"rel must prefix the path it is given; it made {link!r} of {PROBE!r}")
    return link[: -len(PROBE)]


def _code(macro: Callable[..., Markup]) -> object:
    """The macro's compiled body: the same for every page, new when its template is compiled again."""
    func = getattr(macro, "_func", None)
    return getattr(func, "__code__", None)


def any_dated(refs: Iterable[Any]) -> bool:
    """Whether any of the references has a date (a list of them shows a date column)."""
    return any(r.date for r in refs)
