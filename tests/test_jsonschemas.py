"""The JSON Schemas for editors and the validator accept and reject the same front matter."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import jsonschema
import pytest

from builder import cli
from builder.discover import discover
from builder.diagnostics import Report
from builder.frontmatter import load_yaml, parse, split, normalize
from builder.jsonschemas import all_schemas, content_slugs, dumps, record_schema, site_schema
from builder.pipeline import BuildOptions, build

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "data" / "contrib-site"
INVALID = Path(__file__).parent / "invalid"

YAML_CODES = {"no-front-matter", "unclosed-front-matter", "yaml-syntax", "yaml-not-mapping", "yaml-alias",
              "yaml-tag", "bad-key", "duplicate-key", "too-deep"}
"""Problems of the YAML itself: the file cannot be read as data, so no schema is applied."""
BEYOND_FRONT_MATTER = {"duplicate-slug", "parent-cycle", "missing-file", "ambiguous-reference", "too-many-links",
                       "encoding", "unreadable", "file-too-large", "link-outside", "case-collision", "active-asset"}
"""Problems that need other files or the body: outside what a schema of one file's front matter can see."""


def schema_problems(data, type_: str, slugs) -> list[str]:
    schema = site_schema() if type_ == "site" else record_schema(type_, slugs)
    return [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(data)]


def front_matter_errors(diagnostics, path: Path, text: str) -> list:
    """The validator's errors about a file's front matter that a schema can express."""
    parts = split(normalize(text))
    body_line = parts[2] if isinstance(parts, tuple) else 1
    found = []
    for d in diagnostics:
        if d.location.path != path.resolve() or d.severity != "error" or d.code in BEYOND_FRONT_MATTER:
            continue
        if d.code == "bad-slug" and d.message.startswith("file name"):
            continue  # the file's name, not its front matter
        if d.code == "unknown-reference" and path.name != "site.yaml" and d.location.line >= body_line:
            continue  # a wikilink in the body
        if d.message.startswith("position ends"):
            continue  # compares two fields: JSON Schema cannot
        found.append(d)
    return found


def verdicts(content: Path) -> dict[Path, tuple[bool, bool, str]]:
    """For each front-matter file: (validator accepts, schema accepts, what each said)."""
    diagnostics = build(BuildOptions(content, None)).diagnostics
    slugs = content_slugs(content)
    files = discover(content, Report())
    targets = [(r.path, r.type) for r in files.records] + ([(files.site, "site")] if files.site else [])
    result = {}
    for path, type_ in targets:
        try:
            text = normalize(path.read_bytes().decode("utf-8"))
        except UnicodeDecodeError:
            continue
        errors = front_matter_errors(diagnostics, path, text)
        front = load_yaml(text) if type_ == "site" else parse(text)
        if isinstance(front, list):  # YAML that cannot be read: both must refuse it
            assert any(d.code in YAML_CODES for d in errors), path
            continue
        problems = schema_problems(front.data, type_, slugs)
        said = f"validator: {[d.text() for d in errors]}\nschema: {problems}"
        result[path] = (not errors, not problems, said)
    return result


