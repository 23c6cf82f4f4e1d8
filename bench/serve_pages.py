"""Where a preview edit's time goes: the rebuild, then each page that lists the edited article.

    python bench/serve_pages.py [--articles 1000] [--edits 3] [--profile rebuild|PAGE_PREFIX]

Generates a synthetic dossier (bench/generate.py) under bench/out/, makes the
preview server's first build in this process (``incremental.Session``, as
``dossier serve`` does, without HTTP), then retitles articles one at a time and
times ``Session.update`` and the rendering of the article's page and of every
page listing it (indexes, timeline, tags, the records it references). With
``--profile`` it prints a cProfile of the rebuild, or of the pages whose output
path starts with the prefix given. ``bench/serve_bench.py`` measures the same
edits end to end, over HTTP; this shows which page costs what. Every edited
file is put back afterwards.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402
from builder.incremental import Session  # noqa: E402
from builder.pipeline import BuildOptions  # noqa: E402
from builder.render import TEMPLATES  # noqa: E402

OUT = ROOT / "bench" / "out" / "serve-pages"


def listing_pages(site, slug: str) -> list[str]:
    """The article's page and the pages listing it, as output paths."""
    record = site.graph.records[("articles", slug)]
    pages = {f"articles/{slug}/index.html", "articles/index.html", "timeline/index.html"}
    pages |= {f"{link.target[0]}/{link.target[1]}/index.html" for link in site.graph.outgoing.get(record.key, ())}
    pages |= {f"tags/{tag}/index.html" for tag in record.get("tags", ())}
    return sorted(pages)


def profiled(enabled: bool, title: str, work):
    """``work()``, with its cProfile printed when ``enabled``."""
    if not enabled:
        return work()
    profile = cProfile.Profile()
    result = profile.runcall(work)
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(30)
    print(f"===== {title}\n{out.getvalue()}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=3)
    parser.add_argument("--profile", default="", help="'rebuild', or the start of the output paths to profile")
    args = parser.parse_args(argv)
    content = OUT / f"content-{args.articles}"
    generate(content, args.articles)
    session = Session(BuildOptions(content, None, templates=TEMPLATES, jobs=2))
    started = time.perf_counter()
    assert session.update().ok
    print(f"first build: {time.perf_counter() - started:.1f} s")
    paths = sorted((content / "articles").rglob("*.md"))
    for n in range(args.edits):
        path = paths[((n + 1) * 7919) % len(paths)]
        text = path.read_text(encoding="utf-8")
        marker = f"Retitled by edit {n}"
        try:
            path.write_text(re.sub(r"^title: .*$", f'title: "{marker}"', text, count=1, flags=re.M), encoding="utf-8")
            started = time.perf_counter()
            update = profiled(args.profile == "rebuild", "rebuild", lambda: session.update([path]))
            total = rebuild = time.perf_counter() - started
            assert update.ok, update.diagnostics
            rows = []
            for name in listing_pages(update.files, path.stem):
                started = time.perf_counter()
                page = profiled(bool(args.profile) and name.startswith(args.profile), name, lambda: update.files[name])
                seconds = time.perf_counter() - started
                assert marker.encode() in page, f"{name} does not show the new title"
                total += seconds
                rows.append(f"  {seconds * 1000:8.1f} ms  {name}")
            print(f"edit {n}: rebuild {rebuild * 1000:.1f} ms, rebuild and {len(rows)} pages {total * 1000:.1f} ms")
            print("\n".join(rows))
        finally:
            path.write_text(text, encoding="utf-8")
            session.update([path])
    return 0


if __name__ == "__main__":
    sys.exit(main())
