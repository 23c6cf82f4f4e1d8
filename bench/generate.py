"""A deterministic synthetic dossier of any size, following the content contract.

For N articles it writes N/20 officials, 40 countries, N/50 agreements and
N/100 organizations (at least one of each). Article bodies run to about 600
words with headings, lists, external links, footnotes, two to four wikilinks
(by type/slug, by slug and by name) and, in one article of five, a table.
Dates are partial: years, months and days. The same arguments always give the
same bytes.

    python bench/generate.py OUT --articles 10000 [--seed 0]

``records(articles, seed)`` yields the records as data (for other site
generators' inputs); ``generate(root, articles, seed)`` writes them.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

TYPES = ("articles", "officials", "countries", "agreements", "organizations")

COUNTRIES = (
    ("Iran", "IR", "ایران"), ("China", "CN", "中国"), ("Russia", "RU", "Россия"), ("India", "IN", "भारत"),
    ("Pakistan", "PK", "پاکستان"), ("Turkey", "TR", "Türkiye"), ("Iraq", "IQ", "العراق"), ("Syria", "SY", "سوريا"),
    ("Oman", "OM", "عُمان"), ("Qatar", "QA", "قطر"), ("Kazakhstan", "KZ", "Қазақстан"), ("Armenia", "AM", "Հայաստան"),
    ("Azerbaijan", "AZ", "Azərbaycan"), ("Afghanistan", "AF", "افغانستان"), ("Tajikistan", "TJ", "Тоҷикистон"),
    ("Uzbekistan", "UZ", "Oʻzbekiston"), ("Turkmenistan", "TM", "Türkmenistan"), ("Kyrgyzstan", "KG", "Кыргызстан"),
    ("Mongolia", "MN", "Монгол"), ("Japan", "JP", "日本"), ("South Korea", "KR", "대한민국"), ("Vietnam", "VN", "Việt Nam"),
    ("Indonesia", "ID", "Indonesia"), ("Malaysia", "MY", "Malaysia"), ("Egypt", "EG", "مصر"), ("Algeria", "DZ", "الجزائر"),
    ("Brazil", "BR", "Brasil"), ("Venezuela", "VE", "Venezuela"), ("Cuba", "CU", "Cuba"), ("Belarus", "BY", "Беларусь"),
    ("Serbia", "RS", "Србија"), ("Hungary", "HU", "Magyarország"), ("Germany", "DE", "Deutschland"), ("France", "FR", "France"),
    ("Italy", "IT", "Italia"), ("Kenya", "KE", "Kenya"), ("Ethiopia", "ET", "ኢትዮጵያ"), ("Nigeria", "NG", "Nigeria"),
    ("South Africa", "ZA", "South Africa"), ("Thailand", "TH", "ประเทศไทย"),
)
FIRST = (
    "Ali", "Reza", "Mohammad", "Hossein", "Mehdi", "Sara", "Maryam", "Zahra", "Fatemeh", "Hamid", "Wei", "Li", "Jun",
    "Min", "Hua", "Lan", "Ying", "Qiang", "Yan", "Ping", "Ivan", "Olga", "Sergei", "Anna", "Dmitri", "Elena", "Ravi",
    "Priya", "Arjun", "Meera", "Omar", "Layla", "Karim", "Nadia", "Yusuf", "Amina", "Emre", "Elif", "Aruzhan", "Nurlan",
    "Bakhyt", "Dilnoza", "Bolat", "Aigerim", "Hiro", "Yuki", "Minh", "Thu", "Budi", "Siti", "Ahmed", "Mona", "Pedro",
    "Lucia", "Hans", "Claire", "Marco", "Wanjiru", "Abebe", "Chidi",
)
LAST = (
    "Karimi", "Hosseini", "Rahimi", "Moradi", "Jafari", "Ahmadi", "Rezaei", "Mohammadi", "Sadeghi", "Ghasemi", "Wang",
    "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin",
    "Luo", "Gao", "Zheng", "Ivanov", "Petrov", "Sidorov", "Smirnova", "Kuznetsov", "Popov", "Sharma", "Verma", "Gupta",
    "Singh", "Khan", "Qureshi", "Malik", "Haddad", "Nasser", "Saleh", "Yilmaz", "Demir", "Kaya", "Sahin", "Nurlanov",
    "Abenov", "Tursunov", "Karimov", "Rakhimov", "Bayar", "Tanaka", "Sato", "Suzuki", "Nguyen", "Tran", "Pham",
    "Santoso", "Wijaya", "Hassan", "Farouk", "Silva", "Souza", "Garcia", "Lopez", "Mendez", "Novak", "Horvat", "Kovacs",
    "Nagy", "Muller", "Schmidt", "Martin", "Bernard", "Rossi", "Bianchi", "Otieno", "Kamau", "Tesfaye", "Bekele",
    "Okafor", "Adeyemi", "Nkosi", "Dlamini", "Chaiyaporn", "Suwan", "Park", "Kim", "Lee", "Choi", "Jung", "Kang", "Cho",
    "Yoon", "Jang",
)
FIELDS = (
    "Telecommunications", "Artificial Intelligence", "Cyberspace", "Satellite Research", "Semiconductors",
    "Data Science", "Robotics", "Digital Economy", "Information Technology", "Quantum Computing", "Networks",
    "Software Engineering", "Cloud Infrastructure", "Electronic Commerce", "Smart Cities", "Space Technology",
    "Broadcasting", "Postal Services", "Standards", "Innovation",
)
ORG_KINDS = (
    ("ministry", "Ministry of"), ("agency", "National Agency for"), ("university", "University of"),
    ("institute", "Institute of"), ("company", "Corporation for"), ("news agency", "News Service for"),
    ("council", "Supreme Council of"), ("academy", "Academy of"),
)
AGREEMENT_KINDS = ("treaty", "agreement", "mou", "partnership", "other")
STATUSES = ("signed", "in force", "expired", "under negotiation")
TAGS = (
    "ai", "ict", "5g", "satellites", "cybersecurity", "surveillance", "data-centres", "fibre", "semiconductors",
    "education", "research", "trade", "sanctions", "standards", "smart-cities", "e-government", "fintech", "media",
    "censorship", "cloud", "open-source", "robotics", "space", "undersea-cables", "payments", "biometrics",
    "training", "investment", "export-controls", "diplomacy",
)
PUBLISHERS = (
    "IRNA", "Xinhua", "Tasnim", "Mehr News", "Global Times", "China Daily", "Financial Tribune", "Tehran Times",
    "Reuters", "Nikkei Asia", "South China Morning Post", "Press TV", "ISNA", "Fars", "People's Daily",
)
WORDS = (
    "cooperation", "ministry", "delegation", "technology", "network", "officials", "agreement", "framework",
    "development", "platform", "research", "infrastructure", "investment", "security", "digital", "national",
    "bilateral", "capacity", "training", "centre", "programme", "partners", "exchange", "industry", "market",
    "standards", "projects", "export", "licence", "operators", "services", "data", "systems", "students",
    "engineers", "universities", "companies", "representatives", "talks", "visit", "meeting", "statement",
    "memorandum", "roadmap", "pilot", "launch", "expansion", "funding", "budget", "equipment", "supply",
    "chain", "hardware", "software", "cloud", "satellite", "fibre", "spectrum", "towers", "terminals", "cables",
    "regulation", "policy", "oversight", "strategy", "goals", "plans", "phase", "year", "month", "week",
    "agreed", "signed", "announced", "discussed", "reviewed", "welcomed", "proposed", "expanded", "opened",
    "reported", "noted", "stressed", "confirmed", "outlined", "planned", "built", "tested", "deployed",
    "the", "the", "the", "a", "of", "of", "and", "and", "to", "in", "in", "on", "for", "with", "by", "from",
    "its", "their", "new", "joint", "further", "several", "major", "regional", "technical", "economic",
    "strategic", "long-term", "first", "second", "local", "foreign", "state-run", "private", "public",
)
HEADINGS = (
    "Background", "What was agreed", "Who took part", "The wider context", "Reactions", "Funding",
    "Technical details", "Timeline of talks", "What comes next", "Earlier meetings", "Open questions",
)
TITLE_VERBS = ("discuss", "sign", "review", "expand", "launch", "plan", "agree on", "test", "fund", "debate")
TITLE_OBJECTS = (
    "AI research centre", "5G rollout", "satellite launch", "data-centre project", "fibre backbone",
    "training programme", "cyber-security framework", "chip supply", "smart-city pilot", "cloud platform",
    "undersea cable", "payment link", "standards body", "student exchange", "technology park",
)


@dataclass(frozen=True, slots=True)
class SynthRecord:
    """One generated content file: its type, slug, front matter and Markdown body."""

    type: str
    slug: str
    fields: dict[str, Any]
    """Front-matter values: str, int (a bare year), list, dict."""
    body: str
    folder: str = ""
    """Subfolder under the type folder ('' for none)."""

    @property
    def label(self) -> str:
        return self.fields.get("name") or self.fields["title"]

    def relative_path(self) -> str:
        parts = [self.type, self.folder, f"{self.slug}.md"] if self.folder else [self.type, f"{self.slug}.md"]
        return "/".join(parts)

    def text(self) -> str:
        """The file as a contributor would write it."""
        lines = ["---"]
        for key, value in self.fields.items():
            lines.extend(_yaml(key, value))
        lines.append("---")
        return "\n".join(lines) + "\n" + self.body


@dataclass(frozen=True, slots=True)
class Sizes:
    """How many records of each type a dossier of ``articles`` articles has."""

    articles: int

    @property
    def officials(self) -> int:
        return max(1, self.articles // 20)

    @property
    def countries(self) -> int:
        return len(COUNTRIES)

    @property
    def agreements(self) -> int:
        return max(1, self.articles // 50)

    @property
    def organizations(self) -> int:
        return max(1, self.articles // 100)


def slugify(text: str) -> str:
    return "-".join("".join(c if c.isalnum() and c.isascii() else " " for c in text.lower()).split())


def country(i: int) -> SynthRecord:
    name, iso, native = COUNTRIES[i]
    fields: dict[str, Any] = {"name": name, "iso": iso}
    if native != name:
        fields["native_name"] = native
    body = f"{name} appears in this dossier through its ministries, companies and officials.\n"
    return SynthRecord("countries", slugify(name), fields, body)


def official_name(i: int) -> str:
    # (i % F, (61q + i % F) % L) is a bijection on one generation since 61 is prime to len(LAST).
    q, a = divmod(i % (len(FIRST) * len(LAST)), len(FIRST))
    first, last = FIRST[a], LAST[(61 * q + a) % len(LAST)]
    generation = i // (len(FIRST) * len(LAST))
    return f"{first} {last}" + (f" {_roman(generation + 1)}" if generation else "")


def organization_name(i: int) -> tuple[str, str, int]:
    """(name, kind, country index) for the i-th organization; distinct for every i."""
    j, c = divmod(i, len(COUNTRIES))
    field_ = FIELDS[(j // len(ORG_KINDS)) % len(FIELDS)]
    kind, prefix = ORG_KINDS[(j + c) % len(ORG_KINDS)]
    cycle = j // (len(ORG_KINDS) * len(FIELDS))
    name = f"{COUNTRIES[c][0]} {prefix} {field_}" + (f" {cycle + 1}" if cycle else "")
    return name, kind, c


def records(articles: int, seed: int = 0) -> Iterator[SynthRecord]:
    """Every record of a dossier of ``articles`` articles, countries first, articles last."""
    sizes = Sizes(articles)
    world = _World(sizes, seed)
    for i in range(sizes.countries):
        yield country(i)
    for i in range(sizes.organizations):
        yield world.organization(i)
    for i in range(sizes.officials):
        yield world.official(i)
    for i in range(sizes.agreements):
        yield world.agreement(i)
    for i in range(articles):
        yield world.article(i)


SITE_YAML = (
    "title: Synthetic dossier\n"
    "description: A generated dossier for measuring build speed.\n"
    "base_url: https://example.org/dossier/\n"
    "language: en\n"
)


def generate(root: Path, articles: int, seed: int = 0) -> int:
    """Write a dossier of ``articles`` articles into ``root`` (emptied first); return the number of records."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    (root / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    made: set[Path] = set()
    count = 0
    for record in records(articles, seed):
        path = root / record.relative_path()
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_text(record.text(), encoding="utf-8")
        count += 1
    return count


