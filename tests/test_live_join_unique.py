"""One participant per signed-in learner and live quiz (issue 15): joins of one learner at the
same moment (a double tap on Join, a retry after a dropped network) land on one participant, on
SQLite and PostgreSQL; the migration merges the duplicates that were made before."""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

import lms.db
from lms.content import services as content
from lms.db import db
from lms.live import services
from lms.live.models import LiveAnswer, LiveParticipant, LiveQuiz
from lms.quiz import services as quiz_services
from tests.conftest import login, post, write_module
from tests.quiz_bank import QUIZ_YAML, RIGHT

LEARNERS = 6  # with two guests, 14 joins at once: within the connection pool (15)


@pytest.fixture
def app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    folder = write_module(tmp_path / "content", "tanning", bn="auto", bn_BD="auto")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    return make_app(LMS_CONTENT_DIR=str(tmp_path / "content"))


def running_quiz(app: Flask) -> tuple[int, str]:
    with app.app_context():
        bank = quiz_services.bank_for(content.library().get("tanning"))
        quiz = services.create(
            bank,
            "tanning",
            ["t-single", "t-true"],
            title="Double taps",
            mode="correctness",
            countdown=0,
            session_label="Tangra, day 3",
            user_id=None,
        )
        services.start(quiz)
        return quiz.id, quiz.code


def collide(monkeypatch: pytest.MonkeyPatch, joins: int) -> threading.Barrier:
    """Each join, once it has looked for the learner's participant and found none, waits until
    ``joins`` joins are there: they all insert at the same moment."""
    meeting = threading.Barrier(joins, timeout=20)

    def token_urlsafe(size: int) -> str:
        with contextlib.suppress(threading.BrokenBarrierError):
            meeting.wait()
        return secrets.token_urlsafe(size)

    monkeypatch.setattr(services, "secrets", SimpleNamespace(token_urlsafe=token_urlsafe))
    return meeting


