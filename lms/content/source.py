"""Reading module folders: ``module.yaml`` and the per-locale Markdown files, with line numbers.

Nothing here needs Flask: the checker, the CLI and the web views all build on these functions.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from ..i18n import _l

SOURCE_LOCALE = "en"
CONTENT_LOCALES = ("en", "bn", "bn_BD")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_DIAGRAM_FENCE = re.compile(r"^\s*(```|~~~)\s*diagram\b")
_SECTION = re.compile(r"^##\s+(.+?)\s*#*\s*$")


Signature = tuple[tuple[str, int, int], ...]


def stat_signature(paths: Iterable[Path]) -> Signature:
    """What changes when one of ``paths`` is added, removed or changed (a stat of each, no
    reading): what the content library, the facts, the resource entries and the courses re-read
    by."""
    found = []
    for path in paths:
        stat = path.stat()
        found.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(sorted(found))


@dataclass
class Problem:
    """One finding of the content checker; ``message`` is translated when shown."""

    path: Path
    line: int
    severity: str  # "error" | "warning"
    message: Any

    def format(self, root: Path | None = None) -> str:
        shown = (
            self.path.relative_to(root) if root and self.path.is_relative_to(root) else self.path
        )
        return f"{shown}:{self.line}: {self.severity}: {self.message}"


def fingerprint(text: str) -> str:
    """The short fingerprint translations record in ``translated_from``."""
    data = text.replace("\r\n", "\n").encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:12]


def file_fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes().replace(b"\r\n", b"\n")).hexdigest()[:12]


class YAMLProblem(ValueError):
    def __init__(self, line: int, message: Any) -> None:
        super().__init__(str(message))
        self.line = line
        self.message = message


#: At most this many values (keys, items, texts) in one YAML text: 30 times the largest shipped
#: item bank, and far from the millions an "entity expansion" would ask for.
MAX_YAML_NODES = 100_000
#: At most this many levels of nesting (the shipped files use 6).
MAX_YAML_DEPTH = 40


class _Refused(yaml.MarkedYAMLError):
    """What the LMS does not read in YAML, with a message for the author."""

    def __init__(self, mark: yaml.Mark, message: Any) -> None:
        super().__init__(problem=str(message), problem_mark=mark)
        self.message = message


class ContentLoader(yaml.SafeLoader):
    """The one YAML reader of the LMS (front matter, module.yaml, quiz.yaml, the needs
    questionnaire): safe tags only, and no anchors (``&``) or aliases (``*``), so a few hundred
    bytes cannot expand into millions of values (a "billion laughs"); values and nesting are
    capped too. Refusals are :class:`_Refused`, raised while composing, before any expansion."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._nodes = 0
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused(
                event.start_mark,
                _l(
                    "YAML anchors (&name) and aliases (*name) are not allowed: "
                    "write each value out in full."
                ),
            )
        self._nodes += 1
        if self._nodes > MAX_YAML_NODES:
            raise _Refused(event.start_mark, _l("The YAML has too many values."))
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise _Refused(event.start_mark, _l("The YAML is nested too deeply."))
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:  # 2026-13-01 as a date, a 5,000-digit number
            value = node.value if isinstance(node, yaml.ScalarNode) else ""
            raise _Refused(
                node.start_mark,
                _l("The value %(value)s is not a valid date or number.", value=value[:40]),
            ) from exc


def load_yaml(text: str, first_line: int = 1) -> tuple[Any, dict[tuple, int]]:
    """Parse YAML and return the data with the line of every key and list item."""
    loader = ContentLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except _Refused as exc:
        raise YAMLProblem(exc.problem_mark.line + first_line, exc.message) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line if mark else 0) + first_line
        start = exc.context_mark
        if start is not None and start.line + first_line != line:
            message = _l(
                "YAML cannot be read: %(problem)s (look from line %(start)s)",
                problem=exc.problem,
                start=start.line + first_line,
            )
        else:
            message = _l("YAML cannot be read: %(problem)s", problem=exc.problem)
        raise YAMLProblem(line, message) from exc
    finally:
        loader.dispose()
    lines: dict[tuple, int] = {}
    if node is not None:
        _walk(node, (), lines, first_line)
    return data, lines


def _walk(node: yaml.Node, path: tuple, lines: dict[tuple, int], offset: int) -> None:
    lines[path] = node.start_mark.line + offset
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                lines[(*path, key.value)] = key.start_mark.line + offset
                _walk(value, (*path, key.value), lines, offset)
                lines[(*path, key.value)] = key.start_mark.line + offset
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines, offset)


@dataclass
class Section:
    """A page of a module: ``index`` 0 is the introduction before the first ``##`` heading."""

    index: int
    title: str
    markdown: str
    first_line: int


