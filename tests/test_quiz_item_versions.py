"""Item versions (issue 14): an attempt stores references to immutable versions of its items,
each version once, and reads back exactly what it showed; attempts stored whole before
(``v`` = 1) read and score the same; the migration converts every attempt and back; the LMS's
own engine stores Bengali as it is, not as ``\\u`` escapes."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from flask import Flask
from sqlalchemy import func, inspect, select, text

from lms import migrations
from lms.db import db
from lms.quiz import models, services
from lms.quiz.models import Attempt, ItemVersion
from lms.quiz.results import analysis_for
from lms.state import state
from tests.conftest import write_module
from tests.quiz_bank import QUIZ_YAML, RIGHT

NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    folder = write_module(root, "tanning", title="Tanning basics")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    return root


@pytest.fixture
def app(make_app: Callable[..., Flask], content: Path) -> Flask:
    return make_app(LMS_CONTENT_DIR=str(content))


def module():  # noqa: ANN201
    return state().content_library.get("tanning")


def stored(attempt_id: int) -> list[dict[str, Any]]:
    """The attempt's items column as the database holds it."""
    raw = db.session.execute(
        text("SELECT CAST(items AS TEXT) FROM lms_attempt WHERE id = :id"), {"id": attempt_id}
    ).scalar_one()
    return json.loads(raw)


def drawn(attempt: Attempt) -> list[dict[str, Any]]:
    """What the attempt showed: its seed's draw from the bank, as ``items`` gives it."""
    bank = services.bank_for(module())
    items = services.draw(bank, bank.rules[attempt.kind], attempt.country, attempt.seed)
    return [{"v": 1, "id": i.id, "type": i.type, "points": i.points, "data": i.data} for i in items]


def start(user_id: int, kind: str = "pre", locale: str = "bn", when: datetime = NOW) -> int:
    return services.start_attempt(user_id, module(), kind, locale, when).id


def answer_and_submit(attempt_id: int, responses: dict[str, Any]) -> float:
    attempt = db.session.get(Attempt, attempt_id)
    for entry in attempt.items:
        if entry["id"] in responses:
            services.save_answer(attempt, entry["id"], responses[entry["id"]], NOW)
    services.submit(attempt, NOW + timedelta(minutes=5))
    return db.session.get(Attempt, attempt_id).score


def test_an_attempt_stores_references_and_reads_back_what_it_drew(app: Flask, make_user) -> None:  # noqa: ANN001
    learner = make_user()
    with app.app_context():
        attempt_id = start(learner.id)
        refs = stored(attempt_id)
        assert [set(r) for r in refs] == [{"v", "id", "h"}] * 3
        assert {r["v"] for r in refs} == {2}
    with app.app_context():  # a new session, and the app's cache as the setter left it
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.items == drawn(attempt)
        assert [e["id"] for e in attempt.items] == [r["id"] for r in refs]
    with app.app_context():  # nothing cached: the versions come from the database
        state().cache("quiz.item_versions").clear()
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.items == drawn(attempt)
        assert answer_and_submit(attempt_id, RIGHT) == 3


def test_attempts_drawing_the_same_items_share_their_versions(
    app: Flask, make_app: Callable[..., Flask], content: Path, make_user
) -> None:  # noqa: ANN001
    one, two = make_user(), make_user()
    with app.app_context():
        first, second = start(one.id), start(two.id)
        hashes = [{r["h"] for r in stored(a)} for a in (first, second)]
        assert hashes[0] == hashes[1] and len(hashes[0]) == 3  # form A: the same three items
        assert db.session.scalar(select(func.count()).select_from(ItemVersion)) == 3
        assert len(state().cache("quiz.item_versions")) == 3
    other = make_app(LMS_CONTENT_DIR=str(content))  # a second app in this process
    with other.app_context():
        assert state().cache("quiz.item_versions") == {}


