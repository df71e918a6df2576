"""Programme officials (admins) keep the enterprise records: by hand or imported from CSV."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Flask, abort, flash, redirect, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..accounts.models import User
from ..countries import COUNTRY_NAMES
from ..db import db
from ..i18n import _, _l, format_number, languages
from ..security import roles_required
from ..state import HomeLink
from ..web import render
from . import scale, scope
from .models import SEGMENTS, Beneficiary, Cluster, Enterprise, cluster_country
from .records import country_fields, services, tables

if TYPE_CHECKING:
    from ..state import LMSState

bp = Blueprint("programme", __name__)
SEGMENT_LABELS = {
    "tannery": _l("Tannery"),
    "footwear": _l("Footwear"),
    "leather-goods": _l("Leather goods"),
    "garments": _l("Leather garments"),
    "other": _l("Other"),
}
GENDER_LABELS = {
    "female": _l("Woman"),
    "male": _l("Man"),
    "other": _l("Other"),
    "not-said": _l("Not said"),
}


def setup(app: Flask, state: LMSState) -> None:
    state.demo_loaders.insert(0, services.load_demo)
    state.scale_demo = scale.demo
    state.record_sections.append(programme_views.record_section)
    state.learner_groups.extend(scope.learner_groups())
    state.enterprise_resolvers.append(_enterprise_of)
    state.country_resolvers.append(_country_of)
    for part in (
        needs_views,
        feedback_views,
        mentorship_views,
        dashboard_views,
        competition_views,
    ):
        part.setup(app, state)
    state.home_links.append(
        HomeLink(
            "lms.programme.sessions",
            _l("Training sessions"),
            _l("Plan sessions, enrol beneficiaries, tap attendance."),
            roles=("trainer",),
            icon="calendar",
        )
    )
    state.home_links.append(
        HomeLink(
            "lms.programme.programme_list",
            _l("Programme"),
            _l("Dates, targets and milestones of the training programme."),
            roles=("admin",),
            icon="flag",
        )
    )
    state.home_links.append(
        HomeLink(
            "lms.programme.enterprises",
            _l("Enterprises"),
            _l("The MSMEs in the programme: add, correct or import them."),
            roles=("admin",),
            icon="users",
        )
    )


@bp.get("/programme/enterprises")
@roles_required("admin")
def enterprises() -> str:
    rows = db.session.scalars(select(Enterprise).order_by(Enterprise.name)).all()
    return render(
        "lms/programme/enterprises.html",
        enterprises=rows,
        segments=SEGMENT_LABELS,
        identifiers=country_fields.IDENTIFIERS,
        identifier_labels=country_fields.IDENTIFIER_LABELS,
    )


def _form_data(enterprise: Enterprise | None) -> dict[str, str]:
    """The enterprise form's fields: as posted, else the record's (empty for a new one)."""
    if request.method == "POST":
        return dict(request.form)
    if enterprise is None:
        return {"women_led": "no"}
    data = {key: getattr(enterprise, key) or "" for key in country_fields.ALL_IDENTIFIERS}
    data.update(
        name=enterprise.name,
        cluster=enterprise.cluster.name if enterprise.cluster else "",
        segment=enterprise.segment,
        women_led="yes" if enterprise.women_led else "no",
        employees=str(enterprise.employees or ""),
    )
    return data


def _form(enterprise: Enterprise | None) -> str | Response:
    clusters = db.session.scalars(select(Cluster).order_by(Cluster.name)).all()
    data = _form_data(enterprise)
    index = services.cluster_index()
    problems: list[str] = []
    if request.method == "POST":
        values, problems = services.clean(data, index, enterprise)
        if not problems:
            services.save(values, enterprise)
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("lms.programme.enterprises"))
    return render(
        "lms/programme/enterprise_form.html",
        enterprise=enterprise,
        data=data,
        problems=problems,
        clusters=clusters,
        country=country_fields.form_country(data.get("cluster", ""), index),
        default_country=cluster_country(None),
        country_names=COUNTRY_NAMES,
        identifiers=country_fields.IDENTIFIERS,
        identifier_labels=country_fields.IDENTIFIER_LABELS,
        placeholders=country_fields.PLACEHOLDERS,
        segments=SEGMENTS,
        segment_labels=SEGMENT_LABELS,
        genders=GENDER_LABELS,
        accounts=_accounts(enterprise),
        categories=country_fields.CATEGORY_LABELS,
        category_choices=country_fields.category_choices(enterprise.country) if enterprise else {},
        language_table=languages(),
    )


def _enterprise_of(user: User) -> str | None:
    """A certificate names the enterprise of the beneficiary record the account is linked to."""
    person = services.beneficiary_of(user.id)
    return person.enterprise.name if person is not None else None


def _country_of(user: User) -> str | None:
    """A beneficiary learns the rules of their enterprise's cluster's country."""
    person = services.beneficiary_of(user.id)
    cluster = person.enterprise.cluster if person is not None else None
    return cluster.country if cluster is not None else None


def _accounts(enterprise: Enterprise | None) -> dict[int, User]:
    """The sign-in accounts linked to the enterprise's beneficiaries."""
    ids = [b.user_id for b in enterprise.beneficiaries if b.user_id] if enterprise else []
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


