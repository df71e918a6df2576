"""The trainer's side of live quizzes: create, project, pace, and keep the results."""

from __future__ import annotations

import math
from typing import Any

import segno
from flask import abort, flash, redirect, request, url_for
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..auth import current_user, passive
from ..content import services as content
from ..countries import COUNTRY_NAMES, current_country
from ..db import db, utcnow
from ..i18n import _l, locale_code, localise_digits
from ..quiz import services as quiz_services
from ..quiz.analysis import analyse
from ..quiz.bank import item_text, text_in
from ..quiz.results_views import FLAG_LABELS, _num, _pct, csv_response
from ..security import roles_required
from ..web import render
from . import services
from .models import MODES, LiveQuiz
from .views import REFUSALS, _conditional, bp, chain

MODE_LABELS = {
    "correctness": _l("Scored by correctness"),
    "speed": _l("Scored with a speed bonus"),
    "survey": _l("Survey: no scores"),
}
STATUS_LABELS = {
    "draft": _l("Not started"),
    "lobby": _l("Waiting for participants"),
    "question": _l("Question open"),
    "closed": _l("Question closed"),
    "revealed": _l("Answer shown"),
    "leaderboard": _l("Leaderboard"),
    "ended": _l("Ended"),
}


def _mine(quiz_id: int) -> LiveQuiz:
    return db.session.get(LiveQuiz, quiz_id) or abort(404)


@bp.get("/live/host")
@roles_required("trainer")
def host_index() -> str:
    quizzes = db.session.scalars(select(LiveQuiz).order_by(LiveQuiz.created_at.desc())).all()
    modules = [
        m for m in content.library().modules() if m.usable and quiz_services.bank_for(m) is not None
    ]
    titles = {m.slug: content.title(m, locale_code()) for m in modules}
    return render(
        "lms/live/host_index.html",
        quizzes=quizzes,
        modules=modules,
        titles=titles,
        statuses=STATUS_LABELS,
    )


@bp.route("/live/host/new/<slug>", methods=["GET", "POST"])
@roles_required("trainer")
def host_new(slug: str) -> str | Response:
    module = content.library().get(slug) or abort(404)
    bank = quiz_services.bank_for(module) or abort(404)
    if request.method == "POST":
        try:
            quiz = services.create(
                bank,
                module.slug,
                request.form.getlist("items"),
                title=request.form.get("title", ""),
                mode=request.form.get("mode", ""),
                countdown=request.form.get("countdown", 0, type=int) or 0,
                session_label=request.form.get("session", ""),
                user_id=current_user.id,
                country=request.form.get("country", ""),
            )
        except services.LiveError as exc:
            flash(str(REFUSALS[exc.code]), "error")
        else:
            return redirect(url_for("lms.live.host", quiz_id=quiz.id))
    title = content.title(module, locale_code())
    return render(
        "lms/live/host_new.html",
        module=module,
        bank=bank,
        title=title,
        modes=MODES,
        mode_labels=MODE_LABELS,
        countries=COUNTRY_NAMES,
        country=request.form.get("country") or current_country(),
        text=lambda t: text_in(t, chain()),
        item_text=lambda item, t: item_text(t, chain(), item.country),
    )


def _join(quiz: LiveQuiz) -> dict[str, Any]:
    """How to join, as the screens show it: the link, the code in the reader's digits (as the
    tablets' code field takes them) and a QR code of the link that scales with its box."""
    if not quiz.code:
        return {"join_url": "", "code_shown": "", "qr": ""}
    join_url = url_for("lms.live.enter", code=quiz.code, _external=True)
    svg = segno.make(join_url, error="m").svg_inline(border=2, omitsize=True)
    return {
        "join_url": join_url,
        "code_shown": localise_digits(" ".join((quiz.code[:3], quiz.code[3:]))),
        "qr": Markup(svg),
    }


def _seconds_left(quiz: LiveQuiz) -> int:
    """Whole seconds left on the open question's countdown (0 without one)."""
    if quiz.status != "question" or not quiz.question_deadline:
        return 0
    return max(0, math.ceil((quiz.question_deadline - utcnow()).total_seconds()))


def _host_view(quiz: LiveQuiz) -> dict[str, Any]:
    entry = quiz.current
    return {
        "quiz": quiz,
        "entry": entry,
        "statuses": STATUS_LABELS,
        "modes": MODE_LABELS,
        "text": lambda t: text_in(t, chain()),
        "options": (entry or {}).get("data", {}).get("options") or [],
        "answered": services.answered_count(quiz, quiz.current_index) if entry else 0,
        "participants": quiz.participants,
        **services.reveal(quiz),
        "board": services.leaderboard(quiz, 10) if quiz.status in ("leaderboard", "ended") else [],
        **_join(quiz),
        "short_url": url_for("lms.live.join", _external=True),
        "deadline_ms": int(quiz.question_deadline.timestamp() * 1000)
        if quiz.status == "question" and quiz.question_deadline
        else 0,
        "seconds_left": _seconds_left(quiz),
    }


