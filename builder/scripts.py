"""Language and direction of names written in other scripts."""

from __future__ import annotations

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
