"""Script injection: payloads in every text field and body of tests/injection/ never become executable.

The corpus puts script in site settings, every record type's text fields,
source titles and URLs, raw HTML, Markdown links and images (javascript:,
data:, vbscript:, mixed case, whitespace, entity- and percent-encoded), link
titles, wikilink text, headings, footnotes and tables. After a build, every
output file is parsed and must hold no executable content: no <script> but the
site's own files, no event-handler attributes, no script URLs in any URL
attribute, no <style> element, no active embedding elements, and a
Content-Security-Policy on every page that forbids inline script.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree as ET

import pytest

from builder.activecontent import SCRIPT_SUFFIXES, svg_problem
from builder.diagnostics import Report
from builder.load import parse_record
from builder.pipeline import BuildOptions, build

CORPUS = Path(__file__).parent / "injection" / "content"
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "srcset", "poster", "data", "background", "cite",
                  "longdesc", "ping", "manifest", "codebase", "xlink:href", "icon", "lowsrc", "dynsrc"}
ACTIVE_ELEMENTS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "math", "portal", "template",
                   "noscript", "audio", "video", "xml", "xmp", "plaintext"}
"""Elements that load or run other content; forms and inline SVG are checked by their attributes instead."""
DATA_SCRIPT = "application/ld+json"
"""A script element that is data, never run: allowed when its text is JSON."""
SCRIPT_SCHEMES = {"javascript", "data", "vbscript"}
SAFE_STYLE = re.compile(r"text-align:(?:left|right|center)")
"""The only inline style pages carry: the alignment of a Markdown table column."""


def script_scheme(url: str) -> str:
    """The dangerous scheme a browser would see in ``url`` (after its own clean-up), or ''."""
    cleaned = re.sub(r"[\t\n\r]", "", url).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
                                                   "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.\-]*):", cleaned)
    scheme = match.group(1).lower() if match else ""
    return scheme if scheme in SCRIPT_SCHEMES else ""


class ActiveContent(HTMLParser):
    """Collects everything in a page that could run script."""

    def __init__(self, page: PurePosixPath, own_scripts: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.own_scripts = own_scripts
        self.problems: list[str] = []
        self.csp: list[str] = []
        self.inside: str | None = None
        self.data_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in ACTIVE_ELEMENTS:
            self.problems.append(f"<{tag}> element")
        if tag == "script":
            self.inside = "script"
            self.data_script = values.get("type", "").strip().lower() == DATA_SCRIPT and "src" not in values
            if not self.data_script and not self._own(values.get("src", "")):
                self.problems.append(f"<script> that is not the site's own: {values}")
        if tag == "style":
            self.inside = "style"
            self.problems.append("<style> element")
        if tag == "meta" and "http-equiv" in values:
            self._meta(values["http-equiv"].lower(), values.get("content", ""))
        for name, value in values.items():
            self._attribute(tag, name, value)

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        if tag == self.inside:
            self.inside = None

    def handle_data(self, data: str) -> None:
        if self.inside == "script" and self.data_script:
            self._json(data)
        elif self.inside and data.strip():
            self.problems.append(f"text inside <{self.inside}>: {data.strip()[:60]}")

    def _json(self, data: str) -> None:
        try:
            json.loads(data)
        except ValueError:
            self.problems.append(f"{DATA_SCRIPT} that is not JSON: {data.strip()[:60]}")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"processing instruction {data[:40]}")

    def _attribute(self, tag: str, name: str, value: str) -> None:
        if name.startswith("on"):
            self.problems.append(f"<{tag} {name}>")
        if name in URL_ATTRIBUTES:
            urls = [part.strip().split(" ")[0] for part in value.split(",")] if name == "srcset" else [value]
            for url in urls:
                if script_scheme(url):
                    self.problems.append(f"<{tag} {name}={url[:60]!r}>")
        if name == "style" and not SAFE_STYLE.fullmatch(value):
            self.problems.append(f"<{tag} style={value[:60]!r}>")

    def _meta(self, equiv: str, content: str) -> None:
        if equiv == "content-security-policy":
            self.csp.append(content)
        else:
            self.problems.append(f"<meta http-equiv={equiv}>")

    def _own(self, src: str) -> bool:
        """A script file the site ships from templates/static (none inline, none from content)."""
        if not src or script_scheme(src) or "//" in src:
            return False
        target = (self.page.parent / src).as_posix()
        parts = []
        for part in target.split("/"):
            if part == "..":
                if parts:
                    parts.pop()
            elif part not in ("", "."):
                parts.append(part)
        return "/".join(parts) in self.own_scripts


def page_problems(html: str, page: str = "index.html", own_scripts: set[str] = frozenset()) -> list[str]:
    """What could run script in a page, including a missing or lax Content-Security-Policy."""
    checker = ActiveContent(PurePosixPath(page), set(own_scripts))
    checker.feed(html)
    checker.close()
    problems = list(checker.problems)
    if len(checker.csp) != 1:
        problems.append(f"{len(checker.csp)} Content-Security-Policy <meta> elements, not 1")
    for policy in checker.csp:
        problems += csp_problems(policy)
    return problems


def csp_problems(policy: str) -> list[str]:
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = [w.lower() for w in words[1:]]
    script = directives.get("script-src", directives.get("default-src"))
    problems = []
    if script is None or "*" in script or any(w in script for w in ("'unsafe-inline'", "'unsafe-eval'", "data:", "http:", "https:")):
        problems.append(f"script-src allows more than the site's own files: {script}")
    if directives.get("object-src") != ["'none'"]:
        problems.append("object-src is not 'none'")
    if directives.get("base-uri") != ["'none'"]:
        problems.append("base-uri is not 'none'")
    return problems


def own_scripts(site: Path) -> set[str]:
    """Script files the build wrote itself (its static assets, its search index), none copied from content."""
    return {p.relative_to(site).as_posix() for p in site.rglob("*.js") if not (CORPUS / p.relative_to(site)).exists()}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("injection")
    shutil.copytree(CORPUS, work / "content")
    result = build(BuildOptions(work / "content", work / "site"))
    assert result.ok, [d.text() for d in result.diagnostics]
    assert all(d.code == "self-reference" for d in result.diagnostics), [d.text() for d in result.diagnostics]
    return work / "site"


def test_every_page_is_free_of_executable_content(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 12
    scripts = own_scripts(site)
    found = {}
    for page in pages:
        relative = page.relative_to(site).as_posix()
        problems = page_problems(page.read_text(encoding="utf-8"), relative, scripts)
        if problems:
            found[relative] = problems
    assert found == {}


def test_payloads_are_shown_as_text_not_dropped(site: Path) -> None:
    """Escaping, not silent removal: each field's payload reaches its page as visible text."""
    shown = {
        "articles/story/index.html": ["Story <script>alert(1)</script>", "Summary <script>alert(1)</script>",
                                      "Source <script>alert(1)</script>", "Tehran ' onmouseover='alert(3)",
                                      "Credit <script>alert(1)</script>", "<script>alert(70)</script>",
                                      "<img src=x onerror=alert(14)>", "Publisher \"><img src=x onerror=alert(2)>"],
        "officials/official/index.html": ["Official <script>alert(1)</script>", "Minister <script>alert(1)</script>",
                                          "Alias ' onmouseover='alert(3)"],
        "organizations/ministry/index.html": ["Ministry <script>alert(1)</script>", "ministry <script>alert(1)</script>"],
        "agreements/accord/index.html": ["Accord <script>alert(1)</script>", "in force \"><img src=x onerror=alert(2)>"],
        "countries/iran/index.html": ["Iran <script>alert(1)</script>", "Islamic Republic ' onmouseover='alert(3)"],
        "index.html": ["Site <script>alert(1)</script>", "Desc <script>alert(1)</script>"],
    }
    for page, texts in shown.items():
        text = _text_of(site / page)
        for payload in texts:
            assert payload in text, f"{payload!r} not shown on {page}"