def run_all(*calls: Callable[[], None]) -> None:
    threads = [threading.Thread(target=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)


@pytest.mark.parametrize("way", ["on conflict do nothing", "savepoint"])
def test_joins_at_once_make_one_participant_per_learner(
    app: Flask, make_user, monkeypatch: pytest.MonkeyPatch, way: str
) -> None:  # noqa: ANN001
    if way == "savepoint":  # as on databases without ON CONFLICT
        monkeypatch.setattr(lms.db, "UPSERTS", {})
    quiz_id, _code = running_quiz(app)
    learners = [make_user(name=f"Learner {n}") for n in range(LEARNERS)]
    with app.app_context():
        version = db.session.get(LiveQuiz, quiz_id).version
    got: dict[tuple[str, int], int] = {}
    errors: list[BaseException] = []

    def tap(key: str, n: int, user_id: int | None, name: str) -> Callable[[], None]:
        def call() -> None:
            with app.app_context():
                try:
                    quiz = db.session.get(LiveQuiz, quiz_id)
                    got[key, n] = services.join(quiz, name=name, locale="bn", user_id=user_id).id
                except BaseException as exc:  # noqa: BLE001  (reported below)
                    errors.append(exc)
                finally:
                    db.session.remove()

        return call

    taps = [tap(str(u.id), n, u.id, u.name) for u in learners for n in (1, 2)]
    # Two people without accounts, of the same name: no account, no clash.
    taps += [tap("guest", n, None, "Guest") for n in (1, 2)]
    meeting = collide(monkeypatch, len(taps))
    run_all(*taps)
    assert not meeting.broken, "the joins did not meet"
    assert errors == []
    for learner in learners:
        assert got[str(learner.id), 1] == got[str(learner.id), 2]
    assert got["guest", 1] != got["guest", 2]
    with app.app_context():
        rows = db.session.execute(
            select(LiveParticipant.user_id, func.count())
            .where(LiveParticipant.quiz_id == quiz_id)
            .group_by(LiveParticipant.user_id)
        ).all()
        assert dict(rows) == {**{u.id: 1 for u in learners}, None: 2}
        # A join changes no tablet's state: the quiz's version stays (screens get the count).
        assert db.session.get(LiveQuiz, quiz_id).version == version


def test_a_double_tap_on_join_over_http(
    app: Flask, make_user, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    quiz_id, code = running_quiz(app)
    learner = make_user(name="Rekha")
    trainer = app.test_client()
    login(trainer, make_user("trainer").email)
    first = app.test_client()
    login(first, learner.email)
    second = app.test_client()  # the same browser: its cookies, a second request
    second.set_cookie("session", first.get_cookie("session").value)
    meeting = collide(monkeypatch, 2)
    responses: dict[int, object] = {}

    def press(n: int, tablet: FlaskClient) -> Callable[[], None]:
        return lambda: responses.__setitem__(n, post(tablet, f"/live/{code}"))

    run_all(press(1, first), press(2, second))
    assert not meeting.broken, "the two taps did not meet"
    monkeypatch.undo()
    assert [r.status_code for r in responses.values()] == [302, 302]
    assert {r.headers["Location"] for r in responses.values()} == {f"/live/{code}/play"}
    cookie = f"lms_live_{quiz_id}"
    assert first.get_cookie(cookie).value == second.get_cookie(cookie).value
    with app.app_context():
        people = db.session.scalars(select(LiveParticipant)).all()
        assert [(p.user_id, p.name) for p in people] == [(learner.id, "Rekha")]
    assert "1 joined" in trainer.get(f"/live/host/{quiz_id}").get_data(as_text=True)
    # Both tabs play as the one participant; an answer from one is the other's too.
    post(trainer, f"/live/host/{quiz_id}/next")
    page = trainer.get(f"/live/host/{quiz_id}").get_data(as_text=True)
    assert "0 of 1 answered" in page
    post(first, f"/live/{code}/answer", {"index": "0", "answer": RIGHT["t-single"]})
    assert "Your answer is in" in second.get(f"/live/{code}/play").get_data(as_text=True)
    assert "1 of 1 answered" in trainer.get(f"/live/host/{quiz_id}").get_data(as_text=True)
    post(trainer, f"/live/host/{quiz_id}/end")
    record = first.get("/my/record").get_data(as_text=True)
    assert record.count("Double taps") == 1


def test_a_rejoin_after_a_dropped_network_keeps_the_answers(app: Flask, make_user) -> None:  # noqa: ANN001
    quiz_id, _code = running_quiz(app)
    learner = make_user(name="Rekha")
    with app.app_context():
        quiz = db.session.get(LiveQuiz, quiz_id)
        first = services.join(quiz, name="Rekha", locale="bn", user_id=learner.id)
        services.act(quiz, "next")
        services.answer(quiz, first, 0, RIGHT["t-single"])
        first_id = first.id
        db.session.remove()
    with app.app_context():  # another request, without the tablet's cookie
        quiz = db.session.get(LiveQuiz, quiz_id)
        again = services.join(quiz, name="Rekha R.", locale="en", user_id=learner.id)
        assert (again.id, again.name, again.score) == (first_id, "Rekha", 100)
        assert db.session.get(LiveAnswer, (again.id, 0)).fraction == 1
        assert len(quiz.participants) == 1


# The migration: duplicates made before it are merged.

T0 = datetime(2026, 11, 20, 10, tzinfo=UTC)


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def add_participant(quiz_id: int, user_id: int | None, joined: int, score: float) -> int:
    table = LiveParticipant.__table__
    return db.session.execute(
        insert(table)
        .values(
            quiz_id=quiz_id,
            user_id=user_id,
            name="Guest" if user_id is None else f"User {user_id}",
            locale="bn",
            token=secrets.token_urlsafe(32),
            score=score,
            version=1,
            joined_at=at(joined),
        )
        .returning(table.c.id)
    ).scalar_one()


def add_answers(quiz_id: int, *rows: tuple[int, int, int, float]) -> None:
    """``(participant, question, second answered, fraction)``; 100 points a right answer."""
    db.session.execute(
        insert(LiveAnswer.__table__),
        [
            {
                "participant_id": p,
                "item_index": i,
                "quiz_id": quiz_id,
                "response": "a",
                "answered_at": at(second),
                "fraction": fraction,
                "points": 100 * fraction,
            }
            for p, i, second, fraction in rows
        ],
    )


def add_quiz() -> int:
    table = LiveQuiz.__table__
    items = [{"v": 1, "id": f"q{n}", "type": "single", "points": 1, "data": {}} for n in range(3)]
    return db.session.execute(
        insert(table)
        .values(title="Before", module_id="tanning", items=items, status="ended", version=5)
        .returning(table.c.id)
    ).scalar_one()


def participants(quiz_id: int) -> list[tuple]:
    return [
        tuple(row)
        for row in db.session.execute(
            select(
                LiveParticipant.id,
                LiveParticipant.user_id,
                LiveParticipant.score,
                LiveParticipant.version,
            )
            .where(LiveParticipant.quiz_id == quiz_id)
            .order_by(LiveParticipant.id)
        )
    ]


def answers(participant_id: int) -> dict[int, tuple]:
    rows = db.session.execute(
        select(LiveAnswer.item_index, LiveAnswer.answered_at, LiveAnswer.fraction).where(
            LiveAnswer.participant_id == participant_id
        )
    )
    return {index: (answered, fraction) for index, answered, fraction in rows}


def test_the_migration_merges_the_duplicates(make_app: Callable[..., Flask]) -> None:
    from alembic import command

    from lms import migrations
    from lms.accounts import services as accounts

    app = make_app()
    config = migrations.alembic_config
    with app.app_context():
        a, b, c = (
            accounts.create_user(f"{n}@example.org", n, "correct horse battery", ["learner"]).id
            for n in ("asha", "bikash", "chaitali")
        )
        db.session.remove()
        command.downgrade(config(), "0017")
        quiz, other = add_quiz(), add_quiz()
        a1 = add_participant(quiz, a, 0, 100)
        a2 = add_participant(quiz, a, 1, 150)  # the double tap's second participant
        a3 = add_participant(quiz, a, 2, 100)
        b1 = add_participant(quiz, b, 0, 100)
        c1 = add_participant(quiz, c, 9, 0)  # made first, joined later (clocks of two workers)
        c2 = add_participant(quiz, c, 3, 100)
        g1, g2 = add_participant(quiz, None, 4, 0), add_participant(quiz, None, 4, 100)
        a_other = add_participant(other, a, 0, 0)
        add_answers(
            quiz,
            (a1, 0, 10, 1.0),
            (a2, 0, 5, 0.0),  # earlier than a1's answer: this one counted first
            (a2, 1, 20, 1.0),  # a1 has none
            (a2, 2, 30, 0.5),
            (a3, 2, 25, 1.0),  # earlier than a2's
            (b1, 0, 6, 1.0),
            (c2, 0, 7, 1.0),
            (c1, 0, 12, 0.0),  # later than c2's
            (c1, 1, 13, 1.0),
            (g2, 0, 8, 1.0),
        )
        db.session.commit()
        db.session.remove()
        command.upgrade(config(), "head")
        assert participants(quiz) == [
            (a1, a, 200, 2),  # right on questions 2 and 3, wrong on the first
            (b1, b, 100, 1),
            (c2, c, 200, 2),
            (g1, None, 0, 1),
            (g2, None, 100, 1),
        ]
        assert answers(a1) == {0: (at(5), 0.0), 1: (at(20), 1.0), 2: (at(25), 1.0)}
        assert answers(c2) == {0: (at(7), 1.0), 1: (at(13), 1.0)}
        assert db.session.scalar(select(func.count()).select_from(LiveAnswer)) == 7
        assert participants(other) == [(a_other, a, 0, 1)]
        versions = dict(db.session.execute(select(LiveQuiz.id, LiveQuiz.version)).all())
        assert versions == {quiz: 7, other: 5}  # two merges: the lobby is fetched again
        with pytest.raises(IntegrityError):
            add_participant(quiz, a, 40, 0)
        db.session.rollback()
        add_participant(quiz, None, 40, 0)  # people without accounts never clash
        db.session.commit()
        db.session.remove()
        command.downgrade(config(), "0017")
        again = add_participant(quiz, b, 50, 0)  # possible again below the constraint
        db.session.commit()
        db.session.remove()
        command.upgrade(config(), "head")
        assert [(p, u) for p, u, _s, _v in participants(quiz) if u == b] == [(b1, b)]
        assert again not in [p for p, *_rest in participants(quiz)]
        db.session.remove()


def test_a_guests_join_form_makes_one_participant_when_sent_twice_at_once(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A double tap on Join by a guest: both sends carry the form's one-time key."""
    quiz_id, _code = running_quiz(app)
    got: list[int] = []
    errors: list[BaseException] = []

    def tap() -> None:
        with app.app_context():
            try:
                quiz = db.session.get(LiveQuiz, quiz_id)
                got.append(services.join(quiz, name="Mina", locale="bn", join_key="k" * 32).id)
            except BaseException as exc:  # noqa: BLE001  (reported below)
                errors.append(exc)
            finally:
                db.session.remove()

    meeting = collide(monkeypatch, 2)
    run_all(tap, tap)
    assert not meeting.broken and errors == []
    assert len(got) == 2 and got[0] == got[1]
    with app.app_context():
        names = db.session.scalars(
            select(LiveParticipant.name).where(LiveParticipant.quiz_id == quiz_id)
        ).all()
    assert names == ["Mina"]


def _join_key(page: str) -> str:
    import re

    found = re.search(r'name="join_key" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def test_a_guests_double_tap_over_http(app: Flask) -> None:
    quiz_id, code = running_quiz(app)
    first = app.test_client()
    page = first.get(f"/live/{code}")
    assert page.cache_control.no_store  # Back on a shared tablet fetches a new form
    key = _join_key(page.get_data(as_text=True))
    second = app.test_client()
    second.set_cookie("session", first.get_cookie("session").value)
    responses: list[object] = []

    def press(tablet: FlaskClient) -> Callable[[], None]:
        form = {"name": "Mina Khatun", "join_key": key}
        return lambda: responses.append(post(tablet, f"/live/{code}", form))

    run_all(press(first), press(second))
    assert [r.status_code for r in responses] == [302, 302]
    cookie = f"lms_live_{quiz_id}"
    assert first.get_cookie(cookie).value == second.get_cookie(cookie).value
    with app.app_context():
        people = db.session.scalars(
            select(LiveParticipant).where(LiveParticipant.quiz_id == quiz_id)
        ).all()
        assert [p.name for p in people] == ["Mina Khatun"]
    # A new form has a new key: the next guest on the tablet is a new participant.
    third = app.test_client()
    other = _join_key(third.get(f"/live/{code}").get_data(as_text=True))
    assert other != key
    assert post(third, f"/live/{code}", {"name": "Rafiq", "join_key": other}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LiveParticipant)) == 2


def test_an_old_join_form_sent_again_is_refused_with_a_new_one(app: Flask) -> None:
    quiz_id, code = running_quiz(app)
    tablet = app.test_client()
    key = _join_key(tablet.get(f"/live/{code}").get_data(as_text=True))
    assert post(tablet, f"/live/{code}", {"name": "Mina", "join_key": key}).status_code == 302
    with app.app_context():
        participant = db.session.scalars(select(LiveParticipant)).one()
        participant.joined_at -= timedelta(seconds=services.JOIN_KEY_FRESH + 1)
        db.session.commit()
    # Someone else at the tablet goes Back to the old form (without the first guest's cookie).
    stranger = app.test_client()
    stranger.get(f"/live/{code}")
    again = post(stranger, f"/live/{code}", {"name": "Rafiq", "join_key": key})
    assert again.status_code == 400
    page = again.get_data(as_text=True)
    assert "This form was used a while ago" in page and _join_key(page) != key
    assert stranger.get_cookie(f"lms_live_{quiz_id}") is None
    with app.app_context():
        assert [p.name for p in db.session.scalars(select(LiveParticipant))] == ["Mina"]
