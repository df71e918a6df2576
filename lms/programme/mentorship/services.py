"""The mentorship list: a programme's top 10 % by the quiz ranking are referred to mentors, whose
meetings and outcomes an admin records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ... import signals
from ...content import services as content
from ...db import db
from ...i18n import _, _l, format_date, format_number, parse_digits
from ...quiz import results
from ...quiz import services as quiz
from ...quiz.results import RankRow, ranking
from .. import scope
from ..feedback.services import today
from ..models import MENTORSHIP_STATUSES, Beneficiary, MentorMeeting, Mentorship

STATUS_LABELS = {
    "proposed": _l("Proposed"),
    "active": _l("Active"),
    "completed": _l("Completed"),
    "declined": _l("Declined"),
}
MAX_NAME = 200
MAX_TEXT = 5000
EXPORT_HEADER = [
    "rank",
    "name",
    "enterprise",
    "cluster",
    "phone",
    "post_percent",
    "retention_percent",
    "mentor",
    "organisation",
    "status",
    "meetings",
    "latest_outcome",
]


@dataclass
class Candidate:
    """A ranked learner of the programme, their beneficiary record and referral (if any)."""

    row: RankRow
    beneficiary: Beneficiary | None
    mentorship: Mentorship | None


def module_ids(programme_id: int) -> list[str]:
    """The modules the programme's sessions taught; without any, every module with a quiz."""
    slugs = scope.module_slugs(scope.Filters(programme_id=programme_id))
    if slugs:
        return slugs
    modules = content.library().modules()
    return [m.slug for m in modules if m.usable and quiz.bank_for(m) is not None]


def programme_ranking(
    programme_id: int, limit: int | None = None, offset: int = 0, ranked: int | None = None
) -> list[RankRow]:
    """Those present at the programme's sessions, ranked on its modules (``row.top``: top 10 %);
    ``limit`` of them from ``offset``."""
    learners = scope.learner_query(scope.Filters(programme_id=programme_id))
    return ranking(learners, module_ids(programme_id), limit, offset, ranked)


def ranked_count(programme_id: int) -> int:
    """How many the programme's ranking lists."""
    learners = scope.learner_query(scope.Filters(programme_id=programme_id))
    return results.ranked_count(learners, module_ids(programme_id))


def beneficiaries_of(user_ids: Iterable[int]) -> dict[int, Beneficiary]:
    """Each account's beneficiary record (the first one if several), with its enterprise."""
    query = (
        select(Beneficiary)
        .options(selectinload(Beneficiary.enterprise))
        .where(Beneficiary.user_id.in_(list(user_ids)))
        .order_by(Beneficiary.id)
    )
    found: dict[int, Beneficiary] = {}
    for person in db.session.scalars(query):
        found.setdefault(person.user_id, person)  # type: ignore[arg-type]
    return found


def mentorships(programme_id: int, limit: int | None = None, offset: int = 0) -> list[Mentorship]:
    """The programme's mentorship list, by rank when referred; ``limit`` of them from
    ``offset`` for a page."""
    query = (
        select(Mentorship)
        .options(selectinload(Mentorship.user), selectinload(Mentorship.meetings))
        .where(Mentorship.programme_id == programme_id)
        .order_by(Mentorship.rank, Mentorship.id)
        .limit(limit)
        .offset(offset)
    )
    return list(db.session.scalars(query))


def mentorship_count(programme_id: int) -> int:
    query = select(func.count()).where(Mentorship.programme_id == programme_id)
    return db.session.scalar(query) or 0


def candidates(
    programme_id: int, limit: int, ranked: int | None = None, offset: int = 0
) -> list[Candidate]:
    """A page of the ranking: ``limit`` rows from ``offset``, with their records and referrals
    (``ranked``: ``ranked_count`` when the caller has it already)."""
    rows = programme_ranking(programme_id, limit, offset, ranked)
    ids = [r.user.id for r in rows]
    people = beneficiaries_of(ids)
    query = select(Mentorship).where(
        Mentorship.programme_id == programme_id, Mentorship.user_id.in_(ids)
    )
    referred = {m.user_id: m for m in db.session.scalars(query)}
    return [Candidate(r, people.get(r.user.id), referred.get(r.user.id)) for r in rows]


def waiting(programme_id: int, ranked: int) -> int:
    """How many of the top 10 % of the ``ranked`` are not referred yet."""
    top = programme_ranking(programme_id, results.top_count(ranked), ranked=ranked)
    referred = {m.user_id for m in mentorships(programme_id)}
    return sum(1 for row in top if row.user.id not in referred)


def refer_top(programme_id: int) -> int:
    """Refer the top 10 % not yet referred; returns how many were (0 the second time)."""
    referred = {m.user_id for m in mentorships(programme_id)}
    made = []
    for row in programme_ranking(programme_id):
        if row.top and row.user.id not in referred:
            db.session.add(_referral(programme_id, row))
            made.append(row.user.id)
    _commit()
    _announce(made)
    return len(made)


def refer(programme_id: int, user_id: int) -> Mentorship | None:
    """Refer one ranked learner (their existing referral if any); ``None`` if not ranked."""
    existing = next((m for m in mentorships(programme_id) if m.user_id == user_id), None)
    if existing is not None:
        return existing
    row = next((r for r in programme_ranking(programme_id) if r.user.id == user_id), None)
    if row is None:
        return None
    mentorship = _referral(programme_id, row)
    db.session.add(mentorship)
    _commit()
    _announce([user_id])
    return mentorship


def _announce(user_ids: list[int]) -> None:
    """``signals.mentees_referred``: e.g. a course whose selection takes the mentorship list."""
    if user_ids:
        signals.mentees_referred.send(current_app._get_current_object(), user_ids=user_ids)


