"""The preview server: build, serve from memory, watch, rebuild what changed, reload the browser.

HTTP and the reload protocol come from ``livereload`` (its WebSocket handler and
livereload.js, on tornado), in a small tornado application of our own rather
than ``livereload.Server``: its static handler serves tornado's own 404 page
rather than the site's, follows symbolic links out of the served folder,
injects an inline script that the site's Content-Security-Policy blocks, and
throttles reloads to one per few seconds, which would leave a tab stale after
quick saves. Files are watched with ``watchfiles`` (inotify, no polling), whose
change sets coalesce bursts of saves and name the files that changed, so the
incremental build re-reads exactly those.

The site is served from memory, from the last good build: a rebuild replaces
it whole in one step, so a request never sees half a site, and nothing is ever
written into the user's output folder. A rebuild only reads, resolves and marks
what the change affects; the browsers reload at once and each affected page is
rendered when it is asked for (``rerender.Site``). Pagefind indexes the served
pages in the background (``previewsearch``). The reload script and the error
overlay are added to HTML responses only.
"""

from __future__ import annotations

import asyncio
import gc
import html
import ipaddress
import mimetypes
import multiprocessing
import os
import re
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping
from urllib.parse import unquote

import watchfiles
from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import httpserver, netutil, web, websocket

from builder import search
from builder.diagnostics import Diagnostic, summary
from builder.incremental import Session, Update
from builder.parallel import default_jobs
from builder.pipeline import BuildOptions, BuildRefused
from builder.previewsearch import Indexer
from builder.render import TEMPLATES
from builder.write import Content

PREFIX = "/_dossier/"
"""URL folder of the server's own files; content names starting with '_' are never built, so it cannot clash."""
STEP_MS = 10
"""A burst of changes ends after this long without another; then one rebuild runs. The watcher
looks this often, so a save waits between one and two steps: an editor's save (a write and a
rename) and a checkout's stream of writes each take well under a step between files."""
DEBOUNCE_MS = 1600
"""Longest a continuing burst is held before a rebuild starts anyway."""


@dataclass(slots=True)
class Snapshot:
    """What the server shows: the last good site and the problems of the latest build."""

    files: Mapping[str, Content] = field(default_factory=dict)
    """The site; its pages are rendered when first asked for (``incremental.Update.files``)."""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    failed: bool = False
    roots: tuple[Path, ...] = ()
    """Folders that files given as paths may be read from."""


def serve(content: Path, host: str = "127.0.0.1", port: int = 8000, drafts: bool = False,
          templates: Path = TEMPLATES, say: Callable[[str], None] | None = None) -> int:
    """Build, serve on ``host:port`` and rebuild on every change until Ctrl-C; the exit status."""
    say = say or _stderr
    try:
        return asyncio.run(_main(BuildOptions(content, None, drafts, templates, default_jobs()), host, port, say))
    except (KeyboardInterrupt, asyncio.CancelledError):
        say("dossier: stopped")
        if _still_building():  # the process ends anyway: do not wait for a build's workers to finish
            sys.stderr.flush()
            os._exit(0)
        return 0
    except BuildRefused as exc:
        say(f"dossier: error: {exc}")
        return 2
    except OSError as exc:
        say(f"dossier: error: cannot serve on {host}:{port}: {exc.strerror or exc}")
        return 2


async def _main(options: BuildOptions, host: str, port: int, say: Callable[[str], None]) -> int:
    _stop_on_sigterm(asyncio.get_running_loop(), asyncio.current_task())
    if not options.content.is_dir():
        raise BuildRefused(f"content folder {options.content} does not exist")
    say(f"dossier: building {options.content} (Ctrl-C to stop)")
    binary = search.executable()
    session = Session(options, indexed=binary is not None)
    roots = (session.root, session.templates / "static")
    snapshot = Snapshot(roots=roots)
    preview = Preview(session, snapshot, say)
    try:
        return await _run(preview, binary, host, port, say)
    finally:  # also when stopped: end a build or an indexing run in progress
        session.cancel()
        if preview.indexer is not None:
            preview.indexer.stop()


