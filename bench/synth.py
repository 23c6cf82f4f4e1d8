"""A small deterministic generator of synthetic dossiers, for the serve benchmark and tests.

    python bench/synth.py OUT_DIR --articles 1000

N articles, N/20 officials, 40 countries, N/50 agreements and N/100
organizations, each following the contract: front-matter references, two to
four wikilinks per body, partial dates, tags.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

WORDS = ("cooperation ministry technology agreement delegation digital economy network "
         "research university satellite corridor investment energy trade visit talks "
         "framework partnership data security infrastructure summit").split()
TAGS = ("ai ict diplomacy trade energy space security education health transport "
        "finance culture science industry media").split()


def generate(out: Path, articles: int, seed: int = 1) -> Path:
    """Write a content folder with ``articles`` articles into ``out``; return it."""
    rng = random.Random(seed)
    counts = {"officials": max(articles // 20, 2), "countries": 40,
              "agreements": max(articles // 50, 1), "organizations": max(articles // 100, 1)}
    (out / "site.yaml").parent.mkdir(parents=True, exist_ok=True)
    (out / "site.yaml").write_text('title: "Synthetic dossier"\ndescription: "Generated for benchmarks."\n')
    for i in range(counts["countries"]):
        _write(out, "countries", f"country-{i}", f'name: "Country {i}"\n', "")
    for i in range(counts["organizations"]):
        _write(out, "organizations", f"org-{i}", f'name: "Organization {i}"\ncountry: country-{i % 40}\nkind: ministry\n', "")
    for i in range(counts["officials"]):
        org = rng.randrange(counts["organizations"])
        front = (f'name: "Official {i}"\ncountry: country-{i % 40}\npositions:\n'
                 f'  - title: Minister\n    organization: org-{org}\n    start: {2000 + i % 20}-0{1 + i % 9}\n')
        _write(out, "officials", f"official-{i}", front, _prose(rng, 2))
    for i in range(counts["agreements"]):
        front = (f'title: "Agreement {i}"\nkind: mou\nsigned: {2005 + i % 18}\n'
                 f'parties: [country-{i % 40}, country-{(i + 1) % 40}]\n')
        _write(out, "agreements", f"agreement-{i}", front, _prose(rng, 1))
    for i in range(articles):
        _write(out, f"articles/{2000 + i % 25}", f"article-{i}", _article_front(rng, i, counts), _article_body(rng, counts))
    return out


def article_front(rng: random.Random, i: int, counts: dict[str, int]) -> str:
    """Front matter of synthetic article ``i`` (also used by the benchmark to edit one)."""
    return _article_front(rng, i, counts)


def _article_front(rng: random.Random, i: int, counts: dict[str, int]) -> str:
    officials = sorted({f"official-{rng.randrange(counts['officials'])}" for _ in range(2)})
    countries = sorted({f"country-{rng.randrange(40)}" for _ in range(2)})
    tags = sorted(set(rng.sample(TAGS, 2)))
    day = f"{2000 + i % 25}-{1 + i % 12:02d}" + (f"-{1 + i % 28:02d}" if i % 3 else "")
    return (f'title: "Article {i} on {rng.choice(WORDS)}"\ndate: {day}\n'
            f'summary: "Summary of article {i}."\n'
            f"officials: [{', '.join(officials)}]\ncountries: [{', '.join(countries)}]\n"
            f"tags: [{', '.join(tags)}]\n"
            f'sources:\n  - title: "Report {i}"\n    publisher: "Agency {i % 7}"\n    url: https://example.org/r/{i}\n')


def _article_body(rng: random.Random, counts: dict[str, int]) -> str:
    links = [f"[[official-{rng.randrange(counts['officials'])}]]",
             f"[[agreements/agreement-{rng.randrange(counts['agreements'])}]]"]
    links += [f"[[country-{rng.randrange(40)}]]" for _ in range(rng.randrange(3))]
    return f"## Background\n\n{_prose(rng, 3)}\n\nSee {', '.join(links)}.\n\n- {_sentence(rng)}\n- {_sentence(rng)}\n"


def _prose(rng: random.Random, paragraphs: int) -> str:
    return "\n\n".join(" ".join(_sentence(rng) for _ in range(5)) for _ in range(paragraphs))


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "."


def _write(out: Path, folder: str, slug: str, front: str, body: str) -> None:
    path = out / folder / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front}---\n\n{body}\n" if body else f"---\n{front}---\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--articles", type=int, default=1000)
    args = parser.parse_args()
    print(generate(args.out, args.articles))