@bp.get("/live/host/<lms_id:quiz_id>")
@roles_required("trainer")
def host(quiz_id: int) -> str:
    quiz = _mine(quiz_id)
    services.expire(quiz)
    return render("lms/live/host.html", **_host_view(quiz))


@bp.get("/live/host/<lms_id:quiz_id>/state")
@roles_required("trainer")
@passive  # polled: the trainer's screen left open still signs out when idle
def host_state(quiz_id: int) -> Response:
    quiz = _mine(quiz_id)
    services.expire(quiz)
    answered = services.answered_count(quiz, quiz.current_index) if quiz.current else 0
    etag = f"{quiz.version}.{answered}.{len(quiz.participants)}.{locale_code()}"
    return _conditional(etag, lambda: render("lms/live/_host_state.html", **_host_view(quiz)))


# The room's screen: what the projector shows, from a tab or window of its own (no buttons, no
# top bar); the trainer keeps the host page, and its buttons, on their own screen.


def _room_view(quiz: LiveQuiz) -> dict[str, Any]:
    entry = quiz.current
    return {
        **_host_view(quiz),
        "scored": quiz.mode != "survey",
        "choices": entry is not None and entry["type"] in ("single", "multiple"),
    }


@bp.get("/live/host/<lms_id:quiz_id>/screen")
@roles_required("trainer")
def host_screen(quiz_id: int) -> str:
    quiz = _mine(quiz_id)
    services.expire(quiz)
    return render("lms/live/screen.html", **_room_view(quiz))


@bp.get("/live/host/<lms_id:quiz_id>/screen/state")
@roles_required("trainer")
@passive  # asked at each change: the room's screen never keeps a trainer signed in
def host_screen_state(quiz_id: int) -> Response:
    quiz = _mine(quiz_id)
    services.expire(quiz)
    answered = services.answered_count(quiz, quiz.current_index) if quiz.current else 0
    etag = f"room.{quiz.version}.{answered}.{len(quiz.participants)}.{locale_code()}"
    return _conditional(etag, lambda: render("lms/live/_screen_state.html", **_room_view(quiz)))


@bp.post("/live/host/<lms_id:quiz_id>/<action>")
@roles_required("trainer")
def host_action(quiz_id: int, action: str) -> Response:
    quiz = _mine(quiz_id)
    try:
        if action == "start":
            services.start(quiz)
        else:
            services.act(quiz, action)
    except services.LiveError as exc:
        flash(str(REFUSALS[exc.code]), "error")
    if quiz.status == "ended":
        return redirect(url_for("lms.live.host_results", quiz_id=quiz.id))
    return redirect(url_for("lms.live.host", quiz_id=quiz.id))


@bp.get("/live/host/<lms_id:quiz_id>/results")
@roles_required("trainer")
def host_results(quiz_id: int) -> str | Response:
    quiz = _mine(quiz_id)
    answers = services.answers_of(quiz)
    people = services.leaderboard(quiz, None)
    if request.args.get("format") == "csv":
        header = ["rank", "name", "account", "language", "score", "right_answers"]
        header += [f"q{n}_{e['id']}" for n, e in enumerate(quiz.items, 1)]
        rows = []
        for rank, p in enumerate(people, 1):
            got = [answers.get((p.id, i)) for i in range(len(quiz.items))]
            rows.append(
                [
                    rank,
                    p.name,
                    p.user_id or "",
                    p.locale,
                    round(p.score, 1),
                    sum(a.fraction for a in got if a),
                ]
                + ["" if a is None else round(a.fraction, 3) for a in got]
            )
        return csv_response(f"live-quiz-{quiz.id}.csv", header, rows)
    marks = [
        [
            (answers[(p.id, i)].fraction if (p.id, i) in answers else 0.0)
            for i in range(len(quiz.items))
        ]
        for p in people
    ]
    analysis = (
        analyse([e["id"] for e in quiz.items], marks, [1.0] * len(quiz.items)) if (people) else None
    )
    return render(
        "lms/live/host_results.html",
        quiz=quiz,
        people=people,
        answers=answers,
        analysis=analysis,
        text=lambda t: text_in(t, chain()),
        flag_labels=FLAG_LABELS,
        pct=_pct,
        num=_num,
        modes=MODE_LABELS,
    )
