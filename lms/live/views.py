"""Live quizzes: participants join with a code and follow the trainer's pace on their tablets."""

from __future__ import annotations

import json
import secrets
from typing import TYPE_CHECKING, Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    request,
    stream_with_context,
    url_for,
)
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from .. import auth, sessions
from ..auth import current_user, passive
from ..content import services as content
from ..db import db
from ..i18n import _, _l, format_number, locale_code, native_digits, parse_digits
from ..parsing import whole_number
from ..quiz import services as quiz_services
from ..quiz.bank import text_in
from ..quiz.types import ResponseError
from ..security import roles_required
from ..state import HomeLink
from ..web import get_cookie, render, set_cookie
from . import limits, push, services
from .models import LiveAnswer, LiveParticipant, LiveQuiz

if TYPE_CHECKING:
    from ..state import LMSState

bp = Blueprint("live", __name__)

REFUSALS = {
    "closed": _l("This question is closed; your answer was not counted."),
    "not-found": _l("No live quiz with this code is running. Check the code on the screen."),
    "no-name": _l("Please write your name."),
    "bad-state": _l("That step is not possible now."),
    "no-items": _l("Choose at least one question."),
    "wrong-country": _l("Choose questions for the hall's country only."),
    "bad-settings": _l("Check the mode and the countdown (0 to 600 seconds)."),
    "busy": _l("The server is busy. Please try again."),
    "too-many-codes": _l(
        "Too many wrong codes were typed on this network. Please wait a minute, then type the "
        "code from the trainer's screen."
    ),
    "form-used": _l("This form was used a while ago. Please write your name again."),
    "too-many-joins": _l(
        "Too many people joined this quiz from this network without signing in. Please sign "
        "in to join, or ask your trainer."
    ),
}


def setup(app: Flask, state: LMSState) -> None:
    push.install()
    state.home_links.insert(
        1,
        HomeLink(
            "lms.live.join",
            _l("Join a live quiz"),
            _l("Type the code from the trainer's screen."),
            icon="live",
        ),
    )
    state.record_sections.append(record_section)
    state.home_links.append(
        HomeLink(
            "lms.live.host_index",
            _l("Live quizzes"),
            _l("Run a quiz on everyone's tablet during a session."),
            roles=("trainer",),
            icon="live",
        )
    )


def record_section(user: Any) -> tuple[str, dict[str, Any]] | None:
    """In-session evidence: the live quizzes a signed-in learner took part in."""
    rows = db.session.execute(
        select(LiveParticipant, LiveQuiz, func.coalesce(func.sum(LiveAnswer.fraction), 0))
        .join(LiveQuiz, LiveQuiz.id == LiveParticipant.quiz_id)
        .outerjoin(LiveAnswer, LiveAnswer.participant_id == LiveParticipant.id)
        .where(LiveParticipant.user_id == user.id)
        .group_by(LiveParticipant.id, LiveQuiz.id)
        .order_by(LiveParticipant.joined_at.desc())
    ).all()
    if not rows:
        return None
    return "lms/live/_record.html", {
        "rows": [{"participant": p, "quiz": q, "right": right} for p, q, right in rows]
    }


def cookie_name(quiz: LiveQuiz) -> str:
    """The tablet's participant cookie of ``quiz`` (without ``LMS_COOKIE_PREFIX``)."""
    return f"live_{quiz.id}"


def chain() -> list[str]:
    return content.locale_chain(locale_code())


def _address() -> str:
    """The client address the app sees (a proxy's X-Forwarded-For only with LMS_PROXY_FIX)."""
    return request.remote_addr or ""


def _find(code: str, ended: bool = False) -> LiveQuiz | None:
    """The quiz with ``code``. A wrong code counts against the client's address; past the
    limit every code from it gets a 429 page (:mod:`lms.live.limits`), except on the tablets
    already in the quiz."""
    try:
        return limits.find(code, _address(), lambda quiz: _me(quiz) is not None, ended=ended)
    except services.LiveError as exc:
        abort(_too_many(exc.code))


