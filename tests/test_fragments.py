"""List items rendered once and reused: the same bytes from the cache as without it, links made
for each page's depth, and nothing kept across a template change."""

from __future__ import annotations

import shutil
from pathlib import Path

import jinja2
import pytest
from jinja2 import nodes

from builder.dates import PartialDate
from builder.fragments import Fragments, link_prefix
from builder.incremental import Session
from builder.pipeline import BuildOptions
from builder.render import TEMPLATES, environment
from builder.views import Event, Name, Ref
from serve_content import write_content

LIST = ('{% from "_macros.html" import ref_list, event_list with context %}'
        '{{ ref_list(refs, show_summary=true) }}{{ event_list(events) }}')

REFS = [Ref("articles/a/", "First <one>", "articles", PartialDate(2021, 3), "", Name("یک", "fa", "rtl"), "Sum & more"),
        Ref("articles/b/", "Second", "articles", PartialDate(2020), "concerns", None, ""),
        Ref("officials/c/", "Undated", "officials")]
EVENTS = [Event(r.date or PartialDate(2019), "article", r.label, r) for r in REFS]


def up(depth: int):
    return lambda to: "../" * depth + to


def render(env: jinja2.Environment, refs=REFS, events=EVENTS, rel=up(1)) -> str:
    return env.from_string(LIST).render(refs=refs, events=events, rel=rel)


def cache(env: jinja2.Environment) -> Fragments:
    return env.globals["each"]


def test_an_item_from_the_cache_is_the_item_rendered_anew() -> None:
    env = environment()
    first = render(env)
    assert len(cache(env)) == len(REFS) + len(EVENTS)
    again = render(env)  # every item a hit
    assert len(cache(env)) == len(REFS) + len(EVENTS)
    assert again == first == render(environment())
    assert 'href="../articles/a/"' in first and "First &lt;one&gt;" in first and "Sum &amp; more" in first


def test_an_edited_item_is_rendered_again_and_the_others_reused() -> None:
    env = environment()
    render(env)
    edited = [REFS[0], Ref("articles/b/", "Second, renamed", "articles", PartialDate(2020), "concerns")] + REFS[2:]
    out = render(env, refs=edited, events=[])
    assert "Second, renamed" in out and ">Second<" not in out
    assert out == render(environment(), refs=edited, events=[])
    assert len(cache(env)) == len(REFS) + len(EVENTS) + 1


def test_pages_at_other_depths_get_their_own_links_for_the_same_item() -> None:
    env = environment()
    shallow, deep = render(env, rel=up(1)), render(env, rel=up(2))
    absolute = render(env, rel=lambda to: "https://example.org/" + to)  # the 404 page
    assert 'href="../articles/a/"' in shallow and 'href="../../articles/a/"' not in shallow
    assert 'href="../../articles/a/"' in deep
    assert 'href="https://example.org/articles/a/"' in absolute
    assert shallow.replace('href="../', 'href="../../') == deep
    assert deep == render(environment(), rel=up(2))


def test_flags_are_part_of_the_key() -> None:
    env = environment()
    template = env.from_string('{% from "_macros.html" import ref_list with context %}'
                               '{{ ref_list(refs, show_summary=summary) }}')
    with_summary = template.render(refs=REFS, summary=True, rel=up(1))
    without = template.render(refs=REFS, summary=False, rel=up(1))
    assert "Sum &amp; more" in with_summary and "Sum &amp; more" not in without
    undated = template.render(refs=REFS[2:], summary=False, rel=up(1))
    assert '<ul class="refs">' in undated and 'class="when"' not in undated
    assert 'class="when"' in without


def test_the_cache_keeps_at_most_two_generations() -> None:
    macro_calls = []

    class Item:
        name = "item"

        def __call__(self, item, flag):
            macro_calls.append(item)
            return f"<{item}:{flag}>"

    fragments = Fragments(limit=8)  # entries by value and by identity: four items a generation
    items = list(range(10))
    assert fragments(Item(), items, up(0), "x") == "".join(f"<{i}:x>" for i in items)
    assert len(fragments) == 6  # the older generation's four, and the two since
    assert fragments(Item(), items[-3:], up(0), "x") == "<7:x><8:x><9:x>"
    assert len(macro_calls) == 10  # the last items are still kept


def test_rel_must_be_a_prefix() -> None:
    assert link_prefix(up(2)) == "../../"
    with pytest.raises(ValueError):
        link_prefix(lambda to: "/" + to + "/")


def test_item_macros_use_only_their_arguments_rel_and_page_free_globals() -> None:
    env = environment()
    tree = env.parse(env.loader.get_source(env, "_macros.html")[0])
    macros = {m.name: m for m in tree.find_all(nodes.Macro)}
    items = [m for name, m in macros.items() if name.endswith("_item")]
    assert {m.name for m in items} >= {"ref_item", "event_item"}
    allowed = {"rel", "date", "native"}
    for macro in items:
        arguments = {a.name for a in macro.args}
        names = {n.name for n in macro.find_all(nodes.Name) if n.ctx == "load"}
        assert names - arguments <= allowed, macro.name
        assert not list(macro.find_all(nodes.Call)) or all(
            isinstance(c.node, nodes.Name) and c.node.name in allowed for c in macro.find_all(nodes.Call)), macro.name


def test_a_template_change_in_the_preview_drops_the_cached_items(tmp_path: Path) -> None:
    root = write_content(tmp_path / "content")
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    session = Session(BuildOptions(root, None, templates=templates))
    before = session.update().files["articles/index.html"].decode()
    assert before.count("<li>") >= 2
    macros = templates / "_macros.html"
    text = macros.read_text(encoding="utf-8")
    macros.write_text(text.replace('\n  <li>{% if dated %}', '\n  <li class="entry">{% if dated %}'), encoding="utf-8")
    update = session.update([macros])
    assert update.ok
    after = update.files["articles/index.html"].decode()
    assert '<li class="entry">' in after and "<li>" not in after.split('<ul class="refs')[1].split("</ul>")[0]
    assert after.replace('<li class="entry">', "<li>") == before


def test_the_langs_filter_keeps_only_names_in_other_scripts() -> None:
    from builder import render

    render._langs.cache_clear()
    env = environment(TEMPLATES)
    page = env.from_string("{{ a|langs }}|{{ b|langs }}|{{ a|langs }}")
    assert page.render(a="وزیر Ali", b="A <b> & B") == \
        '<span lang="fa" dir="rtl">وزیر</span> Ali|A &lt;b&gt; &amp; B|<span lang="fa" dir="rtl">وزیر</span> Ali'
    info = render._langs.cache_info()
    assert (info.currsize, info.hits) == (1, 1), "Latin text is escaped each time, not kept"