def test_a_changed_item_makes_a_new_version_and_old_attempts_keep_theirs(
    app: Flask, content: Path, make_user
) -> None:  # noqa: ANN001
    before, after = make_user(), make_user()
    with app.app_context():
        old = start(before.id, "post")  # form B: t-true, t-order and t-match
        old_items = db.session.get(Attempt, old).items
    changed = QUIZ_YAML.replace(
        'stem: {en: "Never enter a pit alone."', 'stem: {en: "Enter a pit alone."'
    ).replace("    answer: true\n", "    answer: false\n")
    assert changed != QUIZ_YAML
    (content / "tanning" / "quiz.yaml").write_text(changed, encoding="utf-8")
    with app.app_context():
        new = start(after.id, "post")
        versions = db.session.scalars(select(ItemVersion).where(ItemVersion.item_id == "t-true"))
        assert sorted(v.data["answer"] for v in versions) == [False, True]
        assert db.session.scalar(select(func.count()).select_from(ItemVersion)) == 4
    with app.app_context():
        state().cache("quiz.item_versions").clear()
        assert db.session.get(Attempt, old).items == old_items  # as it was shown
        true_of = {
            a: next(e for e in db.session.get(Attempt, a).items if e["id"] == "t-true")
            for a in (old, new)
        }
        assert true_of[old]["data"]["answer"] is True
        assert true_of[new]["data"]["answer"] is False
        assert true_of[new]["data"]["stem"]["en"] == "Enter a pit alone."
        # The same answers: the old attempt is scored by its own version of t-true.
        assert answer_and_submit(old, RIGHT) == 3
        assert answer_and_submit(new, RIGHT) == 2


def test_an_attempt_stored_whole_reads_and_scores_the_same(app: Flask, make_user) -> None:  # noqa: ANN001
    one, two = make_user(), make_user()
    with app.app_context():
        whole, referenced = start(one.id), start(two.id)
        copy = db.session.get(Attempt, referenced)
        # As the code before item versions stored it, escapes and all.
        db.session.execute(
            text("UPDATE lms_attempt SET items = :items, seed = :seed WHERE id = :id"),
            {"items": json.dumps(copy.items), "seed": copy.seed, "id": whole},
        )
        db.session.commit()
    with app.app_context():
        state().cache("quiz.item_versions").clear()
        assert "data" in stored(whole)[0] and "h" in stored(referenced)[0]
        attempts = [db.session.get(Attempt, a) for a in (whole, referenced)]
        assert attempts[0].items == attempts[1].items == drawn(attempts[1])
        assert services.entry_of(attempts[0], "t-single") == services.entry_of(
            attempts[1], "t-single"
        )
        half = {"t-single": RIGHT["t-single"], "t-multiple": ["a"]}
        assert answer_and_submit(whole, half) == answer_and_submit(referenced, half) == 1.5


