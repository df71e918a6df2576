"""Sign-out, *Switch learner* and the idle timeout end a session on the server: a copy of the
session cookie saved before is worth nothing after (over HTTP, on gunicorn). Polling pages do not
keep a tablet signed in."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from lms.content import services as content
from lms.db import db, utcnow
from lms.live import services as live
from lms.quiz import services as quiz_services
from tests.conftest import PASSWORD, csrf_token, login, post, write_module
from tests.processes import Browser, Gunicorn, server_env
from tests.quiz_bank import QUIZ_YAML

PERSONAL = ("/my/record", "/programme/my-data.json")


@pytest.fixture
def app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    folder = write_module(tmp_path / "content", "tanning", bn="auto", bn_BD="auto")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    return make_app(LMS_CONTENT_DIR=str(tmp_path / "content"))


@pytest.fixture
def serve(app: Flask, tmp_path: Path) -> Iterator[Callable[..., Gunicorn]]:
    """``serve(**env)``: gunicorn on the test database with these ``LMS_*`` settings."""
    started: list[Gunicorn] = []

    def start(**env: str) -> Gunicorn:
        log = tmp_path / f"gunicorn{len(started)}.log"
        started.append(Gunicorn(server_env(app, **env), log, workers=2))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def signed_in(port: int, email: str) -> Browser:
    tablet = Browser(port)
    form = {"email": email, "password": PASSWORD, "csrf_token": tablet.token("/login")}
    status, headers, _text = tablet.request("POST", "/login", form)
    assert status == 302 and headers["Location"] == "/", headers
    return tablet


def refused(port: int, cookies: dict[str, str], path: str) -> bool:
    """Whether a request with ``cookies`` is sent to sign in (or refused) instead of served."""
    status, headers, _text = Browser(port, cookies).request("GET", path)
    return status in (401, 403) or (status == 302 and headers["Location"].startswith("/login"))


@pytest.mark.parametrize("action", ["/logout", "/switch"])
def test_a_cookie_saved_before_signing_out_signs_nobody_in_after(
    serve: Callable[..., Gunicorn], make_user, action: str
) -> None:  # noqa: ANN001
    server = serve()
    user = make_user(name="Rahima Khatun")
    tablet = signed_in(server.port, user.email)
    saved = dict(tablet.cookies)  # what someone copied from the tablet while signed in
    for path in PERSONAL:
        assert Browser(server.port, saved).request("GET", path)[0] == 200, path
    token = tablet.token("/settings")
    assert tablet.request("POST", action, {"csrf_token": token})[0] == 302
    for path in PERSONAL:
        assert refused(server.port, saved, path), path
        assert refused(server.port, tablet.cookies, path), path
    # The next learner signs in on the tablet; the old cookie stays worthless.
    assert signed_in(server.port, make_user().email).request("GET", "/my/record")[0] == 200
    assert refused(server.port, saved, "/my/record")


def test_a_cookie_saved_at_sign_in_is_refused_once_idle(
    serve: Callable[..., Gunicorn], make_user
) -> None:  # noqa: ANN001
    server = serve(LMS_IDLE_TIMEOUT="2")
    tablet = signed_in(server.port, make_user().email)
    saved = dict(tablet.cookies)  # the cookie of the sign-in answer
    assert Browser(server.port, saved).request("GET", "/my/record")[0] == 200
    time.sleep(3)  # longer than the idle timeout, once
    for path in PERSONAL:
        assert refused(server.port, saved, path), path


def idle_since(app: Flask, seconds: int) -> None:
    """Every session's last activity ``seconds`` ago, as if nobody had touched a tablet."""
    from lms.sessions import SignInSession

    with app.app_context():
        ago = utcnow() - timedelta(seconds=seconds)
        db.session.execute(update(SignInSession).values(last_seen_at=ago))
        db.session.commit()


