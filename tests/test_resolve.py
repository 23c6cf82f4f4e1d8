"""The resolve stage: references both ways, wikilink lookup, hints, cycles and relative links."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder import markdown, urls
from builder.diagnostics import Report
from builder.load import parse_record
from builder.records import Link
from builder.resolve import AssetRef, RecordRef, resolve

ROOT = Path("/c")
BASE = {
    "countries/iran.md": "---\nname: Iran\nnative_name: ایران\n---\n",
    "countries/china.md": "---\nname: China\nofficial_name: People's Republic of China\n---\n",
    "officials/wang-yi.md": "---\nname: Wang Yi\nnative_name: 王毅\naliases: [Minister Wang]\ncountry: china\n---\n",
    "organizations/china-miit.md": "---\nname: MIIT\nnative_name: 工业和信息化部\ncountry: china\n---\n",
    "organizations/china.md": "---\nname: China Daily\n---\n",
}


def graph_of(files: dict[str, str], assets=(), drafts=()):
    """Resolve records given as {relative path: text}; return (graph, [(rel path, line, col, code, message, hint)])."""
    report = Report()
    records = []
    for name, text in {**BASE, **files}.items():
        type_ = name.split("/", 1)[0]
        record = parse_record(text, type_, ROOT / name, report)
        assert record is not None, report.items
        records.append(record)
    parsed = {r.key: markdown.parse(r.body) for r in records}
    hidden = frozenset(("articles", slug) for slug in drafts)
    graph = resolve(records, parsed, ROOT, set(assets), report, hidden)
    found = [(d.location.path.relative_to(ROOT).as_posix(), d.location.line, d.location.col, d.code, d.message, d.hint)
             for d in report.sorted()]
    return graph, found


def article(body: str = "", extra: str = "", title: str = "T") -> str:
    return f"---\ntitle: {title}\ndate: 2021\n{extra}sources: [{{title: s, publisher: p}}]\n---\n{body}"


def test_front_matter_references_are_linked_both_ways():
    graph, problems = graph_of({"articles/a.md": article(extra="officials: [wang-yi]\ncountries: [iran, china]\n")})
    assert problems == []
    a = ("articles", "a")
    assert [(l.target, l.relation) for l in graph.outgoing[a]] == [
        (("officials", "wang-yi"), "officials"), (("countries", "iran"), "countries"), (("countries", "china"), "countries")]
    assert Link(a, ("officials", "wang-yi"), "officials") in graph.incoming[("officials", "wang-yi")]
    assert Link(("officials", "wang-yi"), ("countries", "china"), "country") in graph.incoming[("countries", "china")]


def test_unknown_slug_has_a_did_you_mean_hint():
    _, problems = graph_of({"articles/a.md": article(extra="officials: [wang-y]\n")})
    assert problems == [("articles/a.md", 4, 13, "unknown-reference",
                         "unknown officials reference 'wang-y': no such slug among officials", "did you mean 'wang-yi'?")]


@pytest.mark.parametrize("field,text,where", [
    ("country", "---\nname: X\ncountry: irn\n---\n", ("officials/x.md", 3, 10)),
    ("positions", "---\nname: X\ncountry: iran\npositions:\n  - title: T\n    organization: miit\n---\n", ("officials/x.md", 6, 19)),
    ("parties", "---\ntitle: X\nkind: mou\nparties: [iran, chna]\n---\n", ("agreements/x.md", 4, 17)),
    ("signatories", "---\ntitle: X\nkind: mou\nparties: [iran]\nsignatories: [wang]\n---\n", ("agreements/x.md", 5, 15)),
    ("parent", "---\ntitle: X\nkind: mou\nparties: [iran]\nparent: frame\n---\n", ("agreements/x.md", 5, 9)),
])
def test_unknown_reference_for_each_reference_field(field, text, where):
    _, problems = graph_of({where[0]: text})
    assert [p[:4] for p in problems] == [(*where, "unknown-reference")]
    assert f"unknown {field} reference" in problems[0][4]


def test_parties_look_in_countries_before_organizations():
    graph, problems = graph_of({"agreements/x.md": "---\ntitle: X\nkind: mou\nparties: [china, china-miit]\n---\n"})
    assert problems == []
    assert [l.target for l in graph.outgoing[("agreements", "x")]] == [("countries", "china"), ("organizations", "china-miit")]


@pytest.mark.parametrize("target,expected", [
    ("officials/wang-yi", ("officials", "wang-yi")),
    ("wang-yi", ("officials", "wang-yi")),
    ("Wang Yi", ("officials", "wang-yi")),
    ("wANG yI", ("officials", "wang-yi")),
    ("王毅", ("officials", "wang-yi")),
    ("minister wang", ("officials", "wang-yi")),
    ("ایران", ("countries", "iran")),
    ("people's republic of china", ("countries", "china")),
    ("organizations/china", ("organizations", "china")),
    ("China Daily", ("organizations", "china")),
    ("T", ("articles", "a")),
])
def test_wikilink_target_forms(target, expected):
    graph, problems = graph_of({"articles/a.md": article("x\n"), "articles/b.md": article(f"See [[{target}]].\n", title="B")})
    assert problems == []
    assert graph.wikilinks[("articles", "b")] == {target: expected}
    assert Link(("articles", "b"), expected, "mention") in graph.incoming[expected]


def test_wikilink_matching_nothing():
    _, problems = graph_of({"articles/a.md": article("Intro\n\nSee [[wang-yii]] today.\n")})
    assert problems == [("articles/a.md", 8, 5, "unknown-reference", "wikilink [[wang-yii]] matches no record", "did you mean 'wang-yi'?")]


def test_ambiguous_wikilink_names_the_candidates():
    _, problems = graph_of({"articles/a.md": article("[[china]]\n")})
    assert problems == [("articles/a.md", 6, 1, "ambiguous-reference",
                         "wikilink [[china]] is ambiguous: write one of countries/china, organizations/china", "")]


def test_ambiguous_name():
    _, problems = graph_of({
        "officials/wang-yi-2.md": "---\nname: Wang Yi\ncountry: china\n---\n",
        "articles/a.md": article("[[Wang Yi]]\n"),
    })
    assert [p[3:5] for p in problems] == [("ambiguous-reference", "wikilink [[Wang Yi]] is ambiguous: write one of officials/wang-yi, officials/wang-yi-2")]


def test_unknown_type_prefix_is_not_a_type():
    _, problems = graph_of({"articles/a.md": article("[[people/wang-yi]]\n")})
    assert [p[3] for p in problems] == ["unknown-reference"]


def test_parent_cycle():
    _, problems = graph_of({
        "agreements/a.md": "---\ntitle: A\nkind: mou\nparties: [iran]\nparent: b\n---\n",
        "agreements/b.md": "---\ntitle: B\nkind: mou\nparties: [iran]\nparent: a\n---\n",
    })
    assert [p[:4] for p in problems] == [("agreements/a.md", 5, 9, "parent-cycle"), ("agreements/b.md", 5, 9, "parent-cycle")]
    assert problems[0][4] == "agreement parent chain forms a cycle: a -> b -> a"


def test_parent_of_itself():
    _, problems = graph_of({"agreements/a.md": "---\ntitle: A\nkind: mou\nparties: [iran]\nparent: a\n---\n"})
    assert [p[3:5] for p in problems] == [("parent-cycle", "agreement parent chain forms a cycle: a -> a")]


def test_relative_links_resolve_against_the_source_folder():
    graph, problems = graph_of(
        {"articles/2021/a.md": article("![m](img/map.png) [p](../annex.pdf#p=2) [w](../../officials/wang-yi.md)\n")},
        assets={"articles/2021/img/map.png", "articles/annex.pdf"})
    assert problems == []
    assert graph.local[("articles", "a")] == {
        "img/map.png": AssetRef("articles/2021/img/map.png"),
        "../annex.pdf#p=2": AssetRef("articles/annex.pdf", "#p=2"),
        "../../officials/wang-yi.md": RecordRef(("officials", "wang-yi")),
    }
    assert Link(("articles", "a"), ("officials", "wang-yi"), "mention") in graph.links


def test_relative_link_to_missing_file():
    _, problems = graph_of({"articles/a.md": article("Text\n[p](annex.pdf) ![m](../../etc/passwd)\n")})
    assert problems == [
        ("articles/a.md", 7, 5, "missing-file", "link 'annex.pdf' leads to a missing file (articles/annex.pdf)", ""),
        ("articles/a.md", 7, 21, "missing-file", "link '../../etc/passwd' leads outside the content folder", ""),
    ]


def test_drafts_are_left_out_of_the_graph():
    graph, problems = graph_of({
        "articles/d.md": article("[[wang-yi]]\n", extra="draft: true\n"),
        "articles/a.md": article("[[officials/wang-yi]] [[T]]\n"),
    }, drafts=("d",))
    assert ("articles", "d") not in graph.records
    assert all(("articles", "d") not in (l.source, l.target) for l in graph.links)
    assert [l.source for l in graph.incoming[("officials", "wang-yi")]] == [("articles", "a")]
    assert [p[3] for p in problems] == ["ambiguous-reference"]


def test_relative_link_to_a_draft_is_not_a_link_to_a_missing_page():
    graph, problems = graph_of({
        "articles/d.md": article("", extra="draft: true\n"),
        "articles/a.md": article("[draft](d.md)\n"),
    }, drafts=("d",))
    assert graph.outgoing[("articles", "a")] == []
    assert [p[1:5] for p in problems] == [(6, 9, "draft-reference", "link 'd.md' leads to a draft; it is shown as plain text")]
    assert markdown.render(markdown.parse("[draft](d.md)"), {}, {"d.md": None}) == '<p><span class="broken-link">draft</span></p>\n'



@pytest.mark.parametrize("src,dst,expected", [
    ("", "articles/", "articles/"),
    ("articles/", "", "../"),
    ("articles/a/", "officials/wang-yi/", "../../officials/wang-yi/"),
    ("articles/a/", "articles/a/", "../../articles/a/"),
    ("tags/x/", "assets/style.css", "../../assets/style.css"),
    ("404.html", "", "./"),
    ("", "", "./"),
])
def test_urls_relative(src, dst, expected):
    assert urls.relative(src, dst) == expected


def test_output_paths():
    assert urls.output_path("") == "index.html"
    assert urls.output_path("officials/wang-yi/") == "officials/wang-yi/index.html"
    assert urls.output_path("404.html") == "404.html"


def test_relative_link_to_a_record_file_must_name_its_real_path():
    _, problems = graph_of({"articles/a.md": article("[w](../officials/elsewhere/wang-yi.md)\n")})
    assert [p[3:5] for p in problems] == [("missing-file", "link '../officials/elsewhere/wang-yi.md' leads to a missing file (officials/elsewhere/wang-yi.md)")]


def test_names_match_in_any_unicode_normal_form_and_persian_joiners_are_no_warning():
    import unicodedata
    graph, problems = graph_of({
        "organizations/ict-org.md": "---\nname: Sazman\nnative_name: سازمان فناوری‌ها\n---\n",
        "officials/jose.md": "---\nname: José Ramos\ncountry: iran\n---\n",
        "articles/a.md": article("[[سازمان فناوری‌ها]] and [[" + unicodedata.normalize("NFD", "josé ramos") + "]]\n"),
    })
    assert problems == []
    assert set(graph.wikilinks[("articles", "a")].values()) == {("organizations", "ict-org"), ("officials", "jose")}



def test_relative_urls_resolve_back_to_their_target():
    from hypothesis import given, settings, strategies as st
    from urllib.parse import urljoin

    segment = st.sampled_from(["articles", "officials", "wang-yi", "tags", "a-b", "2021"])
    page = st.one_of(st.just(""), st.just("404.html"), st.lists(segment, min_size=1, max_size=3).map(lambda p: "/".join(p) + "/"))
    target = st.one_of(page, st.lists(segment, min_size=1, max_size=3).map(lambda p: "/".join(p) + ".css"))

    @settings(max_examples=300, deadline=None)
    @given(page, target)
    def check(src, dst):
        base = "https://example.org/any/sub/path/"
        href = urls.relative(src, dst)
        assert not href.startswith("/") and "://" not in href
        assert urljoin(base + src, href) == base + dst

    check()


def test_wikilink_in_an_image_alt_is_checked_but_makes_no_reference():
    graph, problems = graph_of({"articles/a.md": article("![[[wang-yi]] and [[nobody]]](x.png)\n")},
                               assets={"articles/x.png"})
    assert [p[3] for p in problems] == ["unknown-reference"]
    graph, problems = graph_of({"articles/a.md": article("![[[wang-yi]]](x.png)\n")}, assets={"articles/x.png"})
    assert problems == [] and graph.wikilinks[("articles", "a")] == {"wang-yi": ("officials", "wang-yi")}
    assert graph.outgoing[("articles", "a")] == []


def test_every_link_to_a_record_holds_that_records_own_key():
    """A large site makes hundreds of thousands of links: each names its ends by the records' own
    key tuples, not by equal copies of them (one tuple a record, however many links it has)."""
    graph, problems = graph_of({
        "articles/a.md": article("See [[organizations/china-miit]], [[iran]] and [[Wang Yi]].\n",
                                 extra="officials: [wang-yi]\ncountries: [iran]\nagreements: [pact]\n"),
        "agreements/pact.md": "---\ntitle: Pact\nkind: mou\nparties: [iran, china-miit]\nsignatories: [wang-yi]\n---\n",
    })
    assert problems == []
    links = graph.links
    assert {l.relation for l in links} >= {"officials", "countries", "parties", "country", "mention"}
    for link in links:
        assert link.source is graph.records[link.source].key
        assert link.target is graph.records[link.target].key
    for table in graph.wikilinks.values():
        for key in table.values():
            assert key is graph.records[key].key