class _World:
    """The slugs and names every record may refer to, and a random stream per record."""

    def __init__(self, sizes: Sizes, seed: int) -> None:
        self.sizes = sizes
        self.seed = seed
        self.countries = [slugify(c[0]) for c in COUNTRIES]
        self.organizations = [slugify(organization_name(i)[0]) for i in range(sizes.organizations)]
        self.officials = [slugify(official_name(i)) for i in range(sizes.officials)]
        self.agreements = [f"agreement-{i + 1:05d}" for i in range(sizes.agreements)]

    def rng(self, kind: str, i: int) -> random.Random:
        return random.Random(f"{self.seed}:{kind}:{i}")

    def organization(self, i: int) -> SynthRecord:
        rng = self.rng("organizations", i)
        name, kind, c = organization_name(i)
        fields = {"name": name, "country": self.countries[c], "kind": kind}
        if rng.random() < 0.3:
            fields["aliases"] = ["".join(w[0] for w in name.split() if w[0].isupper())]
        body = _paragraphs(rng, 2) + "\n"
        return SynthRecord("organizations", self.organizations[i], fields, body)

    def official(self, i: int) -> SynthRecord:
        rng = self.rng("officials", i)
        c = rng.randrange(len(COUNTRIES))
        fields: dict[str, Any] = {"name": official_name(i), "country": self.countries[c]}
        if rng.random() < 0.2:
            fields["aliases"] = [official_name(i).split()[-1] + f" ({COUNTRIES[c][1]}-{i})"]
        positions = []
        year = rng.randrange(1995, 2020)
        for _ in range(rng.randrange(1, 4)):
            position: dict[str, Any] = {"title": f"{rng.choice(('Minister', 'Deputy Minister', 'Director', 'Ambassador', 'Head'))} of {rng.choice(FIELDS)}"}
            position["organization"] = rng.choice(self.organizations)
            position["start"] = _date(rng, year)
            year += rng.randrange(1, 5)
            if year < 2025:
                position["end"] = _date(rng, year, at_least=position["start"])
            positions.append(position)
        fields["positions"] = positions
        body = _paragraphs(rng, 3) + "\n"
        return SynthRecord("officials", self.officials[i], fields, body)

    def agreement(self, i: int) -> SynthRecord:
        rng = self.rng("agreements", i)
        title = f"{rng.choice(TITLE_OBJECTS).capitalize()} {rng.choice(('agreement', 'memorandum', 'protocol', 'accord'))} no. {i + 1}"
        fields: dict[str, Any] = {"title": title, "kind": rng.choice(AGREEMENT_KINDS), "signed": _date(rng, rng.randrange(2000, 2025))}
        parties = rng.sample(self.countries, 2)
        if rng.random() < 0.4:
            parties.append(rng.choice(self.organizations))
        fields["parties"] = list(dict.fromkeys(parties))
        fields["signatories"] = rng.sample(self.officials, min(2, len(self.officials)))
        if i and rng.random() < 0.3:
            fields["parent"] = self.agreements[rng.randrange(i)]
        fields["status"] = rng.choice(STATUSES)
        body = _paragraphs(rng, 3) + "\n"
        return SynthRecord("agreements", self.agreements[i], fields, body)

    def article(self, i: int) -> SynthRecord:
        rng = self.rng("articles", i)
        year = 2005 + rng.randrange(21)
        date = _date(rng, year)
        who = rng.sample(self.officials, min(rng.randrange(1, 4), len(self.officials)))
        where = rng.sample(self.countries, rng.randrange(1, 3))
        title = f"{_name_of_slug(who[0])} and partners {rng.choice(TITLE_VERBS)} {rng.choice(TITLE_OBJECTS)}"
        fields: dict[str, Any] = {"title": title, "date": date, "summary": _sentence(rng, 18, 26)}
        fields["officials"] = who
        fields["countries"] = where
        if rng.random() < 0.5:
            fields["agreements"] = [rng.choice(self.agreements)]
        if rng.random() < 0.5:
            fields["organizations"] = rng.sample(self.organizations, min(2, len(self.organizations)))
        fields["tags"] = rng.sample(TAGS, rng.randrange(1, 5))
        fields["sources"] = [_source(rng, year, j) for j in range(rng.randrange(1, 4))]
        slug = f"{slugify(title)}-{i + 1}"
        return SynthRecord("articles", slug, fields, self.article_body(rng, i), folder=str(year))

    def article_body(self, rng: random.Random, i: int) -> str:
        links = self.wikilinks(rng, rng.randrange(2, 5))
        sections = rng.sample(HEADINGS, 4)
        parts = [_paragraph(rng, links.pop() if links else "") + "[^1]"]
        for n, heading in enumerate(sections):
            parts.append(f"## {heading}")
            parts.append(_paragraph(rng, links.pop() if links else ""))
            if n == 0:
                parts.append(_list(rng))
            if n == 1 and i % 5 == 0:
                parts.append(_table(rng))
            if n == 2:
                parts.append(_paragraph(rng, "") + "[^2]")
            parts.append(_paragraph(rng, links.pop() if links else ""))
        parts.append(f"[^1]: {_sentence(rng, 8, 14)}")
        parts.append(f"[^2]: See [the report](https://example.org/reports/{i + 1}) for {_sentence(rng, 4, 8).lower()}")
        return "\n\n".join(parts) + "\n"

    def wikilinks(self, rng: random.Random, count: int) -> list[str]:
        """Wikilinks in the three forms the contract allows: type/slug, slug, and name."""
        links = []
        for _ in range(count):
            form = rng.randrange(4)
            if form == 0:
                links.append(f"[[officials/{rng.choice(self.officials)}]]")
            elif form == 1:
                slug = rng.choice(self.officials)
                links.append(f"[[{slug}|{_name_of_slug(slug).split()[-1]}]]")
            elif form == 2:
                links.append(f"[[{COUNTRIES[rng.randrange(len(COUNTRIES))][0]}]]")
            else:
                links.append(f"[[agreements/{rng.choice(self.agreements)}|the agreement]]")
        return links


