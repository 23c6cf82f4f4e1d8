"""axe-core finds no WCAG 2.1 A or AA violation on any kind of page, in light or dark colours."""

from __future__ import annotations

import pytest

from browser import AXE, PAGE_KINDS, axe_page, need, run_axe, serve

SCHEMES = ["light", "dark"]


@pytest.fixture(scope="module")
def axe_pages(chromium):
    """One page per colour scheme, reused for every check."""
    need(AXE.exists(), f"{AXE} is missing (npm install --prefix tests axe-core@4)")
    pages = {scheme: axe_page(chromium, scheme) for scheme in SCHEMES}
    yield pages
    for page in pages.values():
        page.context.close()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("kind", list(PAGE_KINDS))
def test_no_accessibility_violations(axe_pages, showcase_url, kind, scheme):
    assert run_axe(axe_pages[scheme], showcase_url + PAGE_KINDS[kind]) == []


def test_axe_reports_what_it_should(axe_pages, tmp_path):
    """A page with known faults is caught, so an empty report above means something."""
    (tmp_path / "index.html").write_text(
        '<!DOCTYPE html><html><head><title>t</title></head><body>'
        '<p style="color:#ccc;background:#fff">faint</p><img src="x.png"><a href="a"></a></body></html>')
    with serve(tmp_path) as base:
        found = {v["id"] for v in run_axe(axe_pages["light"], base)}
    assert {"color-contrast", "image-alt", "link-name", "html-has-lang"} <= found
