"""Training sessions: trainers plan them, enrol beneficiaries and tap attendance on a roster."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..db import db
from ..i18n import LOCALES
from ..security import roles_required
from ..web import render
from . import services
from .models import Beneficiary, Cluster, TrainingSession
from .views import bp


@bp.route("/programme/sessions", methods=["GET", "POST"])
@roles_required("trainer")
def sessions() -> str | Response:
    if request.method == "POST":
        session, problems = services.create_session(request.form, current_user.id)
        if session is not None:
            return redirect(url_for("lms.programme.training_session", session_id=session.id))
        for problem in problems:
            flash(problem, "error")
    rows = db.session.scalars(select(TrainingSession).order_by(TrainingSession.held_on.desc()))
    clusters = db.session.scalars(select(Cluster).order_by(Cluster.name)).all()
    return render(
        "lms/programme/sessions.html", sessions=rows.all(), clusters=clusters, locales=LOCALES
    )


@bp.route("/programme/sessions/<int:session_id>", methods=["GET", "POST"])
@roles_required("trainer")
def training_session(session_id: int) -> str | Response:
    session = db.session.get(TrainingSession, session_id) or abort(404)
    if request.method == "POST":
        if request.form.get("action") == "enrol":
            ids = [int(i) for i in request.form.getlist("beneficiaries") if i.isdigit()]
            for problem in services.enrol(session, ids):
                flash(problem, "error")
        else:
            person = request.form.get("beneficiary", type=int) or 0
            if not services.mark(session, person, request.form.get("present") == "1"):
                abort(404)
        return redirect(url_for("lms.programme.training_session", session_id=session.id))
    enrolled = {e.beneficiary_id for e in session.enrolments}
    candidates = [
        b
        for b in db.session.scalars(select(Beneficiary).order_by(Beneficiary.name))
        if b.id not in enrolled
    ]
    return render(
        "lms/programme/session.html", session=session, candidates=candidates, locales=LOCALES
    )