def _name_of_slug(slug: str) -> str:
    return " ".join(w.capitalize() if not _is_roman(w) else w.upper() for w in slug.split("-"))


def _is_roman(word: str) -> bool:
    return bool(word) and all(c in "ivxlc" for c in word) and len(word) <= 4


def _roman(n: int) -> str:
    out = ""
    for value, digits in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + digits, n - value
    return out


def _date(rng: random.Random, year: int, at_least: str | int | None = None) -> str | int:
    """A partial date: a bare year (int) one time in ten, a month two in ten, else a day."""
    if at_least is not None:
        year = max(year, int(str(at_least)[:4]) + 1)
    roll = rng.random()
    if roll < 0.1:
        return year
    month = rng.randrange(1, 13)
    if roll < 0.3:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{rng.randrange(1, 29):02d}"


def _source(rng: random.Random, year: int, j: int) -> dict[str, Any]:
    publisher = rng.choice(PUBLISHERS)
    source: dict[str, Any] = {"title": _sentence(rng, 6, 11).rstrip("."), "publisher": publisher}
    source["url"] = f"https://news.example.org/{slugify(publisher)}/{year}/{rng.randrange(10**6):06d}"
    source["date"] = _date(rng, year)
    return source


def _sentence(rng: random.Random, low: int, high: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randrange(low, high))]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random, link: str) -> str:
    sentences = [_sentence(rng, 10, 22) for _ in range(rng.randrange(3, 5))]
    if link:
        sentences.insert(rng.randrange(len(sentences)), f"It involved {link}.")
    text = " ".join(sentences)
    if rng.random() < 0.5:
        word = rng.choice(WORDS)
        text = text.replace(f" {word} ", f" *{word}* ", 1)
    if rng.random() < 0.4:
        text += f" More in [this report](https://example.org/{rng.randrange(10**5)})."
    if rng.random() < 0.2:
        text += f" The **{rng.choice(WORDS)}** figure was `{rng.randrange(100, 999)}`."
    return text


