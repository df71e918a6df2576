"""Quiz logic without a request: drawing, saving answers, submitting once, results."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .. import signals
from ..content import services as content
from ..content.modules import Module
from ..db import db, utcnow
from ..state import state
from . import results
from .bank import Bank, Item, Rule, load_bank
from .models import Answer, Attempt
from .types import QuestionTypeRegistry


def registry() -> QuestionTypeRegistry:
    return state().question_types


def bank_for(module: Module) -> Bank | None:
    """The module's item bank (re-read when ``quiz.yaml`` changes), or ``None`` without one."""
    path = module.folder / "quiz.yaml"
    if not path.is_file():
        return None
    stat = path.stat()
    signature = (stat.st_mtime_ns, stat.st_size)
    banks = state().cache("quiz.banks")  # per app: each app has its own question types
    cached = banks.get(str(path))
    if cached is None or cached[0] != signature:
        cached = banks[str(path)] = (signature, load_bank(path, registry()))
    return cached[1]


def country_for(user_id: int) -> str:
    """The learner's country decides their items (not their language): see ``lms.countries``."""
    from ..accounts.models import User
    from ..countries import country_of

    return country_of(db.session.get(User, user_id))


# Availability.


@dataclass(frozen=True)
class Availability:
    kind: str
    #: ``open``, ``in-progress``, ``done``, ``not-yet`` (retention), ``closed`` (pre after post)
    status: str
    opens_at: datetime | None = None
    attempt: Attempt | None = None
    best: Attempt | None = None


def attempts_of(user_id: int, module_id: str, kind: str | None = None) -> list[Attempt]:
    query = select(Attempt).where(Attempt.user_id == user_id, Attempt.module_id == module_id)
    if kind is not None:
        query = query.where(Attempt.kind == kind)
    return list(db.session.scalars(query.order_by(Attempt.kind, Attempt.number)))


def availability(
    user_id: int,
    module_id: str,
    rule: Rule,
    now: datetime | None = None,
    attempts: list[Attempt] | None = None,
) -> Availability:
    now = now or utcnow()
    attempts = attempts if attempts is not None else attempts_of(user_id, module_id)
    mine = [a for a in attempts if a.kind == rule.kind]
    submitted = [a for a in mine if a.submitted_at is not None]
    best = max(submitted, key=lambda a: a.score or 0, default=None)
    open_attempt = next((a for a in mine if a.submitted_at is None), None)
    if open_attempt is not None:
        return Availability(rule.kind, "in-progress", attempt=open_attempt, best=best)
    if rule.max_attempts and len(mine) >= rule.max_attempts:
        return Availability(rule.kind, "done", best=best)
    if rule.kind == "pre" and any(a.kind == "post" for a in attempts):
        return Availability(rule.kind, "closed", best=best)
    if rule.kind == "retention":
        posts = [a.submitted_at for a in attempts if a.kind == "post" and a.submitted_at]
        if not posts:
            return Availability(rule.kind, "not-yet")
        opens_at = min(posts) + timedelta(days=rule.opens_after_days)
        if now < opens_at:
            return Availability(rule.kind, "not-yet", opens_at=opens_at)
    return Availability(
        rule.kind, "done" if submitted and not _may_retry(rule, mine) else "open", best=best
    )


def _may_retry(rule: Rule, mine: list[Attempt]) -> bool:
    return not rule.max_attempts or len(mine) < rule.max_attempts


# Starting an attempt.


class QuizError(Exception):
    """A refused quiz action; ``code`` names it for the view (and the message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def draw(bank: Bank, rule: Rule, country: str, seed: int) -> list[Item]:
    """The items of one attempt: a seeded sample of the eligible items, in shuffled order."""
    eligible = sorted(bank.eligible(rule, country), key=lambda item: item.id)
    rng = random.Random(seed)
    chosen = rng.sample(eligible, min(rule.count, len(eligible)))
    rng.shuffle(chosen)
    return chosen


def option_order(attempt: Attempt, entry: dict[str, Any]) -> list[str]:
    """The order an item's options are shown in this attempt (the same after every reload)."""
    ids = [str(o["id"]) for o in entry["data"].get("options") or []]
    if registry().get(entry["type"]).shuffle_options:
        random.Random(f"{attempt.seed}:{entry['id']}").shuffle(ids)
    return ids


