"""The load-and-validate stage on one file's bytes, as the fuzzer and the crash tests drive it.

No atheris here, so the tests can replay every input the fuzzer ever crashed on.
"""

from __future__ import annotations

from pathlib import Path

from builder import markdown
from builder.diagnostics import Report
from builder.frontmatter import FrontMatter, load_yaml, normalize
from builder.load import parse_record
from builder.records import TYPES
from builder.schema import SITE, Validator

KINDS = TYPES + ("site",)
"""The first byte of an input picks what the rest is read as: a record type, or site.yaml."""


def load_and_validate(data: bytes) -> Report:
    """What the build does with one file's bytes; returns its diagnostics and raises only on a bug."""
    report = Report()
    if not data:
        return report
    kind, raw = KINDS[data[0] % len(KINDS)], data[1:]
    try:
        text = normalize(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return report  # the build reports an encoding error before parsing
    if kind == "site":
        front = load_yaml(text)
        if isinstance(front, FrontMatter):
            Validator(front, lambda *problem: None).mapping(front.data, SITE)
        return report
    record = parse_record(text, kind, Path("/content") / kind / "fuzzed.md", report)
    if record is not None:
        markdown.render(markdown.parse(record.body), {}, {})
    for diagnostic in report.items:
        diagnostic.text()
    return report
