"""A small content folder for the preview-server tests, and helpers to compare sites."""

from __future__ import annotations

import re
from pathlib import Path

SITE = 'title: "Test dossier"\ndescription: "A dossier for tests."\n'

RECORDS = {
    "countries/iran.md": "name: Iran\niso: IR\n",
    "countries/china.md": "name: China\niso: CN\n",
    "organizations/mfa.md": "name: Ministry of Foreign Affairs\ncountry: iran\nkind: ministry\n",
    "officials/wang-yi.md": "name: Wang Yi\nnative_name: 王毅\ncountry: china\n"
                            "positions:\n  - title: Foreign Minister\n    start: 2013-03\n",
    "officials/araghchi.md": "name: Abbas Araghchi\ncountry: iran\n"
                             "positions:\n  - title: Foreign Minister\n    organization: mfa\n    start: 2024-08\n",
    "agreements/cooperation.md": "title: Comprehensive cooperation document\nkind: agreement\nsigned: 2021-03-27\n"
                                 "parties: [iran, china]\nsignatories: [wang-yi]\n",
}

BODIES = {
    "officials/wang-yi.md": "Wang Yi leads China's diplomacy. He met [[araghchi]].\n",
    "agreements/cooperation.md": "Signed in Tehran. See ![map](../img/map.png).\n",
}


def article(title: str, date: str, officials=(), countries=(), tags=(), body: str = "", draft: bool = False) -> str:
    """The text of an article file."""
    lines = [f'title: "{title}"', f"date: {date}", f'summary: "About {title}."']
    if officials:
        lines.append(f"officials: [{', '.join(officials)}]")
    if countries:
        lines.append(f"countries: [{', '.join(countries)}]")
    if tags:
        lines.append(f"tags: [{', '.join(tags)}]")
    if draft:
        lines.append("draft: true")
    lines += ["sources:", "  - title: A report", "    publisher: An agency", "    url: https://example.org/report"]
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body


ARTICLES = {
    "articles/visit.md": article("Wang Yi visits Tehran", "2021-03-27", ["wang-yi"], ["iran", "china"], ["diplomacy"],
                                 "Wang Yi met [[Abbas Araghchi]] and signed the [[cooperation]].\n"),
    "articles/2024/talks.md": article("Talks in Beijing", "2024-09", ["araghchi"], ["china"], ["diplomacy", "trade"],
                                      "Talks on [[wang-yi|the minister]]'s invitation.\n"),
    "articles/2024/mou.md": article("An MoU on trade", "2024", countries=["iran"], tags=["trade"],
                                    body="A short note.\n"),
}


def write_content(root: Path) -> Path:
    """Write the fixture content folder at ``root``; return it."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text(SITE, encoding="utf-8")
    for name, front in RECORDS.items():
        _write(root / name, f"---\n{front}---\n\n{BODIES.get(name, '')}")
    for name, text in ARTICLES.items():
        _write(root / name, text)
    (root / "img").mkdir(exist_ok=True)
    (root / "img" / "map.png").write_bytes(b"\x89PNG\r\n\x1a\n fake image")
    return root


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def as_bytes(files) -> dict[str, bytes]:
    """A site's files (bytes or source paths) as bytes."""
    return {name: (c.read_bytes() if isinstance(c, Path) else c) for name, c in files.items()}


INJECTED = re.compile(rb'<link rel="stylesheet" href="/_dossier/overlay\.css"><script src="/_dossier/livereload\.js[^"]*" defer></script>')


def strip_injected(page: bytes) -> bytes:
    """A served page without what the preview server adds to it."""
    return INJECTED.sub(b"", page)