SAMPLES = [
    # (type, front matter, valid?)
    ("articles", "title: t\ndate: 2021\nsources: [{title: s, publisher: p}]", True),
    ("articles", "title: t\ndate: '2021-03'\nsources: [{title: s, url: 'https://a.org/x'}]", True),
    ("articles", "title: t\ndate: 2024-02-29\nsources: [{title: s, url: ' https://a.org '}]", True),
    ("articles", "title: 2021\ndate: 2021-03-14\nsummary: ''\nofficials: []\ntags: [ai, ict]\nx-note: {a: 1}\ndraft: true\nsources: [{title: s, publisher: 0x1}]", True),
    ("articles", "title: t\ndate: 2021\nsummary: null\nofficials: [wang-yi]\ncountries: [iran, china]\nagreements: [iran-china-25-year-cooperation]\norganizations: [china-mfa]\nsources:\n  - title: s\n    publisher: p\n    date: 2021-01\n    dateline: Tehran\n    credits: [irna.ir, 5]", True),
    ("articles", "title: t\ndate: 2023-02-29\nsources: [{title: s, publisher: p}]", False),
    ("articles", "title: t\ndate: 2100-02-29\nsources: [{title: s, publisher: p}]", False),
    ("articles", "title: t\ndate: 2021-13\nsources: [{title: s, publisher: p}]", False),
    ("articles", "title: t\ndate: 0\nsources: [{title: s, publisher: p}]", False),
    ("articles", "title: t\ndate: 999\nsources: [{title: s, publisher: p}]", False),
    ("articles", "title: t\ndate: 1000\nsources: [{title: s, publisher: p}]", True),
    ("articles", "title: '  '\ndate: 2021\nsources: [{title: s, publisher: p}]", False),
    ("articles", "title: t\ndate: 2021\nsummary: '  '\nsources: [{title: s, publisher: p, url: ' '}]", True),
    ("articles", "title: t\ndate: 2021\nsources: [{title: s, publisher: ' '}]", True),
    ("articles", "title: t\ndate: 2021\nsources: [{title: \"\\t\", publisher: p}]", False),
    ("articles", "title: t\ndate: 10000\nsources: [{title: s, publisher: p}]", False),
    ("articles", "title: t\ndate: '2021-3-1'\nsources: [{title: s, publisher: p}]", False),
    ("articles", "title: t\ndate: '0000-02-29'\nsources: [{title: s, publisher: p}]", False),
    ("articles", "title: t\ndate: \"2021\\n\"\nsources: [{title: s, publisher: p}]", True),
    ("articles", "title: t\ndate: true\nsources: [{title: s, publisher: p}]", False),
    ("articles", "title: t\ndate: 2021.5\nsources: [{title: s, publisher: p}]", False),
    ("articles", "title: ''\ndate: 2021\nsources: [{title: s, publisher: p}]", False),
    ("articles", "title: [a]\ndate: 2021\nsources: [{title: s, publisher: p}]", False),
    ("articles", "title: t\ndate: 2021", False),
    ("articles", "title: t\ndate: 2021\nsources: []", False),
    ("articles", "title: t\ndate: 2021\nsources: [{title: s}]", False),
    ("articles", "title: t\ndate: 2021\nsources: [{title: s, publisher: ''}]", False),
    ("articles", "title: t\ndate: 2021\nsources: [{title: s, publisher: false}]", False),
    ("articles", "title: t\ndate: 2021\nsources: [{title: s, publisher: p, url: 'ftp://a.org'}]", False),
    ("articles", "title: t\ndate: 2021\nsources: [{title: s, url: 'https://'}]", False),
    ("articles", "title: t\ndate: 2021\nsources: [{title: s, url: 'https://a.org/x y'}]", False),
    ("articles", "title: t\ndate: 2021\nsources: [{title: s, publisher: p, pages: 3}]", False),
    ("articles", "title: t\ndate: 2021\nsources: [{title: s, publisher: p, x-note: n}]", False),
    ("articles", "title: t\ndate: 2021\nsources: {title: s, publisher: p}", False),
    ("articles", "title: t\ndate: 2021\nsources: [s]", False),
    ("articles", "title: t\ndate: 2021\nofficials: [wang-yl]\nsources: [{title: s, publisher: p}]", False),
    ("articles", "title: t\ndate: 2021\nofficials: wang-yi\nsources: [{title: s, publisher: p}]", False),
    ("articles", "title: t\ndate: 2021\nofficials: [wang-yi, wang-yi]\nsources: [{title: s, publisher: p}]", False),
    ("articles", "title: t\ndate: 2021\nofficials: [\"wang-yi\\n\"]\nsources: [{title: s, publisher: p}]", False),
    ("articles", "title: t\ndate: 2021\ncountries: [china-mfa]\nsources: [{title: s, publisher: p}]", False),
    ("articles", "title: t\ndate: 2021\ntags: [AI]\nsources: [{title: s, publisher: p}]", False),
    ("articles", "title: t\ndate: 2021\ntags: [brand-new-tag]\nsources: [{title: s, publisher: p}]", True),
    ("articles", "title: t\ndate: 2021\ndraft: 'yes'\nsources: [{title: s, publisher: p}]", False),
    ("articles", "title: t\ndate: 2021\nsummary: {a: 1}\nsources: [{title: s, publisher: p}]", False),
    ("articles", "title: t\ndate: 2021\ntagz: []\nsources: [{title: s, publisher: p}]", False),
    ("officials", "name: n\ncountry: iran", True),
    ("officials", "name: n\ncountry: iran\nnative_language: zh-Hans\naliases: [a, 1, null]\npositions:\n  - title: Minister\n    organization: china-mfa\n    start: 2019\n    end: 2021-06", True),
    ("officials", "name: n\ncountry: iran\npositions: [{title: t, organization: nope}]", False),
    ("officials", "name: n\ncountry: iran\npositions: [{organization: china-mfa}]", False),
    ("officials", "name: n\ncountry: iran\npositions: [{title: t, start: 2019-02-30}]", False),
    ("officials", "name: n\ncountry: iran\npositions: Minister", False),
    ("officials", "name: n", False),
    ("officials", "name: n\ncountry: ''", False),
    ("officials", "name: n\ncountry: [iran]", False),
    ("officials", "name: n\ncountry: iran\nnative_language: z", False),
    ("officials", "name: n\ncountry: iran\naliases: [[a]]", False),
    ("agreements", "title: t\nkind: mou\nparties: [china-mfa, iran]\nsignatories: [wang-yi]\nparent: iran-china-25-year-cooperation\nsigned: 2021\nstatus: in force", True),
    ("agreements", "title: t\nkind: MOU\nparties: [iran]", False),
    ("agreements", "title: t\nkind: [mou]\nparties: [iran]", False),
    ("agreements", "title: t\nkind: mou\nparties: []", False),
    ("agreements", "title: t\nkind: mou\nparties: [iran]\nparent: nope", False),
    ("agreements", "title: t\nkind: mou\nparties: [iran]\nsignatories: [china]", False),
    ("countries", "name: n\niso: CN", True),
    ("countries", "name: n\niso: ''\nofficial_name: 7", True),
    ("countries", "name: n\niso: cn", False),
    ("countries", "name: n\niso: 12", False),
    ("countries", "name: n\niso: \"IR\\n\"", False),
    ("countries", "name: n\niso: CHN", False),
    ("organizations", "name: n\ncountry: []\nkind: 5", True),
    ("organizations", "name: n\ncountry: atlantis", False),
    ("organizations", "name: n\nx-founded: 1950\naliases: []", True),
    ("site", "title: t", True),
    ("site", "title: t\nbase_url: https://example.org/d/\nlanguage: en-GB\ndescription: d\nx-theme: dark", True),
    ("site", "title: t\nbase_url: ftp://example.org/", False),
    ("site", "title: t\nlanguage: en_GB", False),
    ("site", "description: d", False),
    ("site", "title: t\nauthor: a", False),
]


