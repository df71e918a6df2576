"""Training sessions without a request: planning them (several trainers and modules), enrolment
within capacity, and attendance tapped on a roster or checked in by the session's QR code."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from ... import signals
from ...accounts.models import ADMIN, TRAINER, User, UserRole
from ...content import services as content
from ...db import db, utcnow
from ...i18n import _l, format_number, languages
from ...parsing import record_id, whole_number
from ..models import Beneficiary, Enrolment, Programme, SessionModule, TrainingSession
from ..records.services import beneficiary_of, cluster_index

#: The most places a session can have (as the form's message says).
MAX_CAPACITY = 500
#: The time zone that decides "today" for a session's check-in, by the cluster's country.
TIMEZONES = {"IN": "Asia/Kolkata", "BD": "Asia/Dhaka"}


class CheckinError(Exception):
    """Why a participant cannot check in (a message in their language)."""


def trainer_choices() -> list[User]:
    """Accounts that may be named as a session's trainers."""
    query = (
        select(User)
        .join(UserRole)
        .where(UserRole.role.in_((TRAINER, ADMIN)), User.active.is_(True))
        .distinct()
        .order_by(User.name)
    )
    return list(db.session.scalars(query))


def _text(data: Mapping[str, Any], key: str) -> str:
    return " ".join(str(data.get(key) or "").split())[:200]


def _ids(data: Any, key: str) -> list[str]:
    values = data.getlist(key) if hasattr(data, "getlist") else data.get(key) or []
    return [str(v) for v in values]


