"""End-of-session feedback forms for participants and trainers, and their summaries."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from flask import Flask, abort, flash, redirect, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from ...accounts.models import User
from ...auth import current_user
from ...db import db
from ...i18n import _, _l
from ...security import login_required, roles_required
from ...state import HomeLink
from ...web import render
from .. import scope
from ..exports import table_response
from ..models import Cluster, SessionTrainer, TrainingSession
from ..views import bp
from . import services as fb

if TYPE_CHECKING:
    from ...state import LMSState

TAB_LABELS = {"session": _l("By session"), "trainer": _l("By trainer"), "module": _l("By module")}
ROLE_LABELS = {"participant": _l("From participants"), "trainer": _l("From trainers")}


def setup(app: Flask, state: LMSState) -> None:
    """Home links and demo loaders of this part of the programme."""
    state.home_links.append(
        HomeLink(
            "lms.programme.feedback_list",
            _l("Session feedback"),
            _l("Tell us how your training session went."),
            roles=("learner", "trainer"),
            icon="star",
        )
    )
    state.home_links.append(
        HomeLink(
            "lms.programme.feedback_summary",
            _l("Feedback summaries"),
            _l("Ratings and comments per session, trainer and module."),
            roles=("trainer",),
            icon="chart",
        )
    )
    state.demo_loaders.append(fb.load_demo)


@bp.get("/programme/feedback")
@login_required
def feedback_list() -> str:
    return render(
        "lms/programme/feedback_list.html",
        rows=fb.awaiting(current_user.id, fb.today()),
        days=fb.LIST_DAYS,
    )


@bp.route("/programme/sessions/<lms_id:session_id>/feedback", methods=["GET", "POST"])
@login_required
def session_feedback(session_id: int) -> str | Response:
    session = db.session.get(TrainingSession, session_id) or abort(404)
    role = fb.role_for(session, current_user.id) or abort(403)
    if session.held_on > fb.today():
        return render("lms/programme/feedback.html", session=session, too_early=True)
    existing = fb.mine(session.id, current_user.id)
    problems: dict[str, str] = {}
    if request.method == "POST":
        ratings, comment, problems = fb.clean(role, request.form)
        if not problems:
            fb.save(session, current_user.id, role, ratings, comment)
            flash(_("Thank you, your feedback is saved."), "success")
            return redirect(url_for("lms.programme.feedback_list"))
        data: dict[str, Any] = dict(request.form)
    elif existing is not None:
        data = {q: str(v) for q, v in existing.ratings.items()} | {"comment": existing.comment}
    else:
        data = {}
    return render(
        "lms/programme/feedback.html",
        session=session,
        too_early=False,
        questions=fb.QUESTIONS[role],
        scale=fb.SCALE,
        data=data,
        problems=problems,
        existing=existing,
        max_comment=fb.MAX_COMMENT,
    )


@bp.get("/programme/feedback/summary")
@roles_required("trainer")
def feedback_summary() -> str | Response:
    filters = scope.Filters.from_args(request.args)
    admin = current_user.has_role("admin")
    if not admin:  # trainers see their own sessions only
        filters = replace(filters, trainer_id=current_user.id)
    tab = request.args.get("tab") if request.args.get("tab") in fb.SUMMARIES else "session"
    role = request.args.get("role") if request.args.get("role") in fb.ROLES else "participant"
    rows = fb.SUMMARIES[tab](filters, role)
    fmt = request.args.get("format")
    if fmt:
        header, table = fb.export_table(tab, role, rows)
        return table_response(fmt, f"feedback-{role}-by-{tab}", header, table)
    return render(
        "lms/programme/feedback_summary.html",
        rows=rows,
        tab=tab,
        role=role,
        tabs=TAB_LABELS,
        roles=ROLE_LABELS,
        questions=fb.QUESTIONS[role],
        filters=filters,
        args=_link_args(filters, admin),
        admin=admin,
        programmes=scope.programmes(),
        clusters=db.session.scalars(select(Cluster).order_by(Cluster.name)).all(),
        trainers=_trainers() if admin else [],
        mean=fb.format_mean,
        short_labels=fb.SHORT_LABELS,
    )


def _link_args(filters: scope.Filters, admin: bool) -> dict[str, str]:
    """The filters for the page's links (a trainer's own-sessions filter is implied, not shown)."""
    args = filters.args()
    if not admin:
        args.pop("trainer", None)
    return args


def _trainers() -> list[User]:
    """Everyone who trains at least one session (for the admins' trainer filter)."""
    ids = select(SessionTrainer.user_id).distinct()
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.name)))