def _text_of(page: Path) -> str:
    parts: list[str] = []
    parser = HTMLParser(convert_charrefs=True)
    parser.handle_data = parts.append  # type: ignore[method-assign]
    parser.feed(page.read_text(encoding="utf-8"))
    return " ".join(" ".join(parts).split())


def test_no_file_that_can_run_script_is_copied_from_content(site: Path) -> None:
    copied = [p.relative_to(site) for p in site.rglob("*") if p.is_file() and (CORPUS / p.relative_to(site)).is_file()]
    assert copied, "the corpus's image is published"
    for relative in copied:
        assert relative.suffix.lower() not in SCRIPT_SUFFIXES, relative
        if relative.suffix.lower() == ".svg":
            assert svg_problem((site / relative).read_bytes()) is None, relative


def test_feeds_and_sitemap_carry_no_markup_or_script_urls(site: Path) -> None:
    for path in sorted(site.rglob("*.xml")):
        root = ET.parse(path).getroot()
        for element in root.iter():
            assert element.tag.rsplit("}", 1)[-1] != "script", path
            assert element.get("type") not in ("html", "xhtml"), f"{path}: {element.tag} would be read as markup"
            for name, value in element.attrib.items():
                assert not script_scheme(value), f"{path}: {name}={value}"
            assert not script_scheme(element.text or ""), f"{path}: {element.tag}"


