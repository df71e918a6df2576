"""The results rows (issue 14): every figure the results pages, the ranking and the dashboard
show equals what was computed before from every attempt (``tests/reference_results.py``), on
the demo and a small programme made by the scale generator; the rows the submit keeps equal a
rebuild; two submits of one learner at the same moment both count."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from lms.accounts import services as accounts
from lms.db import db
from lms.programme import scope
from lms.programme.models import Beneficiary, Enrolment, Programme, TrainingSession
from lms.quiz import results as res
from lms.quiz import services
from lms.quiz.models import Attempt, ModuleResult
from tests import reference_results as ref
from tests.conftest import write_module
from tests.quiz_bank import QUIZ_YAML, RIGHT

TOLERANCE = 1e-9


def close(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(a - b) <= TOLERANCE
    return a == b


def same_summary(new: res.CohortSummary, old: res.CohortSummary) -> None:
    for field in ("learners", "pre", "post", "retention", "gain", "class_gain"):
        assert close(getattr(new, field), getattr(old, field)), (field, new, old)
    assert close(new.retention_ratio, old.retention_ratio), (new, old)


def same_result(new: res.LearnerResult, old: res.LearnerResult) -> None:
    assert new.user == old.user
    for field in ("pre", "post", "retention", "best_post", "gain", "retention_ratio"):
        assert close(getattr(new, field), getattr(old, field)), (field, new, old)
    assert new.post_done_at == old.post_done_at


@pytest.fixture
def demo_app(make_app: Callable[..., Flask]) -> Flask:
    """The demo and a programme of two sessions from the scale generator, in one database."""
    from lms.demo import load_demo

    app = make_app()
    with app.app_context():
        load_demo("dakshata-demo")
    result = app.test_cli_runner().invoke(
        args=["lms", "demo", "--scale", "0.04", "--password", "scale password 1"]
    )
    assert result.exit_code == 0, result.output
    return app


def groups() -> list[tuple[str, list[int]]]:
    """Every learner, each programme's and each session's."""
    found = [("everyone", sorted(accounts.learner_ids()))]
    for programme in db.session.scalars(select(Programme)):
        found.append((programme.name, scope.learner_ids(scope.Filters(programme_id=programme.id))))
    for session in db.session.scalars(select(TrainingSession).order_by(TrainingSession.id)):
        present = (
            select(Beneficiary.user_id)
            .join(Enrolment, Enrolment.beneficiary_id == Beneficiary.id)
            .where(Enrolment.session_id == session.id, Enrolment.present.is_(True))
            .where(Beneficiary.user_id.is_not(None))
        )
        found.append((session.title, sorted(db.session.scalars(present))))
    return [(name, ids) for name, ids in found if ids]


def modules() -> list[str]:
    return sorted(set(db.session.scalars(select(Attempt.module_id))))


def test_results_rows_on_the_demo(demo_app: Flask) -> None:
    """Every figure as before; the rows kept by submit as a rebuild makes them; the command."""
    every_figure_equals_the_reference(demo_app)
    the_rows_kept_by_submit_equal_a_rebuild(demo_app)
    the_rebuild_command(demo_app)


def every_figure_equals_the_reference(demo_app: Flask) -> None:
    with demo_app.test_request_context():
        slugs = modules()
        assert len(slugs) >= 5 and db.session.query(ModuleResult).count() > 200
        checked = 0
        for name, ids in groups():
            for slug in slugs:
                old = ref.results_for(ids, slug)
                new = res.results_for(ids, slug)
                assert [r.user.id for r in new] == [r.user.id for r in old], (name, slug)
                for n, o in zip(new, old, strict=True):
                    same_result(n, o)
                same_summary(res.summary_for(ids, slug), ref.summarise(old))
                checked += len(old)
            # The dashboard's: over those with a score, per module, with histograms and means.
            taken = {slug: ref.taken(ids, slug) for slug in slugs}
            summaries = res.summaries(ids, slugs)
            histograms = res.histograms(ids, slugs)
            for slug in slugs:
                same_summary(summaries[slug], ref.summarise(taken[slug]))
                for kind in res.KINDS:
                    assert histograms[(slug, kind)] == ref.histogram(taken[slug], kind)
            gain, ratio = res.means(ids, slugs)
            every = [r for rows in taken.values() for r in rows]
            assert close(gain, ref._mean(r.gain for r in every))
            assert close(ratio, ref._mean(r.retention_ratio for r in every))
            # The ranking, whole and by pages.
            old_ranks = ref.ranking(ids, slugs)
            new_ranks = res.ranking(ids, slugs)
            assert len(new_ranks) == len(old_ranks) == res.ranked_count(ids, slugs)
            for n, o in zip(new_ranks, old_ranks, strict=True):
                got = (n.user.id, n.post, n.retention, n.gain, n.completed_at, n.rank, n.top)
                assert all(close(a, b) for a, b in zip(got, o, strict=True)), (name, got, o)
            page = res.ranking(ids, slugs, limit=7, offset=3)
            assert [(r.user.id, r.rank, r.top) for r in page] == [
                (r.user.id, r.rank, r.top) for r in new_ranks[3:10]
            ]
        assert checked > 500


def the_rows_kept_by_submit_equal_a_rebuild(demo_app: Flask) -> None:
    columns = [getattr(ModuleResult, c.name) for c in ModuleResult.__table__.columns]
    query = select(*columns).order_by(ModuleResult.user_id, ModuleResult.module_id)
    with demo_app.app_context():
        kept = [tuple(row) for row in db.session.execute(query)]
        assert res.rebuild() == len(kept)
        rebuilt = [tuple(row) for row in db.session.execute(query)]
    assert len(kept) > 200
    for a, b in zip(kept, rebuilt, strict=True):
        assert all(close(x, y) for x, y in zip(a, b, strict=True)), (a, b)


def the_rebuild_command(demo_app: Flask) -> None:
    with demo_app.app_context():
        db.session.execute(ModuleResult.__table__.delete())
        db.session.commit()
    result = demo_app.test_cli_runner().invoke(args=["lms", "rebuild-results"])
    assert result.exit_code == 0, result.output
    with demo_app.app_context():
        count = db.session.query(ModuleResult).count()
    assert count > 200 and f"{count} results rows" in result.output


# Two submits at once.


@pytest.fixture
def app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    root = tmp_path / "content"
    folder = write_module(root, "tanning", title="Tanning basics")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    return make_app(LMS_CONTENT_DIR=str(root))


def _start(app: Flask, user_id: int, kind: str, right: int, when: datetime) -> int:
    with app.app_context():
        module = app.extensions["lms"].content_library.get("tanning")
        attempt = services.start_attempt(user_id, module, kind, "en", when)
        for entry in attempt.items[:right]:
            services.save_answer(attempt, entry["id"], RIGHT[entry["id"]], when)
        return attempt.id


def _submit(app: Flask, attempt_id: int, when: datetime) -> None:
    with app.app_context():
        services.submit(db.session.get(Attempt, attempt_id), when)


def test_two_submits_of_one_learner_at_once_both_count(
    app: Flask, make_user, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    learner = make_user()
    past = datetime.now(UTC) - timedelta(days=40)
    _submit(app, _start(app, learner.id, "post", 1, past), past)  # 33 %: the row exists
    now = datetime.now(UTC)
    retention = _start(app, learner.id, "retention", 2, now)  # 67 %
    retry = _start(app, learner.id, "post", 3, now)  # 100 %, the best post-test
    # Both submits read the learner's attempts at the same moment (unless one waits for the
    # other's lock); without the row lock one of them would write what it saw last.
    meeting = threading.Barrier(2, timeout=2)
    insert_missing = res._insert_missing

    def meet(*args: Any) -> Any:
        with contextlib.suppress(threading.BrokenBarrierError):
            meeting.wait()
        return insert_missing(*args)

    monkeypatch.setattr(res, "_insert_missing", meet)
    threads = [
        threading.Thread(target=_submit, args=(app, attempt_id, now))
        for attempt_id in (retention, retry)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    with app.app_context():
        row = db.session.get(ModuleResult, (learner.id, "tanning"))
        assert row.post == pytest.approx(100 / 3)  # the first post-test measures learning
        assert row.best_post == pytest.approx(100)
        assert row.retention == pytest.approx(200 / 3)
        assert row.retention_ratio == pytest.approx(2)


# The migration that made the rows.


def test_the_migration_makes_the_rows_from_the_attempts(make_app: Callable[..., Flask]) -> None:
    from alembic import command

    from lms import migrations

    app = make_app()
    with app.app_context():
        # The accounts as the latest code makes them, and their ids kept: the users table of
        # 0013 lacks columns added since.
        a, b = (
            SimpleNamespace(
                id=accounts.create_user(email, name, "correct horse battery", ["learner"]).id
            )
            for email, name in (("a@example.org", "Asha"), ("b@example.org", "Bikash"))
        )
        db.session.remove()
        command.downgrade(migrations.alembic_config(), "0013")
        past = datetime(2026, 9, 1, 10, tzinfo=UTC)
        for user, kind, number, score, submitted in (
            (a, "pre", 1, 3, True),
            (a, "post", 1, 6, True),
            (a, "post", 2, 9, True),  # a retry: the best, not the first
            (a, "retention", 1, 5, True),
            (a, "practice", 1, 10, True),  # practice has no results
            (b, "pre", 1, 10, True),  # 100 %: no gain
            (b, "post", 1, 10, True),
            (b, "post", 2, 0, False),  # still open
        ):
            done = past + timedelta(days=number) if submitted else None
            db.session.add(
                Attempt(
                    user_id=user.id,
                    module_id="gst-vat",
                    kind=kind,
                    number=number,
                    country="IN",
                    locale="bn",
                    seed=1,
                    items=[],
                    started_at=past,
                    submitted_at=done,
                    score=score if submitted else None,
                    max_score=10,
                )
            )
        db.session.commit()
        command.upgrade(migrations.alembic_config(), "head")
        columns = [getattr(ModuleResult, c.name) for c in ModuleResult.__table__.columns]
        query = select(*columns).order_by(ModuleResult.user_id)
        migrated = [tuple(row) for row in db.session.execute(query)]
        assert migrated == [
            (a.id, "gst-vat", 30.0, 60.0, 50.0, 90.0, past + timedelta(days=1), 3 / 7, 5 / 6),
            (b.id, "gst-vat", 100.0, 100.0, None, 100.0, past + timedelta(days=1), None, None),
        ]
        res.rebuild()
        assert [tuple(row) for row in db.session.execute(query)] == migrated
        db.session.rollback()  # PostgreSQL's DROP TABLE waits for every open reader of it
        command.downgrade(migrations.alembic_config(), "0013")
        names = sa_inspect(db.engine).get_table_names()
        assert "lms_module_result" not in names and "lms_attempt" in names
