"""Live quiz logic without a request. All state is in the database, so any worker (on any host)
can serve any request; ``version`` numbers let tablets ask "anything new?" for almost nothing."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from .. import signals
from ..countries import COUNTRIES, default_country
from ..db import db, upsert_insert, utcnow
from ..quiz import services as quiz_services
from ..quiz.bank import Bank
from ..quiz.types import UnknownQuestionType
from .models import MODES, LiveAnswer, LiveParticipant, LiveQuiz

#: Points for a fully right answer; in speed mode half of them depend on how fast it came.
FULL_POINTS = 100
#: The window the speed bonus is measured over when the question has no countdown.
SPEED_WINDOW = 20


class LiveError(Exception):
    """A refused action; ``code`` names it (``closed``, ``not-found``, ``bad-state``...)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def create(
    bank: Bank,
    module_id: str,
    item_ids: list[str],
    *,
    title: str,
    mode: str,
    countdown: int,
    session_label: str,
    user_id: int | None,
    country: str | None = None,
) -> LiveQuiz:
    """A draft quiz of the bank's ``item_ids`` as learners in ``country`` (the hall's; the
    default country if not given) are asked them: that country's facts written in."""
    country = country or default_country()
    found = [bank.item(i) for i in item_ids]
    if not item_ids or any(item is None for item in found):
        raise LiveError("no-items")
    if country not in COUNTRIES or not all(i.for_country(country) for i in found if i):
        raise LiveError("wrong-country")
    chosen = [i.resolved(country) for i in found if i is not None]
    if any(item is None for item in chosen):
        raise LiveError("wrong-country")
    if mode not in MODES or not 0 <= countdown <= 600:
        raise LiveError("bad-settings")
    quiz = LiveQuiz(
        title=title.strip()[:200] or module_id,
        module_id=module_id,
        mode=mode,
        countdown=countdown,
        session_label=session_label.strip()[:200],
        created_by=user_id,
        items=[
            {"v": 1, "id": i.id, "type": i.type, "points": i.points, "data": i.data}
            for i in chosen
            if i is not None
        ],
    )
    db.session.add(quiz)
    db.session.commit()
    return quiz


def _bump(quiz: LiveQuiz) -> None:
    quiz.version += 1
    db.session.commit()


def start(quiz: LiveQuiz) -> LiveQuiz:
    """Open the lobby with a fresh six-digit join code."""
    if quiz.status != "draft":
        raise LiveError("bad-state")
    for _try in range(20):
        code = f"{secrets.randbelow(900_000) + 100_000}"
        taken = db.session.scalar(
            select(func.count())
            .select_from(LiveQuiz)
            .where(LiveQuiz.code == code, LiveQuiz.status.not_in(("draft", "ended")))
        )
        if not taken:
            quiz.code, quiz.status = code, "lobby"
            _bump(quiz)
            return quiz
    raise LiveError("busy")


def is_code(code: str) -> bool:
    """Whether ``code`` has the form of a join code (six digits 0-9)."""
    return len(code) == 6 and code.isascii() and code.isdigit()


def find_by_code(code: str, *, ended: bool = False) -> LiveQuiz | None:
    """The running quiz with this code (a wrong or old code finds nothing). With ``ended``,
    also the latest ended one: its participants still see their final place and score.
    Views ask :func:`lms.live.limits.find`, which counts wrong codes."""
    if not is_code(code):
        return None
    excluded = ("draft",) if ended else ("draft", "ended")
    return db.session.scalar(
        select(LiveQuiz)
        .where(LiveQuiz.code == code, LiveQuiz.status.not_in(excluded))
        .order_by(LiveQuiz.id.desc())
    )


#: Which trainer action is allowed from which state.
ACTIONS = {
    "next": ("lobby", "closed", "revealed", "leaderboard"),
    "close": ("question",),
    "reveal": ("question", "closed"),
    "leaderboard": ("revealed",),
    "end": ("lobby", "question", "closed", "revealed", "leaderboard"),
}


