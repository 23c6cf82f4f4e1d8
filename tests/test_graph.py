"""The relationship graph: typed edges from front matter and co-mentions, exports, and the SVG drawings."""

from __future__ import annotations

import csv
import math
import os
import subprocess
import sys
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from builder import graph as relgraph
from builder import graphsvg
from builder.dates import PartialDate
from builder.explore import Titles
from builder.pipeline import BuildOptions, build

SITE = Path(__file__).resolve().parent / "sites" / "discovery" / "content"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def resolved():
    result = build(BuildOptions(SITE, None))
    assert result.ok, [d.text() for d in result.diagnostics]
    return result.graph


@pytest.fixture(scope="module")
def g(resolved):
    return relgraph.build(resolved)


def triples(g, relation: str) -> set[tuple[str, str]]:
    return {(relgraph.node_id(e.source), relgraph.node_id(e.target)) for e in relgraph.edges(g) if e.relation == relation}


def test_nodes_are_the_entities_not_the_articles(g):
    types = {key[0] for key in g.nodes}
    assert types == {"officials", "countries", "agreements", "organizations"}
    assert g.number_of_nodes() == 10


def test_every_stated_relationship_is_an_edge_with_its_direction(g):
    assert ("officials/sattar-hashemi", "countries/iran") in triples(g, "official-country")
    assert ("organizations/china-miit", "countries/china") in triples(g, "organization-country")
    assert triples(g, "signatory") == {
        ("officials/javad-zarif", "agreements/comprehensive-cooperation"),
        ("officials/wang-yi", "agreements/comprehensive-cooperation"),
        ("officials/sattar-hashemi", "agreements/ict-mou"),
        ("officials/li-lecheng", "agreements/ict-mou"),
    }
    assert ("organizations/iran-ict-ministry", "agreements/ict-mou") in triples(g, "party")
    assert ("countries/iran", "agreements/comprehensive-cooperation") in triples(g, "party")
    assert triples(g, "parent") == {("agreements/ict-mou", "agreements/comprehensive-cooperation")}


def test_a_position_edge_names_the_post_and_its_start(g):
    [edge] = [e for e in relgraph.edges(g) if e.relation == "position" and e.source == ("officials", "sattar-hashemi")]
    assert edge.target == ("organizations", "iran-ict-ministry")
    assert edge.label == "Minister of Information and Communications Technology"
    assert edge.date.iso() == "2024-08"


def test_a_signing_is_dated_by_the_agreement(g):
    [edge] = [e for e in relgraph.edges(g) if e.relation == "signatory" and e.source == ("officials", "wang-yi")]
    assert edge.date.iso() == "2021-03-27"


def test_co_mentions_carry_their_article_and_date(g):
    pairs = [e for e in relgraph.edges(g) if e.relation == "co-mention"
             and {e.source, e.target} == {("officials", "sattar-hashemi"), ("officials", "li-lecheng")}]
    assert sorted((e.article[1], e.date.iso()) for e in pairs) == [
        ("hashemi-beijing-visit", "2025-05-13"), ("ict-memorandum-signed", "2025-05")]


def test_a_body_wikilink_counts_for_co_mention(g):
    # the MIIT article lists Li Lecheng in front matter and links him in the body; once is enough
    pairs = [e for e in relgraph.edges(g) if e.relation == "co-mention" and e.article == ("articles", "miit-ai-plan")]
    assert {frozenset((relgraph.node_id(e.source), relgraph.node_id(e.target))) for e in pairs} == {
        frozenset({"countries/china", "officials/li-lecheng"}),
        frozenset({"countries/china", "organizations/china-miit"}),
        frozenset({"officials/li-lecheng", "organizations/china-miit"}),
    }


def test_neighbourhood_is_one_hop_and_only_edges_touching_the_centre(g):
    centre = ("agreements", "comprehensive-cooperation")
    nodes, touching = relgraph.around(g, centre)
    assert ("officials", "wang-yi") in nodes and ("agreements", "ict-mou") in nodes
    assert ("organizations", "iran-ict-ministry") not in nodes  # two hops away
    assert touching and all(centre in (e.source, e.target) for e in touching)


