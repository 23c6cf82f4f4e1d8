"""Split a record's text into YAML front matter and a Markdown body.

YAML is composed into nodes (never constructed into arbitrary objects) and
turned into plain values here, so every key and value keeps its line and
column, duplicated keys are caught, and tags and aliases are refused.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from builder import spill

try:  # libyaml's parser is ten times faster; the result is the same.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_DEPTH = 32
"""Deepest nesting of lists and mappings accepted in front matter."""
MAX_NUMBER_CHARS = 32
"""Longest number read as a number; a longer one stays text (Python cannot print huge integers)."""

Path_ = tuple  # a key path such as ("sources", 0, "url")

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str": str,
    "tag:yaml.org,2002:timestamp": str,  # dates are parsed by builder.dates
}
_CONSTRUCTED_TAGS = {
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem found while splitting or reading YAML; line/col are 1-based in the file."""

    line: int
    col: int
    message: str
    code: str


@dataclass(slots=True)
class FrontMatter:
    """The front matter's values, where each one stands, and the body."""

    data: dict[str, Any]
    """Plain values: str, int, float, bool, None, list and dict."""
    body: str
    body_line: int
    """The file line (1-based) on which the body starts."""
    marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    """Line and column of each value, by key path."""
    key_marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    """Line and column of each mapping key, by key path."""
    raw: dict[Path_, str] = field(default_factory=dict)
    """The source text of each scalar, by key path."""
    source: str = ""
    """The YAML text, as read."""
    first_line: int = 1
    """The file line of its first line."""

    def at(self, path: Path_, key: bool = False) -> tuple[int, int]:
        """Where the value (or its key) at ``path`` stands; the nearest parent if absent."""
        table = self.key_marks if key else self.marks
        while path:
            if path in table:
                return table[path]
            if path in self.marks:
                return self.marks[path]
            path = path[:-1]
        return (1, 1)


class Marks(Mapping):
    """The marks of a front matter, read again from its YAML text when first asked for.

    A record keeps them for the problems found after loading (a broken reference,
    a missing photo), which few records have; the YAML text is a quarter of the
    size of the table it gives, and the cheaper to send between processes and to store.
    """

    __slots__ = ("_source", "first_line", "_table")

    def __init__(self, source: str, first_line: int = 1) -> None:
        self._source: str | spill.Spilled = source
        self.first_line = first_line
        self._table: dict[Path_, tuple[int, int]] | None = None

    @property
    def source(self) -> str:
        """The YAML text, wherever it is kept."""
        text = self._source
        return text if isinstance(text, str) else spill.read(text).decode("utf-8", "surrogatepass")

    def keep_on_disk(self) -> None:
        """Keep the YAML text on disk for the rest of the build (``spill.keep``), unless already read."""
        if isinstance(self._source, str) and self._table is None:
            kept = spill.keep(self._source.encode("utf-8", "surrogatepass"))
            if isinstance(kept, spill.Spilled):
                self._source = kept

    @classmethod
    def of(cls, front: FrontMatter) -> Marks:
        return cls(front.source, front.first_line)

    def _marks(self) -> dict[Path_, tuple[int, int]]:
        if self._table is None:
            front = load_yaml(self.source, self.first_line)
            self._table = front.marks if isinstance(front, FrontMatter) else {}
        return self._table

    def __getitem__(self, path: Path_) -> tuple[int, int]:
        return self._marks()[path]

    def __iter__(self) -> Iterator[Path_]:
        return iter(self._marks())

    def __len__(self) -> int:
        return len(self._marks())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Marks):  # the same text at the same line gives the same marks
            return (self.source, self.first_line) == (other.source, other.first_line)
        return Mapping.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple:
        return (Marks, (self.source, self.first_line))

    def __repr__(self) -> str:
        return f"Marks(<{len(self.source)} characters from line {self.first_line}>)"


def split(text: str) -> tuple[str, str, int] | Problem:
    """Return (yaml text, body, body's first line) or the problem with the framing."""
    if not text.strip():
        return Problem(1, 1, "file is empty: a record starts with front matter between two lines '---'", "no-front-matter")
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return Problem(1, 1, "no front matter: the file must start with a line '---'", "no-front-matter")
    for index in range(1, len(lines)):
        if lines[index].rstrip() == "---":
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    return Problem(1, 1, "front matter is not closed: add a line '---' after it", "unclosed-front-matter")


def normalize(text: str) -> str:
    """Drop a byte-order mark and turn CRLF and CR line ends into LF."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def parse(text: str) -> FrontMatter | list[Problem]:
    """Parse a whole record's text (already decoded)."""
    parts = split(normalize(text))
    if isinstance(parts, Problem):
        return [parts]
    source, body, body_line = parts
    result = load_yaml(source, first_line=2)
    if isinstance(result, FrontMatter):
        result.body, result.body_line = body, body_line
    return result


