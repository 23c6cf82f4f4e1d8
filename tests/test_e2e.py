"""End to end: the real dossier in content/ built with ``python -m builder``, and the commands' contract.

Checks that every internal href/src of every page resolves to a file of the
output (a folder link to its index.html, a fragment to an id on that page),
that every reference in dossier.json is linked both ways between the two pages,
that feed.xml is Atom and sitemap.xml lists every page, and the exit codes and
side effects of build, check and new.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

import pytest

from builder.records import TYPES
from conftest import ROOT, check_links, is_internal, read_page, run_dossier, snapshot, target_file

CONTENT = ROOT / "content"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

pytestmark = pytest.mark.skipif(not (CONTENT / "site.yaml").is_file(), reason="content/ is not in this checkout")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> dict[str, bytes]:
    output = tmp_path_factory.mktemp("e2e") / "site"
    code, out, err = run_dossier("build", "--content", CONTENT, "--output", output)
    assert code == 0, err
    assert " error: " not in err
    return snapshot(output)


@pytest.fixture(scope="module")
def pages(site) -> dict:
    return {name: read_page(data) for name, data in site.items() if name.endswith(".html")}


@pytest.fixture(scope="module")
def dossier(site) -> dict:
    return json.loads(site["dossier.json"])


def test_every_page_of_the_contract_exists(site, dossier):
    for name in ["index.html", "tags/index.html", "timeline/index.html", "feed.xml", "sitemap.xml", "404.html", "dossier.json"]:
        assert name in site
    for type_ in TYPES:
        assert f"{type_}/index.html" in site
    for record in dossier["records"]:
        assert f"{record['type']}/{record['slug']}/index.html" in site
    assert {r["type"] for r in dossier["records"]} == set(TYPES)


def test_every_internal_link_resolves(site):
    checked, broken = check_links(site)
    assert checked > 500
    assert not broken, "\n".join(broken)


def test_pages_load_nothing_from_elsewhere(pages):
    loaded = [(name, url) for name, page in pages.items() for url in page.resources]
    assert len(loaded) > 2 * len(pages)
    assert [(name, url) for name, url in loaded if not is_internal(url)] == []


def linked_pages(pages: dict, name: str) -> set[str]:
    return {target_file(name, url)[0] for url in pages[name].links if is_internal(url)}


def test_every_reference_is_linked_both_ways(pages, dossier):
    missing = []
    count = 0
    for record in dossier["records"]:
        source = record["url"] + "index.html"
        for ref in record["references"]:
            count += 1
            target = ref["url"] + "index.html"
            if target not in linked_pages(pages, source):
                missing.append(f"{source} does not link to {target}")
            if source not in linked_pages(pages, target):
                missing.append(f"{target} does not link back to {source}")
    assert count > 50
    assert not missing, "\n".join(missing)


def test_references_and_referenced_by_agree(dossier):
    forward = {((r["type"], r["slug"]), (x["type"], x["slug"]), x["relation"]) for r in dossier["records"] for x in r["references"]}
    backward = {((x["type"], x["slug"]), (r["type"], r["slug"]), x["relation"]) for r in dossier["records"] for x in r["referenced_by"]}
    assert forward == backward


def test_feed_is_atom(site, dossier):
    root = ET.fromstring(site["feed.xml"])
    assert root.tag == f"{ATOM}feed"
    for child in ("id", "title", "updated"):
        assert (root.findtext(f"{ATOM}{child}") or "").strip()
    assert root.find(f"{ATOM}author/{ATOM}name") is not None
    entries = root.findall(f"{ATOM}entry")
    articles = [r for r in dossier["records"] if r["type"] == "articles"]
    assert len(entries) == len(articles) > 0
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids)
    for entry in entries:
        for child in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{child}") or "").strip()
        link = entry.find(f"{ATOM}link[@rel='alternate']")
        assert link is not None
        href = link.get("href")
        assert target_file("feed.xml", href)[0] in site if is_internal(href) else href.startswith("http")
    updated = [e.findtext(f"{ATOM}updated") for e in entries]
    assert updated == sorted(updated, reverse=True)


def test_sitemap_lists_every_page(site):
    root = ET.fromstring(site["sitemap.xml"])
    assert root.tag == f"{SITEMAP}urlset"
    listed = {target_file("sitemap.xml", loc.text)[0] for loc in root.iter(f"{SITEMAP}loc")}
    pages = {name for name in site if name.endswith(".html")} - {"404.html"}
    assert listed == pages


def test_names_in_other_scripts_carry_lang_and_dir(site, dossier):
    import html
    import re
    natives = [r for r in dossier["records"] if r["fields"].get("native_name")]
    assert natives
    for record in natives:
        text = html.escape(record["fields"]["native_name"], quote=False)
        page = site[record["url"] + "index.html"].decode("utf-8")
        found = re.findall(rf'<[a-z]+ [^>]*lang="([^"]+)" dir="([^"]+)"[^>]*>{re.escape(text)}<', page)
        assert found, record["url"]
        rtl = any("\u0600" <= c <= "\u06ff" for c in record["fields"]["native_name"])
        assert {d for _, d in found} == {"rtl" if rtl else "ltr"}, record["url"]


def test_not_found_page_without_base_url_links_relatively_from_the_root(site, pages):
    assert "base_url" not in (CONTENT / "site.yaml").read_text(encoding="utf-8")
    links = pages["404.html"].links
    assert len(links) > 5 and all(is_internal(url) for url in links)
    assert all(target_file("404.html", url)[0] in site for url in links)


def cli_run(args, capsys, cwd: Path | None = None, monkeypatch=None) -> tuple[int, str, str]:
    """``dossier ARGS`` in process (faster than a subprocess; the same code below ``main``)."""
    from builder import cli

    if cwd is not None:
        monkeypatch.chdir(cwd)
    try:
        code = cli.main([str(a) for a in args])
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_new_writes_each_type_and_refuses_to_overwrite(tmp_path, capsys):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    for type_ in TYPES:
        code, out, err = cli_run(["new", type_, "zz-new-record", "--content", content], capsys)
        path = content / type_ / "zz-new-record.md"
        assert code == 0, err
        assert out.strip().endswith("zz-new-record.md") and path.is_file()
        assert path.read_text(encoding="utf-8").startswith("---\n")
        written = path.read_bytes()
        code, out, err = cli_run(["new", type_, "zz-new-record", "--content", content], capsys)
        assert code == 2 and "already exists" in err and out == ""
        assert path.read_bytes() == written
    before = snapshot(content)
    code, _, err = run_dossier("new", "officials", "wang-yi", "--content", content)
    assert code == 2 and "already exists" in err
    assert snapshot(content) == before


def test_new_record_names_every_required_key(tmp_path, capsys):
    from builder.schema import SCHEMAS
    content = tmp_path / "content"
    for type_ in TYPES:
        code, _, err = cli_run(["new", type_, "x-y", "--content", content], capsys)
        assert code == 0, err
        text = (content / type_ / "x-y.md").read_text(encoding="utf-8")
        for key, rule in SCHEMAS[type_].items():
            if rule.required:
                assert f"\n{key}:" in text, (type_, key)


def test_check_writes_nothing(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    before = snapshot(tmp_path)
    code, out, err = run_dossier("check", "--content", "content", cwd=tmp_path)
    assert code == 0, err
    assert snapshot(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content"]


@pytest.mark.parametrize("args", [
    (),
    ("frobnicate",),
    ("build", "--no-such-option"),
    ("build", "--content", "does-not-exist"),
    ("check", "--content", "does-not-exist"),
    ("new", "people", "wang-yi"),
    ("new", "officials", "Wang Yi"),
    ("new", "officials"),
])
def test_wrong_usage_exits_2(args, tmp_path, capsys, monkeypatch):
    code, out, err = cli_run(args, capsys, tmp_path, monkeypatch)
    assert code == 2, (args, out, err)
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_wrong_usage_exits_2_from_the_real_command(tmp_path):
    assert run_dossier("build", "--content", "does-not-exist", cwd=tmp_path)[0] == 2


def test_exit_status_1_for_content_errors_0_for_warnings(tmp_path):
    from conftest import write_tree
    content = write_tree(tmp_path / "content", {"site.yaml": "title: T\n", "countries/iran.md": "---\nname: Iran\n---\n"})
    code, _, err = run_dossier("build", "--content", content, "--output", tmp_path / "site")
    assert code == 0 and ": warning: " in err and (tmp_path / "site" / "countries" / "iran" / "index.html").is_file()
    (content / "countries" / "iran.md").write_text("---\nnam: Iran\n---\n", encoding="utf-8")
    code, _, err = run_dossier("build", "--content", content, "--output", tmp_path / "site")
    assert code == 1 and ": error: " in err
    assert (tmp_path / "site" / "countries" / "iran" / "index.html").is_file()


@pytest.mark.parametrize("page,url,expected", [
    ("articles/a/index.html", "../../officials/x/", ("officials/x/index.html", "")),
    ("articles/a/index.html", "../../articles/2021/map.svg", ("articles/2021/map.svg", "")),
    ("index.html", "./", ("index.html", "")),
    ("articles/index.html", "../", ("index.html", "")),
    ("404.html", "assets/style.css", ("assets/style.css", "")),
    ("a/index.html", "#fn1", ("a/index.html", "fn1")),
    ("a/index.html", "../b/#x", ("b/index.html", "x")),
    ("a/index.html", "../../../etc/passwd", ("../../etc/passwd", "")),
])
def test_link_checker_resolves_like_a_browser(page, url, expected):
    assert target_file(page, url) == expected


def test_defaults_are_content_and_site_in_the_current_folder(tmp_path):
    shutil.copytree(CONTENT, tmp_path / "content")
    code, out, err = run_dossier("build", cwd=tmp_path)
    assert code == 0, err
    assert (tmp_path / "site" / "index.html").is_file()