def test_csv_exports_match_the_graph(g):
    nodes = list(csv.DictReader(io.StringIO(relgraph.nodes_csv(g).decode("utf-8"))))
    edges = list(csv.DictReader(io.StringIO(relgraph.edges_csv(g).decode("utf-8"))))
    assert tuple(nodes[0]) == relgraph.NODE_COLUMNS and tuple(edges[0]) == relgraph.EDGE_COLUMNS
    assert len(nodes) == g.number_of_nodes() and len(edges) == len(g.edges)
    ids = {n["id"] for n in nodes}
    assert all(e["source"] in ids and e["target"] in ids for e in edges)
    hashemi = next(n for n in nodes if n["id"] == "officials/sattar-hashemi")
    assert hashemi == {"id": "officials/sattar-hashemi", "type": "officials", "slug": "sattar-hashemi",
                       "label": "Sattar Hashemi", "url": "officials/sattar-hashemi/"}
    assert {"source": "agreements/ict-mou", "target": "agreements/comprehensive-cooperation", "relation": "parent",
            "label": "made under", "date": "", "article": ""} in edges


def test_edge_list_is_written_in_batches_that_join_to_the_whole_csv(g, monkeypatch):
    whole = relgraph.edges_csv(g)
    monkeypatch.setattr(relgraph, "CSV_BATCH", 2)
    chunks = list(relgraph.edges_csv_chunks(g))
    assert len(chunks) == -(-len(g.edges) // 2)  # a large site's edge list is never one string
    assert b"".join(chunks) == whole
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([relgraph.EDGE_COLUMNS, *relgraph._edge_rows(relgraph.edges(g))])
    assert whole.decode("utf-8") == out.getvalue()
    empty = relgraph.Relationships({}, [])
    assert list(relgraph.edges_csv_chunks(empty)) == [",".join(relgraph.EDGE_COLUMNS).encode() + b"\n"]


def parse_svg(view) -> ET.Element:
    return ET.fromstring(str(view.svg))


def test_site_drawing_is_deterministic_and_accessible(g):
    first = graphsvg.site_view(g, {}, "graph/", "All")
    second = graphsvg.site_view(relgraph.build(build(BuildOptions(SITE, None)).graph), {}, "graph/", "All")
    assert str(first.svg) == str(second.svg)
    root = parse_svg(first)
    assert root.get("role") == "group" and root.get("aria-labelledby") == "site-graph-title"
    links = root.findall(f".//{SVG}a")
    assert len(links) == g.number_of_nodes()
    for link in links:
        assert link.get("href").startswith("../") and link.find(f"{SVG}title").text
    lines = root.findall(f".//{SVG}line")
    assert lines and all(line.find(f"{SVG}title").text for line in lines)


def test_drawn_nodes_stay_inside_the_picture(g):
    root = parse_svg(graphsvg.site_view(g, {}, "graph/", "All"))
    _, _, width, height = map(float, root.get("viewBox").split())
    for circle in root.iter(f"{SVG}circle"):
        assert 0 < float(circle.get("cx")) < width and 0 < float(circle.get("cy")) < height


def test_local_drawing_puts_the_entity_in_the_middle_and_links_from_its_page(g, resolved):
    centre = ("officials", "sattar-hashemi")
    view = graphsvg.local_view(*relgraph.around(g, centre), Titles(resolved.records), centre, "officials/sattar-hashemi/", "Connections")
    root = parse_svg(view)
    _, _, width, height = map(float, root.get("viewBox").split())
    own = next(a for a in root.iter(f"{SVG}a") if a.get("href") == "../../officials/sattar-hashemi/")
    circle = own.find(f"{SVG}circle")
    assert (float(circle.get("cx")), float(circle.get("cy"))) == (width / 2, height / 2)
    # the list beside the drawing puts the page's own entity first in symmetric relationships,
    # and gives one line to each pair mentioned together, newest article first
    together = [i for i in view.items if i.count]
    assert together and all(i.source[1] == "Sattar Hashemi" for i in together)
    assert view.items.index(together[0]) > max(view.items.index(i) for i in view.items if not i.count)
    [li] = [i for i in together if i.target[1] == "Li Lecheng"]
    assert li.count == 2 and [(url, when.iso()) for url, _, when in li.articles] == [
        ("articles/hashemi-beijing-visit/", "2025-05-13"), ("articles/ict-memorandum-signed/", "2025-05")]


def test_edge_titles_read_as_sentences(g):
    root = parse_svg(graphsvg.site_view(g, {}, "graph/", "All"))
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert "Mohammad Javad Zarif signed Iran–China Comprehensive Cooperation Plan (27 March 2021)" in " ; ".join(titles)
    assert any(re.search(r"Li Lecheng and Sattar Hashemi are mentioned together in 2 articles \(May 2025, 13 May 2025\)", t)
               for t in titles)


def large_graph(nodes: int) -> relgraph.Relationships:
    """``nodes`` officials, each mentioned together with the next three, and official 0 with every one."""
    keys = [("officials", f"official-{i:04d}") for i in range(nodes)]
    attributes = {key: {"type": "officials", "label": key[1], "url": f"officials/{key[1]}/"} for key in keys}
    pairs = {(keys[i], keys[j]) for i in range(nodes) for j in range(i + 1, min(i + 4, nodes))}
    pairs |= {(keys[0], k) for k in keys[1:]}
    found = [relgraph.Edge(a, b, "co-mention", "mentioned together", None, ("articles", f"a{n}"))
             for n, (a, b) in enumerate(sorted(pairs))]
    return relgraph.Relationships(attributes, sorted(found, key=lambda e: e.sort_key))


def test_a_large_graph_is_drawn_by_its_best_connected_records():
    g = large_graph(graphsvg.DRAWN_NODES * 5)
    view = graphsvg.site_view(g, {}, "graph/", "All")
    root = parse_svg(view)
    assert len(root.findall(f".//{SVG}a")) == view.nodes == graphsvg.DRAWN_NODES
    assert view.total_nodes == g.number_of_nodes()
    assert "../officials/official-0000/" in str(view.svg)
    # an entity with more neighbours than fit keeps its own place in the middle
    centre = ("officials", "official-0000")
    view = graphsvg.local_view(*relgraph.around(g, centre), {}, centre, "officials/official-0000/", "Connections")
    assert view.nodes == graphsvg.DRAWN_NODES and view.total_nodes == g.number_of_nodes()
    assert "../../officials/official-0000/" in str(view.svg)


def test_the_site_graph_draws_the_records_it_would_choose_from_all_the_edges_made(g):
    """``best_connected`` counts and picks on the edge table; it must choose what choosing from every
    edge made as an object chooses, ties included."""
    large = large_graph(graphsvg.DRAWN_NODES * 3)
    for graph, limit in ((large, graphsvg.DRAWN_NODES), (large, 7), (g, 5), (g, g.number_of_nodes())):
        nodes, drawn = relgraph.best_connected(graph, limit)
        assert (nodes, drawn) == graphsvg._best_connected(dict(graph.nodes), relgraph.edges(graph), limit)
        assert list(nodes) == [n for n in graph.nodes if n in nodes] and len(nodes) == min(limit, graph.number_of_nodes())


def test_a_small_graph_is_drawn_whole(g):
    view = graphsvg.site_view(g, {}, "graph/", "All")
    assert view.nodes == g.number_of_nodes() and view.total_nodes == 0


def test_a_large_graph_is_drawn_the_same_whatever_the_hash_seed():
    """Sets of records iterate in an order that changes with each process's hash seed; the
    drawing of a graph larger than is drawn must not depend on it."""
    script = ("import hashlib, sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]; from test_graph import large_graph; "
              "from builder import graphsvg; g = large_graph(graphsvg.DRAWN_NODES * 3); "
              "print(hashlib.sha256(str(graphsvg.site_view(g, {}, 'graph/', 'All').svg).encode()).hexdigest())")
    tests, root = Path(__file__).resolve().parent, Path(__file__).resolve().parent.parent
    drawn = {subprocess.run([sys.executable, "-c", script, str(tests), str(root)], capture_output=True, text=True,
                            check=True, env=dict(os.environ, PYTHONHASHSEED=seed)).stdout for seed in ("1", "2", "3")}
    assert len(drawn) == 1


@pytest.mark.parametrize("ring", [1, 2, 7, 119, 250])
def test_the_ring_of_a_local_drawing_is_networkx_shell_layout(ring):
    nodes = [("officials", f"o-{i:03d}") for i in range(ring + 1)]
    expected = nx.shell_layout(nodes, nlist=[nodes[:1], nodes[1:]], rotate=0)
    found = graphsvg._ring(nodes[0], nodes[1:])
    assert list(found) == list(expected)
    assert all(math.isclose(a, float(b), abs_tol=1e-6) for n in nodes for a, b in zip(found[n], expected[n], strict=True))


LOOP = """    {% for item in items %}
      <li><a href="{{ rel(item.source[0]) }}">{{ item.source[1] }}</a>
      {%- if item.count %} and <a href="{{ rel(item.target[0]) }}">{{ item.target[1] }}</a> are mentioned together in
        {%- if item.count > 1 %} {{ item.count }} articles{% if item.count > item.articles | length %}, most recently{% endif %}:{% endif %}
        {% for url, title, when in item.articles %}<a href="{{ rel(url) }}">{{ title }}</a>{% if when %} ({{ date(when) }}){% endif %}{% if not loop.last %}, {% endif %}{% endfor %}
      {%- else %} {{ item.phrase }} <a href="{{ rel(item.target[0]) }}">{{ item.target[1] }}</a>{% if item.date %} ({{ date(item.date) }}){% endif %}{% endif %}</li>
    {% endfor %}
"""
"""The list's loop as templates/_graph.html once wrote it, in Jinja."""


def test_the_lists_lines_are_what_the_templates_loop_wrote(tmp_path):
    from bench.generate import generate
    from builder.explore import Explore
    from builder.render import environment

    generate(root := tmp_path / "content", 200, 5)
    result = build(BuildOptions(root, None))
    explore, loop = Explore(result.config, result.graph), environment().from_string(LOOP)
    seen = set()
    for record in result.graph.records.values():
        if record.type != "articles":
            url = f"{record.type}/{record.slug}/"
            view = explore.record_context(record, url)["graph_view"]
            rel = lambda to: "../" * url.count("/") + to
            assert str(view.lines) == loop.render(items=view.items, rel=rel), url
            seen |= {("many" if i.count > len(i.articles) else i.count > 1) for i in view.items if i.count}
            seen |= {"dated" for i in view.items if not i.count and i.date}
    assert seen == {"many", True, False, "dated"}


def test_a_build_draws_the_site_graph_for_its_page_and_keeps_nothing(resolved):
    """A build's graph page is drawn once and let go: only a preview, which hands it to its next site, keeps it."""
    from builder.explore import Explore

    build_explore = Explore(None, resolved)
    url, _, context = build_explore.graph_page()
    assert url == "graph/" and "<svg" in context["graph_view"].svg
    assert "site_drawing" not in build_explore.__dict__
    preview_explore = Explore(None, resolved)
    preview_explore.drawings = {}
    preview_explore.graph_page()
    assert preview_explore.__dict__["site_drawing"].view.svg == context["graph_view"].svg


def test_the_edges_of_an_article_share_its_key(g, resolved):
    """Each record's key is one tuple, which every co-mention of its article holds, not a copy per edge."""
    mentions = [e for e in relgraph.edges(g) if e.relation == "co-mention"]
    assert mentions
    for edge in mentions:
        assert edge.article is resolved.records[edge.article].key
    record = next(iter(resolved.records.values()))
    assert record.key is record.key == (record.type, record.slug)


def test_the_edge_table_gives_back_the_edges_it_was_given():
    """Edges kept as rows of integers read back as the same edges, one at a time, by slice, from the
    end and in any order; a node's edges are those touching it (a loop once), in the table's order."""
    a, b, c = ("countries", "china"), ("officials", "li"), ("organizations", "miit")
    found = [relgraph.Edge(a, b, "official-country", "official of"),
             relgraph.Edge(b, b, "mention", "mentions"),
             relgraph.Edge(b, c, "position", "Minister", PartialDate(2023, 5)),
             relgraph.Edge(b, c, "co-mention", "mentioned together in", None, ("articles", "x")),
             relgraph.Edge(b, c, "co-mention", "mentioned together in", PartialDate(2024), ("articles", "y"))]
    g = relgraph.Relationships({k: {"type": k[0], "label": k[1], "url": ""} for k in (a, b, c)}, found)
    table = g.edges
    assert list(table) == found and len(table) == 5 and table[-1] == found[-1] and table[1:3] == found[1:3]
    assert table.at([4, 0, 4]) == [found[4], found[0], found[4]]
    with pytest.raises(IndexError):
        table[5]
    assert len(table.kinds) == 4 and len(table.dates) == 3 and len(table.articles) == 3  # each value kept once
    by_node = relgraph.touching(g)
    assert list(by_node) == [a, b, c]
    for key in (a, b, c):
        assert by_node[key] == relgraph.edges(g, [key])
    assert by_node[b] == found
    assert list(relgraph.touching(relgraph.Relationships({a: {}}, []))[a]) == []


def test_the_graph_is_every_edge_once_in_order_and_built_without_a_key_per_edge_at_once(tmp_path):
    """The edges are those the records give, in ``Edge.sort_key`` order, one per key between two ends
    (the last given staying); sorting and telling duplicates apart one source at a time keeps what the
    build holds for a moment close to what it keeps, where keying all edges at once took three times it."""
    import tracemalloc

    from bench.generate import generate

    generate(tmp_path / "content", 300)
    site = build(BuildOptions(tmp_path / "content", None, search=False)).graph
    expected: dict[tuple, relgraph.Edge] = {}
    for edge in sorted(relgraph._edges(site), key=lambda e: e.sort_key):
        expected[(edge.source, edge.target, relgraph._edge_key(edge))] = edge
    tracemalloc.start()
    try:
        made = relgraph.build(site)
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert list(made.edges) == list(expected.values()) and len(made.edges) > 1000
    assert peak < 1.5 * kept
    assert kept < 32 * len(made.edges)  # rows of integers: an edge as an object alone took 80 bytes
