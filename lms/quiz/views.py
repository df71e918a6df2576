"""Taking tests on a tablet (one item per screen, every answer saved as given) and results."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from flask import Blueprint, Flask, abort, flash, jsonify, redirect, request, url_for
from werkzeug.wrappers import Response

from ..auth import current_user, passive
from ..content import services as content
from ..content.modules import Module
from ..countries import country_of, current_country
from ..i18n import _, _l, format_number, locale_code, ngettext
from ..security import login_required, safe_next, token_only
from ..state import HomeLink
from ..web import render
from . import answers, path, services, sync
from .bank import KINDS, text_in
from .models import Attempt
from .types import QuestionTypeRegistry, ResponseError

if TYPE_CHECKING:
    from ..state import LMSState

bp = Blueprint("quiz", __name__)
#: Answers come as form fields (the page's form, or its script's FormData).
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

#: The tests as trainers and authors name them (results, item analysis).
KIND_LABELS = {
    "pre": _l("Pre-test"),
    "post": _l("Post-test"),
    "retention": _l("Retention test"),
    "practice": _l("Practice"),
}
#: The tests as learners meet them: each named for what it is.
TEST_NAMES = {
    "pre": _l("Test what you know first"),
    "post": _l("Final test"),
    "retention": _l("30-day test"),
    "practice": _l("Practice"),
}
START_LABELS = {
    "pre": _l("Start the first test"),
    "post": _l("Start the final test"),
    "retention": _l("Start the 30-day test"),
    "practice": _l("Start practice"),
}
RETRY_LABELS = {
    "post": _l("Try the final test again"),
    "practice": _l("Practise again"),
}
#: What the learner's pages call the tests and their buttons.
LEARNER_LABELS = {"names": TEST_NAMES, "start_labels": START_LABELS, "retry_labels": RETRY_LABELS}
REFUSALS = {
    "no-test": _l("This module has no test yet."),
    "done": _l("You have already taken this test."),
    "closed": _l("The first test closes once the final test has started."),
    "not-yet": _l("This test is not open yet."),
    "unread": _l("The final test opens after you have read every section of the module."),
    "submitted": _l("This test is already submitted; your answers can no longer change."),
    "time-up": _l("Time is up. Answers given after the time limit are not counted."),
    "unknown-item": _l("This question is not part of your test."),
    "busy": _l("The server is busy. Please try again."),
}


def setup(app: Flask, state: LMSState) -> None:
    registry = QuestionTypeRegistry(allowed=app.config["LMS_QUESTION_TYPES"])
    registry.load_entry_points(state.plugin_errors)
    state.question_types = registry
    state.module_panels.append(tests_panel)
    state.record_sections.append(record_section)
    from . import demo
    from .checks import check_quiz

    state.content_checks.append(check_quiz)
    state.demo_loaders.append(demo.load)
    state.home_links.extend(
        [
            HomeLink(
                "lms.quiz.results",
                _l("Results"),
                _l("Pre-, post- and retention scores, gain and item analysis."),
                roles=("trainer",),
                icon="chart",
            ),
            HomeLink(
                "lms.quiz.ranking",
                _l("Top performers"),
                _l("Ranking, and the top 10 per cent for mentorship."),
                roles=("trainer",),
                icon="star",
            ),
            HomeLink(
                "lms.quiz.analysis_index",
                _l("Item analysis"),
                _l("Which questions work and which need review."),
                roles=("author",),
                icon="chart",
            ),
        ]
    )


def tests_panel(module: Module) -> tuple[str, dict[str, Any]] | None:
    """The module page's guided path for the signed-in learner: its next step (the page's
    ``lead``, shown first) and every step and test, with what the last section says comes
    after the reading."""
    bank = services.bank_for(module)
    if bank is None or not bank.usable or not current_user.is_authenticated:
        return None
    total = content.pages_for(module, locale_code(), current_country())
    reading = content.reading_of(current_user.id, module.slug, total)
    guided = path.build(path.facts_for(current_user.id, module, bank, reading))
    return "lms/quiz/_tests_panel.html", {
        "lead": "lms/quiz/_next_step.html",
        "path": guided,
        "module": module,
        "after_reading": _after_reading(guided),
        **LEARNER_LABELS,
    }


def _after_reading(guided: path.GuidedPath) -> str | None:
    final = guided.step("post")
    if final is None or final.state == "done":
        return None
    return ngettext(
        "Next: the final test, %(count)s question.",
        "Next: the final test, %(count)s questions.",
        final.questions,
        count=format_number(final.questions),
    )


def record_section(user: Any) -> tuple[str, dict[str, Any]]:
    """The learner's submitted tests, newest first, for their record page."""
    from sqlalchemy import select

    from ..db import db

    attempts = db.session.scalars(
        select(Attempt)
        .where(Attempt.user_id == user.id, Attempt.submitted_at.is_not(None))
        .order_by(Attempt.submitted_at.desc())
    ).all()
    country = country_of(user)
    titles = {
        m.slug: content.title(m, locale_code(), country)
        for m in content.library().modules()
        if "en" in m.docs
    }
    return "lms/quiz/_record.html", {"attempts": attempts, "titles": titles, "labels": TEST_NAMES}