def _too_many(code: str) -> Response:
    flash(str(REFUSALS[code]), "error")
    page = make_response(render("lms/live/join.html", code=""), 429)
    page.headers["Retry-After"] = str(limits.CODE_WINDOW)
    return page


def _quiz(code: str, ended: bool = False) -> LiveQuiz:
    quiz = _find(code, ended=ended)
    if quiz is None:
        abort(404)
    return quiz


def _me(quiz: LiveQuiz) -> LiveParticipant | None:
    """This tablet's participant, unless it belongs to another account than the signed-in one
    (a shared tablet after "Switch learner": the next person joins as themself)."""
    cached = g.get("_lms_live_me")
    if cached is not None and cached[0] == quiz.id:
        return cached[1]
    me = services.participant_by_token(quiz, get_cookie(cookie_name(quiz)))
    if me is not None and me.user_id is not None:
        signed_in = current_user.id if current_user.is_authenticated else None
        me = me if me.user_id == signed_in else None
    g._lms_live_me = (quiz.id, me)
    return me


@bp.route("/live", methods=["GET", "POST"])
def join() -> str | Response:
    """Anyone with the code joins: signed in or by writing a name."""
    code = parse_digits((request.values.get("code") or "").strip().replace(" ", ""))
    if request.method == "POST":
        if _find(code) is not None:
            return redirect(url_for("lms.live.enter", code=code))
        flash(str(REFUSALS["not-found"]), "error")
    return render("lms/live/join.html", code=code)


@bp.route("/live/<code>", methods=["GET", "POST"])
def enter(code: str) -> str | Response | tuple[str, int]:
    quiz = _find(code)
    if quiz is None:
        flash(str(REFUSALS["not-found"]), "error")
        return redirect(url_for("lms.live.join"))
    if _me(quiz) is not None:
        return redirect(url_for("lms.live.play", code=code))
    user = current_user if current_user.is_authenticated else None
    if request.method == "POST":
        try:
            if user is not None:  # one place per account: no limit needed
                participant = services.join(
                    quiz, name=user.name, locale=locale_code(), user_id=user.id
                )
            else:
                participant = limits.join_anonymous(
                    quiz,
                    _address(),
                    name=request.form.get("name", ""),
                    locale=locale_code(),
                    join_key=request.form.get("join_key", "")[:64] or None,
                )
        except services.LiveError as exc:
            flash(str(REFUSALS[exc.code]), "error")
            status = 429 if exc.code == "too-many-joins" else 400
            return _enter_page(quiz, status)
        response = redirect(url_for("lms.live.play", code=code))
        set_cookie(response, cookie_name(quiz), participant.token, 12 * 3600)
        return response
    return _enter_page(quiz)


def _enter_page(quiz: LiveQuiz, status: int = 200) -> Response:
    """The join form. A guest's form carries a one-time key, so a double tap on Join makes one
    participant; the page is never kept by the browser, so Back on a shared tablet fetches a
    new form (and key) instead of re-sending the previous guest's."""
    page = make_response(
        render("lms/live/enter.html", quiz=quiz, join_key=secrets.token_urlsafe(24)), status
    )
    page.cache_control.no_store = True
    return page


def _participant_view(quiz: LiveQuiz, me: LiveParticipant) -> dict[str, Any]:
    entry = quiz.current
    mine = None
    if entry is not None:
        mine = (
            db.session.get(LiveAnswer, (me.id, quiz.current_index))
            if quiz.status in ("question", "closed", "revealed")
            else None
        )
    return {
        "quiz": quiz,
        "me": me,
        "entry": entry,
        "mine": mine,
        "text": lambda t: text_in(t, chain()),
        "options": (entry or {}).get("data", {}).get("options") or [],
        "qtype": quiz_services.registry().get(entry["type"]) if entry else None,
        "response": mine.response if mine else None,
        **services.reveal(quiz),
        "board": services.leaderboard(quiz, 5) if quiz.status in ("leaderboard", "ended") else [],
        "rank": services.rank_of(quiz, me) if quiz.status in ("leaderboard", "ended") else None,
        "deadline_ms": _deadline_ms(quiz),
        "joined": _joined(quiz) if quiz.status == "lobby" else 0,
    }