def clean_session(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Validated session fields from a form, and the problems found (in the UI language)."""
    problems: list[str] = []
    values: dict[str, Any] = {"title": _text(data, "title"), "venue": _text(data, "venue")}
    if not values["title"]:
        problems.append(str(_l("Please enter a name.")))
    try:
        values["held_on"] = dt.date.fromisoformat(str(data.get("held_on") or ""))
    except ValueError:
        problems.append(str(_l("Give the date as YYYY-MM-DD.")))
    capacity = whole_number(data.get("capacity") or "50", 1, MAX_CAPACITY)
    if capacity is None:
        problems.append(str(_l("Capacity must be a whole number from 1 to 500.")))
    values["capacity"] = capacity or 50
    values["language"] = str(data.get("language") or "bn")
    if values["language"] not in languages():
        problems.append(str(_l("Choose a language from the list.")))
    cluster_name = str(data.get("cluster") or "").strip()
    values["cluster"] = cluster_index().get(cluster_name.lower()) if cluster_name else None
    if cluster_name and values["cluster"] is None:
        problems.append(str(_l("Unknown cluster: %(name)s", name=cluster_name)))
    programme = str(data.get("programme") or "").strip()
    programme_id = record_id(programme)
    values["programme"] = db.session.get(Programme, programme_id) if programme_id else None
    if programme and values["programme"] is None:
        problems.append(str(_l("Choose a programme from the list.")))
    trainers = {str(u.id): u for u in trainer_choices()}
    values["trainers"] = [
        trainers[i] for i in dict.fromkeys(_ids(data, "trainers")) if i in trainers
    ]
    if len(values["trainers"]) != len(set(_ids(data, "trainers"))):
        problems.append(str(_l("Choose trainers from the list.")))
    known = {m.slug for m in content.learner_modules()}
    values["modules"] = list(dict.fromkeys(_ids(data, "modules")))
    if any(slug not in known for slug in values["modules"]):
        problems.append(str(_l("Choose modules from the list.")))
    return values, problems


def save_session(
    data: Mapping[str, Any], session: TrainingSession | None = None, trainer: User | None = None
) -> tuple[TrainingSession | None, list[str]]:
    """Create or update a session from form data; ``(None, problems)`` when something is wrong.
    A new session without chosen trainers is given ``trainer`` (the person creating it)."""
    values, problems = clean_session(data)
    if session is not None and values.get("capacity", 0) < len(session.enrolments):
        problems.append(
            str(
                _l(
                    "%(num)s people are enrolled: the capacity cannot be smaller.",
                    num=format_number(len(session.enrolments)),
                )
            )
        )
    if problems:
        return None, problems
    if session is None:
        session = TrainingSession(checkin_token=secrets.token_urlsafe(12))
        db.session.add(session)
        if not values["trainers"] and trainer is not None:
            values["trainers"] = [trainer]
    for key in ("title", "venue", "held_on", "capacity", "language", "cluster", "programme"):
        setattr(session, key, values[key])
    session.trainers = values["trainers"]
    session.module_rows = [
        SessionModule(module_slug=slug, position=index)
        for index, slug in enumerate(values["modules"])
    ]
    db.session.commit()
    return session, []


def enrol(session: TrainingSession, beneficiary_ids: list[int]) -> list[str]:
    """Enrol beneficiaries, within the session's capacity; already enrolled ones are kept."""
    enrolled = {e.beneficiary_id for e in session.enrolments}
    new = [i for i in dict.fromkeys(beneficiary_ids) if i not in enrolled]
    if len(enrolled) + len(new) > session.capacity:
        return [
            str(
                _l(
                    "The session has %(capacity)s places; %(taken)s are taken.",
                    capacity=format_number(session.capacity),
                    taken=format_number(len(enrolled)),
                )
            )
        ]
    found = set(
        db.session.scalars(
            select(Beneficiary.id).where(Beneficiary.id.in_(new), Beneficiary.erased_at.is_(None))
        )
    )
    if len(found) < len(new):
        db.session.rollback()
        return [str(_l("Choose beneficiaries from the list."))]
    for beneficiary_id in new:
        session.enrolments.append(Enrolment(beneficiary_id=beneficiary_id))
    db.session.commit()
    return []


def mark(session: TrainingSession, beneficiary_id: int, present: bool, via: str = "roster") -> bool:
    """Tap on the roster: present or not. Returns False if the person is not enrolled."""
    enrolment = next((e for e in session.enrolments if e.beneficiary_id == beneficiary_id), None)
    if enrolment is None:
        return False
    enrolment.present = present
    enrolment.marked_at = utcnow()
    enrolment.marked_via = via if present else None
    db.session.commit()
    signals.attendance_marked.send(
        current_app._get_current_object(),
        session=session,
        beneficiary_id=beneficiary_id,
        present=present,
        via=via,
    )
    return True


def session_today(session: TrainingSession) -> dt.date:
    """Today's date where the session is held."""
    country = session.cluster.country if session.cluster else "IN"
    return dt.datetime.now(ZoneInfo(TIMEZONES.get(country, "Asia/Kolkata"))).date()


def find_by_token(token: str) -> TrainingSession | None:
    return db.session.scalar(select(TrainingSession).where(TrainingSession.checkin_token == token))


def checkin_open(session: TrainingSession, user_id: int) -> Beneficiary:
    """The participant ``user_id`` may check in to ``session`` now: their record. Raises
    :class:`CheckinError` with the reason when not (the check-in page says so before any tap)."""
    if session_today(session) != session.held_on:
        raise CheckinError(_l("Check-in is open only on the day of the session."))
    person = beneficiary_of(user_id)
    if person is None:
        raise CheckinError(
            _l("Your account is not linked to a participant record. Please ask the trainer.")
        )
    return person


def check_in(session: TrainingSession, user_id: int) -> Beneficiary:
    """A participant scanned the session's QR code: mark them present (enrolling a walk-in if a
    place is free). Raises :class:`CheckinError` with the reason when that cannot be done."""
    person = checkin_open(session, user_id)
    walk_in = all(e.beneficiary_id != person.id for e in session.enrolments)
    if walk_in and enrol(session, [person.id]):
        raise CheckinError(_l("The session is full. Please ask the trainer."))
    mark(session, person.id, True, via="qr")
    return person
