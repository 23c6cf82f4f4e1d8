"""Language and direction of names written in other scripts."""

from __future__ import annotations

import functools
import re
import unicodedata

_PERSIAN_LETTERS = set("پچژگکی")
_RTL_LANGUAGES = {"ar", "fa", "he", "ur", "ps", "yi", "ku", "ckb", "sd", "ug", "dv"}
_SCRIPT_LANGUAGE = {
    "CJK": "zh",
    "HIRAGANA": "ja",
    "KATAKANA": "ja",
    "HANGUL": "ko",
    "HEBREW": "he",
    "CYRILLIC": "ru",
    "GREEK": "el",
    "DEVANAGARI": "hi",
    "THAI": "th",
    "ARMENIAN": "hy",
    "GEORGIAN": "ka",
}


def language_of(text: str, default: str = "") -> str:
    """A BCP 47 guess from the script of ``text``: Persian or Arabic, Chinese, Russian ..."""
    for char in text:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        if name.startswith("ARABIC"):
            return "fa" if _PERSIAN_LETTERS & set(text) else "ar"
        for script, language in _SCRIPT_LANGUAGE.items():
            if name.startswith(script):
                return language
        if name.startswith("LATIN"):
            return default
    return default


def direction(language: str) -> str:
    """``rtl`` for right-to-left languages, ``ltr`` otherwise."""
    return "rtl" if language.split("-")[0].lower() in _RTL_LANGUAGES else "ltr"


_SCRIPT_RANGES = {
    "arabic": "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff",
    "hebrew": "\u0590-\u05ff\ufb1d-\ufb4f",
    "cjk": "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u3000-\u303f\uff01-\uff60",
    "cyrillic": "\u0400-\u04ff",
    "greek": "\u0370-\u03ff",
}


@functools.cache
def _run() -> re.Pattern:
    """A run of text in one of the scripts (compiled when first needed: its ranges take milliseconds)."""
    return re.compile("|".join(f"[{chars}]+(?:[\\s\u200c\u200d]+[{chars}]+)*" for chars in _SCRIPT_RANGES.values()))


def runs(text: str) -> list[tuple[str, str]]:
    """``text`` cut into pieces, each with the language of its script, or '' for the page's own."""
    if text.isascii():  # no other script can be in it: skip the search, the hot path of every page
        return [(text, "")] if text else []
    pieces: list[tuple[str, str]] = []
    at = 0
    for match in _run().finditer(text):
        if match.start() > at:
            pieces.append((text[at:match.start()], ""))
        pieces.append((match.group(0), language_of(match.group(0), "und")))
        at = match.end()
    if at < len(text):
        pieces.append((text[at:], ""))
    return pieces
