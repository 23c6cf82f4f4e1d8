"""``dossier new`` names the JSON Schema for editors and fills in the name, title and date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jsonschema

from builder import cli
from builder.frontmatter import parse
from builder.jsonschemas import record_schema
from builder.scaffold import new_record


def test_the_schema_line_is_the_first_line_of_the_front_matter(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["new", "officials", "ali-akbari", "--name", "Ali Akbari"]) == 0
    out, err = capsys.readouterr()
    path = Path(out.strip())
    assert path == Path("content/officials/ali-akbari.md")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[:3] == ["---", "# yaml-language-server: $schema=../../schemas/officials.schema.json", 'name: "Ali Akbari"']
    assert (path.parent / "../../schemas/officials.schema.json").resolve() == (tmp_path / "schemas" / "officials.schema.json")
    assert "run 'dossier schemas'" in err
    assert cli.main(["schemas"]) == 0
    assert cli.main(["new", "officials", "li-lecheng"]) == 0
    assert "dossier schemas" not in capsys.readouterr().err


def test_the_front_matter_parser_reads_past_the_schema_line(tmp_path):
    path = new_record(tmp_path / "content", "countries", "oman", "Oman", schemas=tmp_path / "schemas")
    front = parse(path.read_text(encoding="utf-8"))
    assert front.data == {"name": "Oman", "native_name": "", "iso": ""}
    assert front.marks[("name",)] == (3, 7)


def test_an_article_gets_todays_date_and_its_title(tmp_path):
    today = dt.date(2026, 2, 3)
    path = new_record(tmp_path / "c", "articles", "a-visit", 'A "visit"', today, schemas=tmp_path / "elsewhere" / "s")
    front = parse(path.read_text(encoding="utf-8"))
    assert front.data["title"] == 'A "visit"' and front.data["date"] == "2026-02-03"
    assert path.read_text(encoding="utf-8").splitlines()[1] == "# yaml-language-server: $schema=../../elsewhere/s/articles.schema.json"


def test_title_is_an_alias_of_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["new", "agreements", "pact", "--title", "The Pact", "--schemas", "editor/schemas"]) == 0
    text = (tmp_path / "content" / "agreements" / "pact.md").read_text(encoding="utf-8")
    assert text.startswith('---\n# yaml-language-server: $schema=../../editor/schemas/agreements.schema.json\ntitle: "The Pact"\n')


def test_a_filled_in_scaffold_is_what_the_schema_asks_for(tmp_path):
    """The scaffold's keys are the schema's: completing the blanks makes it valid for both."""
    path = new_record(tmp_path / "c", "agreements", "pact", "The Pact", schemas=tmp_path / "s")
    front = parse(path.read_text(encoding="utf-8"))
    schema = jsonschema.Draft7Validator(record_schema("agreements", {"countries": ["iran"]}))
    assert not schema.is_valid(front.data)  # parties is empty
    front.data["parties"] = ["iran"]
    assert schema.is_valid(front.data), list(schema.iter_errors(front.data))
