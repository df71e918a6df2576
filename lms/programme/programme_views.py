"""Programme officials (admins) keep the programme record: dates, targets and milestones."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from ..db import db
from ..i18n import _
from ..security import roles_required
from ..web import render
from . import programmes, scope
from .models import MILESTONES, Programme
from .views import bp


@bp.get("/programme/programmes")
@roles_required("admin")
def programme_list() -> str:
    return render(
        "lms/programme/programmes.html",
        programmes=scope.programmes(),
        labels=programmes.MILESTONE_LABELS,
        status=programmes.milestone_status,
    )


def _form(programme: Programme | None) -> str | Response:
    data = request.form.to_dict() if request.method == "POST" else programmes.form_data(programme)
    problems: list[str] = []
    if request.method == "POST":
        saved, problems = programmes.save(request.form, programme)
        if saved is not None:
            flash(_("Saved."), "success")
            return redirect(url_for("lms.programme.programme_list"))
    return render(
        "lms/programme/programme_form.html",
        programme=programme,
        data=data,
        problems=problems,
        kinds=MILESTONES,
        labels=programmes.MILESTONE_LABELS,
    )


@bp.route("/programme/programmes/new", methods=["GET", "POST"])
@roles_required("admin")
def new_programme() -> str | Response:
    return _form(None)


@bp.route("/programme/programmes/<int:programme_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_programme(programme_id: int) -> str | Response:
    return _form(db.session.get(Programme, programme_id) or abort(404))
