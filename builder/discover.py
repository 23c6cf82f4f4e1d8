"""Walk a content folder and sort its files into settings, records and assets. No parsing."""

from __future__ import annotations

import os
from dataclasses import dataclass
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


class ContentFiles:
    """What a content folder holds."""

    __slots__ = ("root", "site", "assets", "stamps", "_records", "_listed")

    def __init__(self, root: Path, site: Path | None = None, records: list[RecordFile] | None = None,
                 assets: list[Path] | None = None, stamps: dict[str, tuple] | None = None) -> None:
        self.root = root
        self.site = site
        self.assets: list[Path] = [] if assets is None else assets
        """Every other file, as paths relative to root."""
        self.stamps = stamps
        """The stamp (``cache.stamp``) of every file listed, by absolute path, taken while listing;
        None when not taken, or when a file could not be read."""
        self._records: list[RecordFile] = [] if records is None else records
        self._listed: list[tuple[Path, str, list[str]]] = []
        """Record files listed but not made into ``RecordFile`` yet: (folder, type, file names)."""

    @property
    def records(self) -> list[RecordFile]:
        """The record files, in the order listed (made when first asked for: a build that reuses or
        splices the last one's output never asks, and ten thousand paths cost it milliseconds)."""
        for folder, type_, names in self._listed:
            child = getattr(folder, "_make_child_relpath", folder.joinpath)  # pathlib's own fast join of one plain name
            self._records += [RecordFile(type_, child(name)) for name in names]
        self._listed = []
        return self._records

    def list_records(self, folder: Path, type_: str, names: list[str]) -> None:
        """Add the record files ``names`` of ``folder``, to be made into ``RecordFile`` when asked for."""
        self._listed.append((folder, type_, names))


def discover(root: Path, report: Report, take_stamps: bool = False) -> ContentFiles:
    """List the content folder, refusing links that lead outside it and files that could carry script;
    with ``take_stamps``, take each file's stamp on the way (for the build cache's manifest)."""
    root = root.resolve()
    files = ContentFiles(root)
    stamps: dict[str, tuple] | None = {} if take_stamps else None
    for here, parts, entries in _walk(root, report):
        child = getattr(here, "_make_child_relpath", here.joinpath)  # pathlib's own fast join of one plain name
        record_type = parts[0] if _holds_records(parts) else None
        names: list[str] = []
        for entry in entries:
            name = entry.name
            if not parts and name == "site.yaml":
                files.site = child(name)
            elif record_type and name.endswith(".md"):
                names.append(name)
            elif problem := active_content(path := child(name)):
                report.error(Location(path), f"{problem}; it is not published: export it as PNG or PDF, or link to it where it is published", "active-asset")
                continue
            else:
                files.assets.append(Path(*parts, name))
                _warn_misplaced(path, (*parts, name), report)
            if stamps is not None:
                try:
                    stamps[entry.path] = stamp(entry.stat())
                except OSError:
                    stamps = None  # gone or unreadable: nothing is known for certain
        if names:
            files.list_records(here, record_type, names)
    files.stamps = stamps
    return files


def kind_of(relative: Path) -> str:
    """What a visible file is, by its path relative to the content root: site, record or asset."""
    return _kind(relative.parts)


def _kind(parts: tuple[str, ...]) -> str:
    if parts == ("site.yaml",):
        return "site"
    if _holds_records(parts[:-1]) and parts[-1].endswith(".md") and parts[-1] != ".md":
        return "record"
    return "asset"


def _holds_records(folder: tuple[str, ...]) -> bool:
    """Whether Markdown files in this folder (parts relative to root) are records: it is in a type folder."""
    return len(folder) > 0 and folder[0] in TYPES


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
    """Every folder below root with its files, in a stable order, skipping hidden (.x) and private (_x)
    names, as (folder, its parts relative to root, the folder entries of its files).

    Folder entries tell whether they are links, folders or files without a system call
    on most file systems, and names are joined as strings: both matter at ten thousand files."""
    try:
        with os.scandir(folder or root) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError:
        return
    here = Path(folder or root)
    _case_collisions(here, [e.name for e in entries], report)
    dirs, files = [], []
    for entry in entries:
        (dirs if _is_dir(entry) else files).append(entry)
    dirs = [e for e in dirs if _visible(e.name) and (not e.is_symlink() or _inside(here / e.name, root, report))]
    yield here, parts, [e for e in files if _visible(e.name) and (not e.is_symlink() or _inside(here / e.name, root, report)) and e.is_file()]
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