def load_yaml(source: str, first_line: int = 1) -> FrontMatter | list[Problem]:
    """Read a YAML mapping whose first line is ``first_line`` of its file."""
    offset = first_line - 1
    try:
        node = yaml.compose(source, Loader=_Loader)
        alias = _first_alias(source, offset) if "*" in source else None
    except yaml.MarkedYAMLError as exc:
        return [_yaml_problem(exc, source, offset)]
    except RecursionError:  # only the pure-Python parser recurses; libyaml stops at 1,000 levels
        return [Problem(first_line, 1, f"front matter is nested deeper than {MAX_DEPTH} levels", "too-deep")]
    except yaml.YAMLError as exc:  # e.g. a reader error on control characters
        return [Problem(first_line, 1, f"invalid YAML: {exc}", "yaml-syntax")]
    if alias:
        return [alias]
    front = FrontMatter({}, "", 0, source=source, first_line=first_line)
    if node is None:
        return front
    if not isinstance(node, yaml.MappingNode):
        line, col = _pos(node.start_mark, offset)
        return [Problem(line, col, "expected a mapping of keys to values", "yaml-not-mapping")]
    problems: list[Problem] = []
    front.data = _Converter(front, problems, offset).convert(node, (), 0)
    return problems or front


class _Converter:
    """Turns composed nodes into plain values, recording marks and problems."""

    def __init__(self, front: FrontMatter, problems: list[Problem], offset: int) -> None:
        self.front = front
        self.offset = offset
        self.problems = problems
        self.seen: set[int] = set()
        self.constructor = yaml.SafeLoader("")

    def problem(self, node: yaml.Node, message: str, code: str) -> None:
        line, col = _pos(node.start_mark, self.offset)
        self.problems.append(Problem(line, col, message, code))

    def convert(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        self.front.marks[path] = _pos(node.start_mark, self.offset)
        if id(node) in self.seen:
            self.problem(node, "YAML aliases (*name) are not allowed in front matter", "yaml-alias")
            return None
        self.seen.add(id(node))
        if depth > MAX_DEPTH:
            self.problem(node, f"front matter is nested deeper than {MAX_DEPTH} levels", "too-deep")
            return None
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return self.sequence(node, path, depth)
        return self.scalar(node, path)

    def mapping(self, node: yaml.MappingNode, path: Path_, depth: int) -> dict | None:
        if node.tag != "tag:yaml.org,2002:map":
            self._bad_tag(node)
            return None
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                self.problem(key_node, "keys must be plain words", "bad-key")
                continue
            key = key_node.value
            if key in result:
                first = self.front.key_marks[path + (key,)]
                self.problem(key_node, f"duplicated key '{key}' (first given on line {first[0]})", "duplicate-key")
                continue
            self.front.key_marks[path + (key,)] = _pos(key_node.start_mark, self.offset)
            result[key] = self.convert(value_node, path + (key,), depth + 1)
        return result

    def sequence(self, node: yaml.SequenceNode, path: Path_, depth: int) -> list | None:
        if node.tag != "tag:yaml.org,2002:seq":
            self._bad_tag(node)
            return None
        return [self.convert(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]

    def scalar(self, node: yaml.ScalarNode, path: Path_) -> Any:
        self.front.raw[path] = node.value
        if node.tag in _PLAIN_TAGS:
            return node.value
        if node.tag in _CONSTRUCTED_TAGS:
            return self.number(node)
        self._bad_tag(node)
        return None

    def number(self, node: yaml.ScalarNode) -> Any:
        """An int, float, bool or null; a number too long to be one stays text."""
        if len(node.value) > MAX_NUMBER_CHARS:
            return node.value
        return self.constructor.construct_object(node)

    def _bad_tag(self, node: yaml.Node) -> None:
        self.problem(node, f"YAML tag '{_shown_tag(node.tag)}' is not allowed", "yaml-tag")


def _shown_tag(tag: str) -> str:
    """A tag as it is written: ``!!binary`` rather than ``tag:yaml.org,2002:binary``."""
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def _first_alias(source: str, offset: int) -> Problem | None:
    """Refuse aliases where they are written (a composed alias points at its anchor)."""
    for event in yaml.parse(source, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            line, col = _pos(event.start_mark, offset)
            return Problem(line, col, "YAML aliases (*name) are not allowed in front matter", "yaml-alias")
    return None


def _pos(mark: yaml.Mark, offset: int) -> tuple[int, int]:
    """A YAML mark (0-based, within the YAML text) as a 1-based file line and column."""
    return mark.line + 1 + offset, mark.column + 1


def _yaml_problem(exc: yaml.MarkedYAMLError, source: str, offset: int) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = _pos(mark, offset) if mark else (offset + 1, 1)
    what = ": ".join(part for part in (exc.context, exc.problem) if part)
    if "maximum nesting depth" in what:
        return Problem(line, col, f"front matter is nested deeper than {MAX_DEPTH} levels", "too-deep")
    if mark and _char_at(source, mark) == "\t":
        return Problem(line, col, "invalid YAML: a tab cannot indent YAML; use spaces", "yaml-syntax")
    return Problem(line, col, f"invalid YAML: {what}", "yaml-syntax")


def _char_at(source: str, mark: yaml.Mark) -> str:
    lines = source.split("\n")
    text = lines[mark.line] if mark.line < len(lines) else ""
    return text[mark.column : mark.column + 1]