def test_tablets_starting_at_the_same_moment_store_each_version_once(
    app: Flask, make_user, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    learners = [make_user() for _ in range(4)]
    # Every start reaches the insert of the (same) versions at the same moment.
    meeting = threading.Barrier(len(learners), timeout=3)
    insert_versions = models._insert_versions

    def meet(*args: Any) -> Any:
        with contextlib.suppress(threading.BrokenBarrierError):
            meeting.wait()
        return insert_versions(*args)

    monkeypatch.setattr(models, "_insert_versions", meet)
    started: dict[int, int] = {}
    failures: list[BaseException] = []

    def run(user_id: int) -> None:
        try:
            with app.app_context():
                started[user_id] = start(user_id)
        except BaseException as error:  # noqa: BLE001  (reported below)
            failures.append(error)

    threads = [threading.Thread(target=run, args=(u.id,)) for u in learners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    with app.app_context():
        assert len(started) == len(learners)
        assert db.session.scalar(select(func.count()).select_from(ItemVersion)) == 3
        for attempt_id in started.values():
            attempt = db.session.get(Attempt, attempt_id)
            assert attempt.items == drawn(attempt)


def test_bengali_is_stored_as_it_is(app: Flask, make_user) -> None:  # noqa: ANN001
    learner = make_user()
    with app.app_context():
        start(learner.id)
        raw = db.session.scalars(text("SELECT CAST(data AS TEXT) FROM lms_item_version")).all()
        assert any("কোন ড্রাম কম জল নষ্ট করে?" in r for r in raw)
        assert "\\u09" not in "".join(raw)


# The migration (0015).


def migrate(to: str) -> None:
    """Up or down to ``to``, with the session's connection given back first (PostgreSQL would
    wait for its locks)."""
    db.session.remove()
    if to == "head":
        command.upgrade(migrations.alembic_config(), to)
    else:
        command.downgrade(migrations.alembic_config(), to)


def every_attempt() -> dict[int, list[dict[str, Any]]]:
    state().cache("quiz.item_versions").clear()
    db.session.expire_all()
    return {a.id: a.items for a in db.session.scalars(select(Attempt).order_by(Attempt.id))}


def every_analysis() -> dict[tuple[str, str], str]:
    pairs = db.session.execute(
        select(Attempt.module_id, Attempt.kind).where(Attempt.submitted_at.is_not(None)).distinct()
    ).all()
    found = {}
    for module_id, kind in sorted(pairs):
        for first_only in (True, False):
            analysis = analysis_for(module_id, kind, first_only)
            found[module_id, kind, first_only] = json.dumps(analysis.as_json(), sort_keys=True)
    return found


def forms() -> set[int]:
    """The ``v`` of every stored entry."""
    raw = db.session.scalars(text("SELECT CAST(items AS TEXT) FROM lms_attempt")).all()
    return {entry["v"] for column in raw for entry in json.loads(column)}


def test_the_migration_converts_the_demo_and_back(make_app: Callable[..., Flask]) -> None:
    """Item analysis and every attempt's items are the same stored whole (0014) and stored as
    references (0015), down and up again."""
    from lms.demo import load_demo

    app = make_app()
    with app.app_context():
        load_demo("demo password 1")
        items, analysis = every_attempt(), every_analysis()
        assert len(items) > 50 and len(analysis) > 4 and forms() == {2}
        migrate("0014")
        assert forms() == {1} and "lms_item_version" not in inspect(db.engine).get_table_names()
        assert every_attempt() == items and every_analysis() == analysis
        migrate("head")
        assert forms() == {2}
        assert every_attempt() == items and every_analysis() == analysis
        entries = [entry for shown in items.values() for entry in shown]
        distinct = {(e["id"], json.dumps(e["data"], sort_keys=True)) for e in entries}
        assert db.session.scalar(select(func.count()).select_from(ItemVersion)) == len(distinct)
        migrate("0014")
        assert forms() == {1} and every_attempt() == items and every_analysis() == analysis
        migrate("head")


def test_the_migration_converts_attempts_stored_whole_in_batches(app: Flask, make_user) -> None:  # noqa: ANN001
    """More attempts than one batch, stored by the code before (escapes, ``v`` = 1)."""
    learner = make_user()
    with app.app_context():
        shown = db.session.get(Attempt, start(learner.id)).items
        db.session.execute(text("DELETE FROM lms_attempt"))
        db.session.commit()
        migrate("0014")
        rows = [
            {"user": learner.id, "number": n, "items": json.dumps(shown[n % 3 :] + shown[: n % 3])}
            for n in range(1, 1202)
        ]
        db.session.execute(
            text(
                "INSERT INTO lms_attempt (user_id, module_id, kind, number, country, locale, "
                "seed, items, started_at, max_score) VALUES (:user, 'tanning', 'practice', "
                ":number, 'IN', 'bn', 1, :items, '2026-11-02 09:00:00', 3)"
            ),
            rows,
        )
        db.session.commit()
        before = every_attempt()
        assert forms() == {1} and len(before) == 1201
        migrate("head")
        assert forms() == {2} and every_attempt() == before
        assert db.session.scalar(select(func.count()).select_from(ItemVersion)) == 3
        migrate("0014")
        assert forms() == {1} and every_attempt() == before
        migrate("head")
