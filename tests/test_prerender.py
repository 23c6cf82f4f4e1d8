"""Body HTML made once with marked link targets equals the HTML rendered for the real targets."""

from __future__ import annotations

import pytest

from bench.generate import records
from builder import markdown
from builder.markdown import Target
from builder.prerender import prerender

TARGETS = {
    "officials/wang-yi": Target("../../officials/wang-yi/", "Wang Yi"),
    "Iran": Target("../../countries/iran/", "Iran"),
    "li": Target("../../officials/li/", "李乐成"),
    "odd": Target('../x/?a=1&b="2"', "A & B <c>"),
    "fa": Target("../../countries/iran/", "ایران and Iran"),
}

BODIES = [
    "Plain [[officials/wang-yi]] and [[Iran|the country]].",
    "## Heading with [[Iran]]\n\nText [[li]] again [[li]] and [[li|Li]].",
    "A footnote.[^1]\n\n[^1]: Which names [[officials/wang-yi]].",
    "| a | b |\n|---|---|\n| [[odd]] | [[fa]] |\n",
    "- item [[Iran]]\n- *[[odd]]* and **[[li|bold]]**\n\n> quoted [[fa]]",
    "[a link with [[Iran]] inside](https://example.org/) and `[[Iran]]` in code",
    "No links at all, & some <escaped> text.",
    "",
]


@pytest.mark.parametrize("body", BODIES)
def test_filled_template_equals_full_render(body: str) -> None:
    parsed = markdown.parse(body)
    made = prerender(body, parsed)
    assert made.template is not None and made.tokens == []
    assert made.fill(TARGETS, {}, {}) == markdown.render(markdown.parse(body), TARGETS, {}, {})


def test_generated_bodies_fill_the_same() -> None:
    for record in records(40):
        targets = {w.target: Target(f"../t/{i}/", f"Label {i}") for i, w in enumerate(markdown.parse(record.body).wikilinks)}
        made = prerender(record.body, markdown.parse(record.body))
        assert made.template is not None
        assert made.fill(targets, {}, {}) == markdown.render(markdown.parse(record.body), targets, {}, {})


def test_an_unresolved_target_falls_back_to_a_full_render() -> None:
    body = "Names [[Iran]] and [[Nobody]]."
    made = prerender(body, markdown.parse(body))
    html = made.fill({"Iran": TARGETS["Iran"]}, {}, {})
    assert 'class="broken-link"' in html and html == markdown.render(markdown.parse(body), {"Iran": TARGETS["Iran"]}, {}, {})


@pytest.mark.parametrize("body", ["See ![map](map.png) here.", "The [annex](annex.pdf)."])
def test_bodies_with_relative_links_or_images_are_rendered_from_tokens(body: str) -> None:
    made = prerender(body, markdown.parse(body))
    assert made.template is None
    local = {"map.png": "../../map.png", "annex.pdf": "../../annex.pdf"}
    assert made.fill({}, local, {"map.png": (10, 20)}) == markdown.render(markdown.parse(body), {}, local, {"map.png": (10, 20)})


def test_a_loaded_body_is_kept_deflated_once_by_its_record_and_its_html(tmp_path) -> None:
    import dataclasses
    import pickle

    from builder import parallel
    from builder.discover import RecordFile

    body = "## Talks\n\nThe ministers of [[Iran]] and [[countries/china]] met. " * 40 + "\n\nایران و چین\n"
    path = tmp_path / "articles" / "talks.md"
    path.parent.mkdir()
    path.write_text("---\ntitle: Talks\ndate: 2021-03\nsources:\n  - title: A source\n"
                    "    url: https://example.org/\n---\n" + body, encoding="utf-8")
    item = parallel._load_one(RecordFile("articles", path))
    record, made = item.record, item.links[0]
    assert record is not None and record.body == body and made.source == body
    assert isinstance(record.packed_body, bytes) and len(record.packed_body) < len(body.encode()) / 4
    assert made.packed is record.packed_body, "the HTML's fallback text is the record's, not a copy"
    record2, _, _, (made2,) = pickle.loads(pickle.dumps(parallel._entry(item)))
    assert made2.packed is record2.packed_body and record2 == record
    assert record2 != dataclasses.replace(record, packed_body=body + "more") and record.body_line == 8