@bp.route("/programme/enterprises/new", methods=["GET", "POST"])
@roles_required("admin")
def new_enterprise() -> str | Response:
    return _form(None)


@bp.route("/programme/enterprises/<lms_id:enterprise_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_enterprise(enterprise_id: int) -> str | Response:
    return _form(db.session.get(Enterprise, enterprise_id) or abort(404))


@bp.post("/programme/enterprises/<lms_id:enterprise_id>/beneficiaries")
@roles_required("admin")
def add_beneficiary(enterprise_id: int) -> Response:
    enterprise = db.session.get(Enterprise, enterprise_id) or abort(404)
    problems = services.add_beneficiary(enterprise, request.form)
    for problem in problems:
        flash(problem, "error")
    if not problems:
        flash(_("Saved."), "success")
    return redirect(url_for("lms.programme.edit_enterprise", enterprise_id=enterprise.id))


def _import(kind: str) -> str | Response:
    """One page imports enterprises or beneficiaries from CSV or XLSX: all rows or none."""
    importer, columns = IMPORTS[kind]
    problems: list[services.RowProblems] = []
    if request.method == "POST":
        upload = request.files.get("file")
        raw, name = b"", ""
        if upload is not None:
            raw, name = upload.read(tables.MAX_UPLOAD + 1), upload.filename or ""
            upload.close()  # a large upload is a temporary file: close it now
        try:
            table = tables.read(raw, name)
        except tables.TableError as exc:
            flash(str(exc), "error")
        else:
            created, problems = importer(table)
            if created:
                flash(_("%(num)s rows imported.", num=format_number(created)), "success")
                return redirect(url_for("lms.programme.enterprises"))
            flash(_("Nothing was imported: correct the rows below and try again."), "error")
    return render("lms/programme/import.html", problems=problems, columns=columns, kind=kind)


IMPORTS = {
    "enterprises": (services.import_enterprises, services.COLUMNS),
    "beneficiaries": (services.import_beneficiaries, services.BENEFICIARY_COLUMNS),
}


@bp.post("/programme/beneficiaries/<lms_id:beneficiary_id>/account")
@roles_required("admin")
def link_account(beneficiary_id: int) -> Response:
    """Link a beneficiary to the sign-in account they use on the tablets."""
    person = db.session.get(Beneficiary, beneficiary_id) or abort(404)
    problem = services.link_account(person, request.form.get("email", ""))
    flash(problem or _("Saved."), "error" if problem else "success")
    return redirect(url_for("lms.programme.edit_enterprise", enterprise_id=person.enterprise_id))


@bp.route("/programme/enterprises/import", methods=["GET", "POST"])
@roles_required("admin")
def import_enterprises() -> str | Response:
    return _import("enterprises")


@bp.route("/programme/beneficiaries/import", methods=["GET", "POST"])
@roles_required("admin")
def import_beneficiaries() -> str | Response:
    return _import("beneficiaries")


# The other programme pages share this blueprint; each part adds its home links in ``setup``.
from . import cli  # noqa: E402, F401  (commands join ``flask lms``)
from .competition import views as competition_views  # noqa: E402
from .dashboard import views as dashboard_views  # noqa: E402
from .feedback import views as feedback_views  # noqa: E402
from .mentorship import views as mentorship_views  # noqa: E402
from .needs import views as needs_views  # noqa: E402
from .records import views as programme_views  # noqa: E402
from .sessions import views as sessions  # noqa: E402, F401  (its routes join the blueprint)
