"""The competitive-analysis worksheet: the owner fills in their enterprise's, a trainer any
enterprise's; each answer is saved as it is typed (``worksheet.js``), or all with Save."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import abort, flash, jsonify, redirect, request, url_for
from werkzeug.wrappers import Response

from ...auth import current_user
from ...db import db
from ...i18n import _, _l
from ...security import login_required, roles_required
from ...state import HomeLink
from ...web import render
from ..models import Enterprise
from ..needs.services import owner_enterprise
from ..views import bp
from . import services as competition

if TYPE_CHECKING:
    from flask import Flask

    from ...state import LMSState


def setup(app: Flask, state: LMSState) -> None:
    state.demo_loaders.append(competition.load_demo)
    state.home_links.append(
        HomeLink(
            "lms.programme.competition_owner",
            _l("Competitive analysis"),
            _l("Your products, prices, markets and competitors: what to improve."),
            roles=("learner",),
            icon="target",
        )
    )


def _page(enterprise: Enterprise, action: str) -> str | Response | tuple[Any, int]:
    if request.method == "POST":
        saved = competition.save(enterprise, current_user.id, request.form)
        if request.headers.get("X-Requested-With") == "fetch":  # saved as it is typed
            return jsonify(saved=saved)
        flash(_("Saved. Your mentor can see your answers."), "success")
        return redirect(action)
    return render(
        "lms/programme/competition.html",
        enterprise=enterprise,
        answers=competition.answers(enterprise.id),
        fields=competition.FIELDS,
        max_length=competition.MAX_LENGTH,
        action=action,
        row=competition.get(enterprise.id),
    )


@bp.route("/programme/competition", methods=["GET", "POST"])
@login_required
def competition_owner() -> str | Response | tuple[Any, int]:
    enterprise = owner_enterprise(current_user.id)
    if enterprise is None:
        return render("lms/programme/competition_unlinked.html")
    return _page(enterprise, url_for(".competition_owner"))


@bp.route("/programme/enterprises/<lms_id:enterprise_id>/competition", methods=["GET", "POST"])
@roles_required("trainer")
def enterprise_competition(enterprise_id: int) -> str | Response | tuple[Any, int]:
    enterprise = db.session.get(Enterprise, enterprise_id) or abort(404)
    return _page(enterprise, url_for(".enterprise_competition", enterprise_id=enterprise.id))
