"""Content problems as data: where they are, what they are, what to do."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Literal

from builder.spoofing import visible

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A place in a content file; line and column are 1-based."""

    path: Path
    """Absolute path of the file."""
    line: int = 1
    col: int = 1

    def display_path(self, cwd: Path | None = None) -> str:
        """The path relative to ``cwd`` (default: the current folder)."""
        try:
            return os.path.relpath(self.path, cwd or Path.cwd())
        except ValueError:  # another drive on Windows
            return str(self.path)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One content problem."""

    location: Location
    message: str
    code: str
    """Stable identifier, such as ``unknown-key``; see docs/diagnostics.md."""
    severity: Severity = "error"
    hint: str = ""
    """A suggestion shown after the message, such as a "did you mean"."""

    @property
    def sort_key(self) -> tuple:
        loc = self.location
        return (str(loc.path), loc.line, loc.col, self.severity, self.message)

    def text(self, cwd: Path | None = None) -> str:
        """The contract's one-line form, ``PATH:LINE:COL: error: MESSAGE``.

        Control characters from content (a newline, a terminal escape) are shown
        as ``<U+XXXX>``, so one problem stays one line and cannot drive a terminal.
        """
        loc = self.location
        line = f"{loc.display_path(cwd)}:{loc.line}:{loc.col}: {self.severity}: {self.message}"
        return visible(f"{line} ({self.hint})" if self.hint else line)


@dataclass
class Report:
    """Collects the problems of one run; passed explicitly to every stage."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, location: Location, message: str, code: str, hint: str = "") -> None:
        self.items.append(Diagnostic(location, message, code, "error", hint))

    def warning(self, location: Location, message: str, code: str, hint: str = "") -> None:
        self.items.append(Diagnostic(location, message, code, "warning", hint))

    def extend(self, items: Iterable[Diagnostic]) -> None:
        self.items.extend(items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def sorted(self) -> list[Diagnostic]:
        """Unique diagnostics, by file, line and column."""
        return sorted(set(self.items), key=lambda d: d.sort_key)


def summary(diagnostics: list[Diagnostic]) -> str:
    """A one-line count, e.g. ``2 errors, 1 warning``."""
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    return f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