def test_json_export_parses(site: Path) -> None:
    data = json.loads((site / "dossier.json").read_text(encoding="utf-8"))
    story = next(r for r in data["records"] if r["slug"] == "story")
    assert story["fields"]["title"].startswith("Story <script>")


@pytest.mark.parametrize("snippet", [
    '<script>alert(1)</script>',
    '<script src="https://evil.example/x.js"></script>',
    '<script src="../content/x.js"></script>',
    '<img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" JaVaScRiPt:alert(1)">x</a>',
    '<a href="java&#9;script:alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<form action="vbscript:x"><button formaction="javascript:x">b</button></form>',
    '<img srcset="a.png 1x, javascript:alert(1) 2x">',
    '<style>body{}</style>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<iframe src="x.html"></iframe>',
    '<script type="application/ld+json">{"a": "</script><script>alert(1)</script>',
    '<script type="application/ld+json" src="x.js"></script>',
    '<svg><a xlink:href="javascript:alert(1)">x</a></svg>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="https://evil.example/">',
])
def test_the_checker_finds_each_kind_of_executable_content(snippet: str) -> None:
    page = _page(snippet)
    assert page_problems(page) != []


def test_the_checker_passes_a_clean_page_and_the_sites_own_script() -> None:
    page = _page('<p><a href="../x/">x</a> <img src="a.png" alt="a"></p><table><td style="text-align:right">1</td></table>'
                 '<script src="../assets/app.js"></script><script type="application/ld+json">{"name": "\\u003cscript"}</script>'
                 '<form action="../search/"><input name="q"><button>Go</button></form><svg aria-hidden="true"><path d="M0 0"/></svg>')
    assert page_problems(page, "articles/index.html", {"assets/app.js"}) == []
    assert page_problems(page.replace(POLICY, POLICY.replace("'self'", "'self' 'unsafe-inline'", 1))) != []
    assert page_problems(page.replace(f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">', "")) != []


POLICY = "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'"


def _page(body: str) -> str:
    return f'<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="{POLICY}"></head><body>{body}</body></html>'


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JAVASCRIPT:alert(1)", " javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)", "//evil.example/x", "ftp://example.org/x", "https://", "https://exa mple.org/",
    "http:/example.org", "java\tscript:alert(1)",
])
def test_source_urls_must_be_http_or_https(url: str) -> None:
    text = ("---\ntitle: t\ndate: 2024\nsources:\n  - title: s\n    url: " + json.dumps(url) + "\n---\n")
    report = Report()
    assert parse_record(text, "articles", Path("/c/articles/a.md"), report) is None
    assert [d.code for d in report.items] == ["bad-url"]


@pytest.mark.parametrize("svg, problem", [
    ('<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>', None),
    ('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "holds a <script> element"),
    ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "has an event handler (onload)"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"/></svg>', "has a script URL in href"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><image href="data:text/html,x"/></svg>', "links to a data: URL in href"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/png;base64,AAAA"/></svg>', None),
    ('<svg xmlns="http://www.w3.org/2000/svg"><style>a{background:url( javascript:x)}</style></svg>',
     "has a javascript: URL in a style"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><set attributeName="onclick" to="alert(1)"/></svg>',
     "animates the onclick attribute"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><h:p xmlns:h="http://www.w3.org/1999/xhtml"/></svg>',
     "holds an element from another language ({http://www.w3.org/1999/xhtml}p)"),
    ('<svg><rect/></svg>', "has an element outside the SVG namespace (<svg>); is xmlns missing?"),
    ('<!DOCTYPE svg><svg xmlns="http://www.w3.org/2000/svg"/>', "declares a DOCTYPE or entities"),
    ('<svg xmlns="http://www.w3.org/2000/svg"', "is not well-formed XML (unclosed token: line 1, column 0)"),
])
def test_svg_is_published_only_without_active_content(svg: str, problem: str | None) -> None:
    assert svg_problem(svg.encode()) == problem
