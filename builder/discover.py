"""Walk a content folder and sort its files into settings, records and assets. No parsing."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from builder.activecontent import active_content
from builder.cache import stamp
from builder.diagnostics import Location, Report
from builder.records import TYPES


@dataclass(frozen=True, slots=True)
class RecordFile:
    """A Markdown file in one of the type folders."""

    type: str
    path: Path
    """Absolute path."""


@dataclass(slots=True)
class ContentFiles:
    """What a content folder holds."""

    root: Path
    site: Path | None = None
    records: list[RecordFile] = field(default_factory=list)
    assets: list[Path] = field(default_factory=list)
    """Every other file, as paths relative to root."""
    stamps: dict[str, tuple] | None = None
    """The stamp (``cache.stamp``) of every file listed, by absolute path, taken while listing;
    None when not taken, or when a file could not be read."""


def discover(root: Path, report: Report) -> ContentFiles:
    """List the content folder, refusing links that lead outside it and files that could carry script."""
    root = root.resolve()
    files = ContentFiles(root, stamps={})
    for path, parts, entry in _walk(root, report):
        kind = _kind(parts)
        if kind == "site":
            files.site = path
        elif kind == "record":
            files.records.append(RecordFile(parts[0], path))
        elif problem := active_content(path):
            report.error(Location(path), f"{problem}; it is not published: export it as PNG or PDF, or link to it where it is published", "active-asset")
            continue
        else:
            files.assets.append(Path(*parts))
            _warn_misplaced(path, parts, report)
        try:
            files.stamps[entry.path] = stamp(entry.stat())
        except OSError:
            files.stamps = None  # gone or unreadable: nothing is known for certain
    return files


def kind_of(relative: Path) -> str:
    """What a visible file is, by its path relative to the content root: site, record or asset."""
    return _kind(relative.parts)


def _kind(parts: tuple[str, ...]) -> str:
    if parts == ("site.yaml",):
        return "site"
    if len(parts) > 1 and parts[0] in TYPES and parts[-1].endswith(".md") and parts[-1] != ".md":
        return "record"
    return "asset"


def is_visible(relative: Path) -> bool:
    """False for a path with a hidden (.x) or private (_x) name in it, which discover skips."""
    return all(_visible(part) for part in relative.parts)


def _warn_misplaced(path: Path, parts: tuple[str, ...], report: Report) -> None:
    """A Markdown file in a folder named almost like a record type was most likely meant as a record."""
    from builder.schema import did_you_mean

    if path.suffix != ".md" or len(parts) < 2:
        return
    hint = did_you_mean(parts[0], TYPES)
    if hint:
        report.warning(Location(path), f"'{parts[0]}' is not a record folder, so this file is copied as it is", "misplaced-record", hint)


def _walk(root: Path, report: Report, folder: str | None = None, parts: tuple[str, ...] = ()):
    """Every file below root in a stable order, skipping hidden (.x) and private (_x) names, as
    (path, its parts relative to root, its folder entry).

    Folder entries tell whether they are links, folders or files without a system call
    on most file systems, and names are joined as strings: both matter at ten thousand files."""
    try:
        with os.scandir(folder or root) as listing:
            entries = list(listing)
    except OSError:
        return
    here = Path(folder or root)
    dirs = [e for e in entries if _is_dir(e)]
    _case_collisions(here, [e.name for e in entries], report)
    dirs = sorted((e for e in dirs if _visible(e.name) and (not e.is_symlink() or _inside(here / e.name, root, report))),
                  key=lambda e: e.name)
    child = getattr(here, "_make_child_relpath", here.joinpath)  # pathlib's own fast join of one plain name
    for entry in sorted((e for e in entries if not _is_dir(e)), key=lambda e: e.name):
        if _visible(entry.name) and (not entry.is_symlink() or _inside(here / entry.name, root, report)) and entry.is_file():
            yield child(entry.name), (*parts, entry.name), entry
    for entry in dirs:
        if not entry.is_symlink():  # a linked folder inside the content is not walked, as os.walk does not
            yield from _walk(root, report, entry.path, (*parts, entry.name))


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _case_collisions(folder: Path, names: list[str], report: Report) -> None:
    """Names that differ only in case are one file on macOS and Windows: a checkout there loses one."""
    seen: dict[str, str] = {}
    for name in sorted(names):
        first = seen.setdefault(name.casefold(), name)
        if first != name and _visible(name):
            report.error(Location(folder / name), f"'{name}' and '{first}' differ only in case; "
                         "on macOS and Windows they are one file: rename one", "case-collision")


def _visible(name: str) -> bool:
    return not name.startswith((".", "_"))


def _inside(path: Path, root: Path, report: Report) -> bool:
    """True unless path is a link that leads outside the content folder."""
    if not path.is_symlink():
        return True
    target = path.resolve()
    if target == root or root in target.parents:
        return True
    report.error(Location(path), "symbolic link leads outside the content folder; it is not read", "link-outside")
    return False
