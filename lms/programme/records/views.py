"""Programme officials (admins) keep the programme record: dates, targets and milestones."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from ...accounts.models import User
from ...accounts.services import AccountError
from ...auth import current_user
from ...db import db
from ...i18n import _
from ...parsing import optional_id
from ...security import login_required, roles_required
from ...web import render
from .. import scope
from ..models import MILESTONES, Beneficiary, Cluster, Enrolment, Programme
from ..sessions import training
from ..views import bp
from . import privacy, programmes


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


@bp.route("/programme/programmes/<lms_id:programme_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_programme(programme_id: int) -> str | Response:
    return _form(db.session.get(Programme, programme_id) or abort(404))


@bp.route("/programme/clusters", methods=["GET", "POST"])
@roles_required("admin")
def clusters() -> str | Response:
    """The programme's clusters: add one, or rename one and set its country."""
    problems: list[str] = []
    if request.method == "POST":
        cluster_id = optional_id(request.form.get("cluster"))
        cluster = db.session.get(Cluster, cluster_id) if cluster_id else None
        if cluster_id and cluster is None:
            abort(404)
        problems = programmes.save_cluster(request.form, cluster)
        if not problems:
            flash(_("Saved."), "success")
            return redirect(url_for("lms.programme.clusters"))
    return render(
        "lms/programme/clusters.html",
        clusters=db.session.scalars(select(Cluster).order_by(Cluster.name)).all(),
        countries=programmes.COUNTRIES,
        problems=problems,
        data=request.form,
    )


@bp.get("/programme/my-data.json")
@login_required
def my_data() -> Response:
    """Everything kept about the signed-in person, as a JSON download."""
    response = jsonify(privacy.personal_data(current_user))
    response.headers["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@bp.post("/programme/beneficiaries/<lms_id:beneficiary_id>/erase")
@roles_required("admin")
def erase_beneficiary(beneficiary_id: int) -> Response:
    person = db.session.get(Beneficiary, beneficiary_id) or abort(404)
    if request.form.get("confirm") != "erase":
        flash(_("Tick the box to confirm the erasure."), "error")
    else:
        try:
            privacy.erase(person)
        except AccountError as exc:  # the linked account is the last active admin
            flash(str(exc), "error")
        else:
            flash(_("Erased. Only anonymous counts are kept."), "success")
    return redirect(url_for("lms.programme.edit_enterprise", enterprise_id=person.enterprise_id))


def record_section(user: User) -> tuple[str, dict] | None:
    """The learner's record page: the sessions they attended, and their data download."""
    person = training.beneficiary_of(user.id)
    enrolments = (
        db.session.scalars(select(Enrolment).where(Enrolment.beneficiary_id == person.id)).all()
        if person is not None
        else []
    )
    return "lms/programme/_record.html", {"person": person, "enrolments": enrolments}