def _deadline_ms(quiz: LiveQuiz) -> int:
    if quiz.status == "question" and quiz.question_deadline:
        return int(quiz.question_deadline.timestamp() * 1000)
    return 0


def _joined(quiz: LiveQuiz) -> int:
    return db.session.scalar(
        select(func.count()).select_from(LiveParticipant).where(LiveParticipant.quiz_id == quiz.id)
    )


def _conditional(etag: str, build: Any) -> Response:
    """304 when the tablet already has this state; else the fragment with its ETag."""
    if request.if_none_match.contains_weak(etag):
        response = current_app.response_class(status=304)
    else:
        response = make_response(build())
    response.set_etag(etag, weak=True)
    # Never stored (the page's script sends the ETag itself): the state is someone's own.
    response.headers["Cache-Control"] = "no-store"
    response.vary.add("Cookie")
    return response


@bp.get("/live/<code>/play")
def play(code: str) -> str | Response:
    quiz = _quiz(code, ended=True)
    me = _me(quiz)
    if me is None:
        return redirect(url_for("lms.live.enter", code=code))
    services.expire(quiz)
    return render("lms/live/play.html", **_participant_view(quiz, me))


@bp.get("/live/<code>/state")
@passive  # polled every 1.5 s: a tablet left on the quiz still signs out when idle
def state(code: str) -> Response:
    quiz = _find(code, ended=True)
    if quiz is None:
        return make_response(render("lms/live/_gone.html"))
    me = _me(quiz)
    if me is None:
        abort(403)
    services.expire(quiz)
    joined = _joined(quiz) if quiz.status == "lobby" else 0  # joins leave the version alone
    etag = f"{quiz.version}.{me.version}.{joined}.{locale_code()}"
    return _conditional(
        etag, lambda: render("lms/live/_play_state.html", **_participant_view(quiz, me))
    )


@bp.post("/live/<code>/answer")
def answer(code: str) -> Response:
    """Counted exactly once; refused with a clear message once the question has closed. An
    answer that arrives after the quiz ended is refused the same way: it is no wrong code, and
    counting it as one would lock the hall's address out of the next quiz."""
    quiz = _quiz(code, ended=True)
    me = _me(quiz) or abort(403)
    wants_json = request.headers.get("X-Requested-With") == "fetch"
    index = request.form.get("index", type=int)
    try:
        if index is None or not 0 <= index < len(quiz.items):
            raise services.LiveError("closed")
        entry = quiz.items[index]
        response = quiz_services.registry().get(entry["type"]).parse(entry["data"], request.form)
        counted = _count(quiz, me, index, response)
    except (services.LiveError, ResponseError) as exc:
        message = str(REFUSALS.get(getattr(exc, "code", ""), _("That answer could not be read.")))
        if wants_json:
            return jsonify(ok=False, error=message), 409
        flash(message, "error")
        return redirect(url_for("lms.live.play", code=code))
    if wants_json:
        return jsonify(ok=True, counted=counted.new)
    return redirect(url_for("lms.live.play", code=code))


def _count(quiz: LiveQuiz, me: LiveParticipant, index: int, response: Any) -> Any:
    """The answer counted, with how long the question had been on the tablet's screen
    (``shown_ms``, sent by the page's script; ``None`` without it or when unreadable)."""
    shown_ms = whole_number(request.form.get("shown_ms"), 0, 24 * 3600 * 1000)
    return services.answer(quiz, me, index, response, shown_ms=shown_ms)


# Streams: the tablets and the trainer's screen are told of changes (lms.live.push).


