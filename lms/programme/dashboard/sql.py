"""The dashboard's queries: counts over narrow columns, grouped by the database, whatever the
programme's size. Each takes the chosen (or held) sessions as a query of their ids, and returns
plain rows; :mod:`lms.programme.dashboard` turns them into figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select

from ...accounts.models import User
from ...certificates.models import Certificate
from ...db import db
from ..models import (
    MARGINALISED,
    Assessment,
    Beneficiary,
    Cluster,
    Enrolment,
    Enterprise,
    Feedback,
    SessionTrainer,
)
from ..models import TrainingSession as Session

#: The name of the group of sessions without a cluster.
NO_CLUSTER = "—"

# ``Beneficiary.is_female``, ``is_marginalised`` and the women-led enterprise, in SQL.
IS_FEMALE = or_(Beneficiary.gender == "female", Beneficiary.counted_female)
IS_MARGINALISED = or_(
    Beneficiary.social_category.in_(sorted(MARGINALISED)), Beneficiary.counted_marginalised
)
IS_WOMEN_LED = Enterprise.women_led

Counts = tuple[int, int, int, int]


def count_if(condition: ColumnElement[Any]) -> ColumnElement[int]:
    """How many rows meet ``condition`` (0 when none)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def outreach_counts(*, present: ColumnElement[Any] | None = None) -> list[ColumnElement[int]]:
    """People, women, women-led, marginalised over rows of beneficiaries joined with their
    enterprise (only those ``present`` if given)."""

    def only(condition: ColumnElement[Any]) -> ColumnElement[Any]:
        return condition if present is None else and_(present, condition)

    people = func.count(Beneficiary.id) if present is None else count_if(present)
    return [
        people,
        count_if(only(IS_FEMALE)),
        count_if(only(IS_WOMEN_LED)),
        count_if(only(IS_MARGINALISED)),
    ]


def session_counts(session_ids: Select[tuple[int]]) -> list[tuple[Any, ...]]:
    """Per session, in date order: id, day, cluster name, enrolled, then the outreach counts of
    those present (present, women, women-led, marginalised)."""
    query = (
        select(Session.id, Session.held_on, Cluster.name, func.count(Enrolment.session_id))
        .add_columns(*outreach_counts(present=Enrolment.present.is_(True)))
        .outerjoin(Cluster, Cluster.id == Session.cluster_id)
        .outerjoin(Enrolment, Enrolment.session_id == Session.id)
        .outerjoin(Beneficiary, Beneficiary.id == Enrolment.beneficiary_id)
        .outerjoin(Enterprise, Enterprise.id == Beneficiary.enterprise_id)
        .where(Session.id.in_(session_ids))
        .group_by(Session.id, Session.held_on, Cluster.name)
        .order_by(Session.held_on, Session.id)
    )
    return [tuple(row) for row in db.session.execute(query)]


def present_people(held_ids: Select[tuple[int]]) -> Select[tuple[int]]:
    """Who was present at the sessions (with repeats), as a query."""
    return select(Enrolment.beneficiary_id).where(
        Enrolment.session_id.in_(held_ids), Enrolment.present.is_(True)
    )


def outreach(held_ids: Select[tuple[int]]) -> Counts:
    """The outreach counts of the unique people present at the sessions."""
    query = (
        select(*outreach_counts())
        .select_from(Beneficiary)
        .outerjoin(Enterprise, Enterprise.id == Beneficiary.enterprise_id)
        .where(Beneficiary.id.in_(present_people(held_ids)))
    )
    return tuple(db.session.execute(query).one())  # type: ignore[return-value]


def cluster_outreach(held_ids: Select[tuple[int]]) -> dict[str, Counts]:
    """The outreach counts of the unique people present at the sessions of each cluster (by
    name, :data:`NO_CLUSTER` for sessions without one)."""
    name = func.coalesce(Cluster.name, NO_CLUSTER).label("name")
    pairs = (
        present_people(held_ids)
        .add_columns(name)
        .join(Session, Session.id == Enrolment.session_id)
        .outerjoin(Cluster, Cluster.id == Session.cluster_id)
        .distinct()
        .subquery()
    )
    query = (
        select(pairs.c.name, *outreach_counts())
        .join(Beneficiary, Beneficiary.id == pairs.c.beneficiary_id)
        .outerjoin(Enterprise, Enterprise.id == Beneficiary.enterprise_id)
        .group_by(pairs.c.name)
    )
    return {group: tuple(counts) for group, *counts in db.session.execute(query)}  # type: ignore[misc]


