"""Answers and submits sent later: a tablet keeps each change in its queue (IndexedDB,
``lms/static/queue.js``) while the hall's wifi is down, and sends the queue in order when it is
back. Each change carries a random idempotency key, applied once (:class:`SyncKey`), and a signed
attempt token that names the attempt and its learner: not the session cookie, so a change queued
by learner A is still sent, and counted for A, after "Switch learner" has signed B in."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app, make_response, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from .. import auth
from ..db import db, utcnow
from ..offline_pages import learner_key, mark_offline
from . import services
from .models import Answer, Attempt, SyncKey
from .types import ResponseError

#: Changes one request may carry (a tablet's queue is sent in batches of at most this).
MAX_CHANGES = 100
#: A key as ``queue.js`` makes them (random, URL-safe); anything else is refused unread.
KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
KINDS = ("answer", "submit")


class SyncError(Exception):
    """A change that can never be applied: ``expired`` or ``forged`` token, ``bad-change``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Outcome:
    """What became of one change: ``saved``, ``duplicate`` (applied before: also done),
    ``refused`` (never will be: ``code`` says why) or ``retry`` (the server was busy)."""

    key: str
    status: str
    code: str | None = None

    @property
    def done(self) -> bool:
        """Whether the tablet may delete the change from its queue."""
        return self.status != "retry"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=auth.salt("attempt-sync"))


def attempt_token(attempt: Attempt) -> str:
    """The token a question page gives its queued changes: the attempt and its learner, signed
    with the app's secret key, and timed: valid for ``LMS_OFFLINE_SYNC_DAYS``."""
    return _serializer().dumps([attempt.id, attempt.user_id])


def attempt_of(token: Any) -> Attempt:
    """The attempt ``token`` names, for the learner it names; :class:`SyncError` otherwise."""
    if not isinstance(token, str):
        raise SyncError("forged")
    try:
        max_age = current_app.config["LMS_OFFLINE_SYNC_DAYS"] * 24 * 3600
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise SyncError("expired") from exc
    except BadSignature as exc:
        raise SyncError("forged") from exc
    if not (isinstance(data, list) and len(data) == 2 and all(type(v) is int for v in data)):
        raise SyncError("forged")
    attempt = services.get_attempt(data[0], data[1])
    if attempt is None:  # deleted since (an erased learner): nothing left to count it for
        raise SyncError("forged")
    return attempt


def apply_all(changes: Iterable[Any], now: datetime | None = None) -> list[Outcome]:
    """Apply ``changes`` in the order given; stop after one the server could not apply now,
    so that a later change never overtakes it."""
    outcomes = []
    for change in changes:
        outcome = apply(change, now)
        outcomes.append(outcome)
        if not outcome.done:
            break
    return outcomes


def apply(change: Any, now: datetime | None = None) -> Outcome:
    """Apply one change (``{"key", "token", "kind", "item", "fields"}``) at most once."""
    key = change.get("key") if isinstance(change, Mapping) else None
    if not isinstance(key, str) or not KEY.match(key):
        # Echoed as sent, so the tablet can still drop the change from its queue.
        return Outcome(key if isinstance(key, str) else "", "refused", "bad-change")
    try:
        if change.get("kind") not in KINDS:
            raise SyncError("bad-change")
        attempt = attempt_of(change.get("token"))
        if change["kind"] == "submit":
            return apply_submit(attempt, key, now)
        return apply_answer(attempt, key, change.get("item"), fields_of(change), now)
    except SyncError as exc:
        return Outcome(key, "refused", exc.code)
    except ResponseError:
        return Outcome(key, "refused", "unreadable")
    except services.QuizError as exc:
        return Outcome(key, "retry" if exc.code == "busy" else "refused", exc.code)


def fields_of(change: Mapping[str, Any]) -> MultiDict[str, str]:
    """The answer's form fields, sent as ``[[name, value], ...]`` (as the page's form has them)."""
    fields = change.get("fields")
    if not isinstance(fields, list) or len(fields) > 200:
        raise SyncError("bad-change")
    pairs = [tuple(pair) for pair in fields if isinstance(pair, list) and len(pair) == 2]
    if len(pairs) != len(fields) or not all(isinstance(v, str) for pair in pairs for v in pair):
        raise SyncError("bad-change")
    if any("\x00" in v for pair in pairs for v in pair):
        raise SyncError("bad-change")
    return MultiDict(pairs)


