"""A learner's path through the courses, and who may take a course: pure functions of what is
known about a learner (:class:`Record`), so the path page, the trainer's eligibility list, the
course certificate and the tests all decide the same way.

A course is **done** when its certificate is held, or every module of it is certified and the
learner may take it. A learner **may take** a course when a trainer admitted them, or when every
prerequisite is met and, if the course has selection routes, one of them is (a course score, the
mentorship list; the trainer route is an admission). Otherwise it is **locked**, with the reasons.
Modules themselves are never locked: reading is open to everyone; the course decides who is
selected and who gets its certificate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .definitions import Catalogue, Course, Requirement

DONE, OPEN, LOCKED = "done", "open", "locked"


@dataclass(frozen=True)
class Record:
    """What decides a learner's courses."""

    #: Best final-test percent of each module whose certificate they hold (valid, not revoked).
    certified: Mapping[str, float] = field(default_factory=dict)
    #: Courses whose certificate they hold.
    course_certificates: frozenset[str] = frozenset()
    #: On the mentorship list (referred, not declined).
    mentorship: bool = False
    #: Trainers' admissions: course id -> the reason recorded.
    admissions: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Unmet:
    """A requirement not met, and how far the learner is (their score, when they have one)."""

    requirement: Requirement
    score: float | None = None


@dataclass(frozen=True)
class CourseState:
    course: Course
    state: str
    #: Each module of the course, in order, and whether it is certified.
    modules: tuple[tuple[str, bool], ...]
    #: Average best final-test percent of the modules, once all are certified.
    score: float | None
    #: Prerequisites not met.
    unmet: tuple[Unmet, ...] = ()
    #: The selection routes, when none is met (one of them is needed).
    routes: tuple[Unmet, ...] = ()
    #: The trainer's reason, when admitted.
    admitted: str | None = None
    #: How the learner may take it: ``trainer`` (admitted), the first selection route met
    #: (``course``, ``module``, ``mentorship``), or ``""`` (the course has no selection).
    way_in: str = ""

    @property
    def eligible(self) -> bool:
        return self.state != LOCKED

    @property
    def done_count(self) -> int:
        return sum(1 for _slug, done in self.modules if done)

    @property
    def next_module(self) -> str | None:
        return next((slug for slug, done in self.modules if not done), None)


def course_score(course: Course, record: Record) -> float | None:
    """The course's score: the average of its modules' best final tests, once all are
    certified (``None`` before)."""
    if not course.modules or any(slug not in record.certified for slug in course.modules):
        return None
    return sum(record.certified[slug] for slug in course.modules) / len(course.modules)


def unmet(requirement: Requirement, record: Record, catalogue: Catalogue) -> Unmet | None:
    """``None`` when ``requirement`` is met, else what is missing."""
    if requirement.kind == "mentorship":
        return None if record.mentorship else Unmet(requirement)
    if requirement.kind == "trainer":
        return Unmet(requirement)  # met only by an admission, which is checked first
    if requirement.kind == "module":
        score = record.certified.get(requirement.target)
    else:
        needed = catalogue.get(requirement.target)
        score = course_score(needed, record) if needed is not None else None
    if score is not None and score >= requirement.min_score:
        return None
    return Unmet(requirement, score)


def state_of(course: Course, record: Record, catalogue: Catalogue) -> CourseState:
    modules = tuple((slug, slug in record.certified) for slug in course.modules)
    score = course_score(course, record)
    admitted = record.admissions.get(course.id)
    if course.id in record.course_certificates:
        return CourseState(course, DONE, modules, score, admitted=admitted)
    missing = tuple(u for r in course.prerequisites if (u := unmet(r, record, catalogue)))
    selection = [(r, unmet(r, record, catalogue)) for r in course.selection]
    routes = tuple(u for _r, u in selection if u is not None)
    met = [r.kind for r, u in selection if u is None]
    if admitted is None and (missing or (course.selection and not met)):
        return CourseState(course, LOCKED, modules, score, missing, routes if not met else ())
    way_in = "trainer" if admitted is not None else (met[0] if met else "")
    return CourseState(
        course, OPEN if score is None else DONE, modules, score, admitted=admitted, way_in=way_in
    )


def path(catalogue: Catalogue, record: Record) -> list[CourseState]:
    """Every course's state, in the catalogue's order."""
    return [state_of(course, record, catalogue) for course in catalogue.courses]


def next_course(states: Iterable[CourseState]) -> CourseState | None:
    """The course to work on now: the first open one."""
    return next((s for s in states if s.state == OPEN), None)