def first_days(held_ids: Select[tuple[int]]) -> list[tuple[date, int]]:
    """How many people were first present at one of the sessions on each day, in date order."""
    first = (
        select(func.min(Session.held_on).label("day"))
        .select_from(Enrolment)
        .join(Session, Session.id == Enrolment.session_id)
        .where(Enrolment.session_id.in_(held_ids), Enrolment.present.is_(True))
        .group_by(Enrolment.beneficiary_id)
        .subquery()
    )
    query = select(first.c.day, func.count()).group_by(first.c.day).order_by(first.c.day)
    return [(day, n) for day, n in db.session.execute(query)]


@dataclass
class Ratings:
    """Participants' feedback on some sessions: responses, and the sum and number of their 1-5
    ratings (integers, so the mean is exact whatever the grouping)."""

    responses: int = 0
    total: int = 0
    count: int = 0

    def add(self, other: Ratings) -> None:
        self.responses += other.responses
        self.total += other.total
        self.count += other.count

    @property
    def mean(self) -> float | None:
        return self.total / self.count if self.count else None


def participant_ratings(session_ids: Select[tuple[int]]) -> dict[int, Ratings]:
    """Participants' feedback per session. Only the ratings column is read: means over the
    values of a JSON object are not portable SQL."""
    query = select(Feedback.session_id, Feedback.ratings).where(
        Feedback.session_id.in_(session_ids), Feedback.role == "participant"
    )
    found: dict[int, Ratings] = {}
    for session_id, given in db.session.execute(query):
        valid = [v for v in given.values() if isinstance(v, int) and 1 <= v <= 5]
        found.setdefault(session_id, Ratings()).add(Ratings(1, sum(valid), len(valid)))
    return found


def trainer_sessions(
    held_ids: Select[tuple[int]], trainer_id: int | None
) -> list[tuple[int, str, int]]:
    """(trainer id, name, session id) of the sessions' trainers, in the order of the sessions
    (then of the trainers' names)."""
    query = (
        select(User.id, User.name, SessionTrainer.session_id)
        .join(SessionTrainer, SessionTrainer.user_id == User.id)
        .join(Session, Session.id == SessionTrainer.session_id)
        .where(SessionTrainer.session_id.in_(held_ids))
        .order_by(Session.held_on, Session.id, User.name)
    )
    if trainer_id is not None:
        query = query.where(User.id == trainer_id)
    return [tuple(row) for row in db.session.execute(query)]  # type: ignore[misc]


def certificates(
    learners: Select[tuple[int]], start: date | None, end: date | None
) -> list[tuple[str, dict[str, Any], int, int]]:
    """Per achievement of the learners' certificates issued between the days: its first
    certificate's titles (by kind, then issue), how many are valid and revoked; in that order."""
    first = func.row_number().over(
        partition_by=Certificate.achievement_id,
        order_by=(Certificate.kind.desc(), Certificate.id),
    )
    per_achievement = {"partition_by": Certificate.achievement_id}
    query = select(
        Certificate.id,
        Certificate.kind,
        Certificate.achievement_id,
        Certificate.titles,
        first.label("n"),
        func.count().over(**per_achievement).label("all"),
        func.count(Certificate.revoked_at).over(**per_achievement).label("revoked"),
    ).where(Certificate.user_id.in_(learners))
    if start is not None:
        query = query.where(Certificate.issued_at >= _midnight(start))
    if end is not None:
        query = query.where(Certificate.issued_at < _midnight(end, 1))
    ranked = query.subquery()
    rows = db.session.execute(
        select(ranked.c.achievement_id, ranked.c.titles, ranked.c.all, ranked.c.revoked)
        .where(ranked.c.n == 1)
        .order_by(ranked.c.kind.desc(), ranked.c.id)
    )
    return [(slug, titles, every - revoked, revoked) for slug, titles, every, revoked in rows]


def _midnight(day: date, plus_days: int = 0) -> datetime:
    return datetime.combine(day + timedelta(days=plus_days), time(), tzinfo=UTC)


def latest_gaps(cluster_id: int | None, questionnaire: Any) -> dict[int, tuple[str, Any]]:
    """Each enterprise's latest complete assessment: its cluster's name and its gaps (narrow
    rows, newest first; completeness is the questionnaire's to say)."""
    query = (
        select(Assessment.enterprise_id, Cluster.name, Assessment.answers, Assessment.gaps)
        .join(Enterprise, Enterprise.id == Assessment.enterprise_id)
        .join(Cluster, Cluster.id == Enterprise.cluster_id)
        .order_by(Assessment.submitted_at.desc(), Assessment.id.desc())
    )
    if cluster_id is not None:
        query = query.where(Enterprise.cluster_id == cluster_id)
    found: dict[int, tuple[str, Any]] = {}
    for enterprise_id, name, answers, gaps in db.session.execute(query):
        if enterprise_id not in found and questionnaire.is_complete(answers or {}):
            found[enterprise_id] = (name, gaps)
    return found
