"""Results: scores per learner and cohort, normalised gain, retention, item analysis, ranking."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from statistics import fmean

from sqlalchemy import select

from ..accounts.models import User
from ..db import db
from .analysis import Analysis, analyse
from .models import Attempt


def normalised_gain(pre: float | None, post: float | None) -> float | None:
    """(post - pre) / (max - pre), with scores in per cent (max 100); undefined at pre = 100."""
    if pre is None or post is None or pre >= 100:
        return None
    return (post - pre) / (100 - pre)


def retention_ratio(post: float | None, retention: float | None) -> float | None:
    """retention / post (1.0: everything kept); undefined without a post-test score."""
    if post is None or retention is None or post == 0:
        return None
    return retention / post


@dataclass
class LearnerResult:
    user: User
    module_id: str
    pre: float | None
    post: float | None
    retention: float | None
    best_post: float | None
    post_done_at: datetime | None

    @property
    def gain(self) -> float | None:
        return normalised_gain(self.pre, self.post)

    @property
    def retention_ratio(self) -> float | None:
        return retention_ratio(self.post, self.retention)


def _submitted(attempts: Iterable[Attempt]) -> list[Attempt]:
    return sorted((a for a in attempts if a.submitted_at is not None), key=lambda a: a.number)


def learner_result(user: User, module_id: str, attempts: list[Attempt]) -> LearnerResult:
    """First attempts measure learning (pre, post, retention); the best post-test decides a pass."""
    by_kind = {
        kind: _submitted(a for a in attempts if a.kind == kind)
        for kind in ("pre", "post", "retention")
    }

    def first(kind: str) -> float | None:
        return by_kind[kind][0].percent if by_kind[kind] else None

    posts = by_kind["post"]
    return LearnerResult(
        user,
        module_id,
        first("pre"),
        first("post"),
        first("retention"),
        max((a.percent or 0 for a in posts), default=None),
        posts[0].submitted_at if posts else None,
    )


def _attempts_by_user(
    user_ids: list[int] | None, module_ids: list[str]
) -> tuple[dict[int, User], dict[int, list[Attempt]]]:
    """The users and their attempts at ``module_ids``, in two queries whatever their number."""
    users_query = select(User)
    attempts_query = select(Attempt).where(Attempt.module_id.in_(module_ids))
    if user_ids is not None:
        users_query = users_query.where(User.id.in_(user_ids))
        attempts_query = attempts_query.where(Attempt.user_id.in_(user_ids))
    users = {u.id: u for u in db.session.scalars(users_query)}
    grouped: dict[int, list[Attempt]] = {uid: [] for uid in users}
    for attempt in db.session.scalars(attempts_query):
        if attempt.user_id in grouped:
            grouped[attempt.user_id].append(attempt)
    return users, grouped


def results_for(user_ids: list[int], module_id: str) -> list[LearnerResult]:
    users, grouped = _attempts_by_user(user_ids, [module_id])
    return sorted(
        (learner_result(users[uid], module_id, grouped[uid]) for uid in users),
        key=lambda r: r.user.name.lower(),
    )


@dataclass(frozen=True)
class CohortSummary:
    learners: int
    pre: float | None
    post: float | None
    retention: float | None
    #: Mean of the learners' own normalised gains.
    gain: float | None
    #: Gain of the cohort's average scores (Hake's <g>).
    class_gain: float | None
    retention_ratio: float | None


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return fmean(present) if present else None


def summarise(results: list[LearnerResult]) -> CohortSummary:
    pre = _mean(r.pre for r in results)
    post = _mean(r.post for r in results)
    paired = [r for r in results if r.pre is not None and r.post is not None]
    return CohortSummary(
        len(results),
        pre,
        post,
        _mean(r.retention for r in results),
        _mean(r.gain for r in results),
        normalised_gain(_mean(r.pre for r in paired), _mean(r.post for r in paired)),
        _mean(r.retention_ratio for r in results),
    )


# Item analysis from stored answers.


def analysis_for(module_id: str, kind: str, first_only: bool = True) -> Analysis | None:
    """Moodle's statistics over submitted attempts (each learner's first one by default)."""
    attempts = db.session.scalars(
        select(Attempt)
        .where(
            Attempt.module_id == module_id, Attempt.kind == kind, Attempt.submitted_at.is_not(None)
        )
        .order_by(Attempt.user_id, Attempt.number)
    ).all()
    if first_only:
        seen: set[int] = set()
        attempts = [a for a in attempts if not (a.user_id in seen or seen.add(a.user_id))]
    if not attempts:
        return None
    item_ids: list[str] = []
    max_marks: dict[str, float] = {}
    for attempt in attempts:
        for entry in attempt.items:
            if entry["id"] not in max_marks:
                item_ids.append(entry["id"])
                max_marks[entry["id"]] = float(entry["points"])
    marks = []
    for attempt in attempts:
        got = {a.item_id: a.mark for a in attempt.answers}
        present = {e["id"] for e in attempt.items}
        marks.append([(got.get(i) or 0.0) if i in present else None for i in item_ids])
    return analyse(item_ids, marks, [max_marks[i] for i in item_ids])


# Ranking for mentorship referral.

_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


@dataclass
class RankRow:
    user: User
    post: float
    retention: float | None
    gain: float | None
    completed_at: datetime | None
    rank: int = 0
    top: bool = False


def ranking(user_ids: list[int] | None, module_ids: list[str]) -> list[RankRow]:
    """Learners by mean post-test score over the modules they took; ties broken by retention,
    then gain, then earliest completion. The top 10% (rounded up) are marked for mentorship."""
    users, grouped = _attempts_by_user(user_ids, module_ids)
    rows = []
    for user_id, user in users.items():
        attempts = grouped[user_id]
        per_module = [
            learner_result(user, m, [a for a in attempts if a.module_id == m]) for m in module_ids
        ]
        taken = [r for r in per_module if r.post is not None]
        if not taken:
            continue
        rows.append(
            RankRow(
                user,
                fmean(r.post for r in taken),
                _mean(r.retention for r in taken),
                _mean(r.gain for r in taken),
                max(r.post_done_at for r in taken if r.post_done_at),
            )
        )
    rows.sort(
        key=lambda r: (
            -r.post,
            -(r.retention if r.retention is not None else -1),
            -(r.gain if r.gain is not None else -10),
            r.completed_at or _FAR_FUTURE,
        )
    )
    top = math.ceil(len(rows) * 0.1)
    for index, row in enumerate(rows):
        row.rank = index + 1
        row.top = index < top
    return rows