def _referral(programme_id: int, row: RankRow) -> Mentorship:
    return Mentorship(programme_id=programme_id, user_id=row.user.id, rank=row.rank)


def _commit() -> None:
    try:
        db.session.commit()
    except IntegrityError:  # referred at the same moment by another admin: theirs stands
        db.session.rollback()


# Mentor and meetings.


def _text(form: Mapping[str, Any], key: str) -> str:
    return str(form.get(key) or "").replace("\r\n", "\n").strip()


def update_mentor(mentorship: Mentorship, form: Mapping[str, Any]) -> dict[str, str]:
    """Set the mentor, their organisation and the status; returns problems by field."""
    name = " ".join(_text(form, "mentor_name").split())
    organisation = " ".join(_text(form, "mentor_organisation").split())
    status = _text(form, "status")
    problems: dict[str, str] = {}
    too_long = _("Please shorten this to at most %(num)s characters.", num=format_number(MAX_NAME))
    if len(name) > MAX_NAME:
        problems["mentor_name"] = too_long
    if len(organisation) > MAX_NAME:
        problems["mentor_organisation"] = too_long
    if status not in MENTORSHIP_STATUSES:
        problems["status"] = _("Choose a status from the list.")
    elif status == "active" and not name:
        problems["mentor_name"] = _("An active mentorship needs the mentor's name.")
    if problems:
        return problems
    mentorship.mentor_name, mentorship.mentor_organisation = name, organisation
    mentorship.status = status
    db.session.commit()
    return {}


def parse_day(raw: str) -> date | None:
    try:
        return date.fromisoformat(parse_digits(raw).strip())
    except ValueError:
        return None


def add_meeting(mentorship: Mentorship, form: Mapping[str, Any], on: date) -> dict[str, str]:
    """Record a meeting held on or before ``on``; returns problems by field."""
    raw = _text(form, "held_on")
    held_on = parse_day(raw)
    notes, outcome = _text(form, "notes"), _text(form, "outcome")
    problems: dict[str, str] = {}
    if not raw:
        problems["held_on"] = _("Enter the date of the meeting.")
    elif held_on is None:
        problems["held_on"] = _("Write the date as year-month-day, for example 2026-03-15.")
    elif held_on > on:
        problems["held_on"] = _(
            "%(date)s is in the future: record a meeting after it has happened.",
            date=format_date(held_on),
        )
    if not notes and not outcome:
        problems["notes"] = _("Write what was discussed or what came of it.")
    too_long = _("Please shorten this to at most %(num)s characters.", num=format_number(MAX_TEXT))
    for key, value in (("notes", notes), ("outcome", outcome)):
        if len(value) > MAX_TEXT:
            problems[key] = too_long
    if problems or held_on is None:
        return problems
    mentorship.meetings.append(MentorMeeting(held_on=held_on, notes=notes, outcome=outcome))
    db.session.commit()
    return {}


def latest_outcome(mentorship: Mentorship) -> str:
    return next((m.outcome for m in reversed(mentorship.meetings) if m.outcome), "")


# Export.


def export_rows(programme_id: int) -> list[list[Any]]:
    """The mentorship list for officials (with phone numbers: admins only)."""
    scores = {r.user.id: r for r in programme_ranking(programme_id)}
    listed = mentorships(programme_id)
    people = beneficiaries_of(m.user_id for m in listed)
    table = []
    for m in listed:
        person, score = people.get(m.user_id), scores.get(m.user_id)
        enterprise = person.enterprise if person else None
        table.append(
            [
                m.rank,
                m.user.name,
                enterprise.name if enterprise else "",
                enterprise.cluster.name if enterprise and enterprise.cluster else "",
                (person.phone or "") if person else "",
                round(score.post, 1) if score else None,
                round(score.retention, 1) if score and score.retention is not None else None,
                m.mentor_name,
                m.mentor_organisation,
                m.status,
                len(m.meetings),
                latest_outcome(m),
            ]
        )
    return table


# Demo data.

#: Mentors by country: Indian MSMEs meet SIDBI and the Council for Leather Exports; those in
#: Bangladesh the SME Foundation and the Export Promotion Bureau.
DEMO_MENTORS = {
    "IN": [
        ("Ritu Banerjee", "SIDBI, Kolkata", "GST returns and a CGTMSE-backed loan."),
        ("Arjun Mehta", "Council for Leather Exports", "Export orders and IEC registration."),
    ],
    "BD": [
        ("Sharmin Akter", "SME Foundation", "VAT registration with the NBR and an SME loan."),
        ("Kamal Hossain", "Export Promotion Bureau", "Export fairs and buyer compliance."),
    ],
}


def _demo_mentor(country: str, index: int) -> tuple[str, str, str]:
    choices = DEMO_MENTORS.get(country, DEMO_MENTORS["IN"])
    return choices[index % len(choices)]


def load_demo(password: str) -> list[tuple[str, str]]:
    """Refer the current programme's top 10 % and give the first three a mentor and a meeting
    (idempotent; does nothing without a programme)."""
    programme = scope.current_programme()
    if programme is None:
        return []
    refer_top(programme.id)
    listed = mentorships(programme.id)[:3]
    people = beneficiaries_of(m.user_id for m in listed)
    for index, mentorship in enumerate(listed):
        if mentorship.mentor_name or mentorship.meetings:
            continue
        person = people.get(mentorship.user_id)
        cluster = person.enterprise.cluster if person else None
        mentor, organisation, topic = _demo_mentor(cluster.country if cluster else "IN", index)
        mentorship.mentor_name, mentorship.mentor_organisation = mentor, organisation
        mentorship.status = "active"
        mentorship.meetings.append(
            MentorMeeting(held_on=today() - timedelta(days=7), notes=topic, outcome="")
        )
    db.session.commit()
    return []