def _attempt(attempt_id: int) -> Attempt:
    attempt = services.get_attempt(attempt_id, current_user.id)
    if attempt is None:
        abort(404)
    return attempt


def _refuse(code: str, attempt: Attempt | None = None, module: Module | None = None) -> Response:
    flash(str(REFUSALS.get(code, REFUSALS["busy"])), "error")
    if attempt is not None:
        return redirect(url_for("lms.quiz.result", attempt_id=attempt.id))
    fallback = (
        url_for("lms.content.module", slug=module.slug)
        if module is not None
        else url_for("lms.content.catalog")
    )
    return redirect(_referring_page() or fallback)


def _referring_page() -> str | None:
    """The page the request came from, as a path, when it is on this site (never another's)."""
    parts = urlsplit(request.referrer or "")
    if parts.scheme not in ("http", "https") or parts.netloc != request.host:
        return None
    return safe_next(urlunsplit(("", "", parts.path, parts.query, "")))


@bp.post("/quiz/<slug>/<kind>/start")
@login_required
def start(slug: str, kind: str) -> Response:
    module = content.library().get(slug)
    if module is None or kind not in KINDS:
        abort(404)
    refused = path.refusal(current_user.id, module, kind)
    if refused is not None:
        return _refuse(refused, module=module)
    try:
        attempt = services.start_attempt(current_user.id, module, kind, locale_code())
    except services.QuizError as exc:
        return _refuse(exc.code, module=module)
    first_open = next(
        (n for n, e in enumerate(attempt.items, 1) if attempt.answer_for(e["id"]) is None), 1
    )
    return redirect(url_for("lms.quiz.question", attempt_id=attempt.id, number=first_open))


def chain() -> list[str]:
    return content.locale_chain(locale_code())


@bp.get("/quiz/attempt/<lms_id:attempt_id>/<lms_id:number>")
@login_required
def question(attempt_id: int, number: int) -> Response:
    attempt = _attempt(attempt_id)
    services.close_if_expired(attempt)
    if attempt.submitted_at is not None:
        return redirect(url_for("lms.quiz.result", attempt_id=attempt.id))
    if not 1 <= number <= len(attempt.items):
        abort(404)
    entry = attempt.items[number - 1]
    answer = attempt.answer_for(entry["id"])
    page = render(
        "lms/quiz/question.html",
        attempt=attempt,
        entry=entry,
        number=number,
        total=len(attempt.items),
        qtype=services.registry().get(entry["type"]),
        response=answer.response if answer else None,
        text=lambda t: text_in(t, chain()),
        options=_options(attempt, entry),
        label=TEST_NAMES[attempt.kind],
        module_title=_title(services.module_of(attempt)),
        time_left=services.time_left(attempt),
        answered={a.item_id for a in attempt.answers if a.response is not None},
        **sync.page_context(attempt),
    )
    return sync.offline_page(page, attempt.user_id)


def _title(module: Module | None) -> str | None:
    if module is None:
        return None
    return content.title(module, locale_code(), current_country())


def _options(attempt: Attempt, entry: dict[str, Any]) -> list[dict[str, Any]]:
    by_id = {str(o["id"]): o for o in entry["data"].get("options") or []}
    return [by_id[i] for i in services.option_order(attempt, entry)]


@bp.post("/quiz/attempt/<lms_id:attempt_id>/<lms_id:number>")
@login_required
def answer(attempt_id: int, number: int) -> Response:
    """Save one answer. From the page's script: JSON; from the form: go on to the next screen."""
    attempt = _attempt(attempt_id)
    if not 1 <= number <= len(attempt.items):
        abort(404)
    entry = attempt.items[number - 1]
    wants_json = request.headers.get("X-Requested-With") == "fetch"
    try:
        services.check_open(attempt)
        if request.mimetype not in FORM_TYPES:  # a JSON body would read as "no answer"
            raise ResponseError(request.mimetype)
        response = services.registry().get(entry["type"]).parse(entry["data"], request.form)
        services.save_answer(attempt, entry["id"], response)
    except ResponseError:
        if wants_json:
            return jsonify(ok=False, error=_("That answer could not be read.")), 400
        flash(_("That answer could not be read."), "error")
        return redirect(url_for("lms.quiz.question", attempt_id=attempt.id, number=number))
    except services.QuizError as exc:
        if wants_json:
            return jsonify(ok=False, error=str(REFUSALS[exc.code])), 409
        return _refuse(exc.code, attempt)
    if wants_json:
        return jsonify(ok=True)
    go = request.form.get("go", "next")
    if go == "review" or (go == "next" and number == len(attempt.items)):
        return redirect(url_for("lms.quiz.review", attempt_id=attempt.id))
    target = number - 1 if go == "previous" else number + 1
    target = min(max(target, 1), len(attempt.items))
    return redirect(url_for("lms.quiz.question", attempt_id=attempt.id, number=target))


