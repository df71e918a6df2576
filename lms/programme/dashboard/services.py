"""The officials' dashboard: progress against the programme's targets, computed from the shared
filters (programme, cluster, dates, trainer). Plain functions and dataclasses, no request.

A session is *held* when its date has come and at least one person was present. Outreach shares
count each beneficiary present at least once, once. Feedback means are over every 1-5 rating
participants gave; gains and retention ratios are means over each learner's own values.

Every figure is counted by the database over narrow columns (one query per figure, whatever the
programme's size) and computed on first use, so a download asks only for its own figures."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from itertools import accumulate
from statistics import fmean
from typing import Any, NamedTuple

from sqlalchemy import Select, select
from sqlalchemy.orm import lazyload

from ...content import services as content
from ...db import db
from ...i18n import locale_code
from ...quiz import results
from .. import scope
from ..models import Cluster, Enrolment, Milestone, Programme
from ..models import TrainingSession as Session
from . import sql as counted
from .sql import NO_CLUSTER, Ratings

#: Score bins of the distributions: 0-9, 10-19, ... 90-100 (per cent).
BINS = results.BINS
KINDS = results.KINDS


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

    @property
    def women_share(self) -> float | None:
        return share(self.women, self.people)

    @property
    def women_led_share(self) -> float | None:
        return share(self.women_led, self.people)

    @property
    def marginalised_share(self) -> float | None:
        return share(self.marginalised, self.people)


class SessionCounts(NamedTuple):
    """One chosen session's enrolment and attendance counts (no ORM object)."""

    id: int
    held_on: date
    #: The cluster's name (``None`` without a cluster).
    cluster: str | None
    held: bool
    enrolled: int
    present: int
    #: Among those present.
    outreach: Outreach


