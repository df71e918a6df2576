"""A module's self-assessment checklist, read from ``<module>/checklist.yaml`` and checked with
file and line. Each item is answered Ready / Partly / Not yet / Does not apply."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..content.modules import Module
from ..content.source import FieldReader, Problem, YAMLProblem, load_yaml
from ..countries import COUNTRIES
from ..i18n import _l
from ..state import state

FILE = "checklist.yaml"
#: The answers, in the order they are offered.
STATUSES = ("ready", "partly", "not-yet", "not-applicable")
STATUS_LABELS = {
    "ready": _l("Ready"),
    "partly": _l("Partly"),
    "not-yet": _l("Not yet"),
    "not-applicable": _l("Not applicable"),
}


@dataclass
class Item:
    id: str
    country: str  # "any", "IN" or "BD"
    text: dict[str, str]
    help: dict[str, str]

    def for_country(self, country: str) -> bool:
        return self.country in ("any", country)


@dataclass
class Section:
    id: str
    title: dict[str, str]
    items: list[Item]


@dataclass
class Checklist:
    id: str
    module: str
    title: dict[str, str] = field(default_factory=dict)
    intro: dict[str, str] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def items(self, country: str) -> Iterable[Item]:
        return (i for s in self.sections for i in s.items if i.for_country(country))


def for_module(module: Module) -> Checklist | None:
    """The module's checklist (None: it has none), read once per change of the file."""
    path = module.folder / FILE
    try:
        stat = path.stat()
    except OSError:
        return None
    made = state().cache("worksheets.checklists")
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in made:
        if len(made) > 200:  # old versions of edited files
            made.clear()
        made[key] = load(path, module.slug)
    return made[key]


def load(path: Path, module: str) -> Checklist:
    checklist = Checklist(id="", module=module)
    try:
        data, lines = load_yaml(path.read_text(encoding="utf-8"))
    except YAMLProblem as exc:
        checklist.problems.append(Problem(path, exc.line, "error", exc.message))
        return checklist
    reader = _Reader(path, lines, checklist.problems)
    if not isinstance(data, dict):
        reader.error((), _l("the checklist must be a mapping with id, title and sections"))
        return checklist
    checklist.id = reader.text_field(data, ("id",))
    checklist.title = reader.texts(data, ("title",))
    checklist.intro = reader.texts(data, ("intro",))
    sections = data.get("sections")
    if not isinstance(sections, list) or not sections:
        reader.error(("sections",), _l("sections: a list of sections with items is needed"))
        return checklist
    seen: dict[str, int] = {}
    for n, raw in enumerate(sections):
        section = reader.section(raw, ("sections", n), seen)
        if section is not None:
            checklist.sections.append(section)
    return checklist


@dataclass
class _Reader(FieldReader):
    def section(self, raw: Any, where: tuple, seen: dict[str, int]) -> Section | None:
        if not isinstance(raw, dict):
            self.error(where, _l("a section needs id, title and items"))
            return None
        items = []
        for n, item in enumerate(raw.get("items") or []):
            found = self.item(item, (*where, "items", n), seen)
            if found is not None:
                items.append(found)
        if not items:
            self.error(where, _l("a section needs at least one item"))
        title = self.texts(raw, (*where, "title"))
        return Section(self.text_field(raw, (*where, "id")), title, items)

    def item(self, raw: Any, where: tuple, seen: dict[str, int]) -> Item | None:
        if not isinstance(raw, dict):
            self.error(where, _l("an item needs id, country and text"))
            return None
        item_id = self.text_field(raw, (*where, "id"))
        if item_id in seen:
            self.error(
                (*where, "id"),
                _l("item %(id)s is already on line %(line)s", id=item_id, line=seen[item_id]),
            )
        seen.setdefault(item_id, self.line((*where, "id")))
        country = str(raw.get("country", "any"))
        if country not in ("any", *COUNTRIES):
            self.error((*where, "country"), _l("country must be any, IN or BD"))
        text = self.texts(raw, (*where, "text"))
        help_text = self.texts(raw, (*where, "help"), required=False)
        return Item(item_id, country, text, help_text)


def check(_library: Any, module: Module) -> list[Problem]:
    """check-content: the module's checklist, if it has one."""
    found = for_module(module)
    return list(found.problems) if found is not None else []
