"""Time the preview server's rebuild after editing one article (in one process, as ``dossier serve`` does).

    python bench/serve_edit.py CONTENT ARTICLE [--edits 3]

Prints, for each edit after the first, full build, the seconds of the rebuild and then of
rendering the article's page (pages are rendered when first asked for), one edit per line.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("article", type=Path)
    parser.add_argument("--edits", type=int, default=3)
    args = parser.parse_args(argv)
    try:
        from builder.incremental import Session
    except ImportError:
        print("no incremental builder in this version", file=sys.stderr)
        return 1
    from builder.pipeline import BuildOptions

    session = Session(BuildOptions(args.content, None))
    first = session.update()
    if not first.ok:
        return 1
    for n in range(args.edits):
        with args.article.open("a", encoding="utf-8") as f:
            f.write(f"\nA sentence added by the preview edit {n}.\n")
        start = time.perf_counter()
        update = session.update([args.article.resolve()])
        if not update.ok:
            print("failed")
            continue
        rebuilt = time.perf_counter()
        page = update.files.get(f"articles/{args.article.stem}/index.html")
        print(f"{rebuilt - start:.4f} {time.perf_counter() - rebuilt:.4f}" if page is not None else f"{rebuilt - start:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