def test_idle_is_measured_on_the_server(
    app: Flask, serve: Callable[..., Gunicorn], make_user
) -> None:  # noqa: ANN001
    """The report's case: timeout 45 s, the saved cookie replayed at 0, 50 and 100 s."""
    from lms.sessions import SignInSession

    server = serve(LMS_IDLE_TIMEOUT="45")
    saved = dict(signed_in(server.port, make_user().email).cookies)
    assert Browser(server.port, saved).request("GET", "/my/record")[0] == 200  # 0 s
    idle_since(app, 50)
    assert refused(server.port, saved, "/my/record")  # 50 s
    idle_since(app, 100)
    assert refused(server.port, saved, "/programme/my-data.json")  # 100 s
    with app.app_context():
        assert db.session.scalars(select(SignInSession.end_reason)).all() == ["idle"]


def test_activity_is_noted_at_most_every_30_seconds(
    app: Flask, client: FlaskClient, make_user
) -> None:  # noqa: ANN001
    from lms.sessions import SignInSession

    app.config["LMS_IDLE_TIMEOUT"] = 900
    login(client, make_user().email)

    def last_seen() -> float:
        with app.app_context():
            seen = db.session.scalar(select(SignInSession.last_seen_at))
            return (utcnow() - seen).total_seconds()

    idle_since(app, 20)
    assert client.get("/my/record").status_code == 200
    assert last_seen() >= 20  # no write: noted 20 s ago is recent enough
    idle_since(app, 31)
    assert client.get("/my/record").status_code == 200
    assert last_seen() < 5  # noted now


# Polling does not keep a tablet signed in.


def running_quiz(app: Flask, trainer_id: int) -> tuple[int, str]:
    with app.app_context():
        bank = quiz_services.bank_for(content.library().get("tanning"))
        quiz = live.create(
            bank,
            "tanning",
            ["t-single"],
            title="Idle",
            mode="correctness",
            countdown=0,
            session_label="",
            user_id=trainer_id,
        )
        live.start(quiz)
        return quiz.id, quiz.code


def test_polling_a_live_quiz_does_not_extend_the_idle_timeout(app: Flask, make_user) -> None:  # noqa: ANN001
    from lms.sessions import SignInSession

    app.config["LMS_IDLE_TIMEOUT"] = 60
    trainer, learner = make_user("trainer"), make_user()
    quiz_id, code = running_quiz(app, trainer.id)
    tablet, screen = app.test_client(), app.test_client()
    login(screen, trainer.email)
    login(tablet, learner.email)
    assert post(tablet, f"/live/{code}").status_code == 302  # joined, signed in
    polls = {tablet: f"/live/{code}/state", screen: f"/live/host/{quiz_id}/state"}
    idle_since(app, 50)
    for client, poll in polls.items():
        assert client.get(poll).status_code == 200, poll
    with app.app_context():  # polling is no activity: nothing was noted
        seen = db.session.scalars(select(SignInSession.last_seen_at)).all()
        assert all((utcnow() - at).total_seconds() >= 50 for at in seen)
    idle_since(app, 61)
    for client, poll in polls.items():
        answer = client.get(poll)
        assert answer.status_code == 401, poll  # the page's script reloads and shows sign-in
        assert client.get("/my/record").status_code == 302
    with app.app_context():
        reasons = db.session.scalars(select(SignInSession.end_reason)).all()
        assert reasons == ["idle", "idle"]


def test_a_new_password_ends_the_other_sessions_on_the_server(app: Flask, make_user) -> None:  # noqa: ANN001
    from lms.sessions import SignInSession

    user = make_user()
    tablet, phone = app.test_client(), app.test_client()
    login(tablet, user.email)
    login(phone, user.email)
    token = csrf_token(tablet, "/settings")
    form = {
        "csrf_token": token,
        "which": "password",
        "password-csrf_token": token,
        "password-current_password": PASSWORD,
        "password-new_password": "a new long password",
        "password-confirm": "a new long password",
    }
    assert tablet.post("/settings", data=form).status_code == 302
    assert tablet.get("/my/record").status_code == 200
    assert phone.get("/my/record").status_code == 302
    with app.app_context():
        ended = db.session.scalars(select(SignInSession.end_reason)).all()
    assert sorted(ended, key=str) == sorted([None, "password"], key=str)
