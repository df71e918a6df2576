"""What a course's state says to people, in the request's language: why a course is locked,
which way in is missing. The path page, the eligibility list and its download share these."""

from __future__ import annotations

from ..content import services as content
from ..countries import COUNTRY_NAMES
from ..i18n import _, format_percent, locale_code
from . import services
from .definitions import Course, Requirement
from .paths import CourseState, Unmet


def level(name: str) -> str:
    return _("Basic") if name == "basic" else _("Advanced")


def _percent(value: float) -> str:
    return format_percent(value / 100)


def _name(requirement: Requirement) -> str:
    locale = locale_code()
    if requirement.kind == "course":
        course = services.get(requirement.target)
        return services.course_title(course, locale) if course else requirement.target
    module = content.library().get(requirement.target)
    return content.title(module, locale) if module is not None else requirement.target


def prerequisite(unmet: Unmet) -> str:
    """One prerequisite not met, as an instruction, with the learner's score when they have one."""
    req = unmet.requirement
    name = _name(req)
    if req.kind == "course":
        text = (
            _("Finish the course “%(course)s” with a score of at least %(min)s.", course=name,
              min=_percent(req.min_score))
            if req.min_score
            else _("Finish the course “%(course)s”.", course=name)
        )  # fmt: skip
    else:
        text = (
            _("Earn the certificate of “%(module)s” with at least %(min)s in its final test.",
              module=name, min=_percent(req.min_score))
            if req.min_score
            else _("Earn the certificate of “%(module)s”.", module=name)
        )  # fmt: skip
    if unmet.score is not None:
        text += " " + _("Your score: %(score)s.", score=_percent(unmet.score))
    return text


def route(unmet: Unmet) -> str:
    """One way into the course, as a choice in a list."""
    req = unmet.requirement
    if req.kind == "mentorship":
        return _("a place on the mentorship list (the top 10%)")
    if req.kind == "trainer":
        return _("your trainer's admission")
    name = _name(req)
    text = (
        _("a score of at least %(min)s in “%(course)s”", min=_percent(req.min_score), course=name)
        if req.kind == "course"
        else _("a score of at least %(min)s in “%(module)s”", min=_percent(req.min_score),
               module=name)
    )  # fmt: skip
    if unmet.score is not None:
        text += " " + _("(yours: %(score)s)", score=_percent(unmet.score))
    return text


def why_locked(state: CourseState) -> list[str]:
    """Every reason in one line each: the prerequisites, then "one of these" with the routes
    (a download's cell joins them; pages list the routes with :func:`routes`)."""
    lines = [prerequisite(u) for u in state.unmet]
    if state.routes:
        lines.append(routes_intro(state) + " " + "; ".join(map(route, state.routes)) + ".")
    return lines


def routes_intro(state: CourseState) -> str:
    return _("And one of these:") if state.unmet else _("One of these:")


def routes(state: CourseState) -> list[str]:
    return [route(u) for u in state.routes]


def summary(state: CourseState) -> str:
    """The state in a few words, for a table cell or a download: and how they came in."""
    if state.state == "locked":
        return _("Not yet")
    said = _("Finished") if state.state == "done" else _("May take it")
    if state.way_in == "trainer":
        return said + " · " + _("Admitted by a trainer")
    if state.way_in in ("course", "module"):
        return said + " · " + _("By their score")
    if state.way_in == "mentorship":
        return said + " · " + _("On the mentorship list")
    return said


def percent_or_dash(value: float | None) -> str:
    return _percent(value) if value is not None else "–"


def score_columns(course: Course) -> list[tuple[str, str]]:
    """The courses whose score decides who takes ``course`` (its prerequisites' and routes'):
    ``(id, column title)`` each, for the list and its download."""
    needed = dict.fromkeys(course.needs)
    found = [(cid, services.get(cid)) for cid in needed]
    return [
        (cid, _("Score in “%(course)s”", course=services.course_title(c, locale_code())))
        for cid, c in found
        if c is not None
    ]


def selection_table(
    course: Course, listed: list[services.Candidate]
) -> tuple[list[str], list[list[object]]]:
    """The selection list as a download's header and rows."""
    columns = score_columns(course)
    header = [
        _("Name"),
        _("Enterprise"),
        _("Country"),
        _("May take it"),
        _("State"),
        *(title for _cid, title in columns),
        _("Why not yet"),
        _("Admitted by"),
        _("Reason for admission"),
    ]
    rows: list[list[object]] = [
        [
            c.user.name,
            c.user.enterprise_name or "",
            str(COUNTRY_NAMES.get(c.country, c.country)),
            _("Yes") if c.state.eligible else _("No"),
            summary(c.state),
            *(percent_or_dash(c.scores.get(cid)) for cid, _title in columns),
            " ".join(why_locked(c.state)),
            c.admitted_by or "",
            c.state.admitted or "",
        ]
        for c in listed
    ]
    return header, rows