@dataclass
class LocaleDoc:
    locale: str
    path: Path
    text: str
    front: dict[str, Any]
    front_lines: dict[tuple, int]
    sections: list[Section]
    problems: list[Problem] = field(default_factory=list)

    @property
    def title(self) -> str:
        return str(self.front.get("title") or "")

    @property
    def summary(self) -> str:
        return str(self.front.get("summary") or "")

    @property
    def objectives(self) -> list[str]:
        value = self.front.get("objectives")
        return [str(item) for item in value] if isinstance(value, list) else []

    @property
    def pages(self) -> list[Section]:
        """The sections a learner pages through (the introduction is on the module page)."""
        return [s for s in self.sections if s.index > 0]

    @cached_property
    def digest(self) -> str:
        """Identifies this exact text (caches of unsaved previews never mix with the file's)."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def word_count(self) -> int:
        return sum(len(s.markdown.split()) for s in self.sections)


def read_doc(path: Path, locale: str) -> LocaleDoc:
    """Parse one Markdown file: front matter and sections, recording problems (never raising)."""
    return parse_doc(path.read_text(encoding="utf-8"), path, locale)


def parse_doc(text: str, path: Path, locale: str) -> LocaleDoc:
    """Parse Markdown ``text`` as if it were the file at ``path`` (for unsaved edits too)."""
    doc = LocaleDoc(locale, path, text, {}, {}, [])
    lines = text.replace("\r\n", "\n").split("\n")
    body_start = _read_front_matter(doc, lines)
    doc.sections = split_sections(lines[body_start:], body_start + 1)
    from .blocks import block_problems  # (blocks builds on this module)

    doc.problems.extend(block_problems(lines[body_start:], body_start + 1, path))
    if not doc.pages:
        doc.problems.append(
            Problem(
                path,
                body_start + 1,
                "error",
                _l("No section: start each section with a '## ' heading."),
            )
        )
    return doc


def front_matter_errors(text: str, path: Path, locale: str) -> list[Problem]:
    """The problems of ``text``'s front matter block alone: missing, not closed, YAML that
    cannot be read, or not ``key: value`` lines (the editor refuses to save such a file)."""
    doc = LocaleDoc(locale, path, text, {}, {}, [])
    _read_front_matter(doc, text.replace("\r\n", "\n").split("\n"))
    return doc.problems


def _read_front_matter(doc: LocaleDoc, lines: list[str]) -> int:
    """Fill ``doc.front``; return the index of the first body line."""
    if not lines or lines[0].strip() != "---":
        doc.problems.append(
            Problem(
                doc.path, 1, "error", _l("The file must start with a front matter block (---).")
            )
        )
        return 0
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        doc.problems.append(
            Problem(doc.path, 1, "error", _l("The front matter block is not closed with ---."))
        )
        return len(lines)
    try:
        data, where = load_yaml("\n".join(lines[1:end]), first_line=2)
    except YAMLProblem as exc:
        doc.problems.append(Problem(doc.path, exc.line, "error", exc.message))
        return end + 1
    if not isinstance(data, dict):
        doc.problems.append(
            Problem(
                doc.path, 2, "error", _l("The front matter must be a set of 'key: value' lines.")
            )
        )
        return end + 1
    doc.front, doc.front_lines = data, where
    return end + 1


def outside_code(lines: Iterable[str], *, diagrams: bool = False) -> Iterator[tuple[int, str]]:
    """(index, line) of the lines outside fenced code, the fence lines themselves left out;
    with ``diagrams``, the lines of diagram blocks too (their labels are text, with facts)."""
    opening: str | None = None
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            opening = line if opening is None else None
        elif opening is None or (diagrams and _DIAGRAM_FENCE.match(opening)):
            yield index, line


def split_sections(lines: list[str], first_line: int) -> list[Section]:
    """Split Markdown lines at ``##`` headings outside fenced code."""
    sections = [Section(0, "", "", first_line)]
    chunk: list[str] = []
    in_fence = False
    for offset, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _SECTION.match(line)
        if match:
            sections[-1].markdown = "\n".join(chunk).rstrip("\n")
            sections.append(Section(len(sections), match.group(1).strip(), "", first_line + offset))
            chunk = [line]
        else:
            chunk.append(line)
    sections[-1].markdown = "\n".join(chunk).rstrip("\n")
    return sections


def line_of(lines: Mapping[tuple, int], where: tuple) -> int:
    """The line of the field at ``where`` (keys and list indexes, as :func:`load_yaml` gives
    ``lines``), else of the nearest field that holds it, else 1."""
    while where and where not in lines:
        where = where[:-1]
    return lines.get(where, 1)


@dataclass
class FieldReader:
    """Reads fields of a YAML file loaded by :func:`load_yaml`, reporting each problem with the
    line of the field (or of the nearest enclosing key): ``where`` is the path of keys and list
    indexes to the field."""

    path: Path
    lines: dict[tuple, int]
    problems: list[Problem]

    def line(self, where: tuple) -> int:
        return line_of(self.lines, where)

    def error(self, where: tuple, message: Any) -> None:
        self.problems.append(Problem(self.path, self.line(where), "error", message))

    def text_field(self, data: dict, where: tuple) -> str:
        value = data.get(where[-1])
        if not isinstance(value, str) or not value.strip():
            self.error(where, _l("%(field)s is missing", field=where[-1]))
            return ""
        return value.strip()

    def texts(self, data: dict, where: tuple, required: bool = True) -> dict[str, str]:
        value = data.get(where[-1])
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            self.error(where, _l("%(field)s needs en, bn and bn_BD", field=where[-1]))
            return {}
        missing = [c for c in CONTENT_LOCALES if not str(value.get(c) or "").strip()]
        if missing:
            self.error(
                where,
                _l("%(field)s has no %(locales)s", field=where[-1], locales=", ".join(missing)),
            )
        return {k: str(v).strip() for k, v in value.items() if v}
