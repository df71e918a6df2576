"""The results as they were computed before the results rows (issue 14), kept as the reference
the database's figures must equal: every learner's attempts loaded, then Python.

Copied from ``lms/quiz/results.py`` and ``lms/programme/dashboard.py`` as they were; the only
changes are the two bugs fixed since:
- the top 10 % was ``math.ceil(n * 0.1)``, which is one too many when ``n * 0.1`` is not exact
  in binary (30 * 0.1 = 3.0000000000000004, so 4 of 30);
- the ranking compared means to the last bit, so two equal gains (1/3 as 0.3333333333333333
  and 0.33333333333333337, from different sums) were not a tie, and the order came from
  rounding noise instead of the next rule (who finished first). Means are compared to nine
  decimals now."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from statistics import fmean

from sqlalchemy import select

from lms.accounts.models import User
from lms.db import db
from lms.quiz.models import Attempt
from lms.quiz.results import CohortSummary, LearnerResult, Person, normalised_gain

BINS = 10
_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


def _submitted(attempts: Iterable[Attempt]) -> list[Attempt]:
    return sorted((a for a in attempts if a.submitted_at is not None), key=lambda a: a.number)


def learner_result(user: User, module_id: str, attempts: list[Attempt]) -> LearnerResult:
    by_kind = {
        kind: _submitted(a for a in attempts if a.kind == kind)
        for kind in ("pre", "post", "retention")
    }

    def first(kind: str) -> float | None:
        return by_kind[kind][0].percent if by_kind[kind] else None

    posts = by_kind["post"]
    return LearnerResult(
        Person(user.id, user.name, user.email),
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


def taken(user_ids: list[int], module_id: str) -> list[LearnerResult]:
    """The dashboard's rows of a module: learners with any score at it."""
    return [
        r
        for r in results_for(user_ids, module_id)
        if r.pre is not None or r.post is not None or r.retention is not None
    ]


def histogram(results: list[LearnerResult], kind: str) -> list[int]:
    counts = [0] * BINS
    for row in results:
        score = getattr(row, kind)
        if score is not None:
            counts[min(BINS - 1, int(score // (100 / BINS)))] += 1
    return counts


def ranking(user_ids: list[int] | None, module_ids: list[str]) -> list[tuple]:
    """``(user id, post, retention, gain, completed_at, rank, top)`` per ranked learner."""
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
            [
                user_id,
                fmean(r.post for r in taken),
                _mean(r.retention for r in taken),
                _mean(r.gain for r in taken),
                max(r.post_done_at for r in taken if r.post_done_at),
            ]
        )
    rows.sort(
        key=lambda r: (
            -round(r[1], 9),
            -round(r[2] if r[2] is not None else -1, 9),
            -round(r[3] if r[3] is not None else -10, 9),
            r[4] or _FAR_FUTURE,
        )
    )
    top = -(-len(rows) // 10)
    return [(*row, index + 1, index < top) for index, row in enumerate(rows)]
