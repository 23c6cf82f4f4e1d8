"""Screenshots of each kind of page at phone and desktop width, into docs/screenshots/.

    python3 tasks.py screenshots            # the shipped dossier in content/
    .venv/bin/python tests/screenshots.py [CONTENT] [OUT]

Each page is taken in headless Debian Chromium (see browser.py), in the light
scheme, plus a few in the dark scheme and one as printed; and the showcase's
official, whose infobox has a photo. The PNGs are reduced
to a palette of 64 colours when Pillow is installed, to keep them small.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from browser import CHROMIUM, CHROMIUM_ARGS, ROOT, SHOWCASE, build_into, serve

WIDTHS = {360: 1000, 1280: 1000}
"""Viewport width and height of each shot."""
DARK = ("official", "article")
"""Kinds also taken in the dark scheme, at both widths."""


def pages(content: Path) -> dict[str, str]:
    """One URL per page kind, picked from the build: records that show the most of their kind."""
    from builder.pipeline import BuildOptions, build

    graph = build(BuildOptions(content=content, output=None)).graph

    def best(type_: str, score) -> str:
        records = sorted(graph.of_type(type_), key=lambda r: (-score(r), r.slug))
        return f"{type_}/{records[0].slug}/" if records else ""

    links = lambda r: len(graph.outgoing.get(r.key, ())) + len(graph.incoming.get(r.key, ()))
    tags: dict[str, int] = {}
    for article in graph.of_type("articles"):
        for tag in article.get("tags", ()):
            tags[tag] = tags.get(tag, 0) + 1
    chosen = {
        "home": "", "articles-index": "articles/", "officials-index": "officials/",
        "article": best("articles", links),
        "official": best("officials", lambda r: 100 * ("x-photo" in r.extra) + 10 * bool(r.get("native_name"))
                         + len(r.get("positions", ())) + links(r) / 1000),
        "country": best("countries", links),
        "agreement": best("agreements", lambda r: 10 * bool(r.get("parent")) + links(r) / 1000),
        "organization": best("organizations", lambda r: 10 * bool(r.get("native_name")) + links(r) / 1000),
        "tags": "tags/", "tag": f"tags/{max(tags, key=lambda t: (tags[t], t))}/" if tags else "",
        "timeline": "timeline/", "404": "404.html",
    }
    return {kind: url for kind, url in chosen.items() if url or kind == "home"}


def shoot(content: Path, out: Path, only: set[str] | None = None, tag: str = "") -> list[Path]:
    """Shots of the kinds of page in ``only`` (all by default), named KIND[TAG]-WIDTH[-dark].png."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    kinds = {kind: url for kind, url in pages(content).items() if only is None or kind in only}
    with tempfile.TemporaryDirectory() as tmp, serve(build_into(content, Path(tmp) / "site")) as base:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for kind, url in kinds.items():
                for width, height in WIDTHS.items():
                    for scheme in ("light", "dark") if kind in DARK else ("light",):
                        name = f"{kind}{tag}-{width}{'-dark' if scheme == 'dark' else ''}.png"
                        written.append(_shot(browser, base + url, out / name, width, height, scheme))
            if "article" in kinds:
                written.append(_shot(browser, base + kinds["article"], out / f"article{tag}-print.png",
                                     800, 1100, "light", media="print"))
            browser.close()
    return [_shrink(p) for p in written]


def _shot(browser, url: str, path: Path, width: int, height: int, scheme: str, media: str = "screen") -> Path:
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = context.new_page()
    page.emulate_media(media=media)
    page.goto(url, wait_until="load")
    page.screenshot(path=str(path))
    context.close()
    return path


def _shrink(path: Path) -> Path:
    try:
        from PIL import Image
    except ImportError:
        return path
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)
    return path


def main(argv: list[str]) -> int:
    content = Path(argv[0]) if argv else ROOT / "content"
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "docs" / "screenshots"
    paths = shoot(content, out)
    if not argv:  # the shipped dossier has no photos yet: show the infobox's photo slot from the showcase
        paths += shoot(SHOWCASE, out, only={"official"}, tag="-photo")
    for path in paths:
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
