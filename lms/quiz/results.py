"""Results: scores per learner and cohort, normalised gain, retention, item analysis, ranking.

A learner's results at a module (first pre-, post- and retention test, best post-test) are
kept in one ``ModuleResult`` row, refreshed by ``services.submit`` in the submit's transaction;
the results pages, the ranking and the dashboard read those rows and aggregate them in SQL
(``rebuild`` makes them again from the attempts: ``flask lms rebuild-results``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from statistics import fmean
from typing import Any, NamedTuple

from sqlalchemy import (
    Numeric,
    Select,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.sql import ColumnElement

from ..accounts.models import LEARNER, User, UserRole
from ..db import db
from .analysis import Analysis, analyse
from .models import Attempt, ModuleResult

#: The tests whose results are kept (practice is not).
KINDS = ("pre", "post", "retention")
#: Score bins of the histograms: 0-9, 10-19, ... 90-100 (per cent).
BINS = 10

#: Learners to compute for: ids, a query selecting ids, or ``None`` for everyone.
Learners = Iterable[int] | Select[Any] | None


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


class Person(NamedTuple):
    """Who a row of results is about: enough to list them, without loading the account."""

    id: int
    name: str
    email: str


@dataclass
class LearnerResult:
    user: Person | None
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


class Scored(NamedTuple):
    """The columns of an attempt its results need."""

    kind: str
    number: int
    submitted_at: datetime | None
    score: float | None
    max_score: float

    @property
    def percent(self) -> float | None:
        if self.score is None or not self.max_score:
            return None
        return 100 * self.score / self.max_score


SCORED_COLUMNS = (
    Attempt.kind,
    Attempt.number,
    Attempt.submitted_at,
    Attempt.score,
    Attempt.max_score,
)


def _submitted(attempts: Iterable[Any]) -> list[Any]:
    return sorted((a for a in attempts if a.submitted_at is not None), key=lambda a: a.number)


def learner_result(user: Person | None, module_id: str, attempts: Iterable[Any]) -> LearnerResult:
    """First attempts measure learning (pre, post, retention); the best post-test decides a pass.
    ``attempts``: ``Attempt`` objects or ``Scored`` rows of one learner at one module."""
    attempts = list(attempts)
    by_kind = {kind: _submitted(a for a in attempts if a.kind == kind) for kind in KINDS}

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


def _row_values(result: LearnerResult) -> dict[str, Any]:
    return {
        "pre": result.pre,
        "post": result.post,
        "retention": result.retention,
        "best_post": result.best_post,
        "post_done_at": result.post_done_at,
        "gain": result.gain,
        "retention_ratio": result.retention_ratio,
    }


# Keeping the rows.


def refresh(user_id: int, module_id: str) -> None:
    """Compute the learner's row at ``module_id`` again from their attempts, in the caller's
    transaction (not committed). The row is locked first (on PostgreSQL), so two submits of
    the same learner at the same moment each see the other's attempt or wait for it."""
    key = and_(ModuleResult.user_id == user_id, ModuleResult.module_id == module_id)
    db.session.execute(_insert_missing(user_id, module_id))
    db.session.execute(select(ModuleResult.user_id).where(key).with_for_update())
    scored = db.session.execute(
        select(*SCORED_COLUMNS).where(
            Attempt.user_id == user_id, Attempt.module_id == module_id, Attempt.kind.in_(KINDS)
        )
    )
    result = learner_result(None, module_id, (Scored(*row) for row in scored))
    db.session.execute(
        update(ModuleResult).where(key).values(**_row_values(result)),
        execution_options={"synchronize_session": False},
    )


def _insert_missing(user_id: int, module_id: str) -> Any:
    """An empty row unless there is one (concurrently too) on SQLite and PostgreSQL."""
    values = {"user_id": user_id, "module_id": module_id}
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as upsert
    else:  # another database: insert only when missing (no concurrent submits expected)
        exists = select(ModuleResult.user_id).filter_by(**values).exists()
        return insert(ModuleResult).from_select(
            ["user_id", "module_id"],
            select(literal(user_id), literal(module_id)).where(~exists),
        )
    return upsert(ModuleResult).values(**values).on_conflict_do_nothing()