def _stop_on_sigterm(loop: asyncio.AbstractEventLoop, task: asyncio.Task) -> None:
    """SIGTERM stops the server as Ctrl-C does.

    The loop learns of signals through a wakeup file that the build's forked workers would
    share: the SIGTERM ending them at the end of a build would stop the server too. So a forked
    child drops the wakeup file and takes the default handlers back.
    """
    try:
        loop.add_signal_handler(signal.SIGTERM, task.cancel)
    except (NotImplementedError, RuntimeError):  # Windows, or not the main thread: Ctrl-C still stops it
        return
    os.register_at_fork(after_in_child=_default_signals)


def _default_signals() -> None:
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


async def _run(preview: Preview, binary: Path | None, host: str, port: int, say: Callable[[str], None]) -> int:
    session = preview.session
    await preview.start_watching()
    preview.apply(await _timed(session.update), "built")
    if binary is not None:
        preview.indexer = Indexer(binary, say)
        preview.indexer.want(preview.snapshot.files)
    else:
        say("dossier: warning: Pagefind is not installed (pip install 'pagefind[extended]'): the search page lists pages instead")
    sockets = netutil.bind_sockets(port, host)
    server = httpserver.HTTPServer(application(preview))
    server.add_sockets(sockets)
    bound = sockets[0].getsockname()[1]
    if not _is_loopback(host):
        say(f"dossier: warning: serving on {host}: anyone who can reach this machine can read the preview")
    shown = f"[{host}]" if ":" in host else host
    say(f"dossier: serving http://{shown}:{bound}/ (Ctrl-C to stop)")
    try:
        await preview.watch()
    finally:
        server.stop()
    return 0


async def _timed(update: Callable[..., Update], *args) -> tuple[Update, float, float]:
    """Run a build in a thread, so pages are served meanwhile; with its wall and CPU seconds.

    A daemon thread rather than the loop's executor, which Ctrl-C would wait for: stopping must
    not wait for a rebuild to end.
    """
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def settle(outcome: tuple | BaseException) -> None:
        if not future.done():
            future.set_exception(outcome) if isinstance(outcome, BaseException) else future.set_result(outcome)

    def run() -> None:
        cpu = time.thread_time()
        try:
            outcome: tuple | BaseException = (update(*args), time.thread_time() - cpu)
        except Exception as exc:
            outcome = exc
        try:
            loop.call_soon_threadsafe(settle, outcome)
        except RuntimeError:  # the server stopped meanwhile
            pass

    start = time.perf_counter()
    thread = threading.Thread(target=lambda: (run(), _BUILDS.discard(thread)), name="dossier-rebuild", daemon=True)
    _BUILDS.add(thread)
    thread.start()
    result, cpu = await future
    return result, time.perf_counter() - start, cpu


_BUILDS: set[threading.Thread] = set()
"""Builds running in their threads."""


def _still_building() -> bool:
    """After cancelling: whether a build (or another thread the process would wait for) is still running a
    moment later; if so, the build's worker processes are ended."""
    deadline = time.monotonic() + 0.5
    waited = list(_BUILDS) + [t for t in threading.enumerate() if not t.daemon and t is not threading.current_thread()]
    for thread in waited:  # a cancelled build stops at its next file or page; the watcher's thread at its next step
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    if not any(thread.is_alive() for thread in waited):
        return False
    for child in multiprocessing.active_children():
        child.kill()
    return True


