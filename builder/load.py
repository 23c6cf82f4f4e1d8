"""Read files and validate them into a SiteConfig and Records."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from builder import spoofing
from builder.diagnostics import Location, Report
from builder.discover import ContentFiles, RecordFile
from builder.frontmatter import FrontMatter, Marks, Problem, load_yaml, normalize, parse, split
from builder.records import Record, SiteConfig
from builder.schema import SCHEMAS, SITE, SLUG, SLUG_RULE, Validator, _slug_hint

MAX_FILE_BYTES = 8 * 1024 * 1024
"""Largest content file read, in bytes; a larger one is an error."""


def read_text(path: Path, report: Report) -> str | None:
    """A file's text as UTF-8, or None after reporting why it cannot be read."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            report.error(Location(path), f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}", "file-too-large")
            return None
        data = path.read_bytes()
    except OSError as exc:
        report.error(Location(path), f"cannot read file: {exc.strerror}", "unreadable")
        return None
    try:
        return normalize(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        report.error(Location(path, line, col), f"not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded; save the file as UTF-8", "encoding")
        return None


def load_config(files: ContentFiles, report: Report) -> SiteConfig | None:
    """Read and validate site.yaml."""
    if files.site is None:
        report.error(Location(files.root / "site.yaml"), "site.yaml is missing: it must give at least a title", "missing-file")
        return None
    text = read_text(files.site, report)
    if text is None:
        return None
    front = _report_problems(load_yaml(text), files.site, report)
    if front is None:
        return None
    _warn_spoofing(front, files.site, report)
    validator = Validator(front, _emitter(files.site, report))
    fields = validator.mapping(front.data, SITE)
    if not validator.ok:
        return None
    base_url = fields.get("base_url", "")
    if base_url and not base_url.endswith("/"):
        base_url += "/"
    return SiteConfig(fields["title"], fields.get("description", ""), base_url, fields.get("language", "en"))


def load_record(file: RecordFile, report: Report, partial: list[Record] | None = None) -> Record | None:
    """Read one record file; None (with diagnostics) when it is not valid."""
    text = read_text(file.path, report)
    if text is None:
        return None
    return parse_record(text, file.type, file.path, report, partial)


def parse_record(text: str, type_: str, path: Path, report: Report, partial: list[Record] | None = None) -> Record | None:
    """Validate one record's text; the path is only used to name it and its slug.

    A record whose fields failed validation is None; when ``partial`` is given, the
    record with the fields that passed is added to it, so that its references can
    still be checked (and references to it are not reported as unknown).
    """
    slug = path.stem
    slug_ok = _check_slug(slug, path, report)
    front = _report_problems(parse(text), path, report)
    if front is None:
        if partial is not None and slug_ok:
            partial.append(_placeholder(type_, path, text))
        return None
    _warn_spoofing(front, path, report)
    validator = Validator(front, _emitter(path, report))
    fields = validator.mapping(front.data, SCHEMAS[type_])
    extra = {k: v for k, v in front.data.items() if k.startswith("x-")}
    record = Record(type_, slug, path, fields, front.body, front.body_line, extra, Marks.of(front))
    if not (validator.ok and slug_ok):
        if partial is not None and slug_ok:
            partial.append(record)
        return None
    return record


def _placeholder(type_: str, path: Path, text: str) -> Record:
    """A record with no fields for a file whose front matter cannot be read; its body is kept when it can be found."""
    parts = split(normalize(text))
    body, body_line = ("", 1) if isinstance(parts, Problem) else parts[1:]
    return Record(type_, path.stem, path, {}, body, body_line)


def check_unique(records: list[Record], report: Report) -> list[Record]:
    """Drop and report records whose slug (or a case-folded file name) repeats within a type."""
    seen: dict[tuple[str, str], Record] = {}
    kept = []
    for record in sorted(records, key=lambda r: str(r.path)):
        folded = (record.type, record.slug)
        first = seen.get(folded)
        if first is not None:
            shown = Location(first.path).display_path()
            report.error(Location(record.path), f"duplicate slug '{record.slug}' in {record.type}: also {shown}", "duplicate-slug")
            continue
        seen[folded] = record
        kept.append(record)
    return kept


def _check_slug(slug: str, path: Path, report: Report) -> bool:
    if SLUG.fullmatch(slug):
        return True
    if any(unicodedata.category(c) == "Cf" for c in slug):
        report.error(Location(path), f"file name '{path.name}' holds invisible formatting characters (zero-width or bidirectional controls)", "bad-slug", _slug_hint(slug))
        return False
    report.error(Location(path), f"file name '{path.name}' is not a slug: use {SLUG_RULE}", "bad-slug", _slug_hint(slug))
    return False


def _warn_spoofing(front: FrontMatter, path: Path, report: Report) -> None:
    """Warn where a value could display differently from how it reads (names, titles, aliases ...)."""
    for key_path, text in front.raw.items():
        if found := spoofing.suspicious(text):
            line, col = front.marks[key_path]
            key = next((part for part in reversed(key_path) if isinstance(part, str)), "value")
            report.warning(Location(path, line, col), f"'{key}' holds {spoofing.describe(found)}; remove them", "invisible-characters")


def _emitter(path: Path, report: Report):
    def emit(line: int, col: int, message: str, code: str, hint: str) -> None:
        report.error(Location(path, line, col), message, code, hint)

    return emit


def _report_problems(result: FrontMatter | list[Problem], path: Path, report: Report) -> FrontMatter | None:
    if isinstance(result, FrontMatter):
        return result
    for problem in result:
        report.error(Location(path, problem.line, problem.col), problem.message, problem.code)
    return None
