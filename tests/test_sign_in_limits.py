"""Sign-in limits that slow a guesser down without locking a training hall out (OWASP ASVS 2.2,
device cookies): a hall of 60 behind one router signs in through its typos; a guesser waits
longer and longer; the owner's own browser signs in during an attack; failures at once count one
after the other; only the real client address counts; no e-mail address is kept."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from werkzeug.security import generate_password_hash

from lms.accounts.models import User, UserRole
from lms.db import db
from tests.conftest import PASSWORD, login, post
from tests.processes import Browser, Gunicorn, server_env


@pytest.fixture
def server(app: Flask, tmp_path: Path) -> Iterator[Gunicorn]:
    """``gunicorn -w 2 --threads 8 wsgi:app`` on the test database: one address, a hall."""
    gunicorn = Gunicorn(server_env(app), tmp_path / "gunicorn.log", workers=2, threads=8)
    try:
        yield gunicorn
    finally:
        gunicorn.stop()


def learners(app: Flask, count: int) -> list[str]:
    """``count`` learner accounts with PASSWORD; their e-mails. The hash is a quick one (this
    is about counting tries, not about the hash), made once."""
    hashed = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    emails = [f"learner{n}@example.org" for n in range(count)]
    with app.app_context():
        for n, email in enumerate(emails):
            user = User(email=email, name=f"Learner {n}", password_hash=hashed)
            user.role_rows = [UserRole(role="learner")]
            db.session.add(user)
        db.session.commit()
    return emails


def earlier(app: Flask, seconds: int) -> None:
    """Every counted failure ``seconds`` further in the past (time passes, without sleeping)."""
    from lms.throttle import ThrottleEvent

    with app.app_context():
        for row in db.session.scalars(select(ThrottleEvent)):
            row.at -= timedelta(seconds=seconds)
        db.session.commit()


def sign_in(port: int, email: str, password: str) -> int:
    tablet = Browser(port)
    form = {"email": email, "password": password, "csrf_token": tablet.token("/login")}
    return tablet.request("POST", "/login", form)[0]


def test_sixty_learners_behind_one_address_sign_in_through_their_typos(
    app: Flask, server: Gunicorn
) -> None:
    emails = learners(app, 60)

    def learner(email: str) -> list[int]:
        name, _, domain = email.partition("@")
        typo = f"{name}@{domain.replace('example', 'exmaple')}"  # a mistyped address
        tries = [(typo, PASSWORD), (email, "correct hrose battery"), (email, "Correct horse")]
        statuses = [sign_in(server.port, address, password) for address, password in tries]
        return [*statuses, sign_in(server.port, email, PASSWORD)]

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(learner, emails))
    assert results == [[401, 401, 401, 302]] * 60


FLASH = re.compile(r'<p class="flash flash-error" role="alert">(.*?)</p>', re.S)


def refusal(response) -> str:  # noqa: ANN001
    """The message of a refused sign-in (429)."""
    assert response.status_code == 429, response.status_code
    return FLASH.search(response.get_data(as_text=True)).group(1)


def test_a_guesser_waits_longer_after_each_failure(app: Flask, make_user) -> None:  # noqa: ANN001
    app.config["LMS_LOGIN_MAX_DELAY"] = 30
    user = make_user()
    guesser = app.test_client()
    for _ in range(5):  # the first five are free
        assert login(guesser, user.email, "guess!").status_code == 401
    for wait in (5, 10, 20, 30, 30):
        too_soon = login(guesser, user.email)  # the right password, even: not checked now
        assert (
            refusal(too_soon)
            == f"Too many wrong attempts. Please wait {wait} seconds, then try again."
        )
        assert too_soon.headers["Retry-After"] == str(wait)
        earlier(app, wait - 1)
        assert login(guesser, user.email).status_code == 429  # a second early
        earlier(app, 1)
        assert login(guesser, user.email, "guess!").status_code == 401  # taken, and wrong
    earlier(app, 30)
    assert login(guesser, user.email).status_code == 302  # the owner, after all


def test_the_wait_is_told_in_the_learners_language(app: Flask, make_user) -> None:  # noqa: ANN001
    app.config["LMS_LOGIN_FREE_FAILURES"] = 1
    user = make_user()
    bengali = {"Accept-Language": "bn-IN,bn;q=0.9"}
    client = app.test_client()
    assert login(client, user.email, "guess!", headers=bengali).status_code == 401
    for delay, shown in ((5, "৫"), (75, "২")):  # 5 seconds; 75 seconds: 2 minutes
        app.config["LMS_LOGIN_DELAY"] = delay
        answer = login(client, user.email, headers=bengali)
        message = refusal(answer)
        assert shown in message and not any(digit in message for digit in "0123456789")
        assert '<html lang="bn-IN">' in answer.get_data(as_text=True)


def attack(app: Flask, email: str, addresses: list[str], tries: int) -> list[int]:
    """``tries`` wrong passwords for ``email`` from each address (no device cookie)."""
    statuses = []
    for address in addresses:
        attacker = app.test_client()
        attacker.environ_base["REMOTE_ADDR"] = address
        statuses += [login(attacker, email, "guess!").status_code for _ in range(tries)]
    return statuses


def test_the_owners_own_browser_signs_in_during_an_attack(app: Flask, make_user) -> None:  # noqa: ANN001
    owner, other = make_user(name="Rahima Khatun"), make_user()
    tablet = app.test_client()  # in the hall, at 127.0.0.1 like the attacker's first tablet
    assert login(tablet, owner.email).status_code == 302  # signed in here before
    post(tablet, "/logout")
    hall_and_elsewhere = ["127.0.0.1", *(f"198.51.100.{n}" for n in range(1, 10))]
    statuses = attack(app, owner.email, hall_and_elsewhere, 5)
    assert login(tablet, owner.email).status_code == 302  # the owner's tablet: let in
    assert statuses[:20] == [401] * 20 and set(statuses[20:]) == {429}  # 20 from anywhere
    stranger = app.test_client()
    assert login(stranger, owner.email).status_code == 429  # the right password, unknown client
    post(tablet, "/logout")
    attack(app, other.email, hall_and_elsewhere, 5)  # the tablet's cookie is not for this one
    assert login(tablet, other.email).status_code == 429
    forged = app.test_client()
    forged.set_cookie("lms_device", tablet.get_cookie("lms_device", path="/login").value + "x")
    assert login(forged, owner.email).status_code == 429


def test_failures_at_once_are_counted_one_after_the_other(
    app: Flask, server: Gunicorn, make_user
) -> None:  # noqa: ANN001
    user = make_user()
    tablets = [Browser(server.port) for _ in range(12)]
    tokens = [tablet.token("/login") for tablet in tablets]
    start = threading.Barrier(len(tablets))

    def guess(n: int) -> int:
        start.wait()
        form = {"email": user.email, "password": f"guess {n}", "csrf_token": tokens[n]}
        return tablets[n].request("POST", "/login", form)[0]

    with ThreadPoolExecutor(max_workers=len(tablets)) as pool:
        statuses = sorted(pool.map(guess, range(len(tablets))))
    assert statuses == [401] * 5 + [429] * 7  # five free tries, the others must wait
    with app.app_context():
        rows = db.session.execute(text("SELECT count(*) FROM lms_throttle")).scalar()
    assert rows == 5


def test_only_the_real_client_address_counts(make_app: Callable[..., Flask]) -> None:
    for proxies, sixth in ((0, 429), (1, 302)):
        app = make_app(LMS_PROXY_FIX=proxies)
        with app.app_context():
            from lms.accounts import services

            email = services.create_user("a@example.org", "A", PASSWORD, ["learner"]).email
        client = app.test_client()  # at 127.0.0.1: a client, or a proxy passing requests on
        for n in range(5):
            claim = {"X-Forwarded-For": f"203.0.113.{n}"}
            assert login(client, email, "guess!", headers=claim).status_code == 401
        answer = login(client, email, headers={"X-Forwarded-For": "203.0.113.99"})
        assert answer.status_code == sixth, proxies
        if sixth == 429:  # a claimed address is no new client: this one must wait
            assert "Please wait 5 seconds" in answer.get_data(as_text=True)


def test_failures_keep_no_email_and_old_ones_are_deleted(app: Flask, client: FlaskClient) -> None:
    from lms.throttle import ThrottleEvent

    for n in range(3):
        login(client, f"Someone{n}@Example.org ", "guess!")
    with app.app_context():
        rows = db.session.scalars(select(ThrottleEvent)).all()
        kept = " ".join(f"{r.scope} {r.key} {r.subject}" for r in rows).lower()
    assert len(rows) == 3 and "example.org" not in kept and "someone" not in kept
    assert {r.key for r in rows} == {"127.0.0.1"}
    earlier(app, app.config["LMS_LOGIN_WINDOW"] + 1)
    login(client, "someone@example.org", "guess!")
    with app.app_context():
        assert len(db.session.scalars(select(ThrottleEvent)).all()) == 1


def test_a_switched_off_account_is_no_guess(app: Flask, make_user) -> None:  # noqa: ANN001
    from lms.accounts import services

    user = make_user()
    with app.app_context():
        services.set_active(db.session.get(User, user.id), False)
    client = app.test_client()
    for _ in range(8):
        assert login(client, user.email).status_code == 401  # told it is switched off
    assert "switched off" in login(client, user.email).get_data(as_text=True)
