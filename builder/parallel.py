"""Spread the heavy stages over processes: loading and parsing records, then rendering pages.

Workers are forked, so they share the build's state as it stands when the pool
starts (the file list, then the resolved graph) and only small things cross
process boundaries: loaded records and the links their bodies make on the way
in, rendered files (or, with a cache, their stored paths) on the way out.
Work goes out in chunks and results come back in order, so the output is the
same, byte for byte, whatever the number of processes.
"""

from __future__ import annotations

import copy
import gc
import multiprocessing
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from builder import markdown, spill, urls
from builder.cache import Cache
from builder.diagnostics import Diagnostic, Report
from builder.discover import RecordFile
from builder.frontmatter import Marks
from builder.load import load_record
from builder.markdown import Parsed
from builder.prerender import Prerendered, prerender
from builder.records import Record, share_values
from builder.render import Page, Renderer
from builder.resolve import Graph, Key

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total)."""

LOAD_CHUNK = 64
RENDER_CHUNK = 32
MIN_PARALLEL = 200
"""Fewer items than this are done in the main process: starting workers would cost more."""


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass(slots=True)
class Loaded:
    """What reading one content file gave."""

    record: Record | None
    partial: list[Record]
    """Invalid records kept so their references are still checked."""
    diagnostics: list[Diagnostic]
    links: list[Parsed]
    """The links of each body, in the order record, *partial; tokens dropped, HTML made (prerender)."""
    full: list[Parsed] = field(default_factory=list)
    """The whole parse, when it was made in this process (never stored or sent)."""


def _load_one(file: RecordFile) -> Loaded:
    report, partial = Report(), []
    record = load_record(file, report, partial)
    bodies = ([record] if record else []) + partial
    texts = [r.body for r in bodies]
    full = [markdown.parse(text) for text in texts]
    links: list[Parsed] = [prerender(text, p, r.packed_body) for r, text, p in zip(bodies, texts, full)]
    return Loaded(record, partial, report.items, links, full)


_SEAL: Cache | None = None
"""The cache of the build in progress: workers seal (pickle) their entries for it, once."""


def _load_chunk(files: list[RecordFile]) -> list[Loaded | bytes]:
    loaded = [_load_one(f) for f in files]
    for item in loaded:
        item.full = []
    return [_SEAL.seal(_entry(item)) for item in loaded] if _SEAL is not None else loaded


def _entry(item: Loaded) -> tuple:
    return (item.record, item.partial, item.diagnostics, item.links)


def load_records(files: list[RecordFile], report: Report, jobs: int, cache: Cache | None,
                 progress: Progress | None = None) -> tuple[list[Record], dict[int, Parsed]]:
    """Every record (valid ones first, then invalid ones kept for checking) and each body's parse by record id."""
    global _SEAL
    entries: list[Loaded | None] = [None] * len(files)
    keys: list[str | None] = [None] * len(files)
    shared: dict = {}  # equal values the records share (``share_values``)
    if cache is not None:
        for i, file in enumerate(files):
            try:
                keys[i] = cache.record_key(file.type, file.path, file.path.stat())
            except OSError:
                continue  # load_record reports it
            entries[i] = _spilled(_as_loaded(cache.get_record(keys[i])), shared)
    todo = [i for i, e in enumerate(entries) if e is None]
    done = len(files) - len(todo)
    _SEAL = cache
    try:  # each result is kept (and its cache entry written) as it comes: no list of them all
        made = _map(_load_chunk, _load_one, [files[i] for i in todo], jobs, LOAD_CHUNK,
                    lambda n: progress and progress("load", done + n, len(files)))
        for i, item in zip(todo, made):
            sealed = item if isinstance(item, bytes) else None
            entries[i] = item = _as_loaded(cache.unseal(sealed)) if sealed is not None else _needed(item)
            if cache is not None and keys[i] is not None and not _unreadable(item):
                cache.put_record(keys[i], sealed or cache.seal(_entry(item)))
            _spilled(item, shared)
    finally:
        _SEAL = None
    records, partial, parsed = [], [], {}
    for item in entries:
        report.extend(item.diagnostics)
        bodies = ([item.record] if item.record else []) + item.partial
        for record, links, full in zip(bodies, item.links, item.full or item.links):
            parsed[id(record)] = links if getattr(links, "template", None) is not None else full
        records += [item.record] if item.record else []
        partial += item.partial
    return records + partial, parsed


