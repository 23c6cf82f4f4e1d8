"""Measure ``dossier serve``: from a saved edit of one article to its pages served fresh.

    python bench/serve_bench.py [--sizes 1000,10000] [--repeat 5]

For each size it generates a synthetic dossier (bench/generate.py) under
bench/out/, starts the real server on a free port, and then, for several
articles in turn, saves an edit and polls over HTTP until the change is
served. Two kinds of edit:

- body: a sentence added to the body; fresh when the article's page has it;
- title: a new title; fresh when the article's page and every page that lists
  it (articles index, timeline, its tags' pages, the pages of the records it
  references and, for the newest, the home page) all show it.

Each figure is the median of ``--repeat`` edits with the range; the time
includes the file watcher's quiet period (10–20 ms) that coalesces bursts of saves
and the rendering of the pages checked, which the server renders when they are
first asked for after a change. The server's own rebuild time (reading,
resolving, deciding what the change affects), from its log, is shown beside
it, as wall time and as the CPU time of the rebuilding thread (which a busy
machine inflates less). The first build's time, printed on stderr, is the
server's: records read and pages rendered by as many processes as cores.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402

OUT = ROOT / "bench" / "out" / "serve"
POLL = 0.002
"""Seconds between polls of a page that is not fresh yet."""


class Server:
    def __init__(self, content: Path) -> None:
        command = [sys.executable, "-m", "builder", "serve", "--content", str(content), "--port", "0"]
        self.proc = subprocess.Popen(command, cwd=content.parent, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.port = int(self._wait(r"serving http://127\.0\.0\.1:(\d+)/", 0, 1800).group(1))
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def _wait(self, pattern: str, after: int, timeout: float) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines[after:]:
                if match := re.search(pattern, line):
                    return match
            if self.proc.poll() is not None:
                raise SystemExit("server exited:\n" + "\n".join(self.lines))
            time.sleep(0.01)
        raise SystemExit(f"no {pattern!r} from the server")

    def get(self, path: str) -> bytes:
        self.connection.request("GET", path)
        return self.connection.getresponse().read()

    def rebuild_ms(self, after: int) -> tuple[float, float]:
        match = self._wait(r"changed: \d+ files updated in (\d+) ms \((\d+) ms CPU\)", after, 120)
        return float(match.group(1)), float(match.group(2))

    def stop(self) -> None:
        self.connection.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            print("the server did not stop within 60 s of SIGTERM; killed", file=sys.stderr)
            self.proc.kill()
            self.proc.wait()


def listing_pages(server: Server, slug: str) -> list[str]:
    """The article's page and every page that lists it, from the served dossier.json."""
    data = json.loads(server.get("/dossier.json"))
    record = next(r for r in data["records"] if r["type"] == "articles" and r["slug"] == slug)
    pages = ["/" + record["url"], "/articles/", "/timeline/"]
    pages += ["/" + ref["url"] for ref in record["references"]]
    pages += [f"/tags/{tag}/" for tag in record["fields"].get("tags", [])]
    newest = sorted((r for r in data["records"] if r["type"] == "articles"),
                    key=lambda r: (r["fields"]["date"], r["slug"]), reverse=True)[:10]
    if any(r["slug"] == slug for r in newest):
        pages.append("/")
    return sorted(set(pages))


def wait_fresh(server: Server, pages: list[str], marker: bytes, start: float, timeout: float = 120) -> float:
    for page in pages:
        while marker not in server.get(page):
            if time.perf_counter() - start > timeout:
                raise SystemExit(f"{page} never showed the edit")
            time.sleep(POLL)
    return time.perf_counter() - start


def edit_body(path: Path, n: int) -> bytes:
    marker = f"Sentence added by edit {n}."
    with path.open("a", encoding="utf-8") as f:
        f.write(f"\n{marker}\n")
    return marker.encode()


def edit_title(path: Path, n: int) -> bytes:
    marker = f"Retitled by edit {n}"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^title: .*$", f'title: "{marker}"', text, count=1, flags=re.M), encoding="utf-8")
    return marker.encode()


def bench_size(articles: int, repeat: int) -> dict[str, tuple[list[float], list[tuple[float, float]], int]]:
    content = OUT / f"content-{articles}"
    generate(content, articles)
    started = time.perf_counter()
    server = Server(content)
    print(f"{articles:,} articles: first build and serve in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    paths = sorted((content / "articles").rglob("*.md"))
    chosen = [paths[(i * 7919) % len(paths)] for i in range(repeat)]
    results: dict[str, tuple[list[float], list[tuple[float, float]], int]] = {}
    try:
        for kind, edit in (("body", edit_body), ("title", edit_title)):
            seconds, rebuilt, widest = [], [], 0
            for n, path in enumerate(chosen):
                pages = listing_pages(server, path.stem) if kind == "title" else ["/articles/" + path.stem + "/"]
                widest = max(widest, len(pages))
                time.sleep(0.3)
                mark = len(server.lines)
                start = time.perf_counter()
                marker = edit(path, n)
                seconds.append(wait_fresh(server, pages, marker, start))
                rebuilt.append(server.rebuild_ms(mark))
            results[kind] = (seconds, rebuilt, widest)
    finally:
        server.stop()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="article counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=5, help="edits of each kind per size")
    args = parser.parse_args(argv)
    rows = ["| articles | edit | pages checked | saved → served fresh (median, range) | rebuild wall | rebuild CPU |",
            "|---:|---|---:|---|---:|---:|"]
    for size in (int(s) for s in args.sizes.split(",")):
        for kind, (seconds, rebuilt, pages) in bench_size(size, args.repeat).items():
            ms = sorted(s * 1000 for s in seconds)
            wall, cpu = statistics.median(w for w, _ in rebuilt), statistics.median(c for _, c in rebuilt)
            rows.append(f"| {size:,} | {kind} | {pages} | {statistics.median(ms):.0f} ms ({ms[0]:.0f}–{ms[-1]:.0f}) "
                        f"| {wall:.0f} ms | {cpu:.0f} ms |")
    print("\n".join(rows))
    shutil.rmtree(OUT, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