@dataclass
class SessionRow:
    session: Session
    held: bool
    enrolled: int
    present: int
    #: Among those present.
    outreach: Outreach
    #: Participants' feedback on the session: how many gave it, their mean rating.
    responses: int
    rating: float | None


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
class ModuleScores:
    """A module's scores over the dashboard's learners who took one of its tests."""

    slug: str
    title: str
    summary: results.CohortSummary
    histograms: dict[str, list[int]]

    @property
    def learners(self) -> int:
        return self.summary.learners

    def histogram(self, kind: str) -> list[int]:
        """Learners per score bin (0-9, 10-19, ... 90-100 per cent) in the ``kind`` test."""
        return self.histograms[kind]


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

    # Sessions: counted per session, then over the held ones.

    @cached_property
    def session_ids(self) -> Select[tuple[int]]:
        """The chosen sessions' ids, as a query."""
        return scope.sessions_query(self.filters).with_only_columns(Session.id).order_by(None)

    @cached_property
    def held_ids(self) -> Select[tuple[int]]:
        """The held sessions' ids, as a query: their day has come and someone was present."""
        present = select(Enrolment.session_id).where(Enrolment.present.is_(True))
        return self.session_ids.where(Session.held_on <= self.today, Session.id.in_(present))

    @cached_property
    def session_counts(self) -> list[SessionCounts]:
        """Every chosen session's counts, in date order: one grouped query."""
        return [
            SessionCounts(
                i,
                day,
                cluster,
                day <= self.today and people[0] > 0,
                enrolled,
                people[0],
                Outreach(*people),
            )
            for i, day, cluster, enrolled, *people in counted.session_counts(self.session_ids)
        ]

    @cached_property
    def held_counts(self) -> list[SessionCounts]:
        return [row for row in self.session_counts if row.held]

    @property
    def held_count(self) -> int:
        return len(self.held_counts)

    @cached_property
    def sessions(self) -> list[SessionRow]:
        """The sessions table: each chosen session (without its enrolments) and its counts."""
        counts = {row.id: row for row in self.session_counts}
        ratings = self.ratings
        query = scope.sessions_query(self.filters).options(lazyload(Session.enrolments))
        rows = []
        for session in db.session.scalars(query):
            row, given = counts[session.id], ratings.get(session.id, Ratings())
            rows.append(
                SessionRow(
                    session,
                    row.held,
                    row.enrolled,
                    row.present,
                    row.outreach,
                    given.responses,
                    given.mean,
                )
            )
        return rows

    @cached_property
    def held(self) -> list[SessionRow]:
        return [row for row in self.sessions if row.held]

    @property
    def upcoming(self) -> int:
        return sum(1 for row in self.session_counts if row.held_on > self.today)

    @property
    def target_per_session(self) -> int | None:
        return self.programme.target_per_session if self.programme else None

    def at_target(self, rows: Iterable[SessionRow | SessionCounts]) -> int:
        target = self.target_per_session
        return sum(1 for r in rows if target is not None and r.present >= target)

    @property
    def held_at_target(self) -> int:
        """Held sessions with at least the target number present."""
        return self.at_target(self.held_counts)

    @property
    def mean_present(self) -> float | None:
        return mean(row.present for row in self.held_counts)

    @cached_property
    def outreach(self) -> Outreach:
        return Outreach(*counted.outreach(self.held_ids))

    @cached_property
    def clusters(self) -> list[ClusterRow]:
        groups: dict[str, list[SessionCounts]] = {}
        for row in self.held_counts:
            groups.setdefault(row.cluster or NO_CLUSTER, []).append(row)
        reached = counted.cluster_outreach(self.held_ids)
        return [
            ClusterRow(
                name,
                len(rows),
                self.at_target(rows),
                mean(r.present for r in rows),
                Outreach(*reached.get(name, (0, 0, 0, 0))),
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
        held_days = [row.held_on for row in self.held_counts]
        start = self.programme.starts_on if self.programme else None
        start = start or min(held_days, default=None)
        if start is None:
            return Timeline([], [], [], None, None)
        end = max(start, min(self.today, self.filters.end or self.today))
        weeks = [start + timedelta(days=7 * k - 1) for k in range(1, (end - start).days // 7 + 1)]
        days = [start] + [d for d in weeks if start < d < end] + ([end] if end > start else [])
        firsts = counted.first_days(self.held_ids)
        reached = list(accumulate(n for _day, n in firsts))
        first_days = [d for d, _n in firsts]

        def people(day: date) -> int:
            index = bisect_right(first_days, day)
            return reached[index - 1] if index else 0

        sessions = [bisect_right(held_days, day) for day in days]  # held_days are sorted
        beneficiaries = [people(day) for day in days]
        if self.programme is None:
            return Timeline(days, sessions, beneficiaries, None, None)
        p = self.programme
        return Timeline(
            days,
            sessions,
            beneficiaries,
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
            if self.held_count < int(path):
                return "behind"
        return "on-track"

    # Learning, assessments, feedback, certificates.

    @cached_property
    def learner_ids(self) -> list[int]:
        return scope.learner_ids(self.filters)

    @cached_property
    def learners(self) -> Select[tuple[int]]:
        """The accounts of those present at the chosen sessions, as a query."""
        return scope.learner_query(self.filters)

    @cached_property
    def module_slugs(self) -> list[str]:
        return scope.module_slugs(self.filters)

    @cached_property
    def scores(self) -> list[ModuleScores]:
        """Per module taught, over the learners with a score at it: computed in the database
        from the learners' results rows."""
        slugs = self.module_slugs
        summaries = results.summaries(self.learners, slugs)
        histograms = results.histograms(self.learners, slugs)
        rows = []
        for slug in slugs:
            module = content.library().get(slug)
            title = content.title(module, locale_code()) if module is not None else slug
            bins = {kind: histograms[(slug, kind)] for kind in KINDS}
            rows.append(ModuleScores(slug, title, summaries[slug], bins))
        return rows

    @cached_property
    def _means(self) -> tuple[float | None, float | None]:
        return results.means(self.learners, self.module_slugs)

    @property
    def gain(self) -> float | None:
        """The mean of every learner's normalised gain at every module."""
        return self._means[0]

    @property
    def retention_ratio(self) -> float | None:
        """The mean of every learner's retention ratio at every module."""
        return self._means[1]

    @cached_property
    def gaps(self) -> Gaps:
        """Mean gaps of each enterprise's latest complete assessment (as the needs pages count
        them), for the enterprises of the filtered cluster or of every cluster."""
        from ..needs import services as needs

        latest = counted.latest_gaps(self.filters.cluster_id, needs.questionnaire())
        areas = list(needs.area_titles().items())
        clusters = sorted({name for name, _gaps in latest.values()})
        counts, values = [], []
        for name in clusters:
            mine = [g for cluster, g in latest.values() if cluster == name]
            counts.append(len(mine))
            values.append([mean(_gap(g, area) for g in mine) for area, _title in areas])
        return Gaps(areas, clusters, counts, values)

    @cached_property
    def ratings(self) -> dict[int, Ratings]:
        """Participants' feedback per chosen session."""
        return counted.participant_ratings(self.session_ids)

    @cached_property
    def trainers(self) -> list[TrainerRow]:
        rows: dict[int, tuple[str, list[int], Ratings]] = {}
        for user_id, name, session_id in counted.trainer_sessions(
            self.held_ids, self.filters.trainer_id
        ):
            _name, sessions, given = rows.setdefault(user_id, (name, [], Ratings()))
            sessions.append(session_id)
            given.add(self.ratings.get(session_id, Ratings()))
        out = [
            TrainerRow(name, len(sessions), given.responses, given.mean)
            for name, sessions, given in rows.values()
        ]
        return sorted(out, key=lambda r: r.name.lower())

    @cached_property
    def certificates(self) -> list[CertificateRow]:
        """Valid and revoked per achievement, titled in the reader's language."""
        f, locale = self.filters, locale_code()
        return [
            CertificateRow(slug, titles.get(locale) or titles.get("en") or slug, issued, revoked)
            for slug, titles, issued, revoked in counted.certificates(self.learners, f.start, f.end)
        ]

    @property
    def certificates_issued(self) -> int:
        return sum(row.issued for row in self.certificates)


def _gap(gaps: dict[str, Any] | None, area: str) -> float | None:
    value = (gaps or {}).get(area)
    return float(value) if isinstance(value, (int, float)) and value >= 0 else None


def trainer_choices() -> list[tuple[int, str]]:
    """Everyone who trained a session: the trainer filter's choices."""
    from ...accounts.models import User
    from ..models import SessionTrainer

    query = select(User.id, User.name).join(SessionTrainer, SessionTrainer.user_id == User.id)
    return sorted({(i, name) for i, name in db.session.execute(query)}, key=lambda r: r[1].lower())


def cluster_choices() -> list[Cluster]:
    return list(db.session.scalars(select(Cluster).order_by(Cluster.name)))