def _question_view(quiz: LiveQuiz) -> dict[str, Any]:
    """What an open question shows to a tablet that has not answered: the same on every tablet
    of a language, so a worker renders it once for all its streams."""
    entry = quiz.current or {}
    return {
        "quiz": quiz,
        "entry": entry,
        "text": lambda t: text_in(t, chain()),
        "options": entry.get("data", {}).get("options") or [],
        "qtype": quiz_services.registry().get(entry["type"]),
        "response": None,
        "deadline_ms": _deadline_ms(quiz),
        "shared": True,  # no form token: the script puts in the tablet's own
    }


def _tablet_events(quiz_id: int) -> Any:
    locale, digits = locale_code(), native_digits()

    def events(now: push.Snapshot, last: tuple[int, ...]) -> tuple[str, tuple[int, ...]]:
        version, joined = (list(last) + [None, None])[:2]
        event_id = f"{now.version}.{now.joined}"
        if now.version != version:
            data: dict[str, Any] = {"v": now.version, "s": now.status, "i": now.index}
            if now.status == "question":
                key = (quiz_id, now.version, locale, digits)
                data["h"] = push.hub().fragment(key, lambda: _question_html(quiz_id))
            text = push.sse("state", json.dumps(data, ensure_ascii=False), event_id)
        elif now.joined != joined and now.status == "lobby":
            joined_text = _("%(num)s joined", num=format_number(now.joined))
            text = push.sse("count", joined_text, event_id)
        else:
            return "", last
        return text, (now.version, now.joined)

    return events


def _question_html(quiz_id: int) -> str:
    quiz = db.session.get(LiveQuiz, quiz_id)
    if quiz is None or quiz.status != "question":
        return ""
    return render("lms/live/_play_question.html", **_question_view(quiz))


def _host_events(now: push.Snapshot, last: tuple[int, ...]) -> tuple[str, tuple[int, ...]]:
    sent = (now.version, now.joined, now.answered)
    if last == sent:
        return "", last
    kind = "state" if not last or last[0] != now.version else "count"
    data = json.dumps({"v": now.version, "s": now.status, "j": now.joined, "a": now.answered})
    return push.sse(kind, data, ".".join(map(str, sent))), sent


def _lifetime() -> float:
    """Seconds a stream may stay open: :data:`push.MAX_LIFETIME`, and no longer than a signed-in
    session has left before it times out for idleness (a stream is no activity; the browser
    reconnects, and finds itself signed out)."""
    timeout = auth.idle_timeout()
    if not timeout or not current_user.is_authenticated:
        return push.MAX_LIFETIME
    if auth.host_signs_in():
        idle = auth.idle_for()
    else:
        row = sessions.current(int(current_user.id))
        idle = sessions.idle_for(row) if row is not None else 0
    return max(1.0, min(push.MAX_LIFETIME, timeout - idle + 1))


def _event_stream(quiz_id: int, events: Any, *, tablet: bool = False) -> Response:
    last = push.last_event_id(request.headers.get("Last-Event-ID") or request.args.get("v"))
    body = stream_with_context(push.stream(quiz_id, last, _lifetime(), events, tablet=tablet))
    response = current_app.response_class(body, mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


@bp.get("/live/<code>/events")
@passive  # open for minutes: a tablet left on the quiz still signs out when idle
def events(code: str) -> Response:
    """This tablet's stream (Server-Sent Events): ``state`` when the quiz moves on (with the
    open question itself), ``count`` when someone joins the lobby, empty heartbeats; it ends
    when the quiz ends. 204 for a quiz that has ended or is gone: the browser stops asking."""
    quiz = _find(code, ended=True)
    if quiz is None or quiz.status == "ended":
        return current_app.response_class(status=204)
    if _me(quiz) is None:
        abort(403)
    return _event_stream(quiz.id, _tablet_events(quiz.id), tablet=True)


@bp.get("/live/host/<lms_id:quiz_id>/events")
@roles_required("trainer")
@passive
def host_events(quiz_id: int) -> Response:
    """The trainer's screen's stream: an event at each change, joins and answers included."""
    quiz = db.session.get(LiveQuiz, quiz_id) or abort(404)
    return _event_stream(quiz.id, _host_events)


from . import host  # noqa: E402, F401  (the trainer's pages share this blueprint)
