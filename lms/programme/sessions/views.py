"""Training sessions: trainers plan them, enrol beneficiaries, tap attendance on a roster or show
the session's QR code for participants to check in on their tablets."""

from __future__ import annotations

import segno
from flask import abort, flash, redirect, request, url_for
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload
from werkzeug.wrappers import Response

from ...auth import current_user
from ...content import services as content
from ...db import db
from ...i18n import _, language, languages, locale_code
from ...parsing import optional_id, record_id
from ...security import login_required, roles_required
from ...web import render
from .. import scope
from ..models import Beneficiary, Cluster, Enrolment, Enterprise, TrainingSession
from ..views import bp
from . import training


def _session_or_404(session_id: int) -> TrainingSession:
    return db.session.get(TrainingSession, session_id) or abort(404)


def _roster_or_404(session_id: int) -> TrainingSession:
    """The session with its roster: enrolments, people and their enterprises, in two queries
    whatever their number."""
    query = (
        select(TrainingSession)
        .where(TrainingSession.id == session_id)
        .options(
            selectinload(TrainingSession.enrolments)
            .joinedload(Enrolment.beneficiary)
            .joinedload(Beneficiary.enterprise)
        )
    )
    return db.session.scalar(query) or abort(404)


def module_titles() -> dict[str, tuple[str, str]]:
    """Each module's title for this reader, with the HTML ``lang`` of the text it comes from
    (English while a module has no text in the reader's language)."""
    chain = content.locale_chain(locale_code())
    found = {}
    for module in content.learner_modules():
        doc = module.doc(chain)
        found[module.slug] = (
            (doc.title, language(doc.locale).html_lang) if doc else (module.slug, "en")
        )
    return found


def _may_run(session: TrainingSession) -> bool:
    """Its trainers and admins run a session (edit it, enrol, take attendance)."""
    return current_user.has_role("admin") or any(t.id == current_user.id for t in session.trainers)


def _form_page(session: TrainingSession | None, data: dict, problems: list[str]) -> str:
    return render(
        "lms/programme/session_form.html",
        session=session,
        data=data,
        problems=problems,
        clusters=db.session.scalars(select(Cluster).order_by(Cluster.name)).all(),
        programmes=scope.programmes(),
        trainers=training.trainer_choices(),
        modules=module_titles(),
        language_table=languages(),
    )


def _session_data(session: TrainingSession | None) -> dict:
    if session is None:
        current = scope.current_programme()
        return {
            "capacity": "50",
            "programme": str(current.id) if current else "",
            "trainers": [str(current_user.id)],
        }
    return {
        "title": session.title,
        "held_on": session.held_on.isoformat(),
        "venue": session.venue,
        "cluster": session.cluster.name if session.cluster else "",
        "language": session.language,
        "capacity": str(session.capacity),
        "programme": str(session.programme_id or ""),
        "trainers": [str(t.id) for t in session.trainers],
        "modules": session.module_slugs,
    }


def _posted() -> dict:
    data: dict = request.form.to_dict()
    data["trainers"] = request.form.getlist("trainers")
    data["modules"] = request.form.getlist("modules")
    return data


@bp.get("/programme/sessions")
@roles_required("trainer")
def sessions() -> str:
    filters = scope.Filters.from_args(request.args)
    mine = request.args.get("mine") == "1"
    if mine:
        filters = scope.Filters(**{**filters.__dict__, "trainer_id": current_user.id})
    rows = sorted(scope.sessions(filters), key=lambda s: (s.held_on, s.id), reverse=True)
    return render("lms/programme/sessions.html", sessions=rows, mine=mine)


@bp.route("/programme/sessions/new", methods=["GET", "POST"])
@roles_required("trainer")
def new_session() -> str | Response:
    if request.method == "POST":
        session, problems = training.save_session(_posted(), trainer=current_user)
        if session is not None:
            flash(_("Saved."), "success")
            return redirect(url_for("lms.programme.training_session", session_id=session.id))
        return _form_page(None, _posted(), problems)
    return _form_page(None, _session_data(None), [])


@bp.route("/programme/sessions/<lms_id:session_id>/edit", methods=["GET", "POST"])
@roles_required("trainer")
def edit_session(session_id: int) -> str | Response:
    session = _session_or_404(session_id)
    if not _may_run(session):
        abort(403)
    if request.method == "POST":
        saved, problems = training.save_session(_posted(), session)
        if saved is not None:
            flash(_("Saved."), "success")
            return redirect(url_for("lms.programme.training_session", session_id=session.id))
        return _form_page(session, _posted(), problems)
    return _form_page(session, _session_data(session), [])


@bp.route("/programme/sessions/<lms_id:session_id>", methods=["GET", "POST"])
@roles_required("trainer")
def training_session(session_id: int) -> str | Response:
    session = _roster_or_404(session_id)
    may_run = _may_run(session)
    if request.method == "POST":
        if not may_run:
            abort(403)
        if request.form.get("action") == "enrol":
            ids = [record_id(i) for i in request.form.getlist("beneficiaries")]
            problems = (
                [_("Choose beneficiaries from the list.")]
                if None in ids
                else training.enrol(session, [i for i in ids if i is not None])
            )
            for problem in problems:
                flash(problem, "error")
        else:
            person = optional_id(request.form.get("beneficiary")) or 0
            if not training.mark(session, person, request.form.get("present") == "1"):
                abort(404)
        return redirect(url_for("lms.programme.training_session", session_id=session.id))
    everyone = request.args.get("all") == "1" or session.cluster_id is None
    candidates = _candidates(session, everyone) if may_run else []
    return render(
        "lms/programme/session.html",
        session=session,
        candidates=candidates,
        language_table=languages(),
        may_run=may_run,
        titles=module_titles(),
        everyone=everyone,
    )


def _candidates(session: TrainingSession, everyone: bool) -> list[Beneficiary]:
    """Who can still be enrolled: by default the people of the session's own cluster (with
    their enterprises, from the same query)."""
    enrolled = {e.beneficiary_id for e in session.enrolments}
    query = (
        select(Beneficiary)
        .join(Enterprise)
        .options(contains_eager(Beneficiary.enterprise))
        .where(Beneficiary.erased_at.is_(None))
        .order_by(Enterprise.name, Beneficiary.name)
    )
    if not everyone:
        query = query.where(Enterprise.cluster_id == session.cluster_id)
    return [b for b in db.session.scalars(query) if b.id not in enrolled]


@bp.get("/programme/sessions/<lms_id:session_id>/qr")
@roles_required("trainer")
def session_qr(session_id: int) -> str:
    """The check-in code, large, for the projector or the trainer's tablet."""
    session = _session_or_404(session_id)
    if not _may_run(session):
        abort(403)
    url = url_for("lms.programme.checkin", token=session.checkin_token, _external=True)
    qr = Markup(segno.make(url, error="m").svg_inline(scale=8, border=2))
    return render("lms/programme/session_qr.html", session=session, url=url, qr=qr)


@bp.route("/programme/checkin/<token>", methods=["GET", "POST"])
@login_required
def checkin(token: str) -> str | Response:
    """A participant scanned the session's QR code: one big button says "I am here"."""
    session = training.find_by_token(token) or abort(404)
    problem, done = None, False
    try:
        if request.method == "POST":
            done = training.check_in(session, current_user.id) is not None
        else:  # the same rule as the tap: a refusal shows at once, with no button
            person = training.checkin_open(session, current_user.id)
            done = any(e.beneficiary_id == person.id and e.present for e in session.enrolments)
    except training.CheckinError as exc:
        problem = str(exc)
    return render("lms/programme/checkin.html", session=session, problem=problem, done=done)