def load_each(files: list[RecordFile], jobs: int, tick: Callable[[int], Any] = lambda n: None) -> list[Loaded]:
    """What reading each file gives, in order, read by ``jobs`` processes; ``tick(done)`` after each chunk."""
    return list(_map(_load_chunk, _load_one, files, jobs, LOAD_CHUNK, tick))


def _needed(item: Loaded) -> Loaded:
    """``item`` keeping the tokens of only the bodies whose HTML could not be made in advance."""
    item.full = [full if getattr(links, "template", None) is None else links for links, full in zip(item.links, item.full)]
    return item


def _as_loaded(value: Any) -> Loaded | None:
    """A cache entry as a Loaded, or None when it is not one."""
    if not (isinstance(value, tuple) and len(value) == 4):
        return None
    record, partial, diagnostics, links = value
    if not (isinstance(partial, list) and isinstance(diagnostics, list) and isinstance(links, list)):
        return None
    if len(links) != (record is not None) + len(partial):
        return None
    return Loaded(record, partial, diagnostics, links)


def _spilled(item: Loaded | None, shared: dict) -> Loaded | None:
    """``item``, its bodies' deflated Markdown and HTML and its front matter's text kept out of memory
    (``spill.keep``), once stored, and its records' values shared with the others' (``share_values``)."""
    if item is not None:
        for record, links in zip(([item.record] if item.record else []) + item.partial, item.links):
            share_values(record, shared)
            body = spill.keep(record.packed_body)
            object.__setattr__(record, "packed_body", body)
            if isinstance(record.marks, Marks):
                record.marks.keep_on_disk()
            if isinstance(links, Prerendered):
                links.packed, links.template = body, spill.keep(links.template)
    return item


def _unreadable(item: Loaded) -> bool:
    return any(d.code in ("unreadable", "file-too-large") for d in item.diagnostics)


class Bodies(Mapping):
    """Parsed bodies by record key: those already parsed in full, the others parsed when asked for."""

    def __init__(self, graph: Graph, known: Mapping[Key, Parsed]) -> None:
        self.graph = graph
        self.known = {k: p for k, p in known.items() if p.tokens or hasattr(p, "fill")}

    def get(self, key: Key, default=None) -> Parsed | None:
        return self[key] if key in self.graph.records else default

    def __getitem__(self, key: Key) -> Parsed:
        parsed = self.known.get(key)
        return parsed if parsed is not None else markdown.parse(self.graph.records[key].body)

    def __iter__(self) -> Iterator[Key]:
        return iter(self.graph.records)

    def __len__(self) -> int:
        return len(self.graph.records)


DEFERRED = "\0deferred"
_PAGE_MAKERS = ("home", "index_page", "record_page", "tags_page", "tag_page", "timeline_page", "search_page",
                "graph_page", "not_found_page")
FIRST = ("graph_page", "timeline_page")
"""Pages drawn from the whole site, rendered before the rest: the memory they take for a moment
then comes while the least else is held, not on top of all the rest has left behind."""


class _Deferring(Renderer):
    """A renderer whose pages are only named when listed, and made one at a time just before rendering.

    So no more than one page's context is alive in a process, however large the site.
    """


def _deferred(name: str):
    def make(self, *args):
        return Page("", DEFERRED, {"call": name, "args": args})
    return make


for _name in _PAGE_MAKERS:
    if hasattr(Renderer, _name):
        setattr(_Deferring, _name, _deferred(_name))


def _deferring(renderer: Renderer) -> Renderer:
    """The same renderer (sharing its state), listing deferred pages."""
    deferring = copy.copy(renderer)
    deferring.__class__ = _Deferring
    return deferring


@dataclass(slots=True)
class _RenderJob:
    """Everything the render workers share, inherited by fork."""

    renderer: Renderer
    pages: list[Page]
    store: Callable[[str, Any], Any]
    extra: Mapping[str, Callable[[], Any]]


_JOB: _RenderJob | None = None


def _render_one(index: int) -> tuple[str, Any]:
    job = _JOB
    page = job.pages[index]
    if page.template == DEFERRED:
        page = getattr(Renderer, page.context["call"])(job.renderer, *page.context["args"])
    name = urls.output_path(page.url)
    return page.url, job.store(name, job.renderer.render(page).encode("utf-8"))


