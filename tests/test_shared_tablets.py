"""Shared tablets (issue 16.9): the check-in page names whose attendance it marks and refuses a
wrong day before any tap; "Switch learner" is for learners; "I'm still here" on the idle warning
resets the server's idle timer."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lms.db import db, utcnow
from lms.programme.models import TrainingSession
from lms.programme.sessions import training
from lms.sessions import SignInSession
from tests.conftest import csrf_token, login, post
from tests.test_programme_sessions import people  # noqa: F401 (a fixture)

BUTTON = "I am here"


def _checkin(people: dict) -> str:  # noqa: F811
    return f"/programme/checkin/{people['token']}"


def test_the_check_in_page_names_the_person_and_offers_not_you(
    client: FlaskClient,
    people: dict,  # noqa: F811
) -> None:
    checkin = _checkin(people)
    login(client, people["owner"].email)
    page = client.get(checkin).get_data(as_text=True)
    assert "You are marking attendance for: Asha" in page and BUTTON in page
    form = re.search(r'<div class="checkin-who">.*?</div>', page, re.S)
    assert form and 'action="/switch"' in form.group(0)
    assert f'name="next" value="{checkin}"' in form.group(0)
    # "Not you?": signed out, and the next person's sign-in comes back to the check-in page.
    switched = post(client, "/switch", {"next": checkin})
    assert switched.headers["Location"] == f"/login?next={checkin}"
    assert client.get(checkin).status_code == 302  # nobody is signed in any more
    back = login(client, people["stranger"].email, query_string={"next": checkin})
    assert back.headers["Location"] == checkin
    page = client.get(checkin).get_data(as_text=True)
    assert "You are marking attendance for: Stranger" in page


def test_a_foreign_next_after_not_you_is_dropped(client: FlaskClient, make_user) -> None:  # noqa: ANN001
    login(client, make_user().email)
    switched = post(client, "/switch", {"next": "https://evil.example/"})
    assert switched.headers["Location"] == "/login"


def test_a_wrong_day_is_said_before_any_tap(
    app: Flask,
    client: FlaskClient,
    people: dict,  # noqa: F811
) -> None:
    checkin = _checkin(people)
    login(client, people["owner"].email)
    with app.app_context():
        session = db.session.get(TrainingSession, people["session"])
        session.held_on = training.session_today(session) + dt.timedelta(days=1)
        db.session.commit()
    page = client.get(checkin).get_data(as_text=True)
    assert "only on the day of the session" in page and BUTTON not in page
    assert "You are marking attendance for: Asha" in page
    with app.app_context():
        assert db.session.get(TrainingSession, people["session"]).present == 0


def test_an_unlinked_account_is_told_before_any_tap(
    client: FlaskClient,
    people: dict,  # noqa: F811
) -> None:
    login(client, people["stranger"].email)
    page = client.get(_checkin(people)).get_data(as_text=True)
    assert "not linked to a participant record" in page and BUTTON not in page


@pytest.mark.parametrize(
    ("roles", "offered"),
    [
        ("learner", True),
        ("trainer", False),
        ("author", False),
        ("admin", False),
        (["learner", "trainer"], False),
    ],
)
def test_switch_learner_is_offered_to_learners_only(
    client: FlaskClient, make_user, roles: str | list[str], offered: bool
) -> None:  # noqa: ANN001
    login(client, make_user(roles).email)
    page = client.get("/").get_data(as_text=True)
    assert ("Switch learner" in page) is offered
    assert 'id="sign-out-form"' in page


def _session_row(app: Flask, user_id: int) -> SignInSession:
    with app.app_context():
        return db.session.scalars(
            select(SignInSession).where(
                SignInSession.user_id == user_id, SignInSession.ended_at.is_(None)
            )
        ).one()


def _idle_since(app: Flask, user_id: int, seconds: int) -> None:
    with app.app_context():
        row = db.session.get(SignInSession, _session_row(app, user_id).id)
        row.last_seen_at = utcnow() - dt.timedelta(seconds=seconds)
        db.session.commit()


@pytest.fixture
def idle_app(make_app: Callable[..., Flask]) -> Flask:
    return make_app(LMS_IDLE_TIMEOUT=120)


def _learner(app: Flask) -> tuple[FlaskClient, int]:
    from lms.accounts.services import create_user
    from tests.conftest import PASSWORD

    with app.app_context():
        user_id = create_user("mina@example.org", "Mina", PASSWORD).id
    client = app.test_client()
    login(client, "mina@example.org")
    return client, user_id


def test_still_here_resets_the_idle_timer(idle_app: Flask) -> None:
    client, user_id = _learner(idle_app)
    token = csrf_token(client, "/")
    _idle_since(idle_app, user_id, 100)  # the warning is showing
    kept = client.post("/still-here", headers={"X-CSRFToken": token})
    assert kept.status_code == 204
    seen = _session_row(idle_app, user_id).last_seen_at
    assert (utcnow() - seen).total_seconds() < 5
    assert client.get("/").status_code == 200


def test_still_here_needs_the_csrf_token(idle_app: Flask) -> None:
    client, _ = _learner(idle_app)
    assert client.post("/still-here").status_code == 400


def test_still_here_too_late_signs_nobody_in_again(idle_app: Flask) -> None:
    client, user_id = _learner(idle_app)
    token = csrf_token(client, "/")
    _idle_since(idle_app, user_id, 121)
    late = client.post("/still-here", headers={"X-CSRFToken": token})
    assert late.status_code == 302 and late.headers["Location"].startswith("/login")
    assert client.get("/settings").status_code == 302


def test_the_idle_warning_is_in_the_pages_language_and_digits(idle_app: Flask) -> None:
    client, _ = _learner(idle_app)
    post(client, "/language", {"locale": "bn", "next": "/"})
    page = client.get("/").get_data(as_text=True)
    warning = re.search(r'<div class="idle-warning" id="idle-warning"[^>]*>', page)
    assert warning and " hidden" in warning.group(0)
    assert 'data-still-here="/still-here"' in warning.group(0)
    assert 'data-digits="০১২৩৪৫৬৭৮৯"' in warning.group(0)
    assert "{n}" in warning.group(0) and 'id="idle-still-here"' in page


def test_no_idle_warning_without_an_idle_timeout(make_app: Callable[..., Flask]) -> None:
    app = make_app(LMS_IDLE_TIMEOUT=0)
    client, _ = _learner(app)
    page = client.get("/").get_data(as_text=True)
    assert 'id="idle-warning"' not in page and 'data-idle-timeout="0"' in page
