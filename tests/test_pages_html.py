"""Every built page passes the Nu Html Checker (vnu) without errors, in one JVM run."""

from __future__ import annotations

import json
import subprocess

from browser import ROOT, SHOWCASE, VNU, build_into, java, need

GOLDEN = ROOT / "tests" / "golden" / "content"

INVALID = "<!DOCTYPE html><html lang=en><head><title>t</title></head><body><p><div></p></body></html>"
"""A page the checker must reject, checked in the same run so that a silent checker cannot pass."""


WASM_CSP = """Expecting source-expression but found "'wasm-unsafe-eval'"."""
"""vnu's CSP grammar predates CSP 3's 'wasm-unsafe-eval', which the search page needs for Pagefind."""


def vnu_errors(files: list) -> dict[str, list[str]]:
    """The checker's errors by file URL, each as ``line: message``."""
    result = subprocess.run([java(), "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
                            capture_output=True, text=True, timeout=600)
    errors: dict[str, list[str]] = {}
    for m in json.loads(result.stderr)["messages"]:
        if WASM_CSP in m.get("message", ""):
            continue
        if m.get("type") == "error" or m.get("subType") == "fatal":
            errors.setdefault(m.get("url", ""), []).append(f"{m.get('lastLine', '?')}: {m.get('message', '')}")
    return errors


def test_every_page_is_valid_html(tmp_path):
    need(java() is not None, "java is missing (apt-get install default-jre-headless)")
    need(VNU.exists(), f"{VNU} is missing (npm install --prefix tests vnu-jar@24)")
    sites = [build_into(SHOWCASE, tmp_path / "showcase"), build_into(GOLDEN, tmp_path / "golden")]
    if (ROOT / "content" / "site.yaml").exists():
        sites.append(build_into(ROOT / "content", tmp_path / "content"))
    pages = sorted(p for site in sites for p in site.rglob("*.html"))
    assert len(pages) >= 20
    (tmp_path / "bad.html").write_text(INVALID)
    errors = vnu_errors([*pages, tmp_path / "bad.html"])
    bad = [url for url in errors if url.endswith("/bad.html")]
    assert len(bad) == 1, "the checker did not report a known error"
    del errors[bad[0]]
    assert errors == {}
