"""Country blocks in module Markdown, and a document as one country's reader sees it.

A line ``::: IN`` or ``::: BD`` opens a block and a line ``:::`` closes it (not nested; inside
fenced code they are text). Text outside blocks is for every country. A reader's document keeps
their country's blocks and drops the others', then splits into sections again, so a ``##`` section
inside the other country's block is not one of the reader's pages.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from ..countries import COUNTRIES
from ..i18n import _l
from .source import LocaleDoc, Problem, outside_code, split_sections

_MARKER = re.compile(r"^:::(.*)$")


def _marks(lines: list[str]) -> Iterator[tuple[int, str | None]]:
    """(index, country or ``None`` for a closing line) of every block line outside code;
    a malformed marker yields its text after ``:::``, which is not a country."""
    for index, line in outside_code(lines):
        match = _MARKER.match(line.rstrip())
        if match:
            name = match.group(1).strip()
            yield index, name or None


def block_problems(lines: list[str], first_line: int, path: Path) -> list[Problem]:
    """Unknown countries, nested, unclosed and stray closing lines (errors, with their line)."""
    found: list[Problem] = []
    open_at: int | None = None
    for index, name in _marks(lines):
        number = first_line + index
        if name is None:
            if open_at is None:
                found.append(Problem(path, number, "error", _l("':::' closes no country block")))
            open_at = None
        elif name not in COUNTRIES:
            found.append(
                Problem(
                    path,
                    number,
                    "error",
                    _l(
                        "unknown country block '::: %(name)s': use %(countries)s",
                        name=name,
                        countries=", ".join(f"::: {c}" for c in COUNTRIES),
                    ),
                )
            )
        elif open_at is not None:
            found.append(
                Problem(
                    path,
                    number,
                    "error",
                    _l(
                        "country blocks cannot be nested: close the block of line %(line)s "
                        "with ':::' first",
                        line=first_line + open_at,
                    ),
                )
            )
        else:
            open_at = index
    if open_at is not None:
        found.append(
            Problem(
                path,
                first_line + open_at,
                "error",
                _l("this country block is not closed: end it with a line ':::'"),
            )
        )
    return found


def countries_in(lines: list[str]) -> set[str]:
    """The countries that have a block in ``lines``."""
    return {name for _index, name in _marks(lines) if name in COUNTRIES}


def keep_for(lines: list[str], country: str) -> list[int]:
    """Indexes of the lines a reader in ``country`` sees (block lines themselves never)."""
    marks = dict(_marks(lines))
    kept, current = [], None
    for index in range(len(lines)):
        if index in marks:
            current = marks[index]
            continue
        if current is None or current == country:
            kept.append(index)
    return kept


def body_lines(doc: LocaleDoc) -> tuple[list[str], int]:
    """The lines after the front matter, and the line number of the first."""
    first = doc.sections[0].first_line if doc.sections else 1
    return doc.text.replace("\r\n", "\n").split("\n")[first - 1 :], first


def for_country(
    doc: LocaleDoc, country: str, transform: Callable[[str], str] | None = None
) -> LocaleDoc:
    """``doc`` as a reader in ``country`` sees it: the other country's blocks left out, and
    ``transform`` (facts filled in) applied to each section."""
    lines, first = body_lines(doc)
    kept = keep_for(lines, country)
    sections = split_sections([lines[i] for i in kept], 0)
    for section in sections:  # back to the file's line numbers
        section.first_line = first + (kept[section.first_line] if kept else 0)
        if transform is not None:
            section.markdown = transform(section.markdown)
            section.title = transform(section.title)
    variant = replace(doc, sections=sections, problems=list(doc.problems))
    shown = "\n".join(s.markdown for s in sections)
    # What the reader sees, not the file's text, names the variant (caches of rendered pages).
    variant.__dict__["digest"] = hashlib.sha256(f"{doc.digest}\n{shown}".encode()).hexdigest()
    return variant
