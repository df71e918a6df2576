"""The room's screen of a live quiz (the projector, issue 16.3): no buttons, top bar or sign-out;
the code in the reader's digits and a QR code of the join link; every step of the quiz; and
codes typed in Bengali digits, and the guest's name field (issue 16.4)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import segno
from flask import Flask
from flask.testing import FlaskClient

from lms.db import db
from lms.live.models import LiveQuiz
from tests.conftest import csrf_token, login, write_module
from tests.quiz_bank import QUIZ_YAML, RIGHT_FORM
from tests.test_live import act, answer, code_of, create_quiz, join


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


def body(page: str) -> str:
    return page[page.index("<body") :]


def screen(trainer: FlaskClient, quiz_id: int) -> str:
    response = trainer.get(f"/live/host/{quiz_id}/screen")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def room(trainer: FlaskClient, quiz_id: int) -> str:
    """The room's screen's fragment now (what live.js puts in at each change)."""
    response = trainer.get(f"/live/host/{quiz_id}/screen/state")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def with_code(app: Flask, quiz_id: int, code: str) -> None:
    with app.app_context():
        db.session.get(LiveQuiz, quiz_id).code = code
        db.session.commit()


def test_the_room_screen_has_no_buttons_top_bar_or_sign_out(app, trainer) -> None:  # noqa: ANN001
    quiz_id = create_quiz(trainer)
    host = trainer.get(f"/live/host/{quiz_id}").get_data(as_text=True)
    assert "Sign out" in host and "Close the question" not in host
    link = re.search(r'<a class="button" href="([^"]+)" target="_blank" rel="noopener">', host)
    assert link and link.group(1) == f"/live/host/{quiz_id}/screen"
    for step in ("", "next", "close", "reveal", "leaderboard"):
        if step:
            act(trainer, quiz_id, step)
        page = body(screen(trainer, quiz_id))
        for shown in (page, room(trainer, quiz_id)):
            assert "Sign out" not in shown and "Switch learner" not in shown
            assert "<form" not in shown  # no trainer's buttons, no language switch
            assert "Dakshata" not in shown and 'class="brand"' not in shown  # no top bar
        assert '<button type="button" class="button room-full" data-full-screen hidden>' in page
        assert f'data-poll="/live/host/{quiz_id}/screen/state"' in page
        assert f'data-events="/live/host/{quiz_id}/events"' in page
    assert "End the quiz" not in room(trainer, quiz_id)
    assert "End the quiz" in trainer.get(f"/live/host/{quiz_id}/state").get_data(as_text=True)


def test_the_code_is_in_the_readers_digits_and_the_qr_is_the_join_link(app, trainer) -> None:  # noqa: ANN001
    quiz_id = create_quiz(trainer, countdown=30)
    with_code(app, quiz_id, "386006")
    trainer.set_cookie("lms_locale", "bn")
    lobby = screen(trainer, quiz_id)
    assert '<p class="room-code">৩৮৬ ০০৬</p>' in lobby
    assert "http://localhost/live-এ" in lobby  # the link stays as it is typed
    qr = segno.make("http://localhost/live/386006", error="m").svg_inline(border=2, omitsize=True)
    assert qr in lobby
    assert '<p class="join-code">৩৮৬ ০০৬</p>' in trainer.get(f"/live/host/{quiz_id}").get_data(
        as_text=True
    )
    act(trainer, quiz_id, "next")
    question = room(trainer, quiz_id)
    assert '<strong class="room-code-small">৩৮৬ ০০৬</strong>' in question  # for late joiners
    assert "386" not in question and qr not in question
    seconds = re.search(r'<span class="timer" data-deadline="\d+" [^>]*>([^<]+)</span>', question)
    assert seconds and re.match(r"(৩০|২৯|২৮) ", seconds.group(1))
    trainer.set_cookie("lms_locale", "en")
    assert '<strong class="room-code-small">386 006</strong>' in room(trainer, quiz_id)


def test_the_room_screen_follows_every_step(app, trainer) -> None:  # noqa: ANN001
    quiz_id = create_quiz(trainer)
    with_code(app, quiz_id, "386006")
    assert "0 joined" in room(trainer, quiz_id)
    asha, babu = join(app, "386006", "Asha"), join(app, "386006", "Babu")
    lobby = room(trainer, quiz_id)
    assert '<p class="room-joined">2 joined</p>' in lobby
    assert re.search(r"<li>Babu</li><li>Asha</li>", lobby)  # the latest first

    act(trainer, quiz_id, "next")
    question = room(trainer, quiz_id)
    assert '<h1 class="room-stem">Which drum wastes less water?</h1>' in question
    options = re.findall(
        r'<li class="room-option (shape-\d)"><span><span class="letter">(\w)', question
    )
    assert options == [("shape-0", "A"), ("shape-1", "B")]  # as the tablets show them
    assert "0 of 2 answered" in question
    answer(asha, "386006", 0, RIGHT_FORM["t-single"])
    answer(babu, "386006", 0, {"answer": "b"})
    assert "2 of 2 answered" in room(trainer, quiz_id)

    act(trainer, quiz_id, "close")
    assert "This question is closed." in room(trainer, quiz_id)
    act(trainer, quiz_id, "reveal")
    revealed = room(trainer, quiz_id)
    rows = re.findall(
        r'<li class="bar-row shape-\d( right)?">\s*<span class="bar-label">', revealed
    )
    assert rows == [" right", ""]
    assert re.findall(r'<span class="bar-n">(\d+)</span>', revealed) == ["1", "1"]
    act(trainer, quiz_id, "leaderboard")
    board = room(trainer, quiz_id)
    assert "Leaderboard" in board
    assert re.search(r"<li><span>1\. Asha</span> <strong>100</strong></li>", board)

    act(trainer, quiz_id, "next")
    true_false = room(trainer, quiz_id)
    assert "Never enter a pit alone." in true_false
    assert re.findall(r'class="room-option shape-\d"><span>(\w+)</span>', true_false) == [
        "True",
        "False",
    ]
    act(trainer, quiz_id, "end")
    ended = room(trainer, quiz_id)
    assert "data-ended" in ended and "The quiz has ended. Thank you!" in ended
    assert "room-code-small" not in ended  # nobody joins an ended quiz


def test_a_survey_shows_no_scores_to_the_room(app, trainer) -> None:  # noqa: ANN001
    quiz_id = create_quiz(trainer, mode="survey")
    code = code_of(app, quiz_id)
    tablet = join(app, code, "Asha")
    act(trainer, quiz_id, "next")
    answer(tablet, code, 0, RIGHT_FORM["t-single"])
    act(trainer, quiz_id, "reveal")
    assert " right" not in room(trainer, quiz_id)
    act(trainer, quiz_id, "leaderboard")
    board = room(trainer, quiz_id)
    assert "Leaderboard" in board and "Asha" not in board


def test_the_room_screens_state_is_asked_with_its_etag(app, trainer) -> None:  # noqa: ANN001
    quiz_id = create_quiz(trainer)
    first = trainer.get(f"/live/host/{quiz_id}/screen/state")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-store"
    same = trainer.get(f"/live/host/{quiz_id}/screen/state", headers={"If-None-Match": etag})
    assert same.status_code == 304 and same.data == b""
    assert etag != trainer.get(f"/live/host/{quiz_id}/state").headers["ETag"]
    join(app, code_of(app, quiz_id), "Asha")
    joined = trainer.get(f"/live/host/{quiz_id}/screen/state", headers={"If-None-Match": etag})
    assert joined.status_code == 200 and "1 joined" in joined.get_data(as_text=True)
    trainer.set_cookie("lms_locale", "bn")
    etag = joined.headers["ETag"]
    other = trainer.get(f"/live/host/{quiz_id}/screen/state", headers={"If-None-Match": etag})
    assert other.status_code == 200 and "১ জন যোগ দিয়েছেন" in other.get_data(as_text=True)


@pytest.mark.parametrize("typed", ["৩৮৬০০৬", "৩৮৬ ০০৬", " ৩৮৬ ০০৬ "])
def test_a_code_typed_in_bengali_digits_finds_the_quiz(app, trainer, typed: str) -> None:  # noqa: ANN001
    quiz_id = create_quiz(trainer)
    with_code(app, quiz_id, "386006")
    tablet = app.test_client()
    tablet.set_cookie("lms_locale", "bn")
    token = csrf_token(tablet, "/live")
    found = tablet.post("/live", data={"code": typed, "csrf_token": token})
    assert found.status_code == 302 and found.headers["Location"] == "/live/386006"
    wrong = tablet.post("/live", data={"code": "৩৮৬০০৭", "csrf_token": token})
    assert wrong.status_code == 200 and "Location" not in wrong.headers


def test_the_guests_name_field_is_a_text_field_like_the_others(app, trainer) -> None:  # noqa: ANN001
    quiz_id = create_quiz(trainer)
    page = app.test_client().get(f"/live/{code_of(app, quiz_id)}").get_data(as_text=True)
    field = re.search(r'<input id="name"[^>]*>', page)
    assert field and 'type="text"' in field.group(0) and 'class="name-input"' in field.group(0)