def act(quiz: LiveQuiz, action: str, now: datetime | None = None) -> LiveQuiz:
    """The trainer paces the quiz: next question, close, reveal, leaderboard, end."""
    now = now or utcnow()
    if quiz.status not in ACTIONS.get(action, ()):
        raise LiveError("bad-state")
    if action == "next":
        if quiz.current_index + 1 >= len(quiz.items):
            return act(quiz, "end", now)
        quiz.current_index += 1
        quiz.status = "question"
        quiz.question_opened_at = now
        quiz.question_deadline = now + timedelta(seconds=quiz.countdown) if quiz.countdown else None
    elif action in ("close", "reveal", "leaderboard"):
        quiz.status = {"close": "closed", "reveal": "revealed", "leaderboard": "leaderboard"}[
            action
        ]
    else:
        quiz.status, quiz.ended_at = "ended", now
    _bump(quiz)
    return quiz


def expire(quiz: LiveQuiz, now: datetime | None = None) -> None:
    """A question whose countdown ran out is closed (by whichever request sees it first)."""
    now = now or utcnow()
    if quiz.status == "question" and quiz.question_deadline and now > quiz.question_deadline:
        closed = db.session.execute(
            update(LiveQuiz)
            .where(
                LiveQuiz.id == quiz.id,
                LiveQuiz.status == "question",
                LiveQuiz.current_index == quiz.current_index,
            )
            .values(status="closed", version=LiveQuiz.version + 1)
        )
        db.session.commit()
        if closed.rowcount:
            db.session.refresh(quiz)


#: Seconds during which a guest's join form sent again (a double tap, a retry on a slow
#: network) returns the participant it made; later, it is refused (someone else on the same
#: tablet went Back to an old form) and a new form is shown.
JOIN_KEY_FRESH = 120


def join(
    quiz: LiveQuiz,
    *,
    name: str,
    locale: str,
    user_id: int | None = None,
    token: str | None = None,
    join_key: str | None = None,
) -> LiveParticipant:
    """Join, or come back: the same tablet (token) or the same signed-in learner. Two joins of
    one learner at the same moment (a double tap, a retry after a dropped network) both get the
    one participant: the database keeps one per quiz and account, and one per guest's join form
    (``join_key``)."""
    known = _known(quiz, token=token, user_id=user_id) or by_join_key(quiz, join_key)
    if known is not None:
        return known
    name = " ".join(name.split())[:100]
    if not name:
        raise LiveError("no-name")
    participant = _insert(
        quiz_id=quiz.id,
        user_id=user_id,
        name=name,
        locale=locale,
        token=secrets.token_urlsafe(32),
        join_key=join_key or None,
    )
    # The quiz's version stays: a join changes no tablet's state, only counts (the tablets and
    # the trainer's screen are told the count, and their ETags include it).
    db.session.commit()
    if participant is None:  # made by the other request of a double tap, committed first
        participant = _known(quiz, user_id=user_id) or by_join_key(quiz, join_key)
    if participant is None:  # and gone again already (the quiz was deleted)
        raise LiveError("not-found")
    return participant


def by_join_key(quiz: LiveQuiz, join_key: str | None) -> LiveParticipant | None:
    """The participant a guest's join form made, if it was sent moments ago; a form sent again
    later is refused (``form-used``): the person at the tablet may be someone else."""
    if not join_key:
        return None
    found = db.session.scalar(
        select(LiveParticipant).where(
            LiveParticipant.quiz_id == quiz.id, LiveParticipant.join_key == join_key
        )
    )
    if found is not None and (utcnow() - found.joined_at).total_seconds() > JOIN_KEY_FRESH:
        raise LiveError("form-used")
    return found


def _known(
    quiz: LiveQuiz, *, token: str | None = None, user_id: int | None = None
) -> LiveParticipant | None:
    """The participant of this tablet's ``token``, else the signed-in learner's one."""
    found = participant_by_token(quiz, token)
    if found is None and user_id is not None:
        found = db.session.scalar(
            select(LiveParticipant).where(
                LiveParticipant.quiz_id == quiz.id, LiveParticipant.user_id == user_id
            )
        )
    return found