def _render_extra(name: str) -> tuple[str, Any]:
    return name, _JOB.store(name, _JOB.extra[name]())


def _render_chunk(tasks: list) -> list[tuple[str, Any]]:
    return [_render_extra(t) if isinstance(t, str) else _render_one(t) for t in tasks]


def render_pages(renderer: Renderer, jobs: int, store: Callable[[str, Any], Any],
                 extra: Mapping[str, Callable[[], Any]], progress: Progress | None = None) -> tuple[list[str], dict[str, Any]]:
    """Render every page (and the ``extra`` files, made by the functions given); return page URLs and files.

    Each file goes to ``store(name, bytes)`` as soon as it is made, in the process that made it,
    and what ``store`` returns is what comes back (the bytes themselves, or where they were written).
    """
    global _JOB
    parallel = jobs > 1 and _can_fork() and len(renderer.graph.records) >= MIN_PARALLEL
    _prepare(renderer)
    pages = list(_deferring(renderer).pages())
    _JOB = _RenderJob(_deferring(renderer), pages, store, extra)
    first = [i for i, page in enumerate(pages) if page.template == DEFERRED and page.context["call"] in FIRST]
    rest = sorted(set(range(len(pages))) - set(first))
    tasks: list = first + list(extra) + rest
    total = len(tasks)
    try:
        made = dict(zip(tasks, _map(_render_chunk, lambda t: _render_chunk([t])[0], tasks, jobs if parallel else 1,
                                    RENDER_CHUNK, lambda n: progress and progress("render", n, total))))
        files = {name: made.pop(name)[1] for name in extra}
        page_urls = []
        for i in range(len(pages)):  # in the pages' order, whatever order they were made in
            url, value = made.pop(i)
            page_urls.append(url)
            files[urls.output_path(url)] = value
        return page_urls, files
    finally:
        _JOB = None


def _prepare(renderer: Renderer) -> None:
    """What every worker would draw or list from, made once, here; without the collector, which would walk
    the whole build's objects again and again while the graph's hundreds of thousands of edges are made,
    to find nothing (they all live to the end of the build)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        renderer.explore.prepare()
    finally:
        if collecting:
            gc.enable()


def _map(chunk_fn: Callable[[list], list], one_fn: Callable[[Any], Any], items: Sequence, jobs: int, size: int,
         tick: Callable[[int], Any]) -> Iterable:
    """Results of ``one_fn`` over items, in order: in the main process, or by chunks shared between
    the main process and ``jobs - 1`` forked workers.

    The main process works on a chunk itself whenever the next result it owes is not ready, rather
    than waiting idle: a worker copies every memory page of the build it touches, so one process
    fewer is hundreds of megabytes fewer. The workers are always kept two chunks ahead.
    """
    if jobs <= 1 or len(items) < MIN_PARALLEL or not _can_fork():
        for n, item in enumerate(items, 1):
            result = one_fn(item)
            if n % size == 0 or n == len(items):
                tick(n)
            yield result
        return
    chunks = [list(items[i:i + size]) for i in range(0, len(items), size)]
    made: dict[int, Any] = {}
    """Each chunk taken but not yet given back: its results (made here) or a worker's AsyncResult."""
    sent: list[int] = []
    """The chunks given to workers and not finished when last looked at."""
    taken = done = 0
    gc.collect()
    gc.freeze()  # the collector of a worker would otherwise touch, and so copy, every page it inherited
    try:
        with multiprocessing.get_context("fork").Pool(jobs - 1) as pool:
            for i, chunk in enumerate(chunks):
                while True:
                    sent = [k for k in sent if k in made and not made[k].ready()]
                    while len(sent) < 2 * (jobs - 1) and taken < len(chunks):
                        made[taken] = pool.apply_async(chunk_fn, (chunks[taken],))
                        sent.append(taken)
                        taken += 1
                    owed = made.get(i)
                    if isinstance(owed, list) or owed.ready():
                        break
                    if taken == len(chunks):
                        owed.wait()
                        break
                    made[taken] = [one_fn(item) for item in chunks[taken]]
                    taken += 1
                owed = made.pop(i)
                done += len(chunk)
                tick(done)
                yield from owed if isinstance(owed, list) else owed.get()
    finally:
        gc.unfreeze()


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()
