"""Courses read from ``<content>/courses/<id>.yaml``; problems with file and line.

A course is an ordered set of modules with a level, prerequisites (courses or modules, each with a
minimum score) and selection criteria (who may enrol: any one route)::

    level: advanced
    order: 2
    title: {en: ..., bn: ..., bn_BD: ...}
    summary: {en: ..., bn: ..., bn_BD: ...}
    modules: [lwg-audit-preparation, export-documentation]
    prerequisites:
      - course: basic
        min_score: 60
    selection:
      - course: basic
        min_score: 70
      - mentorship: true
      - trainer: true

Loading needs no Flask (the content checker and the tests call it directly); the messages are
lazy and translated where they are shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..content.source import FieldReader, Problem, YAMLProblem, line_of, load_yaml
from ..i18n import _l, pick_text

FOLDER = "courses"
LEVELS = ("basic", "advanced")
#: Course ids share ``/achievements/<id>`` with module slugs, so they look like them.
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,60}")
#: The selection routes a course may offer, besides a course score.
ROUTES = ("mentorship", "trainer")
#: An id no course may take: the achievement of the programme certificate courses replaced.
RESERVED = frozenset({"programme"})


@dataclass(frozen=True)
class Requirement:
    """A prerequisite or selection route: ``kind`` is ``course`` or ``module`` (``target`` the
    id, ``min_score`` the least percent; 0: completing it is enough), ``mentorship`` (on the
    mentorship list) or ``trainer`` (admitted by a trainer, with a reason)."""

    kind: str
    target: str = ""
    min_score: int = 0


@dataclass(frozen=True)
class Course:
    id: str
    level: str
    order: int
    title: Mapping[str, str]
    summary: Mapping[str, str]
    modules: tuple[str, ...]
    prerequisites: tuple[Requirement, ...] = ()
    selection: tuple[Requirement, ...] = ()
    path: Path = Path()
    #: The line of each key and list item of the file (as :func:`load_yaml` gives them).
    lines: Mapping[tuple, int] = field(default_factory=dict, compare=False, hash=False)

    def line(self, *where: object) -> int:
        """The line of the field at ``where`` (keys and list indexes), else of its parent."""
        return line_of(self.lines, tuple(where))

    def text(self, field_name: str, chain: Iterable[str]) -> str:
        """The title or summary in the first language of ``chain`` that has it."""
        return pick_text(getattr(self, field_name), chain)[0]

    @property
    def trainer_may_admit(self) -> bool:
        return any(route.kind == "trainer" for route in self.selection)

    def mentions(self, slug: str) -> bool:
        """Whether the course teaches module ``slug`` or requires it."""
        return slug in self.modules or any(
            r.kind == "module" and r.target == slug for r in (*self.prerequisites, *self.selection)
        )

    @property
    def needs(self) -> tuple[str, ...]:
        """The courses this one's prerequisites and selection routes name."""
        return tuple(r.target for r in (*self.prerequisites, *self.selection) if r.kind == "course")


@dataclass
class Catalogue:
    courses: list[Course] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def get(self, course_id: str) -> Course | None:
        return next((c for c in self.courses if c.id == course_id), None)

    def mentioning(self, slug: str) -> list[Course]:
        """The courses that teach module ``slug`` or require it."""
        return [c for c in self.courses if c.mentions(slug)]


def load(root: Path) -> Catalogue:
    """Every course under ``root/courses``, in their ``order``, and the files' problems."""
    catalogue = Catalogue()
    folder = root / FOLDER
    paths = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    for path in paths:
        course = _load_file(path, catalogue.problems)
        if course is not None:
            catalogue.courses.append(course)
    catalogue.courses.sort(key=lambda c: (c.order, c.id))
    return catalogue


def check(catalogue: Catalogue, module_ids: Iterable[str]) -> list[Problem]:
    """The problems between files: unknown or repeated modules, unknown courses, a course id
    taken by a module, and prerequisites that go round in a circle."""
    known = set(module_ids)
    ids = {c.id for c in catalogue.courses}
    problems: list[Problem] = []
    for course in catalogue.courses:
        problems += _links(course, known, ids)
    return problems + _circles(catalogue)


def _load_file(path: Path, problems: list[Problem]) -> Course | None:
    try:
        data, lines = load_yaml(path.read_text(encoding="utf-8"))
    except YAMLProblem as exc:
        problems.append(Problem(path, exc.line, "error", exc.message))
        return None
    reader = _Reader(path, lines, problems)
    if not isinstance(data, dict):
        reader.error((), _l("a course must be a mapping with level, title, summary and modules"))
        return None
    return reader.course(path.stem, data)


