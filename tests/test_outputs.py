"""The machine-readable outputs' text: what XML cannot carry is dropped, everything else kept."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from builder import outputs


def test_xml_safe_drops_exactly_what_xml_cannot_carry():
    every = "".join(chr(i) for i in range(0x110000))
    kept = outputs._xml_safe(every)
    dropped = set(every) - set(kept)
    assert dropped == ({chr(i) for i in range(0x20)} - set("\t\n\r")) | {chr(i) for i in range(0xD800, 0xE000)} | {"\ufffe", "\uffff"}
    assert kept == "".join(c for c in every if c not in dropped)  # order and the rest untouched


def test_a_title_with_control_characters_still_makes_a_feed_that_parses():
    element = outputs._leaf("title", "Talks\x00 in \x1bTehran \ud800and\ufffe Beijing\t")
    assert ET.fromstring(element).text == "Talks in Tehran and Beijing\t"


_XML_TEXT = st.text(st.characters(blacklist_categories=("Cs",)) | st.sampled_from("&<>\"'\r\n\t\x00\x1b"), max_size=12)
_XML_TREE = st.recursive(
    st.tuples(st.sampled_from(["title", "link", "entry"]), st.dictionaries(st.sampled_from(["rel", "href", "xml:lang"]), _XML_TEXT, max_size=3),
              _XML_TEXT, st.just([])),
    lambda inner: st.tuples(st.sampled_from(["feed", "entry", "author"]), st.dictionaries(st.sampled_from(["xmlns", "term"]), _XML_TEXT, max_size=2),
                            st.just(""), st.lists(inner, min_size=1, max_size=4)),
    max_leaves=12)


def _written(node, depth: int) -> str:
    tag, attrs, text, children = node
    if children:
        return outputs._parent(tag, [_written(child, depth + 1) for child in children], attrs, depth)
    return outputs._leaf(tag, text, attrs)


def _element_tree(node) -> ET.Element:
    tag, attrs, text, children = node
    element = ET.Element(tag, attrs)
    element.text = None if children else outputs._xml_safe(text)
    element.extend(_element_tree(child) for child in children)
    return element


@settings(max_examples=300, deadline=None)
@given(_XML_TREE)
def test_feeds_and_sitemaps_are_written_as_element_tree_writes_them(tree):
    root = _element_tree(tree)
    ET.indent(root)
    assert outputs._document(_written(tree, 0)) == b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


_PLAIN = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    | st.dictionaries(st.integers() | st.booleans() | st.none(), inner, max_size=3),
    max_leaves=20)


@settings(max_examples=500, deadline=None)
@given(_PLAIN, st.integers(0, 3))
def test_dumps_writes_what_json_dumps_writes(value, depth):
    expected = json.dumps(value, ensure_ascii=False, indent=1)
    assert outputs.dumps(value) == expected
    pad = " " * depth
    assert outputs.dumps(value, pad) == expected.replace("\n", "\n" + pad)
    assert "".join(outputs._json_pieces(value, depth, 2)) == expected.replace("\n", "\n" + pad)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PLAIN, max_size=12), st.integers(0, 3), st.integers(1, 4))
def test_an_iterator_is_written_as_its_list_in_pieces(items, depth, batch):
    pad = " " * depth
    expected = json.dumps(items, ensure_ascii=False, indent=1).replace("\n", "\n" + pad)
    assert "".join(outputs._json_pieces(iter(items), depth, 2)) == expected
    pieces = list(outputs._json_list(iter(items), pad, batch))
    assert "".join(pieces) == expected
    assert len(pieces) == -(-len(items) // batch) + 1  # a piece per batch, and the closing bracket
