"""Live-quiz codes cannot be guessed quickly, and anonymous joins are bounded, per client address
(over HTTP, on gunicorn): a hall of 60 behind one router still joins at once, a guesser among
them is stopped after a few dozen wrong codes, and the refusals are 429s in the user's language."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from markupsafe import escape
from sqlalchemy import select, text

from lms.content import services as content
from lms.db import db
from lms.i18n import gettext_in
from lms.live import services as live
from lms.quiz import services as quiz_services
from tests.conftest import PASSWORD, write_module
from tests.processes import Browser, Gunicorn, server_env
from tests.quiz_bank import QUIZ_YAML

BENGALI = {"Accept-Language": "bn-IN,bn;q=0.9"}
TOO_MANY_CODES = (
    "Too many wrong codes were typed on this network. Please wait a minute, then type the code "
    "from the trainer's screen."
)
TOO_MANY_JOINS = (
    "Too many people joined this quiz from this network without signing in. Please sign in to "
    "join, or ask your trainer."
)


@pytest.fixture
def app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    folder = write_module(tmp_path / "content", "tanning", bn="auto", bn_BD="auto")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    return make_app(LMS_CONTENT_DIR=str(tmp_path / "content"))


@pytest.fixture
def serve(app: Flask, tmp_path: Path) -> Iterator[Callable[..., Gunicorn]]:
    """``serve(**env)``: ``gunicorn -w 2 --threads 8`` on the test database."""
    started: list[Gunicorn] = []

    def start(**env: str) -> Gunicorn:
        log = tmp_path / f"gunicorn{len(started)}.log"
        started.append(Gunicorn(server_env(app, **env), log, workers=2, threads=8))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def running_quiz(app: Flask) -> str:
    with app.app_context():
        bank = quiz_services.bank_for(content.library().get("tanning"))
        made = live.create(
            bank,
            "tanning",
            ["t-single"],
            title="Limits",
            mode="correctness",
            countdown=0,
            session_label="",
            user_id=None,
        )
        live.start(made)
        return made.code


def at_once(count: int, send: Callable[[int], tuple[int, ...]]) -> list[tuple[int, ...]]:
    """``send(n)`` for ``n`` in ``range(count)``, all released together."""
    start = threading.Barrier(count)

    def run(n: int) -> tuple[int, ...]:
        start.wait()
        return send(n)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def wrong_codes(right: str, count: int) -> list[str]:
    return [c for c in (f"{100_000 + n}" for n in range(count + 1)) if c != right][:count]


def earlier(app: Flask, seconds: int) -> None:
    """Every counted event ``seconds`` further in the past (time passes, without sleeping)."""
    from lms.throttle import ThrottleEvent

    with app.app_context():
        for row in db.session.scalars(select(ThrottleEvent)):
            row.at -= timedelta(seconds=seconds)
        db.session.commit()


def message_in(app: Flask, locale: str, message: str) -> str:
    with app.app_context():
        return str(escape(gettext_in(locale, message)))


def test_a_hall_joins_at_once_and_a_guesser_among_them_is_stopped(
    app: Flask, serve: Callable[..., Gunicorn]
) -> None:
    server = serve()
    code = running_quiz(app)
    tablets = [Browser(server.port) for _ in range(60)]
    tokens = [tablet.token("/live") for tablet in tablets]

    def join(n: int) -> tuple[int, ...]:
        typed = tablets[n].request("POST", "/live", {"code": code, "csrf_token": tokens[n]})
        form = {"name": f"Learner {n}", "csrf_token": tokens[n]}
        return typed[0], tablets[n].request("POST", f"/live/{code}", form)[0]

    assert at_once(60, join) == [(302, 302)] * 60  # right codes count nothing
    guesser = Browser(server.port)
    token = guesser.token("/live")
    codes = wrong_codes(code, 40)

    def guess(n: int) -> tuple[int, ...]:
        return (guesser.request("POST", "/live", {"code": codes[n], "csrf_token": token})[0],)

    assert sorted(at_once(40, guess)) == [(200,)] * 30 + [(429,)] * 10
    with app.app_context():
        counted = "SELECT count(*) FROM lms_throttle WHERE scope = 'live-code'"
        assert db.session.execute(text(counted)).scalar() == 30
    # Now the right code is refused too (so a refusal tells a guesser nothing), in Bengali...
    newcomer = Browser(server.port)
    form = {"code": code, "csrf_token": newcomer.token("/live")}
    status, _headers, page = newcomer.request("POST", "/live", form, BENGALI)
    assert status == 429 and '<html lang="bn-IN">' in page
    assert message_in(app, "bn", TOO_MANY_CODES) in page
    assert newcomer.request("GET", f"/live/{code}")[0] == 429
    # ...but the tablets already in the quiz go on.
    for tablet in tablets[:3]:
        assert tablet.request("GET", f"/live/{code}/state")[0] == 200
        assert tablet.request("GET", f"/live/{code}/play")[0] == 200
    earlier(app, 61)  # a minute later
    assert newcomer.request("POST", "/live", form)[0] == 302


def test_anonymous_joins_of_a_quiz_are_limited_per_address(
    app: Flask, serve: Callable[..., Gunicorn], make_user
) -> None:  # noqa: ANN001
    server = serve(LMS_LIVE_MAX_JOINS_PER_IP="5")
    code, other_code = running_quiz(app), running_quiz(app)
    learner = make_user(name="Rahima Khatun")
    tablets = [Browser(server.port) for _ in range(8)]
    tokens = [tablet.token("/live") for tablet in tablets]

    def join(n: int) -> tuple[int, ...]:
        form = {"name": f"Guest {n}", "csrf_token": tokens[n]}
        return (tablets[n].request("POST", f"/live/{code}", form, BENGALI)[0],)

    assert sorted(at_once(8, join)) == [(302,)] * 5 + [(429,)] * 3
    late = Browser(server.port)
    form = {"name": "Guest 9", "csrf_token": late.token("/live")}
    status, _headers, page = late.request("POST", f"/live/{code}", form, BENGALI)
    assert status == 429 and '<html lang="bn-IN">' in page
    assert message_in(app, "bn", TOO_MANY_JOINS) in page
    # A signed-in learner has one place per account: not limited.
    signed_in = Browser(server.port)
    sign_in = {"email": learner.email, "password": PASSWORD, "csrf_token": signed_in.token("/")}
    assert signed_in.request("POST", "/login", sign_in)[0] == 302
    joined = signed_in.request("POST", f"/live/{code}", {"csrf_token": signed_in.token("/")})
    assert joined[0] == 302
    assert late.request("POST", f"/live/{other_code}", form)[0] == 302  # per quiz
    with app.app_context():
        quiz = live.find_by_code(code)
        names = sorted(p.name for p in quiz.participants)
    assert len(names) == 6 and "Rahima Khatun" in names
