"""Pages about the signed-in person are never stored by the browser (``Cache-Control: no-store``,
``Vary: Cookie``): on a shared tablet, neither its cache nor Back after *Switch learner* shows
the previous learner's name and scores. The browser's own view of it: tests/browser/
test_back_after_switch.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lms.certificates import services as certificates
from lms.content import services as content
from lms.live import services as live
from lms.quiz import services as quiz
from tests.conftest import login, post, write_module
from tests.quiz_bank import QUIZ_YAML, RIGHT


@pytest.fixture
def app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    root = tmp_path / "content"
    folder = write_module(root, "tanning", title="Tanning basics", bn="auto", bn_BD="auto")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    return make_app(LMS_CONTENT_DIR=str(root))


def learner_with_results(app: Flask, user_id: int) -> dict[str, str]:
    """A passed post-test with its certificate, and an open pre-test: their ids."""
    with app.app_context():
        module = content.library().get("tanning")
        open_attempt = quiz.start_attempt(user_id, module, "pre", "en")
        content.save_position(user_id, "tanning", 3, 3, finished=True)
        attempt = quiz.start_attempt(user_id, module, "post", "en")
        for entry in attempt.items:
            quiz.save_answer(attempt, entry["id"], RIGHT[entry["id"]])
        quiz.submit(attempt)
        found = certificates.find(user_id, "module", "tanning")
        assert found is not None
        return {"result": str(attempt.id), "certificate": found.code, "open": str(open_attempt.id)}


def live_quiz(app: Flask, trainer_id: int) -> tuple[int, str]:
    with app.app_context():
        bank = quiz.bank_for(content.library().get("tanning"))
        made = live.create(
            bank,
            "tanning",
            ["t-single"],
            title="Cache",
            mode="correctness",
            countdown=0,
            session_label="",
            user_id=trainer_id,
        )
        live.start(made)
        return made.id, made.code


def not_stored(client: FlaskClient, path: str) -> str | None:
    """``None`` when ``path`` answers 200 with no-store and Vary: Cookie, else what came."""
    response = client.get(path)
    response.close()
    cache = response.headers.get("Cache-Control", "")
    vary = response.headers.get("Vary", "")
    good = response.status_code == 200 and "no-store" in cache and "Cookie" in vary
    return None if good else f"{path}: {response.status_code} {cache!r} vary {vary!r}"


def test_personal_pages_are_never_stored(app: Flask, make_user) -> None:  # noqa: ANN001
    learner, trainer = make_user(name="Rahima Khatun"), make_user("trainer")
    ids = learner_with_results(app, learner.id)
    quiz_id, code = live_quiz(app, trainer.id)
    tablet, screen = app.test_client(), app.test_client()
    login(tablet, learner.email)
    login(screen, trainer.email)
    assert post(tablet, f"/live/{code}").status_code == 302
    learner_pages = [
        "/",
        "/my/record",
        "/programme/my-data.json",
        "/certificates",
        f"/certificates/{ids['certificate']}.pdf",
        "/settings",
        f"/quiz/attempt/{ids['result']}/result",
        f"/quiz/attempt/{ids['open']}/1",
        f"/quiz/attempt/{ids['open']}/review",
        f"/live/{code}/play",
        f"/live/{code}/state",
    ]
    trainer_pages = ["/quiz/results", f"/live/host/{quiz_id}", f"/live/host/{quiz_id}/state"]
    stored = [not_stored(tablet, path) for path in learner_pages]
    stored += [not_stored(screen, path) for path in trainer_pages]
    assert [problem for problem in stored if problem] == []


def test_static_files_and_public_pages_stay_cacheable(app: Flask, make_user) -> None:  # noqa: ANN001
    client = app.test_client()
    login(client, make_user().email)
    style = client.get("/lms-static/lms.css")
    assert style.status_code == 200 and "no-store" not in style.headers.get("Cache-Control", "")
    style.close()
    anonymous = app.test_client().get("/login")
    assert "no-store" not in anonymous.headers.get("Cache-Control", "")


def test_an_anonymous_participants_live_state_is_not_stored(app: Flask, make_user) -> None:  # noqa: ANN001
    _id, code = live_quiz(app, make_user("trainer").id)
    tablet = app.test_client()
    assert post(tablet, f"/live/{code}", {"name": "Asha"}).status_code == 302
    first = tablet.get(f"/live/{code}/state")
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    again = tablet.get(f"/live/{code}/state", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.headers["Cache-Control"] == "no-store"