@pytest.mark.parametrize("type_, front, valid", SAMPLES)
def test_schema_and_validator_agree_on_samples(type_, front, valid, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    if type_ == "site":
        (content / "site.yaml").write_text(front + "\n", encoding="utf-8")
        path = content / "site.yaml"
    else:
        path = content / type_ / "sample.md"
        path.write_text(f"---\n{front}\n---\n", encoding="utf-8")
    accepted_by_validator, accepted_by_schema, said = verdicts(content)[path]
    assert (accepted_by_validator, accepted_by_schema) == (valid, valid), said


INVALID_CASES = sorted(p.name for p in INVALID.glob("*") if (p / "content").is_dir()) if INVALID.is_dir() else []


@pytest.mark.parametrize("case", INVALID_CASES)
def test_schema_and_validator_agree_on_the_invalid_corpus(case):
    for path, (by_validator, by_schema, said) in verdicts(INVALID / case / "content").items():
        assert by_validator == by_schema, f"{path}\n{said}"


HOSTILE = Path(__file__).parent / "hostile"
HOSTILE_CASES = sorted(p.name for p in HOSTILE.glob("[!_]*") if (p / "content").is_dir()) if HOSTILE.is_dir() else []


@pytest.mark.parametrize("case", HOSTILE_CASES)
def test_schema_and_validator_agree_on_the_hostile_corpus(case, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(HOSTILE / "_base" / "content", content)
    shutil.copytree(HOSTILE / case / "content", content, dirs_exist_ok=True)
    for path, (by_validator, by_schema, said) in verdicts(content).items():
        assert by_validator == by_schema, f"{path}\n{said}"


@pytest.mark.parametrize("content", [ROOT / "content", FIXTURE], ids=["shipped", "fixture"])
def test_valid_dossiers_pass_both(content):
    found = verdicts(content)
    assert found and all(v == (True, True, v[2]) for v in found.values())


def test_schemas_are_valid_draft_7():
    for name, schema in all_schemas(content_slugs(ROOT / "content")).items():
        jsonschema.Draft7Validator.check_schema(schema)


def test_reference_fields_list_existing_slugs():
    schema = record_schema("agreements", content_slugs(FIXTURE))
    parties = schema["properties"]["parties"]["allOf"][1]["items"]["enum"]
    assert parties == ["china", "china-mfa", "iran"]
    signatories = schema["properties"]["signatories"]["anyOf"][1]["items"]["enum"]
    assert signatories == ["mohammad-javad-zarif", "wang-yi"]


def test_committed_schemas_match_the_shipped_content():
    expected = all_schemas(content_slugs(ROOT / "content"))
    committed = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "schemas").glob("*.json")}
    assert committed == {name: dumps(s) for name, s in expected.items()}, "schemas/ is stale: run `dossier schemas`"