def _insert(**values: Any) -> LiveParticipant | None:
    """A new participant, or None when the quiz has one of this account or join form already.
    Of two inserts at once the second waits for the first one's commit, then does nothing."""
    upsert = upsert_insert(LiveParticipant)  # elsewhere: in a savepoint of its own
    if upsert is not None:  # (no RETURNING: SQLite has it from 3.35 only)
        stmt = upsert(LiveParticipant.__table__).values(**values)
        db.session.execute(stmt.on_conflict_do_nothing())  # one account, or one join form
        return db.session.scalar(
            select(LiveParticipant).where(LiveParticipant.token == values["token"])
        )
    participant = LiveParticipant(**values)
    try:
        with db.session.begin_nested():
            db.session.add(participant)
    except IntegrityError:
        return None
    return participant


def participant_by_token(quiz: LiveQuiz, token: str | None) -> LiveParticipant | None:
    if not token:
        return None
    return db.session.scalar(
        select(LiveParticipant).where(
            LiveParticipant.quiz_id == quiz.id, LiveParticipant.token == token
        )
    )


#: Seconds of a question's delivery a tablet is not timed for: a tablet told late (a slow
#: network, a missed push) may say how long the question was on its own screen, and is believed
#: for up to this much less than the time since the question opened, never for more.
DELIVERY_GRACE = 2.0


def elapsed_seconds(quiz: LiveQuiz, answered_at: datetime, shown_ms: int | None = None) -> float:
    """How long the learner took: the time since the question opened, or, when the tablet says
    it showed the question for ``shown_ms`` milliseconds, that time, bounded by
    :data:`DELIVERY_GRACE` (a tablet cannot claim more time than it had, nor gain more than the
    grace by claiming less)."""
    if not quiz.question_opened_at:
        return 0.0
    opened = max(0.0, (answered_at - quiz.question_opened_at).total_seconds())
    if shown_ms is None:
        return opened
    return min(opened, max(opened - DELIVERY_GRACE, shown_ms / 1000))


def points_for(
    quiz: LiveQuiz, fraction: float, answered_at: datetime, shown_ms: int | None = None
) -> float:
    if quiz.mode == "survey":
        return 0.0
    if quiz.mode == "correctness" or not quiz.question_opened_at:
        return FULL_POINTS * fraction
    window = quiz.countdown or SPEED_WINDOW
    speed = max(0.0, 1 - elapsed_seconds(quiz, answered_at, shown_ms) / window)
    return fraction * (FULL_POINTS / 2 + FULL_POINTS / 2 * speed)


@dataclass(frozen=True)
class Counted:
    answer: LiveAnswer
    #: False when this answer had already been counted (a retry or a double tap).
    new: bool


def answer(
    quiz: LiveQuiz,
    participant: LiveParticipant,
    index: int,
    response: Any,
    now: datetime | None = None,
    *,
    shown_ms: int | None = None,
) -> Counted:
    """Count an answer exactly once; refuse it once the question is closed. ``shown_ms``: how
    long the tablet says the question was on its screen (see :func:`elapsed_seconds`)."""
    now = now or utcnow()
    existing = db.session.get(LiveAnswer, (participant.id, index))
    if existing is not None:
        return Counted(existing, False)
    expire(quiz, now)
    if quiz.status != "question" or quiz.current_index != index:
        raise LiveError("closed")
    entry = quiz.items[index]
    qtype = quiz_services.registry().get(entry["type"])
    fraction = qtype.score(entry["data"], response) if response is not None else 0.0
    row = LiveAnswer(
        participant_id=participant.id,
        item_index=index,
        quiz_id=quiz.id,
        response=response,
        answered_at=now,
        fraction=fraction,
        points=points_for(quiz, fraction, now, shown_ms),
    )
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:  # the same answer arrived twice at once: the first one counts
        db.session.rollback()
        return Counted(db.session.get(LiveAnswer, (participant.id, index)), False)
    db.session.execute(
        update(LiveParticipant)
        .where(LiveParticipant.id == participant.id)
        .values(score=LiveParticipant.score + row.points, version=LiveParticipant.version + 1)
    )
    db.session.commit()
    signals.live_answer_counted.send(current_app._get_current_object(), answer=row)
    return Counted(row, True)


