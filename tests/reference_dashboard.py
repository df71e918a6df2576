"""The officials' dashboard as it was computed before issue 14: every session, enrolment and
present beneficiary loaded as ORM objects, then Python. Kept as the reference the database's
figures must equal (``tests/test_dashboard_sql.py``).

Copied from ``lms/programme/dashboard.py`` as it was; the scores (computed by the lead's results
rows, tested against ``tests/reference_results.py``) are left out."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from statistics import fmean

from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.db import db
from lms.i18n import locale_code
from lms.programme import scope
from lms.programme.models import (
    Assessment,
    Beneficiary,
    Cluster,
    Enterprise,
    Feedback,
    Milestone,
    Programme,
)
from lms.programme.models import TrainingSession as Session


def mean(values: Iterable[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return fmean(kept) if kept else None


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class Outreach:
    """Who was reached: unique beneficiaries and how many are women, from women-led enterprises,
    from marginalised communities."""

    people: int = 0
    women: int = 0
    women_led: int = 0
    marginalised: int = 0

    @classmethod
    def of(cls, people: Iterable[Beneficiary], women_led_ids: set[int]) -> Outreach:
        unique = {p.id: p for p in people}.values()
        return cls(
            len(unique),
            sum(p.is_female for p in unique),
            sum(p.enterprise_id in women_led_ids for p in unique),
            sum(p.is_marginalised for p in unique),
        )

    @property
    def women_share(self) -> float | None:
        return share(self.women, self.people)

    @property
    def women_led_share(self) -> float | None:
        return share(self.women_led, self.people)

    @property
    def marginalised_share(self) -> float | None:
        return share(self.marginalised, self.people)


@dataclass
class SessionRow:
    session: Session
    held: bool
    enrolled: int
    present: list[Beneficiary]
    outreach: Outreach
    #: Participants' feedback on the session.
    feedback: list[Feedback]

    @property
    def rating(self) -> float | None:
        return _mean_rating(self.feedback)


@dataclass
class ClusterRow:
    name: str
    held: int
    at_target: int
    mean_present: float | None
    outreach: Outreach


@dataclass
class Timeline:
    days: list[date]
    sessions: list[int]
    beneficiaries: list[int]
    #: The linear path to the targets, on the same days (``None`` without a programme).
    target_sessions: list[float] | None
    target_beneficiaries: list[float] | None


@dataclass
class MilestoneRow:
    kind: str
    starts_on: date | None
    due_on: date
    done_on: date | None
    #: ``done``, ``done-late``, ``late``, ``behind`` (delivery below the target path), ``on-track``.
    status: str


@dataclass
class Gaps:
    areas: list[tuple[str, str]]
    clusters: list[str]
    #: Enterprises assessed, per cluster.
    counts: list[int]
    #: Mean gap (0 to 1) per cluster and area; ``None`` when no enterprise answered for it.
    values: list[list[float | None]]


@dataclass
class TrainerRow:
    name: str
    sessions: int
    responses: int
    rating: float | None


@dataclass
class CertificateRow:
    achievement: str
    title: str
    issued: int
    revoked: int


class Dashboard:
    """Every figure for one set of filters, computed on first use."""

    def __init__(self, filters: scope.Filters, today: date | None = None) -> None:
        self.filters = filters
        self.today = today or date.today()

    @cached_property
    def programme(self) -> Programme | None:
        pid = self.filters.programme_id
        return db.session.get(Programme, pid) if pid is not None else None

    @cached_property
    def women_led_ids(self) -> set[int]:
        return set(db.session.scalars(select(Enterprise.id).where(Enterprise.women_led)))

    @cached_property
    def sessions(self) -> list[SessionRow]:
        chosen = scope.sessions(self.filters)
        feedback = _participant_feedback([s.id for s in chosen])
        rows = []
        for session in chosen:
            present = [e.beneficiary for e in session.enrolments if e.present]
            rows.append(
                SessionRow(
                    session,
                    session.held_on <= self.today and bool(present),
                    len(session.enrolments),
                    present,
                    Outreach.of(present, self.women_led_ids),
                    feedback.get(session.id, []),
                )
            )
        return rows

    @cached_property
    def held(self) -> list[SessionRow]:
        return [row for row in self.sessions if row.held]

    @property
    def upcoming(self) -> int:
        return sum(1 for row in self.sessions if row.session.held_on > self.today)

    @property
    def target_per_session(self) -> int | None:
        return self.programme.target_per_session if self.programme else None

    def at_target(self, rows: list[SessionRow]) -> int:
        target = self.target_per_session
        return sum(1 for r in rows if target is not None and len(r.present) >= target)

    @cached_property
    def outreach(self) -> Outreach:
        return Outreach.of((p for row in self.held for p in row.present), self.women_led_ids)

    @property
    def mean_present(self) -> float | None:
        return mean(len(row.present) for row in self.held)

    @cached_property
    def clusters(self) -> list[ClusterRow]:
        groups: dict[str, list[SessionRow]] = {}
        for row in self.held:
            cluster = row.session.cluster
            groups.setdefault(cluster.name if cluster else "—", []).append(row)
        return [
            ClusterRow(
                name,
                len(rows),
                self.at_target(rows),
                mean(len(r.present) for r in rows),
                Outreach.of((p for r in rows for p in r.present), self.women_led_ids),
            )
            for name, rows in sorted(groups.items())
        ]

    # Over time, against the milestones.

    @property
    def delivery_due(self) -> date | None:
        if self.programme is None:
            return None
        due = {m.kind: m.due_on for m in self.programme.milestones}
        return due.get("delivery", self.programme.ends_on)

    def target_path(self, day: date, total: float) -> float:
        """The linear target from the programme's start (0) to the delivery due date (total)."""
        start, due = self.programme.starts_on, self.delivery_due
        if day >= due:
            return float(total)
        return max(0.0, total * (day - start).days / max(1, (due - start).days))

    @cached_property
    def timeline(self) -> Timeline:
        start = self.programme.starts_on if self.programme else None
        start = start or min((r.session.held_on for r in self.held), default=None)
        if start is None:
            return Timeline([], [], [], None, None)
        end = max(start, min(self.today, self.filters.end or self.today))
        weeks = [start + timedelta(days=7 * k - 1) for k in range(1, (end - start).days // 7 + 1)]
        days = [start] + [d for d in weeks if start < d < end] + ([end] if end > start else [])
        first_seen: dict[int, date] = {}
        for row in sorted(self.held, key=lambda r: r.session.held_on):
            for person in row.present:
                first_seen.setdefault(person.id, row.session.held_on)
        held_days = [r.session.held_on for r in self.held]
        sessions = [sum(1 for d in held_days if d <= day) for day in days]
        people = [sum(1 for d in first_seen.values() if d <= day) for day in days]
        if self.programme is None:
            return Timeline(days, sessions, people, None, None)
        p = self.programme
        return Timeline(
            days,
            sessions,
            people,
            [self.target_path(d, p.target_sessions) for d in days],
            [self.target_path(d, p.target_sessions * p.target_per_session) for d in days],
        )

    @cached_property
    def milestones(self) -> list[MilestoneRow]:
        if self.programme is None:
            return []
        return [
            MilestoneRow(m.kind, m.starts_on, m.due_on, m.done_on, self._status(m))
            for m in self.programme.milestones
        ]

    def _status(self, milestone: Milestone) -> str:
        if milestone.done_on is not None:
            return "done" if milestone.done_on <= milestone.due_on else "done-late"
        if milestone.due_on < self.today:
            return "late"
        if milestone.kind == "delivery":
            path = self.target_path(self.today, self.programme.target_sessions)
            if len(self.held) < int(path):
                return "behind"
        return "on-track"

    # Certificates over the same learners as the dashboard.

    @cached_property
    def learner_ids(self) -> list[int]:
        return scope.learner_ids(self.filters)

    @cached_property
    def gaps(self) -> Gaps:
        """Mean gaps of each enterprise's latest complete assessment (as the needs pages count
        them), for the enterprises of the filtered cluster or of every cluster."""
        from lms.programme.needs import services as needs

        query = select(Enterprise.id, Cluster.name).join(Cluster)
        if self.filters.cluster_id is not None:
            query = query.where(Enterprise.cluster_id == self.filters.cluster_id)
        cluster_of: dict[int, str] = {i: name for i, name in db.session.execute(query)}
        latest = needs.latest_of(cluster_of)
        areas = list(needs.area_titles().items())
        clusters = sorted({cluster_of[e] for e in latest})
        counts, values = [], []
        for name in clusters:
            mine = [a for e, a in latest.items() if cluster_of[e] == name]
            counts.append(len(mine))
            values.append([mean(_gap(a, area) for a in mine) for area, _title in areas])
        return Gaps(areas, clusters, counts, values)

    @cached_property
    def trainers(self) -> list[TrainerRow]:
        rows: dict[int, tuple[str, list[SessionRow]]] = {}
        for row in self.held:
            for trainer in row.session.trainers:
                if self.filters.trainer_id in (None, trainer.id):
                    rows.setdefault(trainer.id, (trainer.name, []))[1].append(row)
        out = []
        for name, mine in rows.values():
            given = [f for r in mine for f in r.feedback]
            out.append(TrainerRow(name, len(mine), len(given), _mean_rating(given)))
        return sorted(out, key=lambda r: r.name.lower())

    @cached_property
    def certificates(self) -> list[CertificateRow]:
        query = select(Certificate).where(Certificate.user_id.in_(self.learner_ids))
        if self.filters.start is not None:
            query = query.where(Certificate.issued_at >= _midnight(self.filters.start))
        if self.filters.end is not None:
            query = query.where(Certificate.issued_at < _midnight(self.filters.end, 1))
        rows: dict[str, CertificateRow] = {}
        for cert in db.session.scalars(query.order_by(Certificate.kind.desc())):
            title = cert.titles.get(locale_code()) or cert.titles.get("en") or cert.achievement_id
            row = rows.setdefault(
                cert.achievement_id, CertificateRow(cert.achievement_id, title, 0, 0)
            )
            if cert.revoked_at is None:
                row.issued += 1
            else:
                row.revoked += 1
        return list(rows.values())

    @property
    def certificates_issued(self) -> int:
        return sum(row.issued for row in self.certificates)


def _mean_rating(given: Iterable[Feedback]) -> float | None:
    return mean(v for f in given for v in f.ratings.values() if isinstance(v, int) and 1 <= v <= 5)


def _participant_feedback(session_ids: list[int]) -> dict[int, list[Feedback]]:
    grouped: dict[int, list[Feedback]] = {}
    query = select(Feedback).where(
        Feedback.session_id.in_(session_ids), Feedback.role == "participant"
    )
    for row in db.session.scalars(query):
        grouped.setdefault(row.session_id, []).append(row)
    return grouped


def _midnight(day: date, plus_days: int = 0) -> datetime:
    return datetime.combine(day + timedelta(days=plus_days), time(), tzinfo=UTC)


def _gap(assessment: Assessment, area: str) -> float | None:
    value = (assessment.gaps or {}).get(area)
    return float(value) if isinstance(value, (int, float)) and value >= 0 else None
