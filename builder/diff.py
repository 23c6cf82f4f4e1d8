"""``dossier diff``: what a change does to the dossier, as Markdown a reviewer reads in a minute.

Both sides are loaded with the build pipeline without writing: a git revision
is read with ``git archive`` into a temporary folder, the working tree is read
where it is. The digest names the records added, removed and changed (with the
fields that changed), the references added and removed, the problems that are
new, the site settings that changed, and the output pages that will change.
Pages are rendered with the installed templates on both sides, so the list
shows what the content change does.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import subprocess
import tarfile
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from builder.diagnostics import Diagnostic
from builder.pipeline import BuildOptions, build
from builder.records import SINGULAR, Link, Record

Key = tuple[str, str]
LONGEST_OPEN_LIST = 20
"""Longest list shown open; a longer one is folded under a summary line."""


class DiffError(Exception):
    """A revision cannot be read (not a git repository, unknown revision); the message says why."""


@dataclass(frozen=True, slots=True)
class Finding:
    """A diagnostic with its path relative to the content folder, comparable across checkouts."""

    path: str
    line: int
    col: int
    severity: str
    code: str
    message: str
    hint: str

    @property
    def identity(self) -> tuple[str, str, str, str, str]:
        """What makes two problems the same one, wherever lines moved."""
        return (self.path, self.severity, self.code, self.message, self.hint)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A dossier as loaded at one revision."""

    records: dict[Key, Record]
    """Every record, drafts included."""
    links: frozenset[Link]
    problems: tuple[Finding, ...]
    """What ``dossier check`` reports."""
    pages: dict[str, str] | None
    """Digest of each output file by site path; None when the build has errors."""
    settings: dict[str, object] = field(default_factory=dict)
    """The site.yaml settings, when it is valid."""


@dataclass(slots=True)
class Digest:
    """The differences between two snapshots."""

    added: list[Record] = field(default_factory=list)
    removed: list[Record] = field(default_factory=list)
    changed: list[tuple[Key, list[str]]] = field(default_factory=list)
    """Each changed record and the names of what changed in it (fields, ``body``)."""
    links_added: list[Link] = field(default_factory=list)
    links_removed: list[Link] = field(default_factory=list)
    new_problems: list[Finding] = field(default_factory=list)
    pages: dict[str, list[str]] | None = None
    """Site paths under ``added``, ``removed`` and ``changed``; None when a side has errors."""
    settings: list[str] = field(default_factory=list)
    """The site.yaml keys whose values changed."""
    head_failed: bool = False
    """The new side has errors (so it would not build)."""


def load(content: Path) -> Snapshot:
    """Load a content folder the way ``check`` does, writing nothing."""
    published = build(BuildOptions(content, None))
    everything = build(BuildOptions(content, None, drafts=True))
    records = dict(everything.graph.records) if everything.graph else {}
    links = frozenset(everything.graph.links) if everything.graph else frozenset()
    problems = tuple(_problem(d, content) for d in published.diagnostics)
    pages = {name: _fingerprint(data) for name, data in published.files.items()} if published.ok else None
    settings = dataclasses.asdict(published.config) if published.config else {}
    return Snapshot(records, links, problems, pages, settings)


def compare(base: Snapshot, head: Snapshot) -> Digest:
    """What changed from ``base`` to ``head``."""
    digest = Digest()
    digest.added = [head.records[k] for k in sorted(head.records.keys() - base.records.keys())]
    digest.removed = [base.records[k] for k in sorted(base.records.keys() - head.records.keys())]
    for key in sorted(head.records.keys() & base.records.keys()):
        what = changed_fields(base.records[key], head.records[key])
        if what:
            digest.changed.append((key, what))
    digest.links_added = sorted(head.links - base.links, key=_link_order)
    digest.links_removed = sorted(base.links - head.links, key=_link_order)
    known = {p.identity for p in base.problems}
    digest.new_problems = [p for p in head.problems if p.identity not in known]
    keys = dict.fromkeys([*base.settings, *head.settings])
    digest.settings = [k for k in keys if base.settings.get(k) != head.settings.get(k)]
    digest.head_failed = head.pages is None
    if head.pages is not None and base.pages is not None:
        digest.pages = {
            "added": sorted(head.pages.keys() - base.pages.keys()),
            "removed": sorted(base.pages.keys() - head.pages.keys()),
            "changed": sorted(k for k in head.pages.keys() & base.pages.keys() if head.pages[k] != base.pages[k]),
        }
    return digest


def changed_fields(old: Record, new: Record) -> list[str]:
    """The front-matter keys whose values differ, then ``body`` if the text changed."""
    keys = [*old.fields, *(k for k in new.fields if k not in old.fields)]
    keys += [*old.extra, *(k for k in new.extra if k not in old.extra)]
    what = [k for k in dict.fromkeys(keys) if _value(old, k) != _value(new, k)]
    if old.body.strip() != new.body.strip():
        what.append("body")
    return what


def markdown(digest: Digest, base: str, head: str, content: str = "content") -> str:
    """The digest as Markdown, for a terminal or a pull request's job summary."""
    out = [f"## Dossier changes: {base} → {head}", ""]
    out += [_headline(digest), ""]
    out += _section("Records added", [f"- {_record(r)}" for r in digest.added], noun="record")
    out += _section("Records removed", [f"- {_record(r)}" for r in digest.removed], noun="record")
    out += _section("Records changed", [f"- `{t}/{s}`: {', '.join(what)}" for (t, s), what in digest.changed], noun="record")
    out += _section("References added", [f"- {_link(l)}" for l in digest.links_added], noun="reference")
    out += _section("References removed", [f"- {_link(l)}" for l in digest.links_removed], noun="reference")
    out += _section("Site settings changed", [f"- `{key}`" for key in digest.settings], noun="setting")
    out += _section("New problems", [_problem_line(p, content) for p in digest.new_problems], noun="problem")
    out += _pages(digest)
    return "\n".join(out).rstrip("\n") + "\n"


