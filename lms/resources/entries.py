"""Resource entries read from ``<content>/resources/<topic>.yaml``; problems with file and line.

Loading needs no Flask (the content checker and the tests call it directly); the messages are
lazy and translated where they are shown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..content.source import Problem, Signature, YAMLProblem, load_yaml, stat_signature
from ..countries import COUNTRIES
from ..i18n import _l, pick_text

FOLDER = "resources"
#: ``any``: an entry for readers in every country.
ENTRY_COUNTRIES = (*COUNTRIES, "any")
LANGUAGES = ("en", "bn", "bn_BD")
REQUIRED = ("id", "country", "title", "summary", "keywords", "source", "source_title", "checked")
#: Fields an entry may have besides the required ones.
OPTIONAL = ("contact", "when", "modules")


@dataclass(frozen=True)
class Entry:
    """One resource entry; ``topic`` is the name of its file."""

    id: str
    topic: str
    country: str
    title: Mapping[str, str]
    summary: Mapping[str, str]
    keywords: tuple[str, ...]
    source: str
    source_title: str
    checked: dt.date
    path: Path
    line: int
    contact: str = ""
    when: str = ""
    modules: tuple[str, ...] = ()

    def text(self, field_name: str, chain: Iterable[str]) -> tuple[str, str]:
        """``(text, language)`` of the title or summary in the first language of ``chain``
        that has it (English last)."""
        return pick_text(getattr(self, field_name), chain)


@dataclass
class Catalogue:
    """Every entry (valid ones only), the problems of the files, and a digest of their bytes."""

    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    digest: str = ""

    def get(self, entry_id: str) -> Entry | None:
        return next((e for e in self.entries if e.id == entry_id), None)

    def topics(self) -> list[str]:
        return sorted({e.topic for e in self.entries})


def files(root: Path) -> list[Path]:
    return sorted(p for p in (root / FOLDER).glob("*.yaml") if p.is_file())


def signature(root: Path) -> Signature:
    """Changes when an entry file is added, removed or changed."""
    return stat_signature(files(root))


def load(root: Path) -> Catalogue:
    """Read every file under ``root/resources``; problems are recorded, never raised."""
    catalogue = Catalogue()
    digest = hashlib.sha256()
    seen: dict[str, Entry] = {}
    for path in files(root):
        data = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + data + b"\0")
        _load_file(catalogue, path, data.decode("utf-8", errors="replace"), seen)
    catalogue.digest = digest.hexdigest()[:32]
    return catalogue


def _load_file(catalogue: Catalogue, path: Path, text: str, seen: dict[str, Entry]) -> None:
    try:
        data, lines = load_yaml(text)
    except YAMLProblem as exc:
        catalogue.problems.append(Problem(path, exc.line, "error", exc.message))
        return
    if data is None:
        return
    if not isinstance(data, list):
        message = _l("A resources file must be a list of entries, each starting with '- id:'.")
        catalogue.problems.append(Problem(path, 1, "error", message))
        return
    for index, raw in enumerate(data):
        found: list[Problem] = []
        entry = read_entry(path, raw, (index,), lines, found)
        catalogue.problems.extend(found)
        if entry is None:
            continue
        other = seen.get(entry.id)
        if other is not None:
            catalogue.problems.append(_duplicate(entry, other))
            continue
        seen[entry.id] = entry
        catalogue.entries.append(entry)


def _duplicate(entry: Entry, other: Entry) -> Problem:
    message = _l(
        "duplicate resource id %(id)s (also in %(other)s:%(line)s)",
        id=entry.id,
        other=other.path.name,
        line=other.line,
    )
    return Problem(entry.path, entry.line, "error", message)


def read_entry(
    path: Path, raw: Any, at: tuple, lines: dict[tuple, int], found: list[Problem]
) -> Entry | None:
    """The entry at ``at`` of the file, or ``None`` (its problems added to ``found``)."""
    line = lines.get(at, 1)
    if not isinstance(raw, dict):
        found.append(Problem(path, line, "error", _l("A resource entry must be a set of fields.")))
        return None
    entry_id = str(raw.get("id") or "")
    name = entry_id or "?"

    def problem(message: Any, key: str | None = None) -> None:
        where = lines.get((*at, key), line) if key else line
        found.append(Problem(path, where, "error", message))

    for key in REQUIRED:
        if raw.get(key) in (None, "", [], {}):
            problem(_l("resource %(id)s: %(field)s is missing", id=name, field=key))
    for key in raw:
        if key not in REQUIRED and key not in OPTIONAL:
            problem(_l("resource %(id)s: unknown field %(field)s", id=name, field=key), key)
    _check_fields(raw, name, problem)
    if found:
        return None
    return _entry(raw, path, line)


def _check_fields(raw: dict, name: str, problem: Any) -> None:
    for key in ("title", "summary"):
        _check_texts(raw.get(key), name, key, problem)
    country, source, checked = raw.get("country"), raw.get("source"), raw.get("checked")
    if country is not None and country not in ENTRY_COUNTRIES:
        countries = ", ".join(ENTRY_COUNTRIES)
        message = _l(
            "resource %(id)s: country must be one of: %(countries)s", id=name, countries=countries
        )
        problem(message, "country")
    if source is not None and not str(source).startswith(("https://", "http://")):
        message = _l("resource %(id)s: source must be a web address (http or https)", id=name)
        problem(message, "source")
    if checked is not None and (type(checked) is not dt.date):
        message = _l("resource %(id)s: checked must be a date written as YYYY-MM-DD", id=name)
        problem(message, "checked")
    for key in ("contact", "when"):
        if raw.get(key) is not None and not isinstance(raw[key], str):
            problem(_l("resource %(id)s: %(field)s must be text", id=name, field=key), key)
    for key in ("keywords", "modules"):
        if raw.get(key) is not None and not _strings(raw[key]):
            message = _l("resource %(id)s: %(field)s must be a list of words", id=name, field=key)
            problem(message, key)


def _check_texts(texts: Any, name: str, key: str, problem: Any) -> None:
    """A title or summary: a text in each of en, bn and bn_BD."""
    if texts is None:
        return
    if not isinstance(texts, dict):
        message = _l("resource %(id)s: %(field)s needs en, bn and bn_BD", id=name, field=key)
        problem(message, key)
        return
    for code in LANGUAGES:
        if not isinstance(texts.get(code), str) or not texts[code].strip():
            message = _l(
                "resource %(id)s: %(field)s has no %(language)s text",
                id=name,
                field=key,
                language=code,
            )
            problem(message, key)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _entry(raw: dict, path: Path, line: int) -> Entry:
    return Entry(
        id=str(raw["id"]),
        topic=path.stem,
        country=raw["country"],
        title={code: raw["title"][code].strip() for code in LANGUAGES},
        summary={code: raw["summary"][code].strip() for code in LANGUAGES},
        keywords=tuple(raw["keywords"]),
        source=str(raw["source"]),
        source_title=str(raw["source_title"]),
        checked=raw["checked"],
        path=path,
        line=line,
        contact=str(raw.get("contact") or ""),
        when=str(raw.get("when") or ""),
        modules=tuple(raw.get("modules") or ()),
    )