def start_attempt(
    user_id: int, module: Module, kind: str, locale: str, now: datetime | None = None
) -> Attempt:
    """Resume the open attempt, or start a new one when the rules allow it."""
    bank = bank_for(module)
    if bank is None or not bank.usable or kind not in bank.rules:
        raise QuizError("no-test")
    rule = bank.rules[kind]
    now = now or utcnow()
    for _try in range(3):
        attempts = attempts_of(user_id, module.slug)
        status = availability(user_id, module.slug, rule, now, attempts)
        if status.attempt is not None:
            return status.attempt
        if status.status != "open":
            raise QuizError(status.status)
        country = country_for(user_id)
        seed = secrets.randbelow(2**31)
        items = draw(bank, rule, country, seed)
        if not items:
            raise QuizError("no-test")
        attempt = Attempt(
            user_id=user_id,
            module_id=module.slug,
            kind=kind,
            form=rule.form,
            country=country,
            locale=locale,
            seed=seed,
            started_at=now,
            number=1 + sum(1 for a in attempts if a.kind == kind),
            # Stored as references to versions of the items (``snapshots``), each version once.
            items=[{"id": i.id, "type": i.type, "points": i.points, "data": i.data} for i in items],
            max_score=sum(i.points for i in items),
            deadline_at=(
                now + timedelta(minutes=rule.time_limit_minutes)
                if rule.time_limit_minutes
                else None
            ),
        )
        db.session.add(attempt)
        try:
            db.session.commit()
            return attempt
        except IntegrityError:  # a double tap started the same attempt: use that one
            db.session.rollback()
    raise QuizError("busy")


# Answering and submitting.


def entry_of(attempt: Attempt, item_id: str) -> dict[str, Any]:
    entry = next((e for e in attempt.items if e["id"] == item_id), None)
    if entry is None:
        raise QuizError("unknown-item")
    return entry


def time_left(attempt: Attempt, now: datetime | None = None) -> timedelta | None:
    if attempt.deadline_at is None:
        return None
    return max(timedelta(0), attempt.deadline_at - (now or utcnow()))


def check_open(attempt: Attempt, now: datetime | None = None) -> None:
    """Refuse changes to a submitted attempt or one past its time limit."""
    if attempt.submitted_at is not None:
        raise QuizError("submitted")
    if attempt.deadline_at is not None and (now or utcnow()) > attempt.deadline_at:
        raise QuizError("time-up")


def save_answer(attempt: Attempt, item_id: str, response: Any, now: datetime | None = None) -> None:
    """Keep the learner's answer; refused once submitted or after the time limit."""
    now = now or utcnow()
    entry_of(attempt, item_id)
    check_open(attempt, now)
    for _try in range(2):
        answer = db.session.get(Answer, (attempt.id, item_id))
        if answer is None:
            answer = Answer(attempt_id=attempt.id, item_id=item_id)
            db.session.add(answer)
        answer.response = response
        answer.saved_at = now
        try:
            db.session.commit()
            return
        except IntegrityError:  # the same answer arrived twice at once
            db.session.rollback()
    raise QuizError("busy")


def submit(attempt: Attempt, now: datetime | None = None) -> bool:
    """Score and close the attempt. Returns False when it was already submitted (counts once)."""
    now = now or utcnow()
    closed = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.submitted_at.is_(None))
        .values(submitted_at=now)
    )
    if closed.rowcount == 0:
        db.session.rollback()
        db.session.refresh(attempt)
        return False
    total = 0.0
    answers = {a.item_id: a for a in attempt.answers}
    for entry in attempt.items:
        answer = answers.get(entry["id"])
        if answer is None:
            answer = Answer(attempt_id=attempt.id, item_id=entry["id"], response=None, saved_at=now)
            db.session.add(answer)
        qtype = registry().get(entry["type"])
        answer.fraction = (
            qtype.score(entry["data"], answer.response) if (answer.response is not None) else 0.0
        )
        answer.mark = answer.fraction * entry["points"]
        total += answer.mark
    attempt.score = total
    if attempt.kind in results.KINDS:
        db.session.flush()
        results.refresh(attempt.user_id, attempt.module_id)
    db.session.commit()
    db.session.refresh(attempt)
    signals.attempt_submitted.send(current_app._get_current_object(), attempt=attempt)
    return True


def close_if_expired(attempt: Attempt, now: datetime | None = None) -> None:
    """An attempt past its time limit is submitted with the answers saved in time."""
    now = now or utcnow()
    if attempt.submitted_at is None and attempt.deadline_at and now > attempt.deadline_at:
        submit(attempt, attempt.deadline_at)


def get_attempt(attempt_id: int, user_id: int) -> Attempt | None:
    attempt = db.session.get(Attempt, attempt_id)
    return attempt if attempt is not None and attempt.user_id == user_id else None


def module_of(attempt: Attempt) -> Module | None:
    return content.library().get(attempt.module_id)
