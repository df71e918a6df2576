"""Needs assessment pages: owners fill the questionnaire and see their roadmap; officials see
cluster plans."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Flask, abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from ...auth import current_user
from ...content import services as content
from ...content.checker import once_per_library
from ...db import db
from ...i18n import _, _l, languages, locale_code
from ...parsing import whole_number
from ...security import login_required, roles_required
from ...state import HomeLink
from ...web import render
from ..models import Cluster, Enterprise
from ..views import bp
from . import services as needs

if TYPE_CHECKING:
    from ...state import LMSState

#: The gap of an area in words (the text beside each bar of the profile).
LEVELS = {
    "large": _l("Large gap"),
    "some": _l("Some gap"),
    "small": _l("Small or no gap"),
    "unknown": _l("Not answered"),
}


def setup(app: Flask, state: LMSState) -> None:
    """Home links and demo loaders of this part of the programme."""
    state.home_links.append(
        HomeLink(
            "lms.programme.needs_owner",
            _l("Needs assessment"),
            _l("A few questions about your business, and your training roadmap."),
            roles=("learner",),
            icon="pen",
        )
    )
    state.home_links.append(
        HomeLink(
            "lms.programme.needs_clusters",
            _l("Training needs by cluster"),
            _l("Which gaps each cluster has, and the sessions to plan."),
            roles=("trainer",),
            icon="chart",
        )
    )
    state.content_checks.append(once_per_library(needs.check_content))
    state.demo_loaders.append(needs.load_demo)


def _unavailable(q: needs.Questionnaire) -> tuple[str, int]:
    """Owners get a friendly notice; authors and admins also see what is wrong in the file."""
    problems = q.problems if current_user.has_role("author") else []
    return render("lms/programme/needs_unavailable.html", problems=problems), 503


def _owner() -> Enterprise | None:
    return needs.owner_enterprise(current_user.id)


def _enterprise(enterprise_id: int) -> Enterprise:
    return db.session.get(Enterprise, enterprise_id) or abort(404)


# The questionnaire, one area per screen.


def _step_number(raw: Any, total: int) -> int | None:
    """The screen asked for, within the questionnaire; ``None`` (resume where the owner
    stopped) when ``raw`` is not a screen number."""
    number = whole_number(raw)
    return None if number is None else min(max(number, 1), total)


def _render_step(
    enterprise: Enterprise,
    target: dict[str, Any],
    number: int,
    answers: dict[str, Any],
    error: str | None = None,
    missing: tuple[str, ...] = (),
) -> str:
    q = needs.questionnaire()
    steps = q.steps()
    area, questions = steps[number - 1]
    return render(
        "lms/programme/needs_step.html",
        enterprise=enterprise,
        target=target,
        area=area,
        questions=questions,
        number=number,
        total=len(steps),
        width=round(number / len(steps) * 10) * 10,
        answers=answers,
        country=needs.country_of(enterprise),
        error=error,
        missing=missing,
        first_time=number == 1 and not answers,
    )


def _fill(enterprise: Enterprise, target: dict[str, Any]) -> str | Response | tuple[str, int]:
    """GET: the screen to show (resuming the assessment being filled in); POST: save a screen."""
    q = needs.questionnaire()
    if not q.usable:
        return _unavailable(q)
    if request.method == "POST":
        return _save_step(enterprise, target)
    current = needs.draft(enterprise.id)
    answers = dict(current.answers) if current else {}
    number = _step_number(request.args.get("step"), len(q.steps()))
    if number is None:
        done = needs.latest(enterprise.id) if current is None else None
        if done is not None:
            return render(
                "lms/programme/needs_start.html", enterprise=enterprise, target=target, done=done
            )
        number = q.first_open_step(answers)
    return _render_step(enterprise, target, number, answers)


def _save_step(enterprise: Enterprise, target: dict[str, Any]) -> str | Response | tuple[str, int]:
    q = needs.questionnaire()
    number = _step_number(request.form.get("step"), len(q.steps())) or 1
    questions = q.steps()[number - 1][1]
    chosen = {
        question.id: request.form[f"answer-{question.id}"]
        for question in questions
        if request.form.get(f"answer-{question.id}")
    }
    current = needs.draft(enterprise.id)
    saved = dict(current.answers) if current else {}
    try:
        row = (
            needs.submit(enterprise, chosen, current_user.id, locale_code()) if chosen else current
        )
    except needs.NeedsError as exc:
        return _render_step(enterprise, target, number, {**saved, **chosen}, str(exc)), 400
    answers = dict(row.answers) if row is not None else {}
    go = request.form.get("go", "next")
    if go == "back":
        return redirect(url_for(target["endpoint"], step=max(number - 1, 1), **target["args"]))
    missing = tuple(question.id for question in questions if question.id not in chosen)
    if missing:
        error = _("Please choose an answer for every question.")
        return _render_step(enterprise, target, number, answers, error, missing)
    if row is not None and q.is_complete(row.answers):
        flash(_("Thank you. Here is the training roadmap."), "success")
        return redirect(url_for(target["roadmap"], **target["args"]))
    if number < len(q.steps()):
        return redirect(url_for(target["endpoint"], step=number + 1, **target["args"]))
    flash(_("Some questions are not answered yet."), "error")
    return redirect(url_for(target["endpoint"], step=q.first_open_step(answers), **target["args"]))


def _owner_target() -> dict[str, Any]:
    """Where the owner's screens post and lead (the official's are per enterprise)."""
    return {
        "endpoint": "lms.programme.needs_owner",
        "roadmap": "lms.programme.needs_roadmap",
        "args": {},
        "owner": True,
    }


def _official_target(enterprise: Enterprise) -> dict[str, Any]:
    return {
        "endpoint": "lms.programme.enterprise_needs",
        "roadmap": "lms.programme.enterprise_roadmap",
        "args": {"enterprise_id": enterprise.id},
        "owner": False,
    }


@bp.route("/programme/needs", methods=["GET", "POST"])
@login_required
def needs_owner() -> str | Response | tuple[str, int]:
    return _for_owner(lambda enterprise: _fill(enterprise, _owner_target()))


def _for_owner(page: Callable[[Enterprise], Any]) -> Any:
    """``page`` for the signed-in owner's enterprise, or why there is none to show."""
    q = needs.questionnaire()
    if not q.usable:
        return _unavailable(q)
    enterprise = _owner()
    if enterprise is None:
        return render("lms/programme/needs_unlinked.html")
    return page(enterprise)


