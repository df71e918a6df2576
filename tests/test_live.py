"""Live quizzes: pacing, joining, answers counted exactly once, closed questions, results."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lms.db import db, utcnow
from lms.live import services
from lms.live.models import LiveAnswer, LiveParticipant, LiveQuiz
from tests.conftest import csrf_token, login, post, write_module
from tests.quiz_bank import QUIZ_YAML, RIGHT_FORM

ITEMS = ["t-single", "t-true", "t-multiple"]


@pytest.fixture
def app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    root = tmp_path / "content"
    folder = write_module(root, "tanning", title="Tanning basics", bn="auto", bn_BD="auto")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    return make_app(LMS_CONTENT_DIR=str(root))


@pytest.fixture
def trainer(app: Flask, make_user) -> FlaskClient:  # noqa: ANN001
    client = app.test_client()
    login(client, make_user("trainer").email)
    return client


def create_quiz(trainer: FlaskClient, mode: str = "correctness", countdown: int = 0) -> int:
    token = csrf_token(trainer, "/live/host/new/tanning")
    response = trainer.post(
        "/live/host/new/tanning",
        data={
            "csrf_token": token,
            "items": ITEMS,
            "title": "Quick check",
            "mode": mode,
            "countdown": str(countdown),
            "session": "Tangra, day 2",
        },
    )
    quiz_id = int(response.headers["Location"].rsplit("/", 1)[1])
    post(trainer, f"/live/host/{quiz_id}/start")
    return quiz_id


def code_of(app: Flask, quiz_id: int) -> str:
    with app.app_context():
        return db.session.get(LiveQuiz, quiz_id).code


def act(trainer: FlaskClient, quiz_id: int, *actions: str) -> None:
    for action in actions:
        response = post(trainer, f"/live/host/{quiz_id}/{action}")
        assert response.status_code == 302


def join(app: Flask, code: str, name: str, locale: str = "en") -> FlaskClient:
    tablet = app.test_client()
    tablet.set_cookie("lms_locale", locale)
    token = csrf_token(tablet, "/live")
    assert tablet.post("/live", data={"code": code, "csrf_token": token}).status_code == 302
    response = tablet.post(f"/live/{code}", data={"name": name, "csrf_token": token})
    assert response.headers["Location"] == f"/live/{code}/play"
    return tablet


def answer(tablet: FlaskClient, code: str, index: int, form: dict) -> tuple[int, dict]:
    token = csrf_token(tablet, f"/live/{code}/play")
    response = tablet.post(
        f"/live/{code}/answer",
        data={**form, "index": index, "csrf_token": token},
        headers={"X-Requested-With": "fetch"},
    )
    return response.status_code, response.json


def test_the_trainer_gets_a_code_qr_and_link(app, trainer) -> None:  # noqa: ANN001
    quiz_id = create_quiz(trainer)
    code = code_of(app, quiz_id)
    assert re.fullmatch(r"\d{6}", code)
    page = trainer.get(f"/live/host/{quiz_id}").get_data(as_text=True)
    assert f"{code[:3]} {code[3:]}" in page and "<svg" in page and "/live" in page
    assert "0 joined" in page


def test_a_full_quiz(app, trainer) -> None:  # noqa: ANN001
    quiz_id = create_quiz(trainer)
    code = code_of(app, quiz_id)
    asha = join(app, code, "Asha", "bn")
    babu = join(app, code, "Babu", "bn_BD")
    assert "অপেক্ষা" in asha.get(f"/live/{code}/play").get_data(as_text=True)
    act(trainer, quiz_id, "next")
    assert "Which drum wastes less water?" in trainer.get(f"/live/host/{quiz_id}").get_data(
        as_text=True
    )
    page = babu.get(f"/live/{code}/play").get_data(as_text=True)
    assert "কোন ড্রাম কম পানি নষ্ট করে?" in page  # each in their own language
    assert "কোন ড্রাম কম জল নষ্ট করে?" in asha.get(f"/live/{code}/play").get_data(as_text=True)
    assert answer(asha, code, 0, RIGHT_FORM["t-single"]) == (200, {"ok": True, "counted": True})
    assert answer(babu, code, 0, {"answer": "b"})[0] == 200
    assert "2 of 2 answered" in trainer.get(f"/live/host/{quiz_id}").get_data(as_text=True)
    act(trainer, quiz_id, "reveal")
    revealed = asha.get(f"/live/{code}/play").get_data(as_text=True)
    assert "ঠিক" in revealed and "+১০০" in revealed
    act(trainer, quiz_id, "leaderboard")
    board = babu.get(f"/live/{code}/play").get_data(as_text=True)
    assert "Asha" in board and "আপনি: ২ নম্বর স্থান, ০ পয়েন্ট" in board
    act(trainer, quiz_id, "next", "reveal", "next", "end")
    with app.app_context():
        quiz = db.session.get(LiveQuiz, quiz_id)
        assert quiz.status == "ended"
        scores = {p.name: p.score for p in quiz.participants}
    assert scores == {"Asha": 100, "Babu": 0}
    results = trainer.get(f"/live/host/{quiz_id}/results").get_data(as_text=True)
    assert "Asha" in results and "Item analysis" in results
    data = trainer.get(f"/live/host/{quiz_id}/results?format=csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(data.lstrip("\ufeff"))))
    assert rows[1][:2] == ["1", "Asha"] and rows[1][4] == "100.0"


def test_an_answer_counts_once(app, trainer) -> None:  # noqa: ANN001
    quiz_id = create_quiz(trainer)
    code = code_of(app, quiz_id)
    tablet = join(app, code, "Asha")
    act(trainer, quiz_id, "next")
    first = answer(tablet, code, 0, RIGHT_FORM["t-single"])
    again = answer(tablet, code, 0, {"answer": "b"})  # a retry, even with another choice
    assert first[1]["counted"] is True and again[1]["counted"] is False
    with app.app_context():
        assert db.session.query(LiveAnswer).count() == 1
        assert db.session.query(LiveParticipant).one().score == 100


def test_answers_after_the_question_closes_are_refused(app, trainer) -> None:  # noqa: ANN001
    quiz_id = create_quiz(trainer)
    code = code_of(app, quiz_id)
    tablet = join(app, code, "Late")
    act(trainer, quiz_id, "next", "close")
    status, body = answer(tablet, code, 0, RIGHT_FORM["t-single"])
    assert status == 409 and "This question is closed" in body["error"]
    act(trainer, quiz_id, "reveal", "next")
    assert answer(tablet, code, 0, RIGHT_FORM["t-single"])[0] == 409  # an old question
    with app.app_context():
        assert db.session.query(LiveAnswer).count() == 0


def test_a_countdown_closes_the_question_on_the_server(app, trainer) -> None:  # noqa: ANN001
    quiz_id = create_quiz(trainer, countdown=10)
    code = code_of(app, quiz_id)
    tablet = join(app, code, "Slow")
    act(trainer, quiz_id, "next")
    with app.app_context():
        quiz = db.session.get(LiveQuiz, quiz_id)
        quiz.question_deadline = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert answer(tablet, code, 0, RIGHT_FORM["t-single"])[0] == 409
    with app.app_context():
        assert db.session.get(LiveQuiz, quiz_id).status == "closed"


def test_reload_and_late_join(app, trainer) -> None:  # noqa: ANN001
    quiz_id = create_quiz(trainer)
    code = code_of(app, quiz_id)
    tablet = join(app, code, "Asha")
    act(trainer, quiz_id, "next")
    answer(tablet, code, 0, RIGHT_FORM["t-single"])
    # A reload (same cookie) returns to the quiz with the answer and the score.
    assert tablet.get(f"/live/{code}").headers["Location"] == f"/live/{code}/play"
    assert "Your answer is in" in tablet.get(f"/live/{code}/play").get_data(as_text=True)
    act(trainer, quiz_id, "reveal", "next")
    late = join(app, code, "Latecomer")
    page = late.get(f"/live/{code}/play").get_data(as_text=True)
    assert "Never enter a pit alone." in page  # straight into the current question
    assert "Score: 100" in tablet.get(f"/live/{code}/play").get_data(as_text=True)


def test_signed_in_learners_are_linked_and_rejoin_on_another_tablet(
    app, trainer, make_user
) -> None:  # noqa: ANN001
    quiz_id = create_quiz(trainer)
    code = code_of(app, quiz_id)
    learner = make_user(name="Rekha")
    first = app.test_client()
    login(first, learner.email)
    assert post(first, f"/live/{code}").headers["Location"] == f"/live/{code}/play"
    second = app.test_client()
    login(second, learner.email)
    post(second, f"/live/{code}")
    with app.app_context():
        people = db.session.query(LiveParticipant).all()
        assert [(p.name, p.user_id) for p in people] == [("Rekha", learner.id)]


def test_polling_answers_304_when_nothing_changed(app, trainer) -> None:  # noqa: ANN001
    quiz_id = create_quiz(trainer)
    code = code_of(app, quiz_id)
    tablet = join(app, code, "Asha")
    first = tablet.get(f"/live/{code}/state")
    etag = first.headers["ETag"]
    assert first.status_code == 200
    same = tablet.get(f"/live/{code}/state", headers={"If-None-Match": etag})
    assert same.status_code == 304 and same.data == b""
    act(trainer, quiz_id, "next")
    changed = tablet.get(f"/live/{code}/state", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "Which drum" in changed.get_data(as_text=True)
    host = trainer.get(f"/live/host/{quiz_id}/state")
    assert (
        trainer.get(
            f"/live/host/{quiz_id}/state", headers={"If-None-Match": host.headers["ETag"]}
        ).status_code
        == 304
    )
    answer(tablet, code, 0, RIGHT_FORM["t-single"])
    assert (
        trainer.get(
            f"/live/host/{quiz_id}/state", headers={"If-None-Match": host.headers["ETag"]}
        ).status_code
        == 200
    )  # the answered count moved


def test_wrong_codes_and_strangers(app, trainer) -> None:  # noqa: ANN001
    client = app.test_client()
    token = csrf_token(client, "/live")
    page = client.post("/live", data={"code": "000000", "csrf_token": token})
    assert "No live quiz with this code is running" in page.get_data(as_text=True)
    quiz_id = create_quiz(trainer)
    code = code_of(app, quiz_id)
    assert client.get(f"/live/{code}/state").status_code == 403  # not joined
    assert client.post(f"/live/{code}", data={"name": "  ", "csrf_token": token}).status_code == 400
    assert client.get("/live/host").status_code == 302  # the trainer's pages need sign-in


def test_speed_bonus_and_survey_modes(app) -> None:  # noqa: ANN001
    with app.app_context():
        quiz = LiveQuiz(title="t", module_id="m", items=[], mode="speed", countdown=20)
        now = utcnow()
        quiz.question_opened_at = now
        assert services.points_for(quiz, 1.0, now) == 100
        assert services.points_for(quiz, 1.0, now + timedelta(seconds=10)) == 75
        assert services.points_for(quiz, 1.0, now + timedelta(seconds=60)) == 50
        assert services.points_for(quiz, 0.0, now) == 0
        quiz.mode = "survey"
        assert services.points_for(quiz, 1.0, now) == 0
        quiz.mode = "correctness"
        assert services.points_for(quiz, 0.5, now + timedelta(seconds=60)) == 50


def test_pacing_refuses_steps_out_of_order(app, trainer) -> None:  # noqa: ANN001
    quiz_id = create_quiz(trainer)
    post(trainer, f"/live/host/{quiz_id}/leaderboard")
    page = trainer.get(f"/live/host/{quiz_id}").get_data(as_text=True)
    assert "That step is not possible now." in page
    with app.app_context():
        assert db.session.get(LiveQuiz, quiz_id).status == "lobby"


def test_live_results_join_the_learners_record(app, trainer, make_user) -> None:  # noqa: ANN001
    quiz_id = create_quiz(trainer)
    code = code_of(app, quiz_id)
    learner = make_user(name="Rekha")
    tablet = app.test_client()
    login(tablet, learner.email)
    post(tablet, f"/live/{code}")
    act(trainer, quiz_id, "next")
    answer(tablet, code, 0, RIGHT_FORM["t-single"])
    act(trainer, quiz_id, "reveal", "end")
    page = tablet.get("/my/record").get_data(as_text=True)
    assert "Quick check" in page and "Tangra, day 2" in page and ">100<" in page
    assert "1 / 3" in page
    stranger = app.test_client()
    login(stranger, make_user().email)
    assert "Quick check" not in stranger.get("/my/record").get_data(as_text=True)
