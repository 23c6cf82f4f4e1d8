"""dossier serve, run as a real server in a subprocess on a free port, edited as a contributor would."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from builder import search, serve
from builder.pipeline import BuildOptions, build
from builder.render import TEMPLATES, Renderer, environment
from serve_content import article, as_bytes, strip_injected, write_content

TIMEOUT = 60.0
"""Generous: timing belongs in bench/, these only wait for the change to show."""
LAUNCH = ("import sys; from pathlib import Path; from builder.serve import serve; "
          "sys.exit(serve(Path(sys.argv[1]), '127.0.0.1', 0, '--drafts' in sys.argv, Path(sys.argv[2])))")


class Server:
    """``dossier serve`` in a subprocess; its stderr is collected line by line."""

    def __init__(self, content: Path, templates: Path | None = None, drafts: bool = False, host: str = "") -> None:
        if templates is None:
            command = [sys.executable, "-m", "builder", "serve", "--content", str(content), "--port", "0"]
            command += (["--drafts"] if drafts else []) + (["--host", host] if host else [])
        else:
            command = [sys.executable, "-c", LAUNCH, str(content), str(templates)] + (["--drafts"] if drafts else [])
        self.proc = subprocess.Popen(command, cwd=content.parent, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        found = self.wait_for_line(r"serving http://" + re.escape(host or "127.0.0.1") + r":(\d+)/")
        self.port = int(found.group(1))

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_for_line(self, pattern: str, after: int = 0) -> re.Match:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            for line in self.lines[after:]:
                if match := re.search(pattern, line):
                    return match
            assert self.proc.poll() is None, "server exited:\n" + "\n".join(self.lines)
            time.sleep(0.05)
        raise AssertionError(f"no line matching {pattern!r} in:\n" + "\n".join(self.lines))

    def get(self, path: str, method: str = "GET", headers: dict | None = None) -> tuple[int, dict, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, headers=headers or {})
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    def page(self, path: str) -> str:
        status, _, body = self.get(path)
        assert status == 200, f"{path}: {status}"
        return body.decode("utf-8")

    def wait_until(self, check, what: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if check():
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; server said:\n" + "\n".join(self.lines[-30:]))

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


@pytest.fixture
def content(tmp_path: Path) -> Path:
    return write_content(tmp_path / "content")


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    copy = tmp_path / "templates"
    shutil.copytree(TEMPLATES, copy)
    return copy


@pytest.fixture
def server(content: Path):
    running = Server(content)
    yield running
    assert running.stop() == 0
    assert running.lines[-1] == "dossier: stopped"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_serves_folder_urls_with_a_real_404(server: Server, content: Path) -> None:
    assert "Wang Yi" in server.page("/officials/wang-yi/")
    assert "livereload.js" in server.page("/")
    status, headers, _ = server.get("/officials/wang-yi")
    assert status in (301, 302) and headers["location"] == "/officials/wang-yi/"
    status, headers, body = server.get("/officials/nobody/")
    assert status == 404 and headers["content-type"].startswith("text/html")
    assert b"Page not found" in body and b"livereload.js" in body
    status, headers, body = server.get("/assets/style.css")
    assert status == 200 and headers["content-type"].startswith("text/css") and b"livereload" not in body
    assert headers["cache-control"] == "no-store" and "etag" not in headers  # never kept, so never hashed
    status, headers, body = server.get("/articles/visit/", method="HEAD")
    assert status == 200 and body == b""
    assert server.get("/articles/visit/", method="POST")[0] == 405
    assert not (content.parent / "site").exists(), "serve must not write an output folder"


def test_an_edit_reaches_the_page_and_every_page_listing_it(server: Server, content: Path) -> None:
    edit(content / "articles" / "visit.md", "Wang Yi visits Tehran", "Wang Yi arrives in Tehran")
    listing = ["/articles/visit/", "/articles/", "/", "/timeline/", "/tags/diplomacy/", "/officials/wang-yi/",
               "/countries/iran/", "/agreements/cooperation/"]
    server.wait_until(lambda: all("Wang Yi arrives in Tehran" in server.page(p) for p in listing), "the new title")
    assert all("Wang Yi visits Tehran" not in server.page(p) for p in listing)
    assert b"Wang Yi arrives in Tehran" in server.get("/feed.xml")[2]
    assert "Wang Yi arrives in Tehran" in json.dumps(json.loads(server.get("/dossier.json")[2]), ensure_ascii=False)


def test_added_and_deleted_records(server: Server, content: Path) -> None:
    (content / "articles" / "fresh.md").write_text(article("A fresh report", "2025-06-01", ["araghchi"], tags=["energy"]))
    server.wait_until(lambda: server.get("/articles/fresh/")[0] == 200, "the new article")
    assert "A fresh report" in server.page("/articles/")
    assert "A fresh report" in server.page("/officials/araghchi/")
    assert "A fresh report" in server.page("/tags/energy/")
    (content / "articles" / "fresh.md").unlink()
    server.wait_until(lambda: server.get("/articles/fresh/")[0] == 404, "the deleted article's page to go")
    assert "A fresh report" not in server.page("/articles/")
    assert "A fresh report" not in server.page("/officials/araghchi/")
    assert server.get("/tags/energy/")[0] == 404


def test_a_broken_file_shows_an_overlay_until_it_is_fixed(server: Server, content: Path) -> None:
    path = content / "officials" / "wang-yi.md"
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("country: china", "country: china\n<b>role</b>: minister"), encoding="utf-8")
    server.wait_until(lambda: "dossier-overlay" in server.page("/articles/visit/"), "the overlay")
    page = server.page("/officials/wang-yi/")
    assert "dossier-overlay" in page and "Wang Yi" in page, "the last good page stays, under the overlay"
    assert "officials/wang-yi.md:5:1: error: unknown key &#x27;&lt;b&gt;role&lt;/b&gt;&#x27;" in page
    assert "<b>role</b>" not in page
    assert server.get("/nowhere/")[0] == 404 and b"dossier-overlay" in server.get("/nowhere/")[2]
    assert any(re.search(r"officials/wang-yi\.md:5:1: error: unknown key '<b>role</b>'", line) for line in server.lines)
    path.write_text(good, encoding="utf-8")
    server.wait_until(lambda: "dossier-overlay" not in server.page("/articles/visit/"), "the overlay to go")
    assert "dossier-overlay" not in server.page("/officials/wang-yi/")


def test_requests_cannot_leave_the_site(server: Server, content: Path) -> None:
    secret = content.parent / "secret.txt"
    secret.write_text("TOPSECRET")
    attempts = ["/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt", "/img/..%2F..%2Fsecret.txt",
                "/img/%2e%2e/%2e%2e/secret.txt", "//secret.txt", "/" + str(secret), "/%2F" + str(secret)[1:],
                "/img/..\\..\\secret.txt", "/img/", "/img", "/articles/visit.md", "/site.yaml", "/.dossier-site",
                "/img/map.png%00.html", "/%c0%ae%c0%ae/secret.txt"]
    for attempt in attempts:
        status, _, body = server.get(attempt)
        assert status == 404, attempt
        assert b"TOPSECRET" not in body and b"map.png" not in body
    assert server.get("/img/map.png")[2].startswith(b"\x89PNG")
    (content / "img" / "map.png").unlink()
    (content / "img" / "map.png").symlink_to(secret)
    server.wait_until(lambda: "dossier-overlay" in server.page("/"), "the link to be refused")
    status, _, body = server.get("/img/map.png")
    assert status == 404 and b"TOPSECRET" not in body


def test_a_template_change_re_renders_the_pages_using_it(content: Path, templates: Path) -> None:
    running = Server(content, templates)
    try:
        edit(templates / "article.html", '<p class="kicker">Article</p>', '<p class="kicker">Article TEMPLATE-MARK</p>')
        server_pages = ["/articles/visit/", "/articles/talks/", "/articles/mou/"]
        running.wait_until(lambda: all("TEMPLATE-MARK" in running.page(p) for p in server_pages), "the template change")
        assert "TEMPLATE-MARK" not in running.page("/officials/wang-yi/")
        with (templates / "static" / "style.css").open("a") as f:
            f.write("\n/* STYLE-MARK */\n")
        running.wait_until(lambda: b"STYLE-MARK" in running.get("/assets/style.css")[2], "the stylesheet")
        edit(templates / "tag.html", "{% block main %}", "{% block main %}{% if %}")
        running.wait_until(lambda: "template-error" in running.page("/") or "dossier-overlay" in running.page("/"),
                           "the template error overlay")
        assert "tag.html:" in running.page("/articles/")
    finally:
        assert running.stop() == 0


def test_drafts_are_served_with_a_badge_when_asked(content: Path) -> None:
    (content / "articles" / "plan.md").write_text(article("A plan", "2025", draft=True))
    running = Server(content, drafts=True)
    try:
        assert '<span class="badge">Draft</span>' in running.page("/articles/plan/")
    finally:
        running.stop()


def test_browsers_are_told_to_reload(server: Server, content: Path) -> None:
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    async def listen() -> dict:
        url = f"ws://127.0.0.1:{server.port}/livereload"
        socket = await websocket_connect(HTTPRequest(url, headers={"Origin": f"http://127.0.0.1:{server.port}"}))
        socket.write_message(json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}))
        assert json.loads(await socket.read_message())["command"] == "hello"
        socket.write_message(json.dumps({"command": "info", "url": f"http://127.0.0.1:{server.port}/"}))
        await asyncio.sleep(0.2)
        edit(content / "articles" / "2024" / "mou.md", "A short note.", "A longer note.")
        message = json.loads(await asyncio.wait_for(socket.read_message(), TIMEOUT))
        socket.close()
        return message

    message = asyncio.run(listen())
    assert message["command"] == "reload"
    assert "A longer note." in server.page("/articles/mou/"), "the page is fresh by the time the reload is sent"

    async def foreign() -> None:
        request = HTTPRequest(f"ws://127.0.0.1:{server.port}/livereload", headers={"Origin": "http://evil.example"})
        await websocket_connect(request)

    with pytest.raises(Exception):
        asyncio.run(foreign())


def test_a_burst_of_saves_is_one_rebuild(server: Server, content: Path) -> None:
    before = len(server.lines)
    for i in range(12):
        (content / "articles" / f"burst-{i}.md").write_text(article(f"Burst {i}", "2025-02", tags=["trade"]))
    server.wait_until(lambda: all(f"Burst {i}" in server.page("/tags/trade/") for i in range(12)), "the burst")
    rebuilds = [line for line in server.lines[before:] if " changed: " in line]
    assert 1 <= len(rebuilds) <= 3, rebuilds


def test_the_served_site_equals_a_clean_build_after_random_edits(tmp_path: Path) -> None:
    from test_incremental import Dossier

    dossier = Dossier(tmp_path, random.Random(11))
    running = Server(dossier.root, dossier.templates)
    options = BuildOptions(dossier.root, None, False, dossier.templates)
    try:
        served_names: set[str] = set()
        for _ in range(6):
            dossier.step()
            clean = build(options)
            if not clean.ok:
                running.wait_until(lambda: "dossier-overlay" in running.page("/"), "the overlay")
                continue
            expected = as_bytes(clean.files)
            if search.executable() is not None:  # served with a search index: its page loads it
                renderer = Renderer(clean.config, clean.graph, {}, environment(dossier.templates), search=True)
                expected["search/index.html"] = renderer.render(renderer.search_page()).encode("utf-8")
            gone = served_names - expected.keys()
            running.wait_until(lambda: _serves(running, expected, gone), "the served site to equal a clean build")
            served_names = set(expected)
    finally:
        assert running.stop() == 0


def _serves(running: Server, expected: dict[str, bytes], gone: set[str]) -> bool:
    for name, data in expected.items():
        status, _, body = running.get("/" + name)
        if status != 200 or strip_injected(body) != data:
            return False
    return all(running.get("/" + name)[0] == 404 for name in gone)


def test_serving_beyond_this_machine_warns_through_the_command_line(content: Path) -> None:
    running = Server(content, host="0.0.0.0")
    try:
        serving = next(i for i, line in enumerate(running.lines) if "serving http://0.0.0.0:" in line)
        warning = "dossier: warning: serving on 0.0.0.0: anyone who can reach this machine can read the preview"
        assert warning in running.lines[:serving]
        assert "Wang Yi" in running.page("/officials/wang-yi/")
    finally:
        assert running.stop() == 0
    quiet = Server(content)
    try:
        assert not any("warning: serving on" in line for line in quiet.lines)
    finally:
        assert quiet.stop() == 0


def test_ctrl_c_stops_the_server_during_its_first_build(tmp_path: Path) -> None:
    from bench.generate import generate

    generate(tmp_path / "content", 400, 5)
    command = [sys.executable, "-m", "builder", "serve", "--content", str(tmp_path / "content"), "--port", "0"]
    proc = subprocess.Popen(command, cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr.readline().startswith("dossier: building ")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=TIMEOUT) == 0
        rest = proc.stderr.read().splitlines()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert rest[-1:] == ["dossier: stopped"], rest
    assert not any("serving http" in line for line in rest), "it stopped before the build ended, not after"


def test_the_search_page_is_served_with_its_index(server: Server) -> None:
    if search.executable() is None:
        assert os.environ.get("CI") != "true", "Pagefind must be installed in CI"
        pytest.skip("the Pagefind binary is not installed")
    assert "pagefind/pagefind-ui.js" in server.page("/search/")
    server.wait_until(lambda: server.get("/pagefind/pagefind-ui.js")[0] == 200, "the search bundle")
    status, headers, body = server.get("/pagefind/pagefind-entry.json")
    assert status == 200 and json.loads(body)["languages"]
    content = server.proc.args[server.proc.args.index("--content") + 1]
    assert not (Path(content).parent / "site").exists() and not (Path(content) / "pagefind").exists()


def test_request_paths_map_inside_the_site_only() -> None:
    assert serve.site_path("/") == "index.html"
    assert serve.site_path("/officials/wang-yi/") == "officials/wang-yi/index.html"
    assert serve.site_path("/feed.xml") == "feed.xml"
    assert serve.site_path("/tags/caf%C3%A9/") == "tags/café/index.html"
    for bad in ["/../x", "/a/%2e%2e/x", "/a/%2E%2e%2fx", "//etc/passwd", "/a\\..\\x", "/a/%00", "/%ff", "x", "/a/."]:
        assert serve.site_path(bad) is None, bad


def test_only_loopback_hosts_are_quiet() -> None:
    assert serve._is_loopback("127.0.0.1") and serve._is_loopback("localhost") and serve._is_loopback("::1")
    assert not serve._is_loopback("0.0.0.0") and not serve._is_loopback("192.168.1.10")
    assert not serve._is_loopback("example.org")


def test_the_overlay_escapes_every_diagnostic() -> None:
    from builder.diagnostics import Diagnostic, Location

    bad = Diagnostic(Location(Path("/c/a<b>.md"), 2, 3), "unknown key '<script>x</script>'", "unknown-key")
    shown = serve.overlay(serve.Snapshot({}, [bad], failed=True))
    assert "<script>" not in shown and "&lt;script&gt;" in shown and ":2:3: error:" in shown
    assert serve.overlay(serve.Snapshot({}, [bad], failed=False)) == ""
    page = serve.inject(b"<html><head></head><body class='x'><p>hi</p></body></html>", "<HEAD>", "<OVERLAY>")
    assert page == b"<html><head><HEAD></head><body class='x'><OVERLAY><p>hi</p></body></html>"
