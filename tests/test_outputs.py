"""The machine-readable outputs' text: what XML cannot carry is dropped, everything else kept."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from builder import outputs


def test_xml_safe_drops_exactly_what_xml_cannot_carry():
    every = "".join(chr(i) for i in range(0x110000))
    kept = outputs._xml_safe(every)
    dropped = set(every) - set(kept)
    assert dropped == ({chr(i) for i in range(0x20)} - set("\t\n\r")) | {chr(i) for i in range(0xD800, 0xE000)} | {"\ufffe", "\uffff"}
    assert kept == "".join(c for c in every if c not in dropped)  # order and the rest untouched


def test_a_title_with_control_characters_still_makes_a_feed_that_parses():
    element = ET.Element("feed")
    outputs._text(element, "title", "Talks\x00 in \x1bTehran \ud800and\ufffe Beijing\t")
    assert ET.fromstring(ET.tostring(element)).find("title").text == "Talks in Tehran and Beijing\t"
