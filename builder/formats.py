"""Diagnostics written for people, for GitHub Actions annotations, or as JSON.

Every formatter is a pure function from diagnostics to text, so the command
line only chooses one and prints what it returns.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable

from builder.diagnostics import Diagnostic

FORMATS = ("text", "github", "json")
"""The values of ``dossier check --format``."""


def text(diagnostics: list[Diagnostic], cwd: Path | None = None) -> str:
    """The contract's lines, ``PATH:LINE:COL: error: MESSAGE (hint)``, one a line."""
    return "".join(d.text(cwd) + "\n" for d in diagnostics)


def github(diagnostics: list[Diagnostic], cwd: Path | None = None) -> str:
    """One workflow command a problem, ``::error file=P,line=L,col=C,title=CODE::MESSAGE``."""
    return "".join(_workflow_command(d, cwd) + "\n" for d in diagnostics)


def as_json(diagnostics: list[Diagnostic], cwd: Path | None = None) -> str:
    """A JSON list of {path, line, column, severity, code, message, hint}."""
    import json  # here: the command line needs it only for --format json

    items = [
        {
            "path": d.location.display_path(cwd),
            "line": d.location.line,
            "column": d.location.col,
            "severity": d.severity,
            "code": d.code,
            "message": d.message,
            "hint": d.hint,
        }
        for d in diagnostics
    ]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


FORMATTERS: dict[str, Callable[[list[Diagnostic], Path | None], str]] = {
    "text": text,
    "github": github,
    "json": as_json,
}


def strict(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The same diagnostics with every warning raised to an error (``--strict``)."""
    return [dataclasses.replace(d, severity="error") for d in diagnostics]


def _workflow_command(diagnostic: Diagnostic, cwd: Path | None) -> str:
    loc = diagnostic.location
    properties = {
        "file": loc.display_path(cwd),
        "line": str(loc.line),
        "col": str(loc.col),
        "title": diagnostic.code,
    }
    shown = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    message = f"{diagnostic.message} ({diagnostic.hint})" if diagnostic.hint else diagnostic.message
    return f"::{diagnostic.severity} {shown}::{escape_data(message)}"


def escape_data(value: str) -> str:
    """Escape a workflow command's message: ``%``, CR and LF."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a workflow command's property value: as data, plus ``:`` and ``,``."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")