@contextmanager
def checkout(content: Path, revision: str) -> Iterator[Path]:
    """The content folder as it was at ``revision``, in a temporary folder (empty if it did not exist)."""
    top = _git(["rev-parse", "--show-toplevel"], Path.cwd()).decode().strip()
    relative = Path(os.path.relpath(content.resolve(), Path(top).resolve())).as_posix()
    if relative.startswith(".."):
        raise DiffError(f"content folder {content} is outside the git repository at {top}")
    _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], Path(top), f"unknown revision '{revision}'")
    with tempfile.TemporaryDirectory(prefix="dossier-diff-") as temp:
        root = Path(temp) / "content"
        root.mkdir()
        if _git(["ls-tree", "--name-only", revision, "--", relative], Path(top)).strip():
            archive = _git(["archive", "--format=tar", revision, "--", relative], Path(top))
            _extract(archive, Path(temp) / "tree")
            _move_all(Path(temp) / "tree" / relative, root)
        yield root


def digest_of(content: Path, base: str, head: str | None) -> str:
    """Compare ``content`` at revision ``base`` with revision ``head`` (None: the working tree)."""
    with checkout(content, base) as base_root:
        before = load(base_root)
    if head is None:
        after = load(content)
    else:
        with checkout(content, head) as head_root:
            after = load(head_root)
    return markdown(compare(before, after), f"`{base}`", f"`{head}`" if head else "working tree", content.as_posix())


def _problem(diagnostic: Diagnostic, content: Path) -> Finding:
    loc = diagnostic.location
    root = content.resolve()
    path = Path(os.path.relpath(loc.path, root)).as_posix()
    # Messages that name another file name it relative to the current folder: make them checkout-independent.
    message = diagnostic.message.replace(os.path.relpath(root) + os.sep, "")
    return Finding(path, loc.line, loc.col, diagnostic.severity, diagnostic.code, message, diagnostic.hint)


def _fingerprint(data: bytes | Path) -> str:
    raw = data.read_bytes() if isinstance(data, Path) else data
    return hashlib.sha256(raw).hexdigest()


def _value(record: Record, key: str):
    return record.fields[key] if key in record.fields else record.extra.get(key)


def _link_order(link: Link) -> tuple:
    return (link.source, link.target, link.relation)


def _headline(d: Digest) -> str:
    if not (d.added or d.removed or d.changed or d.links_added or d.links_removed or d.new_problems or d.settings or _any_pages(d)):
        return "No change to the dossier's records, references, problems or pages."
    parts = [
        f"{_n(len(d.added), 'record')} added, {len(d.removed)} removed, {len(d.changed)} changed",
        f"{_n(len(d.links_added), 'reference')} added, {len(d.links_removed)} removed",
        _n(len(d.new_problems), "new problem"),
    ]
    if d.pages is not None:
        parts.append(f"{_n(sum(map(len, d.pages.values())), 'page')} will change")
    return "**" + " · ".join(parts) + "**"


def _any_pages(d: Digest) -> bool:
    return d.pages is not None and any(d.pages.values())


def _section(title: str, lines: list[str], lead: str = "", noun: str = "item") -> list[str]:
    if not lines:
        return []
    if len(lines) <= LONGEST_OPEN_LIST:
        return [f"### {title}", "", *([lead + ":", ""] if lead else []), *lines, ""]
    summary = lead or _n(len(lines), noun)
    return [f"### {title}", "", f"<details><summary>{summary}</summary>", "", *lines, "", "</details>", ""]


def _record(record: Record) -> str:
    draft = " (draft)" if record.get("draft") else ""
    return f"`{record.type}/{record.slug}`: {SINGULAR[record.type]} “{record.label}”{draft}"


def _link(link: Link) -> str:
    (st, ss), (tt, ts) = link.source, link.target
    return f"`{st}/{ss}` → `{tt}/{ts}` ({link.relation})"


def _problem_line(p: Finding, content: str) -> str:
    hint = f" ({p.hint})" if p.hint else ""
    return f"- `{content}/{p.path}:{p.line}:{p.col}` {p.severity} `{p.code}`: {p.message}{hint}"


def _pages(digest: Digest) -> list[str]:
    pages = digest.pages
    if pages is None:
        side = "new" if digest.head_failed else "old"
        return ["### Pages", "", f"Not computed: the {side} version has errors, so it does not build.", ""]
    lines = [f"- {state}: `{name}`" for state in ("added", "removed", "changed") for name in pages[state]]
    counts = ", ".join(f"{len(pages[s])} {s}" for s in ("added", "removed", "changed"))
    return _section("Pages", lines, f"{_n(len(lines), 'page')}: {counts}")


def _n(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _git(args: list[str], cwd: Path, failure: str = "") -> bytes:
    try:
        result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise DiffError("git is not installed") from None
    if result.returncode != 0:
        detail = result.stderr.decode(errors="replace").strip().splitlines()
        raise DiffError(failure or (detail[-1] if detail else f"git {' '.join(args)} failed"))
    return result.stdout


def _extract(archive: bytes, dest: Path) -> None:
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dest, filter="data")
        else:  # pragma: no cover - Python before 3.11.4
            tar.extractall(dest)


def _move_all(source: Path, dest: Path) -> None:
    for child in source.iterdir():
        child.replace(dest / child.name)