class Preview:
    """The running preview: the current snapshot, the rebuild loop and the browsers to reload."""

    def __init__(self, session: Session, snapshot: Snapshot, say: Callable[[str], None]) -> None:
        self.session = session
        self.snapshot = snapshot
        self.say = say
        self.indexer: Indexer | None = None
        """Keeps the search bundle, when Pagefind is installed."""

    async def start_watching(self) -> None:
        """Watch before the first build reads anything, so no change can fall between the two."""
        folders = [str(self.session.root), str(self.session.templates)]
        self._changes = watchfiles.awatch(*folders, watch_filter=None, debounce=DEBOUNCE_MS, step=STEP_MS)
        self._first = asyncio.ensure_future(anext(self._changes))
        await asyncio.sleep(0)  # awatch sets up its inotify watches before its first await

    async def watch(self) -> None:
        """Rebuild after each burst of changes; changes made during a rebuild make the next burst."""
        changes = await self._first
        while True:
            paths = sorted({Path(p) for _, p in changes})
            try:
                timed = await _timed(self.session.update, paths)
            except Exception as exc:  # a bug must not stop the preview; the next change retries
                self.say(f"dossier: internal error while rebuilding: {exc!r}")
            else:
                self.apply(timed, f"{len(paths)} changed")
            changes = await anext(self._changes)

    def apply(self, timed: tuple[Update, float, float], what: str) -> None:
        """Show the outcome of a build: swap in the new site, print, reload the browsers."""
        update, seconds, cpu = timed
        before = self.snapshot
        self.snapshot = Snapshot(update.files, update.diagnostics, not update.ok, before.roots)
        if update.ok:
            if update.diagnostics != before.diagnostics:  # warnings once, not after every save
                for diagnostic in update.diagnostics:
                    self.say(diagnostic.text())
            self.say(f"dossier: {what}: {len(update.changed)} files updated in {seconds * 1000:.0f} ms "
                     f"({cpu * 1000:.0f} ms CPU)")
        else:
            for diagnostic in update.diagnostics:
                self.say(diagnostic.text())
            self.say(f"dossier: build failed ({summary(update.diagnostics)}); showing the last good site")
        if update.changed or update.ok == before.failed or (not update.ok and update.diagnostics != before.diagnostics):
            reload_browsers(update.changed)
        if self.indexer is not None:
            self.indexer.active = time.monotonic()
            if update.ok:
                self.indexer.want(update.files)
        # What a build keeps (records, parsed bodies, pages) lives long: keep it out of the cyclic
        # collector's full passes, which would otherwise walk all of it during every later rebuild.
        gc.freeze()


def reload_browsers(changed: frozenset[str] | set[str]) -> None:
    """Ask every connected tab to reload (only the stylesheets when nothing else changed)."""
    css_only = bool(changed) and all(p.endswith(".css") for p in changed)
    message = {"command": "reload", "path": sorted(changed)[0] if css_only else "*",
               "liveCSS": css_only, "liveImg": False}
    for waiter in list(LiveReloadHandler.waiters):
        try:
            waiter.write_message(message)
        except websocket.WebSocketClosedError:
            LiveReloadHandler.waiters.discard(waiter)


class _LiveReload(LiveReloadHandler):
    """livereload's WebSocket, accepting only pages served by this server."""

    def check_origin(self, origin: str) -> bool:
        return websocket.WebSocketHandler.check_origin(self, origin)


class _Script(LiveReloadJSHandler):
    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")