def test_schemas_command_writes_every_file(tmp_path, monkeypatch, capsys):
    shutil.copytree(FIXTURE, tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["schemas", "--output", "out"]) == 0
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["agreements.schema.json", "articles.schema.json", "countries.schema.json",
                     "officials.schema.json", "organizations.schema.json", "site.schema.json"]
    officials = json.loads((tmp_path / "out" / "officials.schema.json").read_text(encoding="utf-8"))
    assert officials["properties"]["country"]["allOf"][1]["enum"] == ["china", "iran"]
    assert "6 changed" in capsys.readouterr().err
    assert cli.main(["schemas", "--output", "out"]) == 0
    assert "0 changed" in capsys.readouterr().err


def test_schemas_command_needs_a_content_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["schemas"]) == 2


def patterns(node) -> set[str]:
    """Every ``pattern`` and ``patternProperties`` regex in a schema."""
    found: set[str] = set()
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            found.add(node["pattern"])
        found.update(node.get("patternProperties", {}))
        for value in node.values():
            found |= patterns(value)
    elif isinstance(node, list):
        for value in node:
            found |= patterns(value)
    return found


PROBES = ["", "a", "IR", "ir", "IRX", "wang-yi", "wang--yi", "Wang-yi", "x-note", "2021", "2021-03", "2021-3",
          "2024-02-29", "2023-02-29", "1900-02-29", "2000-02-29", "0000", "0000-02-29", "2021-04-31", "2021-13",
          "۲۰۲۱", "https://a.org/x", "http://a", "https://", "ftp://a.org", "HTTPS://A.ORG", "en", "en-GB",
          "zh-Hans-CN", "en_GB"]
SPACES = [" ", "\n", "\r\n", "\t", "\x1c", "\x85", "\xa0", "\u2003", "\u3000", "\ufeff", "\u200b"]


def test_patterns_mean_the_same_for_the_validator_and_for_editors():
    """Python's re (used by the validator and these tests) and ECMA-262 (editors) agree on every probe."""
    try:
        import regress  # ECMA-262 regular expressions; comes with check-jsonschema
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("regress is not installed (check-jsonschema brings it)")
        pytest.skip("regress is not installed")
    import re

    probes = {p for base in PROBES for s in SPACES for p in (base, s + base, base + s, base[:2] + s + base[2:])}
    found = patterns(all_schemas(content_slugs(FIXTURE)))
    assert len(found) >= 6
    for pattern in found:
        ecma = regress.Regex(pattern, "u")
        differ = sorted(p for p in probes if (re.search(pattern, p) is None) != (ecma.find(p) is None))
        assert differ == [], f"{pattern!r} differs on {differ[:5]}"
