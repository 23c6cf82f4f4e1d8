"""Every diagnostic code the builder can emit is documented, and the documented examples are real."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

from builder.pipeline import BuildOptions, build

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "diagnostics.md"
FIXTURE = Path(__file__).parent / "data" / "contrib-site"
CODE = re.compile(r"[a-z]+(?:-[a-z]+)*")
CODE_ARGUMENT = {"error": 2, "warning": 2, "emit": 2, "problem": 2, "Problem": 3, "Diagnostic": 2, "emit_at": 3}
"""Calls that take a diagnostic code, and the position of the code among their arguments."""
PASS_THROUGH = {"code", "problem.code"}
"""Arguments that forward a code given elsewhere (checked at its origin)."""


def emitted_codes() -> dict[str, list[str]]:
    """Each code passed to a diagnostic call anywhere in builder/, with where."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "builder").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for argument in _code_arguments(node):
                where = f"{path.relative_to(ROOT)}:{argument.lineno}"
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    found.setdefault(argument.value, []).append(where)
                else:
                    assert ast.unparse(argument) in PASS_THROUGH, f"{where}: give the code as a string literal"
    return found


def _code_arguments(node: ast.AST) -> list[ast.expr]:
    if not isinstance(node, ast.Call):
        return []
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    arguments = [k.value for k in node.keywords if k.arg == "code"]
    position = CODE_ARGUMENT.get(name)
    if position is not None and len(node.args) > position:
        arguments.append(node.args[position])
    return arguments


def documented_sections() -> dict[str, str]:
    """The text of each ``## `code` `` section of docs/diagnostics.md."""
    parts = re.split(r"^## `([^`]+)`\n", DOC.read_text(encoding="utf-8"), flags=re.M)
    return {parts[i]: re.split(r"^## ", parts[i + 1], flags=re.M)[0] for i in range(1, len(parts), 2)}


def blocks(section: str) -> list[tuple[str, str]]:
    """The fenced blocks of a section as (info string, text)."""
    return re.findall(r"^```([^\n]*)\n(.*?)^```\n", section, flags=re.M | re.S)


def test_the_scan_finds_codes_in_every_stage():
    codes = emitted_codes()
    # One known code from each stage that emits: a broken scan would find none of them.
    assert {"no-front-matter", "unknown-key", "unknown-reference", "link-outside", "no-base-url"} <= set(codes)


def test_every_emitted_code_is_a_stable_identifier():
    for code, where in emitted_codes().items():
        assert CODE.fullmatch(code), f"{code!r} at {where[0]} is not a lowercase-hyphenated code"


def test_every_emitted_code_is_documented():
    missing = {code: where[0] for code, where in emitted_codes().items() if code not in documented_sections()}
    assert not missing, f"codes missing from docs/diagnostics.md: {missing}"


def test_every_documented_code_is_emitted():
    stale = set(documented_sections()) - set(emitted_codes())
    assert not stale, f"docs/diagnostics.md documents codes nothing emits: {sorted(stale)}"


@pytest.mark.parametrize("code", sorted(documented_sections()))
def test_each_code_has_an_example_and_a_fix(code):
    section = documented_sections()[code]
    outputs = [text for info, text in blocks(section) if info == "text"]
    assert outputs, f"{code}: no example output"
    severity = "warning" if section.lstrip().startswith("**warning**") else "error"
    for line in outputs[0].splitlines():
        assert f": {severity}: " in line, f"{code}: example line is not a {severity}: {line}"
    assert "**Fix:**" in section, f"{code}: no fix"


RUNNABLE = sorted(code for code, text in documented_sections().items() if any("file=" in info for info, _ in blocks(text)))


@pytest.mark.parametrize("code", RUNNABLE)
def test_documented_example_prints_what_the_docs_say(code, tmp_path, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    expected = ""
    for info, text in blocks(documented_sections()[code]):
        if "file=" in info:
            target = content / info.split("file=", 1)[1].strip()
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        elif info == "text" and not expected:
            expected = text
    monkeypatch.chdir(tmp_path)
    diagnostics = build(BuildOptions(content, None)).diagnostics
    assert code in {d.code for d in diagnostics}
    printed = "".join(d.text() + "\n" for d in diagnostics)
    assert printed == expected