def rebuild(batch: int = 2000) -> int:
    """Every results row again from the attempts (``flask lms rebuild-results``), in one
    transaction; returns how many rows there are."""
    db.session.execute(delete(ModuleResult))
    query = (
        select(Attempt.user_id, Attempt.module_id, *SCORED_COLUMNS)
        .where(Attempt.submitted_at.is_not(None), Attempt.kind.in_(KINDS))
        .order_by(Attempt.user_id, Attempt.module_id)
        .execution_options(yield_per=batch)
    )
    made, pending = 0, []
    current: tuple[int, str] | None = None
    found: list[Scored] = []

    def flush() -> None:
        nonlocal made
        if pending:
            db.session.execute(insert(ModuleResult), pending)
            made += len(pending)
            pending.clear()

    for row in db.session.execute(query):
        key = (row.user_id, row.module_id)
        if key != current:
            if current is not None:
                pending.append({"user_id": current[0], "module_id": current[1]} | _values(found))
            current, found = key, []
            if len(pending) >= batch:
                flush()
        found.append(Scored(*row[2:]))
    if current is not None:
        pending.append({"user_id": current[0], "module_id": current[1]} | _values(found))
    flush()
    db.session.commit()
    return made


def _values(found: list[Scored]) -> dict[str, Any]:
    return _row_values(learner_result(None, "", found))


# Reading them.


def _learner_filter(column: Any, learners: Learners) -> ColumnElement[bool]:
    """``column`` is one of ``learners``: every account with the learner role when ``None``."""
    if learners is None:
        return column.in_(select(UserRole.user_id).where(UserRole.role == LEARNER))
    if isinstance(learners, Select):
        return column.in_(learners)
    return column.in_(list(learners))


def _people(learners: Learners) -> Select[Any]:
    """The learners as ``(id, name, email)``."""
    return select(User.id, User.name, User.email).where(_learner_filter(User.id, learners))


def results_for(
    learners: Learners, module_id: str, limit: int | None = None, offset: int = 0
) -> list[LearnerResult]:
    """Every learner of ``learners`` (those without a result too), by name; ``limit`` of them
    from ``offset`` for a page."""
    people = _people(learners).subquery()
    columns = [getattr(ModuleResult, name) for name in _RESULT_COLUMNS]
    query = (
        select(people.c.id, people.c.name, people.c.email, *columns)
        .outerjoin(
            ModuleResult,
            and_(ModuleResult.user_id == people.c.id, ModuleResult.module_id == module_id),
        )
        .order_by(func.lower(people.c.name), people.c.id)
        .limit(limit)
        .offset(offset)
    )
    return [
        LearnerResult(Person(row[0], row[1], row[2]), module_id, *row[3:])
        for row in db.session.execute(query)
    ]


_RESULT_COLUMNS = ("pre", "post", "retention", "best_post", "post_done_at")


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
    """The summary of results already loaded (see ``summary_for`` to compute it in SQL)."""
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


def _paired(column: Any) -> Any:
    both = and_(ModuleResult.pre.is_not(None), ModuleResult.post.is_not(None))
    return func.avg(case((both, column)))


def _any_score() -> ColumnElement[bool]:
    return (
        ModuleResult.pre.is_not(None)
        | ModuleResult.post.is_not(None)
        | ModuleResult.retention.is_not(None)
    )


def summaries(
    learners: Learners, module_ids: Sequence[str], taken_only: bool = True
) -> dict[str, CohortSummary]:
    """The summary of each module over ``learners``, in one query. ``learners`` counts those
    with a score at the module (``taken_only``), else every learner in ``learners``."""
    r = ModuleResult
    query = (
        select(
            r.module_id,
            func.count(),
            func.avg(r.pre),
            func.avg(r.post),
            func.avg(r.retention),
            func.avg(r.gain),
            _paired(r.pre),
            _paired(r.post),
            func.avg(r.retention_ratio),
        )
        .where(r.module_id.in_(list(module_ids)), _any_score())
        .group_by(r.module_id)
    )
    query = query.where(_learner_filter(r.user_id, learners))
    found = {}
    for row in db.session.execute(query):
        slug, count, pre, post, retention, gain, paired_pre, paired_post, ratio = row
        found[slug] = CohortSummary(
            count, pre, post, retention, gain, normalised_gain(paired_pre, paired_post), ratio
        )
    everyone = None if taken_only else _count(learners)
    return {slug: _with_learners(found.get(slug), everyone) for slug in module_ids}


def _count(learners: Learners) -> int:
    return db.session.scalar(select(func.count()).select_from(_people(learners).subquery())) or 0


def _with_learners(summary: CohortSummary | None, learners: int | None) -> CohortSummary:
    if summary is None:
        return CohortSummary(learners or 0, None, None, None, None, None, None)
    if learners is None:
        return summary
    return CohortSummary(learners, *[getattr(summary, f) for f in _SUMMARY_FIGURES])


_SUMMARY_FIGURES = ("pre", "post", "retention", "gain", "class_gain", "retention_ratio")


def summary_for(learners: Learners, module_id: str) -> CohortSummary:
    """``summarise(results_for(learners, module_id))``, computed in the database."""
    return summaries(learners, [module_id], taken_only=False)[module_id]