class _Overlay(web.RequestHandler):
    def get(self) -> None:
        self.set_header("Content-Type", "text/css; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.write(OVERLAY_CSS)


def application(preview: Preview) -> web.Application:
    return web.Application([
        (r"/livereload", _LiveReload),
        (PREFIX + "livereload.js", _Script),
        (PREFIX + "overlay.css", _Overlay),
        (r"/.*", SiteHandler, {"preview": preview}),
    ], log_function=lambda handler: None)


class SiteHandler(web.RequestHandler):
    """Serves the snapshot: folder URLs give their index.html, anything else not built is a real 404."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")

    def compute_etag(self) -> None:
        """None: a response that is never stored needs no ETag, and hashing a long index page costs milliseconds."""
        return None

    def head(self) -> None:
        self.get()

    def get(self) -> None:
        snapshot, indexer = self.preview.snapshot, self.preview.indexer
        name = site_path(self.request.path)
        if indexer is not None and name in indexer.files and name not in snapshot.files:
            self._send(name, indexer.files[name], snapshot)
            return
        if indexer is not None and not (name or "").startswith(search.BUNDLE + "/"):
            indexer.active = time.monotonic()  # pages first: indexing waits until they are no longer being read
        if name is not None and name not in snapshot.files and name + "/index.html" in snapshot.files:
            self.redirect(self.request.path + "/", permanent=False)
            return
        data = _read(snapshot, name) if name is not None else None
        if data is None:
            self._not_found(snapshot)
            return
        self._send(name, data, snapshot)

    def _not_found(self, snapshot: Snapshot) -> None:
        self.set_status(404)
        page = _read(snapshot, "404.html")
        if page is None:
            page = b"<!DOCTYPE html><html><head><title>Not found</title></head><body><h1>Not found</h1></body></html>"
        if snapshot.failed and not snapshot.files:
            self.set_status(503)
            page = b"<!DOCTYPE html><html><head><title>Build failed</title></head><body></body></html>"
        self._send("404.html", page, snapshot)

    def _send(self, name: str, data: bytes, snapshot: Snapshot) -> None:
        kind = content_type(name)
        if kind.startswith("text/html"):
            data = inject(data, self._head_snippet(), overlay(snapshot))
        self.set_header("Content-Type", kind)
        if self.request.method != "HEAD":
            self.write(data)
        else:
            self.set_header("Content-Length", str(len(data)))

    def _head_snippet(self) -> str:
        host, port = _host_port(self.request.host, self.request.connection.stream.socket)
        src = f"{PREFIX}livereload.js?host={host}&port={port}"
        return (f'<link rel="stylesheet" href="{PREFIX}overlay.css">'
                f'<script src="{html.escape(src)}" defer></script>')


def site_path(url_path: str) -> str | None:
    """The output file a request path names, or None when it could lead outside the site."""
    try:
        path = unquote(url_path, errors="strict")
    except UnicodeDecodeError:
        return None
    if not path.startswith("/") or "\\" in path or "\x00" in path or "//" in path:
        return None
    parts = path[1:].split("/")
    if any(part in (".", "..") for part in parts[:-1]) or parts[-1] in (".", ".."):
        return None
    name = "/".join(parts)
    return name + "index.html" if name == "" or name.endswith("/") else name


def _read(snapshot: Snapshot, name: str) -> bytes | None:
    content = snapshot.files.get(name)
    if content is None or isinstance(content, bytes):
        return content
    return _read_inside(content, snapshot.roots)


def _read_inside(path: Path, roots: tuple[Path, ...]) -> bytes | None:
    """A copied file's bytes, unless it is now a link leading out of its folder (or gone)."""
    try:
        real = path.resolve(strict=True)
        if not any(real.is_relative_to(root.resolve()) for root in roots) or not real.is_file():
            return None
        return real.read_bytes()
    except OSError:
        return None


def content_type(name: str) -> str:
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/json", "application/xml", "image/svg+xml", "application/javascript"):
        kind += "; charset=utf-8"
    return kind


def inject(page: bytes, head: str, body: str) -> bytes:
    """The page with ``head`` before ``</head>`` and ``body`` right after ``<body>``."""
    head_b, body_b = head.encode("utf-8"), body.encode("utf-8")
    at = page.find(b"</head>")
    page = page[:at] + head_b + page[at:] if at >= 0 else head_b + page
    if body_b:
        match = re.search(rb"<body[^>]*>", page)
        at = match.end() if match else len(page)
        page = page[:at] + body_b + page[at:]
    return page


def overlay(snapshot: Snapshot) -> str:
    """The error overlay for a failed build, every diagnostic escaped; '' when the build is good."""
    if not snapshot.failed:
        return ""
    lines = "".join(f"<li>{html.escape(d.text())}</li>" for d in snapshot.diagnostics)
    return ('<div id="dossier-overlay" role="alert"><p><strong>The build failed</strong>: '
            f'{html.escape(summary(snapshot.diagnostics))}. This is the last good version of the page; '
            f'it updates as soon as the content is fixed.</p><ol>{lines}</ol></div>')


_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$")


def _host_port(header: str, sock: socket.socket | None) -> tuple[str, int]:
    """Host and port the browser used, for livereload.js to connect back; only plain names pass."""
    local = sock.getsockname() if sock is not None else ("127.0.0.1", 80)
    match = _HOST.match(header or "")
    if not match:
        return str(local[0]), int(local[1])
    return match.group(1), int(match.group(2) or local[1])


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


OVERLAY_CSS = """
#dossier-overlay { position: fixed; inset: 0 0 auto 0; max-height: 60vh; overflow: auto; z-index: 2147483647;
  margin: 0; padding: 1rem 1.5rem; background: #fff4f4; color: #5c0000; border-bottom: 3px solid #b00020;
  font: 14px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; box-shadow: 0 4px 16px rgba(0,0,0,.25); }
#dossier-overlay ol { margin: .5rem 0 0; padding-left: 1.5rem; }
#dossier-overlay li { white-space: pre-wrap; overflow-wrap: anywhere; }
"""