# What the screens show.


def answered_count(quiz: LiveQuiz, index: int) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(LiveAnswer)
            .where(LiveAnswer.quiz_id == quiz.id, LiveAnswer.item_index == index)
        )
        or 0
    )


def distribution(quiz: LiveQuiz, index: int) -> Counter[str]:
    """How the room answered question ``index``, as its type's reveal shows it (a count per
    option for choices; right, partly right and wrong for the others)."""
    entry = quiz.items[index]
    rows = db.session.execute(
        select(LiveAnswer.response, LiveAnswer.fraction).where(
            LiveAnswer.quiz_id == quiz.id, LiveAnswer.item_index == index
        )
    )
    return quiz_services.registry().get(entry["type"]).tally(entry["data"], rows.all())


def reveal(quiz: LiveQuiz) -> dict[str, Any]:
    """What the reveal of the current question shows, by its type's hook: the template, the
    room's answers counted, and the right answer (nothing before the reveal)."""
    entry = quiz.current
    if entry is None or quiz.status != "revealed":
        return {"reveal_template": None, "counts": {}, "answer": []}
    try:
        qtype = quiz_services.registry().get(entry["type"])
    except UnknownQuestionType:  # its plugin was removed since the quiz was made
        return {"reveal_template": None, "counts": {}, "answer": []}
    return {
        "reveal_template": qtype.reveal_template,
        "counts": distribution(quiz, quiz.current_index),
        "answer": qtype.answer_texts(entry["data"]),
    }


def leaderboard(quiz: LiveQuiz, limit: int | None = 10) -> list[LiveParticipant]:
    query = (
        select(LiveParticipant)
        .where(LiveParticipant.quiz_id == quiz.id)
        .order_by(LiveParticipant.score.desc(), LiveParticipant.joined_at)
    )
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def rank_of(quiz: LiveQuiz, participant: LiveParticipant) -> int:
    ahead = (
        db.session.scalar(
            select(func.count())
            .select_from(LiveParticipant)
            .where(LiveParticipant.quiz_id == quiz.id, LiveParticipant.score > participant.score)
        )
        or 0
    )
    return ahead + 1


def answers_of(quiz: LiveQuiz) -> dict[tuple[int, int], LiveAnswer]:
    rows = db.session.scalars(select(LiveAnswer).where(LiveAnswer.quiz_id == quiz.id))
    return {(row.participant_id, row.item_index): row for row in rows}


# Erasure of a person (``lms.programme.records.privacy.erase``).

#: The name an erased person's participations keep.
ERASED_NAME = "—"


def forget_person(user_id: int | None, names: Iterable[str]) -> None:
    """Unname every participation of an erased person: joined signed in as ``user_id``, or
    without an account under one of ``names`` (as ``join`` keeps names, case aside). Scores and
    answers stay, unnamed, for the quizzes' results and item analysis. Does not commit."""
    typed = {" ".join(name.split())[:100].lower() for name in names if name and name.strip()}
    matches = []
    if user_id is not None:
        matches.append(LiveParticipant.user_id == user_id)
    if typed:
        matches.append(
            and_(LiveParticipant.user_id.is_(None), func.lower(LiveParticipant.name).in_(typed))
        )
    if not matches:
        return
    quiz_ids = set(db.session.scalars(select(LiveParticipant.quiz_id).where(or_(*matches))))
    db.session.execute(
        update(LiveParticipant)
        .where(or_(*matches))
        .values(name=ERASED_NAME, version=LiveParticipant.version + 1)
    )
    if quiz_ids:  # screens polling with an ETag fetch the unnamed lists
        db.session.execute(
            update(LiveQuiz).where(LiveQuiz.id.in_(quiz_ids)).values(version=LiveQuiz.version + 1)
        )
