"""Characters that make text display differently from how it reads.

Bidirectional embeddings, overrides and isolates can reorder what a reader
sees ("Trojan Source", CVE-2021-42574), and zero-width characters make two
different names look the same. Content keeps them, with a warning; messages
printed to a terminal show them, and every control character, as ``<U+XXXX>``.
The zero-width non-joiner and joiner are left alone: Persian and many other
scripts need them in ordinary words.
"""

from __future__ import annotations

import unicodedata

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI and PDI."""
ZERO_WIDTH = frozenset("\u200b\u2060\ufeff\u180e")
"""Zero-width space, word joiner, zero-width no-break space and Mongolian vowel separator."""
SPOOFING = BIDI_CONTROLS | ZERO_WIDTH


def suspicious(text: str) -> list[str]:
    """The spoofing characters in ``text``, each once, in order of first appearance."""
    if text.isascii():
        return []
    return list(dict.fromkeys(c for c in text if c in SPOOFING))


def describe(chars: list[str]) -> str:
    """``bidirectional control characters (<U+202E>)`` and the like, for a message."""
    kinds = []
    if any(c in BIDI_CONTROLS for c in chars):
        kinds.append("bidirectional control")
    if any(c in ZERO_WIDTH for c in chars):
        kinds.append("zero-width")
    codes = ", ".join(_code(c) for c in chars)
    return f"{' and '.join(kinds)} characters ({codes})"


def visible(text: str) -> str:
    """``text`` with control, line-separating and spoofing characters shown as ``<U+XXXX>``."""
    if text.isprintable() and not any(c in SPOOFING for c in text):
        return text
    return "".join(_code(c) if _hidden(c) else c for c in text)


def _hidden(char: str) -> bool:
    return char in SPOOFING or unicodedata.category(char) in ("Cc", "Zl", "Zp", "Cs")


def _code(char: str) -> str:
    return f"<U+{ord(char):04X}>"