def _bin(column: Any) -> Any:
    """The score's bin: 0 for 0-9.99..., up to 9 for 90-100 (as ``int(score // 10)``)."""
    width = 100 / BINS
    return case(
        *[(column >= width * k, k) for k in range(BINS - 1, 0, -1)],
        else_=0,
    )


def histograms(learners: Learners, module_ids: Sequence[str]) -> dict[tuple[str, str], list[int]]:
    """How many learners scored in each bin, per module and test kind."""
    r = ModuleResult
    found = {(slug, kind): [0] * BINS for slug in module_ids for kind in KINDS}
    for kind in KINDS:
        column = getattr(r, kind)
        query = (
            select(r.module_id, _bin(column).label("bin"), func.count())
            .where(r.module_id.in_(list(module_ids)), column.is_not(None))
            .group_by(r.module_id, "bin")
        )
        query = query.where(_learner_filter(r.user_id, learners))
        for slug, number, count in db.session.execute(query):
            found[(slug, kind)][int(number)] = count
    return found


def means(learners: Learners, module_ids: Sequence[str]) -> tuple[float | None, float | None]:
    """The mean normalised gain and the mean retention ratio over every learner and module."""
    r = ModuleResult
    query = select(func.avg(r.gain), func.avg(r.retention_ratio)).where(
        r.module_id.in_(list(module_ids))
    )
    query = query.where(_learner_filter(r.user_id, learners))
    gain, ratio = db.session.execute(query).one()
    return gain, ratio


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


#: Means are compared to this many decimals when ranking, so that the way a database adds up
#: (SQLite and PostgreSQL differ in the last bit) cannot break a tie differently.
_RANK_DIGITS = 9


@dataclass
class RankRow:
    user: Person
    post: float
    retention: float | None
    gain: float | None
    completed_at: datetime | None
    rank: int = 0
    top: bool = False


def top_count(ranked: int) -> int:
    """How many of ``ranked`` learners are the top 10 per cent (rounded up)."""
    return -(-ranked // 10)


def _ranked(learners: Learners, module_ids: Sequence[str]) -> Any:
    """Per ranked learner: the means of their modules' results rows (post-test taken)."""
    r = ModuleResult
    return (
        select(
            r.user_id,
            func.avg(r.post).label("post"),
            func.avg(r.retention).label("retention"),
            func.avg(r.gain).label("gain"),
            func.max(r.post_done_at).label("completed_at"),
        )
        .where(
            r.module_id.in_(list(module_ids)),
            r.post.is_not(None),
            _learner_filter(r.user_id, learners),
        )
        .group_by(r.user_id)
        .subquery()
    )


def ranked_count(learners: Learners, module_ids: Sequence[str]) -> int:
    """How many learners the ranking lists."""
    query = select(func.count()).select_from(_ranked(learners, module_ids))
    return db.session.scalar(query) or 0


def ranking(
    learners: Learners,
    module_ids: Sequence[str],
    limit: int | None = None,
    offset: int = 0,
    ranked: int | None = None,
) -> list[RankRow]:
    """Learners by mean post-test score over the modules they took; ties broken by retention,
    then gain, then earliest completion (then the account's age). The top 10 % (rounded up)
    are marked for mentorship. Computed in the database over the results rows; ``limit`` rows
    from ``offset`` for a page (``ranked``: ``ranked_count`` when the caller has it already)."""
    per = _ranked(learners, module_ids)
    query = (
        select(User.id, User.name, User.email, per.c.post, per.c.retention, per.c.gain)
        .add_columns(per.c.completed_at)
        .join(per, per.c.user_id == User.id)
        .order_by(
            _rounded(per.c.post).desc(),
            _rounded(func.coalesce(per.c.retention, -1)).desc(),
            _rounded(func.coalesce(per.c.gain, -10)).desc(),
            per.c.completed_at.is_(None),
            per.c.completed_at,
            User.id,
        )
        .limit(limit)
        .offset(offset)
    )
    rows = [
        RankRow(Person(i, name, email), post, retention, gain, _aware(done))
        for i, name, email, post, retention, gain, done in db.session.execute(query)
    ]
    whole = limit is None and offset == 0
    if ranked is None:
        ranked = len(rows) if whole else ranked_count(learners, module_ids)
    top = top_count(ranked)
    for index, row in enumerate(rows, start=offset):
        row.rank = index + 1
        row.top = index < top
    return rows


def _rounded(value: Any) -> Any:
    return func.round(cast(value, Numeric(30, 12)), _RANK_DIGITS)


def _aware(moment: datetime | None) -> datetime | None:
    """``max()`` over a date-time column comes back as the database stores it (SQLite: text)."""
    if moment is None or isinstance(moment, datetime):
        return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(moment)).replace(tzinfo=UTC)