@dataclass
class _Reader(FieldReader):
    def course(self, course_id: str, data: dict[str, Any]) -> Course | None:
        before = len(self.problems)
        if not ID_PATTERN.fullmatch(course_id) or course_id in RESERVED:
            self.error((), _l("the file name is the course id: lowercase letters, digits, -"))
        unknown = sorted(set(data) - {"level", "order", "title", "summary", "modules",
                                      "prerequisites", "selection"})  # fmt: skip
        for key in unknown:
            self.error((key,), _l("unknown field %(field)s", field=key))
        level = data.get("level")
        if level not in LEVELS:
            self.error(("level",), _l("level must be basic or advanced"))
        order = data.get("order", 100)
        if not isinstance(order, int) or isinstance(order, bool):
            self.error(("order",), _l("order must be a whole number"))
            order = 100
        course = Course(
            id=course_id,
            level=str(level),
            order=order,
            title=self.texts(data, ("title",)),
            summary=self.texts(data, ("summary",)),
            modules=self.modules(data),
            prerequisites=self.requirements(data, "prerequisites", routes=False),
            selection=self.requirements(data, "selection", routes=True),
            path=self.path,
            lines=dict(self.lines),
        )
        return course if len(self.problems) == before else None

    def modules(self, data: dict[str, Any]) -> tuple[str, ...]:
        raw = data.get("modules")
        if not isinstance(raw, list) or not raw or not all(isinstance(m, str) for m in raw):
            self.error(("modules",), _l("modules: a list of module ids is needed"))
            return ()
        for n, slug in enumerate(raw):
            if slug in raw[:n]:
                self.error(("modules", n), _l("module %(module)s is listed twice", module=slug))
        return tuple(raw)

    def requirements(self, data: dict[str, Any], key: str, routes: bool) -> tuple[Requirement, ...]:
        raw = data.get(key) or []
        if not isinstance(raw, list):
            self.error((key,), _l("%(field)s must be a list", field=key))
            return ()
        found = (self.requirement(item, (key, n), routes) for n, item in enumerate(raw))
        return tuple(r for r in found if r is not None)

    def requirement(self, raw: Any, where: tuple, routes: bool) -> Requirement | None:
        if routes and isinstance(raw, dict) and len(raw) == 1:
            ((route, value),) = raw.items()
            if route in ROUTES:
                if value is not True:
                    self.error((*where, route), _l("%(field)s: write true", field=route))
                return Requirement(route)
        kinds = [k for k in ("course", "module") if isinstance(raw, dict) and k in raw]
        if len(kinds) != 1:
            message = (
                _l("each route needs course or module (with min_score), mentorship or trainer")
                if routes
                else _l("each prerequisite needs course or module, and may have min_score")
            )
            self.error(where, message)
            return None
        kind = kinds[0]
        score = raw.get("min_score", 0)
        if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 100:
            self.error((*where, "min_score"), _l("min_score must be a percent from 0 to 100"))
            score = 0
        extra = sorted(set(raw) - {kind, "min_score"})
        for name in extra:
            self.error((*where, name), _l("unknown field %(field)s", field=name))
        return Requirement(kind, str(raw[kind]), score)


def _links(course: Course, modules: set[str], courses: set[str]) -> list[Problem]:
    def problem(where: tuple, message: Any) -> Problem:
        return Problem(course.path, course.line(*where), "error", message)

    found = [
        problem(
            ("modules", n), _l("course %(id)s: no module %(module)s", id=course.id, module=slug)
        )
        for n, slug in enumerate(course.modules)
        if slug not in modules
    ]
    if course.id in modules:
        found.append(problem((), _l("course %(id)s has the id of a module", id=course.id)))
    for key in ("prerequisites", "selection"):
        for n, req in enumerate(getattr(course, key)):
            where = (key, n, req.kind)
            if req.kind == "module" and req.target not in modules:
                message = _l("course %(id)s: no module %(module)s", id=course.id, module=req.target)
                found.append(problem(where, message))
            if req.kind == "course" and req.target not in courses:
                message = _l("course %(id)s: no course %(course)s", id=course.id, course=req.target)
                found.append(problem(where, message))
    return found


def _circles(catalogue: Catalogue) -> list[Problem]:
    """A course that needs itself, through any chain of courses, could never open."""
    needs = {c.id: set(c.needs) for c in catalogue.courses}
    problems = []
    for course in catalogue.courses:
        seen: set[str] = set()
        todo = list(needs[course.id])
        while todo:
            current = todo.pop()
            if current == course.id:
                problems.append(
                    Problem(
                        course.path,
                        course.line("prerequisites"),
                        "error",
                        _l("course %(id)s needs itself through its prerequisites", id=course.id),
                    )
                )
                break
            if current not in seen:
                seen.add(current)
                todo += needs.get(current, ())
    return problems
