"""Which sessions, learners and modules a programme view covers: the filters every programme page
and report shares (programme, cluster, date range, trainer)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, select

from ..db import db
from ..parsing import optional_id
from .models import (
    Beneficiary,
    Enrolment,
    Programme,
    SessionModule,
    SessionTrainer,
    TrainingSession,
)


@dataclass(frozen=True)
class Filters:
    programme_id: int | None = None
    cluster_id: int | None = None
    start: date | None = None
    end: date | None = None
    trainer_id: int | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> Filters:
        """Filters from query arguments. An empty id or an unreadable date leaves that filter
        off; an id that is not one (``²``, ``-1``, too large) is a 400."""

        def number(key: str) -> int | None:
            return optional_id(args.get(key))

        def day(key: str) -> date | None:
            try:
                return date.fromisoformat(str(args.get(key) or "").strip())
            except ValueError:
                return None

        return cls(
            number("programme"), number("cluster"), day("start"), day("end"), number("trainer")
        )

    def args(self) -> dict[str, str]:
        """The filters as query arguments (for links and exports that keep them)."""
        values = {
            "programme": self.programme_id,
            "cluster": self.cluster_id,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "trainer": self.trainer_id,
        }
        return {key: str(value) for key, value in values.items() if value is not None}


def sessions_query(filters: Filters) -> Select[tuple[TrainingSession]]:
    query = select(TrainingSession).order_by(TrainingSession.held_on, TrainingSession.id)
    if filters.programme_id is not None:
        query = query.where(TrainingSession.programme_id == filters.programme_id)
    if filters.cluster_id is not None:
        query = query.where(TrainingSession.cluster_id == filters.cluster_id)
    if filters.start is not None:
        query = query.where(TrainingSession.held_on >= filters.start)
    if filters.end is not None:
        query = query.where(TrainingSession.held_on <= filters.end)
    if filters.trainer_id is not None:
        query = query.where(
            TrainingSession.id.in_(
                select(SessionTrainer.session_id).where(
                    SessionTrainer.user_id == filters.trainer_id
                )
            )
        )
    return query


def sessions(filters: Filters) -> list[TrainingSession]:
    return list(db.session.scalars(sessions_query(filters)))


def learner_query(filters: Filters, present_only: bool = True) -> Select[tuple[int]]:
    """The sign-in accounts of the beneficiaries enrolled in (by default: present at) the
    sessions, as a query (to use inside another, whatever their number)."""
    session_ids = sessions_query(filters).with_only_columns(TrainingSession.id).order_by(None)
    query = (
        select(Beneficiary.user_id)
        .join(Enrolment, Enrolment.beneficiary_id == Beneficiary.id)
        .where(Enrolment.session_id.in_(session_ids), Beneficiary.user_id.is_not(None))
        .distinct()
    )
    if present_only:
        query = query.where(Enrolment.present.is_(True))
    return query


def learner_ids(filters: Filters, present_only: bool = True) -> list[int]:
    """Sign-in accounts of the beneficiaries enrolled in (by default: present at) the sessions."""
    return sorted(db.session.scalars(learner_query(filters, present_only)))


def module_slugs(filters: Filters) -> list[str]:
    """The modules taught in the sessions, in order of first teaching."""
    session_ids = sessions_query(filters).with_only_columns(TrainingSession.id)
    rows = db.session.execute(
        select(SessionModule.module_slug, TrainingSession.held_on)
        .join(TrainingSession, TrainingSession.id == SessionModule.session_id)
        .where(SessionModule.session_id.in_(session_ids))
        .order_by(TrainingSession.held_on, SessionModule.position)
    )
    return list(dict.fromkeys(slug for slug, _ in rows))


def programmes() -> list[Programme]:
    return list(db.session.scalars(select(Programme).order_by(Programme.starts_on.desc())))


def current_programme() -> Programme | None:
    """The programme running today, else the latest one."""
    today = date.today()
    running = [p for p in programmes() if p.starts_on <= today <= p.ends_on]
    return running[0] if running else next(iter(programmes()), None)


def learner_groups() -> list[Any]:
    """The programme's learner groups for results, the ranking and certificate issuing:
    a programme's learners (present at any of its sessions) and a session's enrolled learners."""
    from ..groups import LearnerGroups
    from ..i18n import _l, format_date

    def programme_members(programme_id: int) -> list[int] | None:
        if db.session.get(Programme, programme_id) is None:
            return None
        return learner_ids(Filters(programme_id=programme_id))

    def session_members(session_id: int) -> list[int] | None:
        session = db.session.get(TrainingSession, session_id)
        if session is None:
            return None
        ids = {e.beneficiary.user_id for e in session.enrolments}
        return sorted(i for i in ids if i is not None)

    def session_choices() -> list[tuple[int, str]]:
        rows = db.session.execute(
            select(TrainingSession.id, TrainingSession.held_on, TrainingSession.title).order_by(
                TrainingSession.held_on.desc(), TrainingSession.id
            )
        )
        return [(i, f"{format_date(held_on)} · {title}") for i, held_on, title in rows]

    return [
        LearnerGroups(
            "programme",
            _l("Programme"),
            lambda: [(p.id, p.name) for p in programmes()],
            programme_members,
        ),
        LearnerGroups("session", _l("Training session"), session_choices, session_members),
    ]