def _paragraphs(rng: random.Random, count: int) -> str:
    return "\n\n".join(_paragraph(rng, "") for _ in range(count))


def _list(rng: random.Random) -> str:
    return "\n".join(f"- {_sentence(rng, 4, 9)}" for _ in range(rng.randrange(3, 6)))


def _table(rng: random.Random) -> str:
    rows = ["| Year | Item | Amount |", "|---|---|---:|"]
    for _ in range(rng.randrange(3, 6)):
        rows.append(f"| {rng.randrange(2000, 2026)} | {rng.choice(TITLE_OBJECTS)} | {rng.randrange(1, 900)} m |")
    return "\n".join(rows)


def _yaml(key: str, value: Any, indent: str = "") -> list[str]:
    """One front-matter entry in block style; strings as JSON, which YAML reads as double-quoted."""
    if isinstance(value, list) and value and isinstance(value[0], dict):
        lines = [f"{indent}{key}:"]
        for item in value:
            entry = [line for k, v in item.items() for line in _yaml(k, v, indent + "    ")]
            entry[0] = indent + "  - " + entry[0][len(indent) + 4:]
            lines.extend(entry)
        return lines
    if isinstance(value, list):
        return [f"{indent}{key}: [{', '.join(_scalar(v) for v in value)}]"]
    return [f"{indent}{key}: {_scalar(value)}"]


def _scalar(value: Any) -> str:
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and _is_date(value):
        return value
    return json.dumps(value, ensure_ascii=False)


def _is_date(text: str) -> bool:
    return len(text) in (7, 10) and text[:4].isdigit() and text[4] == "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic dossier content folder.")
    parser.add_argument("root", type=Path, help="content folder to write (emptied first)")
    parser.add_argument("--articles", type=int, default=1000, help="number of articles (default: 1000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    args = parser.parse_args(argv)
    count = generate(args.root, args.articles, args.seed)
    print(f"wrote {count} records to {args.root}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
