"""Pages of the courses: a learner's path (done, next, locked and why), a course's page, and
the trainer's eligibility list with admissions, its download and the course's sessions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from .. import signals
from ..accounts.models import ADMIN, TRAINER
from ..auth import current_user
from ..content import services as content
from ..content.checker import once_per_library
from ..countries import COUNTRIES, COUNTRY_NAMES
from ..db import db
from ..i18n import _, _l, format_date, locale_code
from ..parsing import optional_id
from ..programme.exports import table_response
from ..programme.models import TrainingSession
from ..security import login_required, roles_required
from ..state import HomeLink
from ..web import render
from . import cli, demo, paths, services, texts  # noqa: F401  (cli: commands join ``flask lms``)
from .checker import check_content
from .definitions import FOLDER, Course

if TYPE_CHECKING:
    from ..state import LMSState

bp = Blueprint("courses", __name__)

#: Rows the eligibility page shows at once (the download has them all).
PAGE_ROWS = 200


def setup(app: Flask, state: LMSState) -> None:
    state.home_links.append(
        HomeLink(
            "lms.courses.index",
            _l("Courses"),
            _l("Your path: what is done, what is next, and what opens later."),
            icon="path",
        )
    )
    state.content_folders.add(FOLDER)
    state.achievement_sources.append(services.achievement)
    state.certificate_issuers.append(services.maybe_issue)
    state.module_panels.append(course_panel)
    state.record_sections.append(record_section)
    state.content_checks.append(once_per_library(check_content))
    state.demo_loaders.append(demo.load)

    def on_issued(sender: Flask, **event: Any) -> None:
        certificate = event["certificate"]
        if certificate.kind == "module" and services.may_complete(
            certificate.user_id, certificate.achievement_id
        ):
            services.maybe_issue(certificate.user_id)

    def on_referred(sender: Flask, **event: Any) -> None:
        for user_id in event["user_ids"]:
            services.maybe_issue(user_id)

    signals.certificate_issued.connect(on_issued, sender=app, weak=False)
    signals.mentees_referred.connect(on_referred, sender=app, weak=False)


def course_panel(module: Any) -> tuple[str, dict[str, Any]] | None:
    """On a module page: the courses it belongs to, and whether the reader may take them."""
    found = [c for c in services.catalogue().courses if module.slug in c.modules]
    if not found or not current_user.is_authenticated:
        return None
    record = services.record(current_user.id)
    states = [paths.state_of(c, record, services.catalogue()) for c in found]
    return "lms/courses/_panel.html", {"states": states, **_helpers()}


def record_section(user: Any) -> tuple[str, dict[str, Any]] | None:
    """On a learner's record (theirs, their trainer's and mentor's view): their courses."""
    states = services.learner_path(user.id)
    if not states:
        return None
    return "lms/courses/_record.html", {"states": states, **_helpers()}


def _helpers() -> dict[str, Any]:
    locale = locale_code()
    return {
        "course_title": lambda course: services.course_title(course, locale),
        "module_title": _module_title,
        "level": texts.level,
        "why_locked": texts.why_locked,
        "prerequisites": lambda state: [texts.prerequisite(u) for u in state.unmet],
        "routes": texts.routes,
        "routes_intro": texts.routes_intro,
        "summary": texts.summary,
        "percent": texts.percent_or_dash,
    }


def _module_title(slug: str) -> str:
    module = content.library().get(slug)
    return content.title(module, locale_code()) if module is not None else slug


def _course(course_id: str) -> Course:
    course = services.get(course_id)
    if course is None:
        abort(404)
    return course


def _is_staff() -> bool:
    return current_user.has_role(TRAINER, ADMIN)


@bp.get("/courses")
@login_required
def index() -> str:
    states = services.learner_path(current_user.id)
    return render(
        "lms/courses/index.html",
        states=states,
        next_state=paths.next_course(states),
        staff=_is_staff(),
        **_helpers(),
    )


@bp.get("/courses/<course_id>")
@login_required
def course(course_id: str) -> str:
    found = _course(course_id)
    state = paths.state_of(found, services.record(current_user.id), services.catalogue())
    return render(
        "lms/courses/course.html",
        course=found,
        course_summary=found.text("summary", content.locale_chain(locale_code())),
        state=state,
        sessions=services.sessions_of(found.id),
        staff=_is_staff(),
        format_date=format_date,
        **_helpers(),
    )


def _country_filter() -> str | None:
    country = request.args.get("country", "all")
    return country if country in COUNTRIES else None


@bp.get("/courses/<course_id>/eligible")
@roles_required(TRAINER)
def eligible(course_id: str) -> str:
    found = _course(course_id)
    country = _country_filter()
    show_all = request.args.get("show") == "all"
    listed = services.candidates(found, country)
    eligible_count = sum(1 for c in listed if c.state.eligible)
    shown = listed if show_all else [c for c in listed if c.state.eligible]
    return render(
        "lms/courses/eligible.html",
        course=found,
        rows=shown[:PAGE_ROWS],
        more=max(0, len(shown) - PAGE_ROWS),
        total=len(listed),
        eligible_count=eligible_count,
        country=country or "all",
        countries=[(code, COUNTRY_NAMES[code]) for code in COUNTRIES],
        show_all=show_all,
        score_columns=texts.score_columns(found),
        sessions=services.sessions_of(found.id),
        free_sessions=services.sessions_without_course(),
        format_date=format_date,
        **_helpers(),
    )


@bp.get("/courses/<course_id>/eligible.<fmt>")
@roles_required(TRAINER)
def eligible_download(course_id: str, fmt: str) -> Response:
    found = _course(course_id)
    listed = services.candidates(found, _country_filter())
    if request.args.get("show") != "all":
        listed = [c for c in listed if c.state.eligible]
    header, rows = texts.selection_table(found, listed)
    return table_response(fmt, f"selection-{found.id}", header, rows)


@bp.post("/courses/<course_id>/admit")
@roles_required(TRAINER)
def admit(course_id: str) -> Response:
    found = _course(course_id)
    user_id = optional_id(request.form.get("user"))
    try:
        services.admit(found, user_id or 0, request.form.get("reason", ""), current_user.id)
    except services.AdmissionError as error:
        flash(_(str(error)), "error")
    else:
        flash(_("Admitted. The reason is kept with the admission."), "success")
    return redirect(_back(found))


@bp.post("/courses/<course_id>/withdraw")
@roles_required(TRAINER)
def withdraw(course_id: str) -> Response:
    found = _course(course_id)
    user_id = optional_id(request.form.get("user"))
    if user_id and services.withdraw(found.id, user_id):
        flash(_("The admission is withdrawn."), "success")
    return redirect(_back(found))


@bp.post("/courses/<course_id>/sessions")
@roles_required(TRAINER)
def sessions(course_id: str) -> Response:
    found = _course(course_id)
    session_id = optional_id(request.form.get("session"))
    if session_id is None or db.session.get(TrainingSession, session_id) is None:
        flash(_("Choose a session."), "error")
    elif request.form.get("action") == "remove":
        if services.course_of_session(session_id) == found.id:
            services.set_session_course(session_id, None)
    else:
        services.set_session_course(session_id, found.id)
        flash(_("The session now teaches this course."), "success")
    return redirect(url_for("lms.courses.eligible", course_id=found.id) + "#sessions")


def _back(found: Course) -> str:
    """The eligibility page as it was (its filters), else the course's."""
    args = {k: v for k, v in request.form.items() if k in ("country", "show") and v}
    return url_for("lms.courses.eligible", course_id=found.id, **args)