@bp.route("/programme/enterprises/<lms_id:enterprise_id>/needs", methods=["GET", "POST"])
@roles_required("trainer")
def enterprise_needs(enterprise_id: int) -> str | Response | tuple[str, int]:
    enterprise = _enterprise(enterprise_id)
    return _fill(enterprise, _official_target(enterprise))


# Roadmaps.


def _roadmap(
    enterprise: Enterprise, target: dict[str, Any], user_ids: list[int]
) -> str | Response | tuple[str, int]:
    q = needs.questionnaire()
    if not q.usable:
        return _unavailable(q)
    assessment = needs.latest(enterprise.id)
    if assessment is None:
        return redirect(url_for(target["endpoint"], **target["args"]))
    return render(
        "lms/programme/needs_roadmap.html",
        enterprise=enterprise,
        target=target,
        roadmap=needs.roadmap_for(assessment, user_ids),
        draft=needs.draft(enterprise.id),
        level=needs.level,
        levels=LEVELS,
    )


@bp.get("/programme/needs/roadmap")
@login_required
def needs_roadmap() -> str | Response | tuple[str, int]:
    return _for_owner(lambda enterprise: _roadmap(enterprise, _owner_target(), [current_user.id]))


@bp.get("/programme/enterprises/<lms_id:enterprise_id>/roadmap")
@roles_required("trainer")
def enterprise_roadmap(enterprise_id: int) -> str | Response | tuple[str, int]:
    enterprise = _enterprise(enterprise_id)
    users = [b.user_id for b in enterprise.beneficiaries if b.user_id and b.erased_at is None]
    return _roadmap(enterprise, _official_target(enterprise), users)


# Officials: clusters, and the questionnaire as authors wrote it.


@bp.get("/programme/needs/clusters")
@roles_required("trainer")
def needs_clusters() -> str:
    return render("lms/programme/needs_clusters.html", rows=needs.cluster_counts())


@bp.get("/programme/clusters/<lms_id:cluster_id>/needs")
@roles_required("trainer")
def cluster_needs(cluster_id: int) -> str | tuple[str, int]:
    cluster = db.session.get(Cluster, cluster_id) or abort(404)
    q = needs.questionnaire()
    if not q.usable:
        return _unavailable(q)
    return render(
        "lms/programme/needs_cluster.html",
        data=needs.cluster_needs(cluster),
        level=needs.level,
        levels=LEVELS,
    )


@bp.get("/programme/needs/questionnaire")
@roles_required("author")
def needs_questionnaire() -> str:
    lang = request.args.get("lang", "")
    lang = lang if lang in languages() else locale_code()
    country = request.args.get("country", "")
    country = country if country in ("IN", "BD") else ("BD" if lang == "bn_BD" else "IN")
    q = needs.questionnaire()
    problems = [*q.problems, *needs.module_problems(q, content.library())]
    return render(
        "lms/programme/needs_questionnaire.html",
        q=q,
        problems=sorted(problems, key=lambda p: (p.line, p.severity)),
        lang=lang,
        country=country,
        languages=languages(),
    )
