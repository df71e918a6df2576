"""Limits on live-quiz codes per client address (a training hall shares one).

- Wrong codes: at most ``LMS_LIVE_MAX_WRONG_CODES_PER_IP`` per minute. Only well-formed codes
  that find no quiz count (a hall typing the right code at once counts nothing); past the limit
  every code from that address is refused for a while, right ones too, so a refusal tells a
  guesser nothing. Tablets already in the quiz (their participant cookie) are never refused.
- Anonymous joins: at most ``LMS_LIVE_MAX_JOINS_PER_IP`` new participants without an account per
  quiz and address.

Counted in the database (:mod:`lms.throttle`), so every worker and host sees the same counts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import current_app

from .. import throttle
from ..db import db, utcnow
from . import services
from .models import LiveParticipant, LiveQuiz

WRONG_CODES = "live-code"
JOINS = "live-join"
#: Seconds over which wrong codes count.
CODE_WINDOW = 60
#: Seconds over which anonymous joins of a quiz count (longer than a quiz lasts).
JOIN_WINDOW = 24 * 3600


def find(
    code: str, address: str, holds: Callable[[LiveQuiz], bool], *, ended: bool = False
) -> LiveQuiz | None:
    """The quiz with ``code`` (see :func:`services.find_by_code`), counting a wrong code against
    ``address``; :class:`services.LiveError` ``too-many-codes`` past the limit, unless
    ``holds(quiz)`` (the request is one of the quiz's participants)."""
    quiz = services.find_by_code(code, ended=ended)
    if quiz is not None and holds(quiz):
        return quiz
    if not services.is_code(code):
        return None  # no code at all: nothing was guessed
    allowed = int(current_app.config["LMS_LIVE_MAX_WRONG_CODES_PER_IP"])
    if quiz is not None:
        since = utcnow() - timedelta(seconds=CODE_WINDOW)
        if throttle.count(WRONG_CODES, since, key=address).count >= allowed:
            raise services.LiveError("too-many-codes")
        return quiz
    now = throttle.begin((WRONG_CODES,), CODE_WINDOW, lock=f"{WRONG_CODES}:{address}")
    since = now - timedelta(seconds=CODE_WINDOW)
    if throttle.count(WRONG_CODES, since, key=address).count >= allowed:
        db.session.commit()
        raise services.LiveError("too-many-codes")
    throttle.add(WRONG_CODES, address, at=now)
    db.session.commit()
    return None


def join_anonymous(
    quiz: LiveQuiz, address: str, *, name: str, locale: str, join_key: str | None = None
) -> LiveParticipant:
    """A new participant without an account, counted against ``address`` for this quiz;
    :class:`services.LiveError` ``too-many-joins`` past the limit. The same join form sent
    again (a double tap) gets the participant it made, and is not counted again."""
    known = services.by_join_key(quiz, join_key)
    if known is not None:
        return known
    subject = str(quiz.id)
    now = throttle.begin((JOINS,), JOIN_WINDOW, lock=f"{JOINS}:{address}:{subject}")
    since = now - timedelta(seconds=JOIN_WINDOW)
    allowed = int(current_app.config["LMS_LIVE_MAX_JOINS_PER_IP"])
    if throttle.count(JOINS, since, key=address, subject=subject).count >= allowed:
        db.session.commit()
        raise services.LiveError("too-many-joins")
    throttle.add(JOINS, address, subject, at=now)
    try:
        # commits the count with it
        return services.join(quiz, name=name, locale=locale, join_key=join_key)
    except services.LiveError:
        db.session.rollback()
        raise