def applied(key: str) -> bool:
    return db.session.get(SyncKey, key) is not None


def apply_answer(
    attempt: Attempt,
    key: str,
    item_id: Any,
    fields: MultiDict[str, str],
    now: datetime | None = None,
) -> Outcome:
    """Save one queued answer, unless its key was applied already; refused once submitted."""
    now = now or utcnow()
    if applied(key):
        return Outcome(key, "duplicate")
    entry = services.entry_of(attempt, item_id) if isinstance(item_id, str) else None
    if entry is None:
        raise services.QuizError("unknown-item")
    services.close_if_expired(attempt, now)
    services.check_open(attempt, now)
    response = services.registry().get(entry["type"]).parse(entry["data"], fields)
    attempt_id = attempt.id
    for _try in range(3):
        try:
            _store_answer(attempt_id, key, item_id, response, now)
            return Outcome(key, "saved")
        except IntegrityError:  # the same key (or the same item's first answer) at once
            db.session.rollback()
            if applied(key):
                return Outcome(key, "duplicate")
    raise services.QuizError("busy")


def _store_answer(attempt_id: int, key: str, item_id: str, response: Any, now: datetime) -> None:
    _hold_open(attempt_id)
    db.session.add(SyncKey(key=key, attempt_id=attempt_id, kind="answer", applied_at=now))
    answer = db.session.get(Answer, (attempt_id, item_id), populate_existing=True)
    if answer is None:
        answer = Answer(attempt_id=attempt_id, item_id=item_id)
        db.session.add(answer)
    answer.response = response
    answer.saved_at = now
    db.session.commit()


def _hold_open(attempt_id: int) -> None:
    """Lock the attempt's row while it is still open (a submit waits for this answer, or this
    answer for the submit: PostgreSQL's row lock, SQLite's write lock), or refuse."""
    still_open = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id, Attempt.submitted_at.is_(None))
        .values(submitted_at=None)
        .execution_options(synchronize_session=False)
    )
    if still_open.rowcount == 0:
        db.session.rollback()
        raise services.QuizError("submitted")


def apply_submit(attempt: Attempt, key: str, now: datetime | None = None) -> Outcome:
    """Submit the attempt once: a key sent again, or an attempt submitted already (from another
    page, or when its time ran out), is ``duplicate``."""
    if applied(key):
        return Outcome(key, "duplicate")
    now = now or utcnow()
    services.close_if_expired(attempt, now)
    attempt_id = attempt.id
    for _try in range(3):
        try:
            _hold_open(attempt_id)
            # Scored from the answers as they are now that no answer can come in any more.
            db.session.expire_all()
            db.session.add(SyncKey(key=key, attempt_id=attempt_id, kind="submit", applied_at=now))
            submitted = services.submit(attempt, now)
            return Outcome(key, "saved" if submitted else "duplicate")
        except services.QuizError:  # submitted meanwhile: by the same change from another tab
            return Outcome(key, "duplicate")
        except IntegrityError:
            db.session.rollback()
            if applied(key):
                return Outcome(key, "duplicate")
    raise services.QuizError("busy")


# The pages of an open attempt, kept by the tablet's service worker (contract of issue 21).


def offline_page(page: str, user_id: int) -> Response:
    """A question or review page of an open attempt, marked for the service worker to keep in
    this learner's cache (``X-LMS-Offline``), so a reload or a closed tab still opens it offline.
    Results are never marked: they are personal and change after submitting."""
    return mark_offline(make_response(page), user_id)


def page_context(attempt: Attempt) -> dict[str, Any]:
    """What a page's queue needs to keep working offline: the signed attempt token, the
    learner's cache key, and every page of the attempt for the service worker to keep."""
    pages = [
        url_for("lms.quiz.question", attempt_id=attempt.id, number=n)
        for n in range(1, len(attempt.items) + 1)
    ]
    return {
        "sync_token": attempt_token(attempt),
        "learner_key": learner_key(attempt.user_id),
        "pages": pages,
        "review_url": url_for("lms.quiz.review", attempt_id=attempt.id),
    }
