"""The mentorship list: the top 10 % of the ranking, their mentors, meetings and outcomes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Flask, abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from ...db import db
from ...i18n import _, _l, format_number
from ...parsing import Page, optional_id
from ...security import roles_required
from ...state import HomeLink, state
from ...web import render
from .. import scope
from ..competition import services as competition
from ..exports import table_response
from ..feedback.services import today
from ..models import MENTORSHIP_STATUSES, Mentorship, Programme
from ..records import views as programme_views
from ..views import bp
from . import services as ms

if TYPE_CHECKING:
    from ...state import LMSState

#: Rows a page of the mentorship list, and of the ranking, shows.
PAGE_SIZE = 100


def setup(app: Flask, state: LMSState) -> None:
    """Home links and demo loaders of this part of the programme."""
    state.home_links.append(
        HomeLink(
            "lms.programme.mentorship_list",
            _l("Mentorship"),
            _l("Refer the top 10 per cent to mentors; record meetings and outcomes."),
            roles=("admin",),
            icon="award",
        )
    )
    state.demo_loaders.append(ms.load_demo)


def _programme(programme_id: int | None) -> Programme | None:
    if programme_id is None:
        return scope.current_programme()
    return db.session.get(Programme, programme_id) or abort(404)


@bp.get("/programme/mentorship")
@roles_required("admin")
def mentorship_list() -> str | Response:
    programme = _programme(optional_id(request.args.get("programme")))
    fmt = request.args.get("format")
    if fmt:
        if programme is None:
            abort(404)
        rows = ms.export_rows(programme.id)
        return table_response(fmt, f"mentorship-{programme.id}", ms.EXPORT_HEADER, rows)
    ranked = ms.ranked_count(programme.id) if programme else 0
    ranks = Page.of(request.args.get("ranks"), ranked, PAGE_SIZE)
    candidates = ms.candidates(programme.id, ranks.size, ranked, ranks.offset) if programme else []
    total = ms.mentorship_count(programme.id) if programme else 0
    page = Page.of(request.args.get("page"), total, PAGE_SIZE)
    listed = ms.mentorships(programme.id, page.size, page.offset) if programme else []
    return render(
        "lms/programme/mentorship.html",
        programme=programme,
        programmes=scope.programmes(),
        listed=listed,
        page=page,
        people=ms.beneficiaries_of(m.user_id for m in listed),
        candidates=candidates,
        ranks=ranks,
        waiting=ms.waiting(programme.id, ranked) if programme else 0,
        labels=ms.STATUS_LABELS,
    )


@bp.post("/programme/mentorship/refer")
@roles_required("admin")
def mentorship_refer() -> Response:
    programme = db.session.get(Programme, optional_id(request.form.get("programme")) or 0)
    if programme is None:
        abort(404)
    user_id = optional_id(request.form.get("user"))
    if user_id:
        if ms.refer(programme.id, user_id) is None:
            abort(404)
        flash(_("Referred to mentorship."), "success")
    else:
        made = ms.refer_top(programme.id)
        flash(
            _("%(num)s referred to mentorship.", num=format_number(made))
            if made
            else _("The top 10 per cent are already referred."),
            "success",
        )
    return redirect(url_for("lms.programme.mentorship_list", programme=programme.id))


@bp.route("/programme/mentorship/<lms_id:mentorship_id>", methods=["GET", "POST"])
@roles_required("admin")
def mentorship_detail(mentorship_id: int) -> str | Response:
    mentorship = db.session.get(Mentorship, mentorship_id) or abort(404)
    action = request.form.get("action", "")
    problems: dict[str, str] = {}
    if request.method == "POST":
        if action == "meeting":
            problems = ms.add_meeting(mentorship, request.form, today())
        else:
            problems = ms.update_mentor(mentorship, request.form)
        if not problems:
            flash(_("Saved."), "success")
            return redirect(url_for("lms.programme.mentorship_detail", mentorship_id=mentorship.id))
    person = ms.beneficiaries_of([mentorship.user_id]).get(mentorship.user_id)
    return render(
        "lms/programme/mentorship_detail.html",
        mentorship=mentorship,
        person=person,
        mentor=_mentor_data(mentorship, action, problems),
        meeting=dict(request.form) if problems and action == "meeting" else {},
        problems=problems,
        action=action,
        statuses=MENTORSHIP_STATUSES,
        labels=ms.STATUS_LABELS,
        today=today(),
        record=_their_record(mentorship),
        competition=_competition(person),
    )


def _their_record(mentorship: Mentorship) -> list[tuple[str, Any]]:
    """The mentee's record as they see it (tests, live quizzes, self-assessments): what the
    mentor follows up on. The programme's own part (sessions, "download my data") is on this
    page already, in the words of the official."""
    sections = [s for s in state().record_sections if s is not programme_views.record_section]
    return [found for make in sections if (found := make(mentorship.user)) is not None]


def _competition(person: Any) -> dict[str, Any] | None:
    """The competitive analysis of the mentee's enterprise, if one was started."""
    if person is None or person.enterprise_id is None:
        return None
    row = competition.get(person.enterprise_id)
    return {"row": row, "fields": competition.FIELDS} if row is not None else None


def _mentor_data(mentorship: Mentorship, action: str, problems: dict[str, str]) -> dict[str, Any]:
    """What the mentor form shows: what was sent if it was refused, else what is saved."""
    if problems and action != "meeting":
        return dict(request.form)
    return {
        "mentor_name": mentorship.mentor_name,
        "mentor_organisation": mentorship.mentor_organisation,
        "status": mentorship.status,
    }