@bp.get("/quiz/attempt/<lms_id:attempt_id>/review")
@login_required
def review(attempt_id: int) -> Response:
    attempt = _attempt(attempt_id)
    services.close_if_expired(attempt)
    if attempt.submitted_at is not None:
        return redirect(url_for("lms.quiz.result", attempt_id=attempt.id))
    answered = {a.item_id for a in attempt.answers if a.response is not None}
    page = render(
        "lms/quiz/review.html",
        attempt=attempt,
        answered=answered,
        rows=answer_rows(attempt),
        label=TEST_NAMES[attempt.kind],
        module=services.module_of(attempt),
        text=lambda t: text_in(t, chain()),
        time_left=services.time_left(attempt),
        **sync.page_context(attempt),
    )
    return sync.offline_page(page, attempt.user_id)


def answer_rows(attempt: Attempt) -> list[dict[str, Any]]:
    """Each item of the attempt with the learner's answer beside the right one, its outcome
    and the feedback for that outcome (the review page shows only the answers)."""
    rows = []
    for entry in attempt.items:
        given = attempt.answer_for(entry["id"])
        fraction = given.fraction if given is not None else None
        view = answers.answer_view(
            services.registry().get(entry["type"]),
            entry["data"],
            given.response if given is not None else None,
            services.option_order(attempt, entry),
        )
        rows.append(
            {
                "entry": entry,
                "answer": given,
                "view": view,
                "outcome": answers.outcome(fraction),
                "feedback": answers.feedback_for(entry["data"], fraction),
            }
        )
    return rows


@bp.post("/quiz/attempt/<lms_id:attempt_id>/submit")
@login_required
def submit(attempt_id: int) -> Response:
    """Submitting twice (a double tap, a retry after a time-out) counts once."""
    attempt = _attempt(attempt_id)
    services.submit(attempt)
    return redirect(url_for("lms.quiz.result", attempt_id=attempt.id))


#: Why a queued change was refused, in the words of the learner who sees it.
SYNC_REFUSALS = {
    "expired": _l("This answer waited too long on the tablet to be counted. Please answer again."),
    "forged": _l("This answer could not be checked, so it was not counted."),
    "bad-change": _l("That answer could not be read."),
    "unreadable": _l("That answer could not be read."),
}


@bp.post("/quiz/sync")
@token_only
@passive  # a queue sending by itself is no sign that the signed-in person is still there
def sync_changes() -> tuple[Response, int] | Response:
    """The tablet's queue: answers and submits sent in order, each counted once (its key).

    Each change is authorised by its own signed attempt token, never by the session cookie
    (the queue sends without cookies): a change of learner A is sent after B has signed in on
    the same tablet. No CSRF token either: CSRF abuses the cookie a browser adds by itself to a
    request another site makes; here no cookie counts, and another site cannot read a page to
    learn a token, nor forge one without the app's secret key."""
    body = request.get_json(silent=True)
    changes = body.get("changes") if isinstance(body, dict) else None
    if not isinstance(changes, list) or not 1 <= len(changes) <= sync.MAX_CHANGES:
        return jsonify(ok=False, error=_("That answer could not be read.")), 400
    outcomes = sync.apply_all(changes)
    return jsonify(ok=True, results=[_sync_result(o) for o in outcomes])


def _sync_result(outcome: sync.Outcome) -> dict[str, Any]:
    result: dict[str, Any] = {"key": outcome.key, "status": outcome.status}
    if outcome.code is not None:
        message = SYNC_REFUSALS.get(outcome.code) or REFUSALS.get(outcome.code, REFUSALS["busy"])
        result.update(code=outcome.code, error=str(message))
    return result


@bp.get("/quiz/attempt/<lms_id:attempt_id>/result")
@login_required
def result(attempt_id: int) -> str | Response:
    attempt = _attempt(attempt_id)
    services.close_if_expired(attempt)
    if attempt.submitted_at is None:
        return redirect(url_for("lms.quiz.review", attempt_id=attempt.id))
    module = services.module_of(attempt)
    passed = None
    if attempt.kind == "post" and module is not None and attempt.percent is not None:
        passed = attempt.percent >= module.pass_mark
    return render(
        "lms/quiz/result.html",
        attempt=attempt,
        rows=answer_rows(attempt),
        module=module,
        label=TEST_NAMES[attempt.kind],
        passed=passed,
        certificate=path.certificate_of(current_user.id, module.slug) if passed else None,
        read_all=content.has_completed(current_user.id, attempt.module_id),
        text=lambda t: text_in(t, chain()),
    )


# The trainer's and author's pages live in results_views; the command joins ``flask lms``.
from . import cli, results_views  # noqa: E402, F401
