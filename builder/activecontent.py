"""Content files a browser could run script from, which must not be published.

Every other file under content/ is copied into the site as it is, so an HTML
page, a script or an XSLT sheet would run on the site's own origin the moment a
reader opened it. Such files are refused. An SVG drawing is published only
when it holds nothing that can run: no script, no event handlers, no embedded
HTML, no links but to http(s), fragments or raster images, and no DOCTYPE
(entities are how XML bombs work). Anything else in an SVG is refused, not
cleaned, so what is published is byte for byte what the contributor sent.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the parser is imported where an SVG is checked: most builds list none
    from xml.etree.ElementTree import Element

SCRIPT_SUFFIXES = frozenset({
    ".htm", ".html", ".shtml", ".xht", ".xhtml", ".mht", ".mhtml",
    ".svgz", ".xml", ".xsl", ".xslt", ".js", ".cjs", ".mjs", ".swf",
})
"""File types refused outright (.svgz because it cannot be checked without unpacking it)."""
MAX_SVG_BYTES = 8 * 1024 * 1024
"""Largest SVG file checked and published."""

_SVG = "http://www.w3.org/2000/svg"
_XLINK = "http://www.w3.org/1999/xlink"
_EDITOR_NAMESPACES = {
    _SVG, _XLINK, "http://www.w3.org/XML/1998/namespace",
    "http://www.inkscape.org/namespaces/inkscape", "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://purl.org/dc/elements/1.1/", "http://creativecommons.org/ns#",
}
"""Namespaces of SVG itself and of the metadata drawing programs write; HTML and the rest are refused."""
_FORBIDDEN_ELEMENTS = {"script", "foreignobject", "handler", "listener", "iframe", "embed", "object"}
_ANIMATIONS = {"set", "animate", "animatemotion", "animatetransform", "discard"}
_LINK_ATTRIBUTES = {"href", "src"}
_SAFE_LINK = re.compile(r"(?:#|https?://|data:image/(?:png|jpeg|gif|webp);|(?![a-z][a-z0-9+.-]*:))", re.I)
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def active_content(path: Path) -> str | None:
    """Why the file at ``path`` must not be published, or None when it may be."""
    suffix = path.suffix.lower()
    if suffix in SCRIPT_SUFFIXES:
        return f"a {path.suffix} file can run script in a browser"
    if suffix == ".svg":
        if path.stat().st_size > MAX_SVG_BYTES:
            return f"SVG file is larger than {MAX_SVG_BYTES:,} bytes, too large to check for script"
        problem = svg_problem(path.read_bytes())
        return f"SVG file {problem}" if problem else None
    return None


def svg_problem(data: bytes) -> str | None:
    """What in an SVG document could run script, or None when nothing can."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "is not UTF-8 and cannot be checked for script"
    lowered = text.lower()
    if "<!doctype" in lowered or "<!entity" in lowered:
        return "declares a DOCTYPE or entities"
    if "<?xml-stylesheet" in lowered:
        return "names a style sheet (XSLT can run script)"
    from xml.etree import ElementTree as ET

    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        return f"is not well-formed XML ({exc})"
    for element in root.iter():
        problem = _element_problem(element)
        if problem:
            return problem
    return None


def _element_problem(element: Element) -> str | None:
    namespace, name = _split(str(element.tag))
    if not namespace:
        return f"has an element outside the SVG namespace (<{name}>); is xmlns missing?"
    if namespace not in _EDITOR_NAMESPACES:
        return f"holds an element from another language ({element.tag})"
    if name.lower() in _FORBIDDEN_ELEMENTS:
        return f"holds a <{name}> element"
    if name.lower() in _ANIMATIONS:
        target = element.get("attributeName", "").lower()
        if target.startswith("on") or target.endswith("href"):
            return f"animates the {target} attribute"
    if name == "style" and "javascript:" in _CONTROL.sub("", (element.text or "").lower()):
        return "has a javascript: URL in a style"
    for attribute, value in element.attrib.items():
        problem = _attribute_problem(attribute, value)
        if problem:
            return problem
    return None


def _attribute_problem(attribute: str, value: str) -> str | None:
    namespace, name = _split(attribute)
    if namespace and namespace not in _EDITOR_NAMESPACES:
        return f"has an attribute from another language ({attribute})"
    if name.lower().startswith("on"):
        return f"has an event handler ({name})"
    cleaned = _CONTROL.sub("", value)
    if "javascript:" in cleaned.lower() or "vbscript:" in cleaned.lower():
        return f"has a script URL in {name}"
    if name.lower() in _LINK_ATTRIBUTES and not _SAFE_LINK.match(cleaned):
        return f"links to a {cleaned.split(':', 1)[0]}: URL in {name}"
    return None


def _split(tag: str) -> tuple[str, str]:
    """``{namespace}name`` as (namespace, name); no namespace gives ''."""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag
