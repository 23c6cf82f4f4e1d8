"""Figures for each kind of page: weight, requests, axe-core and Nu Html Checker results.

    .venv/bin/python tests/page_report.py [CONTENT]

Builds CONTENT (default: the showcase dossier the browser tests use), loads one
page of each kind in headless Chromium at 360 px, and prints a Markdown table:
bytes of HTML and of CSS+JS the browser loaded, requests (and how many went to
another host), axe-core's WCAG 2.1 AA violations and passed rules in the light
and dark schemes, and the checker's errors and warnings for the page.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from browser import AXE, AXE_TAGS, CHROMIUM, CHROMIUM_ARGS, PAGE_KINDS, SHOWCASE, VNU, build_into, java, serve, visit
from screenshots import pages as pages_of


def axe_counts(browser, url: str, scheme: str) -> tuple[int, int]:
    """Violations and passed rules."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme, bypass_csp=True)
    page = context.new_page()
    page.goto(url, wait_until="load")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    context.close()
    return len(result["violations"]), len(result["passes"])


def vnu_counts(files: list[Path]) -> dict[str, tuple[int, int]]:
    """Errors and warnings by file, from one run of the checker."""
    result = subprocess.run([java(), "-jar", str(VNU), "--format", "json", *map(str, files)],
                            capture_output=True, text=True, timeout=600)
    counts = {Path(f).as_uri(): [0, 0] for f in files}
    for message in json.loads(result.stderr)["messages"]:
        url = "file://" + message.get("url", "").removeprefix("file:")
        if url in counts:
            counts[url][0 if message.get("type") == "error" else 1] += 1
    return {url: (e, w) for url, (e, w) in counts.items()}


def report(content: Path) -> str:
    from playwright.sync_api import sync_playwright

    kinds = PAGE_KINDS if content == SHOWCASE else pages_of(content)
    rows = ["| page kind | HTML bytes | CSS+JS bytes | requests (other hosts) | axe light: violations / passed rules "
            "| axe dark | vnu errors / warnings |", "|---|---:|---:|---:|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        site = build_into(content, Path(tmp) / "site")
        files = {kind: site / (url + "index.html" if url.endswith("/") or not url else url) for kind, url in kinds.items()}
        checked = vnu_counts(list(files.values()))
        with serve(site) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for kind, url in kinds.items():
                seen = visit(browser, base + url)
                html = sum(size for type_, size in seen.loaded.values() if type_ == "document")
                css_js = sum(size for type_, size in seen.loaded.values() if type_ in ("stylesheet", "script"))
                foreign = sum(1 for u in seen.requests if not u.startswith(base))
                light, dark = (axe_counts(browser, base + url, s) for s in ("light", "dark"))
                errors, warnings = checked[files[kind].as_uri()]
                rows.append(f"| {kind} | {html:,} | {css_js:,} | {len(seen.requests)} ({foreign}) "
                            f"| {light[0]} / {light[1]} | {dark[0]} / {dark[1]} | {errors} / {warnings} |")
            browser.close()
    return "\n".join(rows)


if __name__ == "__main__":
    print(report(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else SHOWCASE))
