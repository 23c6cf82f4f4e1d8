"""The examples in CONTRIBUTING.md are complete, valid records, for the validator and for the editor schemas."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import jsonschema
import pytest

from builder import cli
from builder.frontmatter import parse
from builder.jsonschemas import content_slugs, record_schema
from builder.pipeline import BuildOptions, build

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "CONTRIBUTING.md"


def examples() -> dict[str, str]:
    """Each ``markdown file=PATH`` block of the guide, by path."""
    blocks = re.findall(r"^```markdown file=(\S+)\n(.*?)^```\n", GUIDE.read_text(encoding="utf-8"), flags=re.M | re.S)
    return dict(blocks)


def test_there_is_an_example_of_an_article_an_official_and_an_agreement():
    types = sorted(Path(path).parts[1] for path in examples())
    assert types == ["agreements", "articles", "officials"]


def test_examples_pass_the_check_in_the_shipped_dossier(tmp_path, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    for path, text in examples().items():
        (tmp_path / path).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = build(BuildOptions(Path("content"), None))
    assert result.ok, [d.text() for d in result.diagnostics]
    written = {(tmp_path / path).resolve() for path in examples()}
    assert [d.text() for d in result.diagnostics if d.location.path in written] == []


@pytest.mark.parametrize("path", sorted(examples()))
def test_examples_pass_the_editor_schema(path):
    type_ = Path(path).parts[1]
    front = parse(examples()[path])
    schema = record_schema(type_, content_slugs(ROOT / "content"))
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(front.data)]
    assert errors == []


@pytest.mark.parametrize("path", sorted(examples()))
def test_schema_line_points_at_the_committed_schema(path):
    line = examples()[path].splitlines()[1]
    relative = line.removeprefix("# yaml-language-server: $schema=")
    assert (ROOT / path).parent.joinpath(relative).resolve() == ROOT / "schemas" / f"{Path(path).parts[1]}.schema.json"


def test_commands_in_the_guide_are_valid_usage():
    text = GUIDE.read_text(encoding="utf-8")
    commands = [shlex.split(line.split("#")[0]) for block in re.findall(r"^```sh\n(.*?)^```\n", text, flags=re.M | re.S)
                for line in block.splitlines() if line.startswith("dossier ")]
    assert len(commands) >= 7
    parser = cli._parser()
    for words in commands:
        parser.parse_args(words[1:])
