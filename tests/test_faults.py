"""Faults that lose nothing: gunicorn workers killed (SIGKILL) in a live quiz and in a pre-test,
two worker processes writing at once, and a database that cannot be reached (503 pages)."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from lms.accounts import services as accounts
from lms.content import services as content
from lms.db import db
from lms.live import services as live
from lms.live.models import LiveAnswer, LiveParticipant, LiveQuiz
from lms.quiz import services as quiz_services
from lms.quiz.models import Answer, Attempt
from lms.web import database_unavailable
from tests.conftest import PASSWORD, csrf_token, login, write_module
from tests.processes import Browser, Gunicorn, free_port, server_env
from tests.quiz_bank import QUIZ_YAML, RIGHT, RIGHT_FORM

FETCH = {"X-Requested-With": "fetch"}


@pytest.fixture
def app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    folder = write_module(tmp_path / "content", "tanning", bn="auto", bn_BD="auto")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    return make_app(LMS_CONTENT_DIR=str(tmp_path / "content"))


@pytest.fixture
def server(app: Flask, tmp_path: Path) -> Iterator[Gunicorn]:
    """Two sync workers on the test database, as ``gunicorn -w 2 wsgi:app`` serves it."""
    gunicorn = Gunicorn(server_env(app), tmp_path / "gunicorn.log", workers=2)
    try:
        yield gunicorn
    finally:
        gunicorn.stop()


def signed_in(port: int, email: str) -> Browser:
    tablet = Browser(port)
    form = {"email": email, "password": PASSWORD, "csrf_token": tablet.token("/login")}
    status, headers, _text = tablet.request("POST", "/login", form)
    assert status == 302 and headers["Location"] == "/", headers
    return tablet


def joined(port: int, code: str, name: str) -> Browser:
    tablet = Browser(port)
    form = {"name": name, "csrf_token": tablet.token("/live")}
    assert tablet.request("POST", f"/live/{code}", form)[0] == 302
    return tablet


def replies_while_killing(
    server: Gunicorn, senders: list[Callable[[], tuple[int, dict, str]]], kill_after: int
) -> list[tuple[int, str]]:
    """Run every sender in its own thread; SIGKILL all workers once ``kill_after`` replies came."""
    replies: list[tuple[int, str]] = []
    lock = threading.Lock()
    enough = threading.Event()

    def run(send: Callable[[], tuple[int, dict, str]]) -> None:
        status, _headers, text = send()
        with lock:
            replies.append((status, text))
            if len(replies) >= kill_after:
                enough.set()

    threads = [threading.Thread(target=run, args=(send,)) for send in senders]
    for thread in threads:
        thread.start()
    assert enough.wait(20)
    killed = server.kill_workers()
    assert len(killed) == 2
    for thread in threads:
        thread.join(30)
    server.respawned(killed)
    return replies


# A worker killed during a live quiz.


def test_a_killed_worker_loses_no_live_answer(app: Flask, server: Gunicorn, make_user) -> None:
    trainer = make_user("trainer", email="trainer@example.org")
    with app.app_context():
        bank = quiz_services.bank_for(content.library().get("tanning"))
        quiz = live.create(
            bank,
            "tanning",
            ["t-single", "t-true"],
            title="Kill test",
            mode="correctness",
            countdown=0,
            session_label="",
            user_id=trainer.id,
        )
        quiz_id = quiz.id
    host = signed_in(server.port, trainer.email)
    token = host.token("/live/host")
    assert host.request("POST", f"/live/host/{quiz_id}/start", {"csrf_token": token})[0] == 302
    with app.app_context():
        code = db.session.get(LiveQuiz, quiz_id).code
    tablets = [joined(server.port, code, f"Tablet {n}") for n in range(6)]
    assert host.request("POST", f"/live/host/{quiz_id}/next", {"csrf_token": token})[0] == 302

    def answer(tablet: Browser, index: int, value: str) -> Callable[[], tuple[int, dict, str]]:
        form = {"index": str(index), "answer": value, "csrf_token": tablet.token("/live")}
        return lambda: tablet.until_answered("POST", f"/live/{code}/answer", form, FETCH)

    # Every tablet sends its answer three times (a double tap, a retry); the workers die meanwhile.
    senders = [answer(t, 0, "a") for t in tablets for _ in range(3)]
    replies = replies_while_killing(server, senders, kill_after=4)
    assert len(replies) == 18 and {status for status, _ in replies} == {200}
    assert all(json.loads(text)["ok"] for _, text in replies)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LiveAnswer)) == 6

    # The trainer's session and the quiz go on: the next question, answered by everyone.
    for action in ("close", "next"):
        status, headers, _text = host.until_answered(
            "POST", f"/live/host/{quiz_id}/{action}", {"csrf_token": token}
        )
        assert status == 302 and headers["Location"] == f"/live/host/{quiz_id}"
    assert "Never enter a pit alone." in tablets[0].request("GET", f"/live/{code}/state")[2]
    for tablet in tablets:
        status, _headers, text = answer(tablet, 1, "true")()
        assert status == 200 and json.loads(text) == {"ok": True, "counted": True}
    with app.app_context():
        quiz = db.session.get(LiveQuiz, quiz_id)
        assert (quiz.status, quiz.current_index) == ("question", 1)
        rows = db.session.scalars(select(LiveAnswer)).all()
        assert sorted((a.participant_id, a.item_index) for a in rows) == sorted(
            (p.id, i) for p in quiz.participants for i in (0, 1)
        )  # every answer counted exactly once
        assert [p.score for p in quiz.participants] == [200] * 6


# A worker killed during a pre-test.


def test_a_killed_worker_loses_no_pre_test_answer(app: Flask, server: Gunicorn, make_user) -> None:
    learner = make_user("learner", email="rekha@example.org")
    tablet = signed_in(server.port, learner.email)
    token = tablet.token("/")
    status, headers, _text = tablet.request(
        "POST", "/quiz/tanning/pre/start", {"csrf_token": token}
    )
    attempt_id = int(re.match(r"/quiz/attempt/(\d+)/1$", headers["Location"]).group(1))
    with app.app_context():
        items = [e["id"] for e in db.session.get(Attempt, attempt_id).items]
    assert len(items) == 3

    def save(number: int) -> Callable[[], tuple[int, dict, str]]:
        form = {**RIGHT_FORM[items[number - 1]], "csrf_token": token}
        path = f"/quiz/attempt/{attempt_id}/{number}"
        return lambda: tablet.until_answered("POST", path, form, FETCH)

    for number in (1, 2):
        assert save(number)()[:1] == (200,)
    # The third answer is being saved (four times: taps and the script's retries) as workers die.
    replies = replies_while_killing(server, [save(3)] * 4, kill_after=1)
    assert [json.loads(text) for _status, text in replies] == [{"ok": True}] * 4

    # Still signed in; the earlier answers are there; submitting scores all three.
    status, _headers, page = tablet.request("GET", f"/quiz/attempt/{attempt_id}/review")
    assert status == 200 and "You answered 3 of 3 questions." in page
    with app.app_context():
        saved = db.session.scalars(select(Answer).where(Answer.attempt_id == attempt_id)).all()
        assert {a.item_id: a.response for a in saved} == {i: RIGHT[i] for i in items}
    status, headers, _text = tablet.request(
        "POST", f"/quiz/attempt/{attempt_id}/submit", {"csrf_token": token}
    )
    assert status == 302 and headers["Location"] == f"/quiz/attempt/{attempt_id}/result"
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.submitted_at is not None and attempt.score == attempt.max_score == 3


# Two worker processes writing at once.


def test_concurrent_writers_lose_nothing(app: Flask, tmp_path: Path, make_user) -> None:
    """8 threads x 2 processes (gthread workers) join, answer and autosave for 4 s: no 5xx, no
    "database is locked" in any reply or log, and every write that was sent is stored."""
    with app.app_context():
        module = content.library().get("tanning")
        bank = quiz_services.bank_for(module)
        quiz = live.create(
            bank,
            "tanning",
            ["t-single"],
            title="Load",
            mode="speed",
            countdown=0,
            session_label="",
            user_id=None,
        )
        live.act(live.start(quiz), "next")
        quiz_id, code = quiz.id, quiz.code
        tests = {}
        for n in range(8):
            user = make_user("learner", email=f"load{n}@example.org")
            attempt = quiz_services.start_attempt(user.id, module, "pre", "en")
            tests[user.email] = (attempt.id, [e["id"] for e in attempt.items])
    server = Gunicorn(server_env(app), tmp_path / "gunicorn.log", workers=2, threads=8)
    try:
        results = hammer(server.port, code, tests, seconds=4.0)
    finally:
        log = server.stop()
    statuses = [status for r in results for status in r["statuses"]]
    assert statuses and max(statuses) < 500, sorted(set(statuses))
    assert not any("locked" in text.lower() for r in results for text in r["texts"])
    assert "locked" not in log.lower() and "Traceback" not in log, log
    joins, saves = sum(r["joins"] for r in results), sum(r["saves"] for r in results)
    assert joins >= 20 and saves >= 20, (joins, saves)  # the load was real
    with app.app_context():
        participants = db.session.scalar(
            select(func.count()).where(LiveParticipant.quiz_id == quiz_id)
        )
        answers = db.session.scalar(select(func.count()).where(LiveAnswer.quiz_id == quiz_id))
        assert participants == joins and answers == sum(r["answers"] for r in results)
        for r in results:
            if r["attempt"] is not None:
                rows = db.session.scalars(select(Answer).where(Answer.attempt_id == r["attempt"]))
                assert {a.item_id: a.response for a in rows} == r["last"]


def hammer(
    port: int, code: str, tests: dict[str, tuple[int, list[str]]], seconds: float
) -> list[dict]:
    """Eight tablets joining the live quiz and answering, eight learners autosaving a pre-test."""
    results: list[dict] = []
    signed = {email: signed_in(port, email) for email in tests}
    stop_at = time.monotonic() + seconds

    def run(job: Callable[[dict], None]) -> None:
        result = {"statuses": [], "texts": [], "joins": 0, "answers": 0, "saves": 0}
        result.update(attempt=None, last={})
        try:
            job(result)
        finally:
            results.append(result)

    jobs = [lambda r, n=n: _joiner(port, code, n, stop_at, r) for n in range(8)]
    jobs += [lambda r, e=email: _autosaver(signed[e], *tests[e], stop_at, r) for email in tests]
    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 16
    return results


def _record(result: dict, reply: tuple[int, dict, str]) -> tuple[int, dict, str]:
    result["statuses"].append(reply[0])
    if reply[0] >= 400:
        result["texts"].append(reply[2])
    return reply


def _joiner(port: int, code: str, n: int, stop_at: float, result: dict) -> None:
    """A new participant joins, then answers, again and again."""
    base = Browser(port)
    token = base.token("/live")
    while time.monotonic() < stop_at:
        tablet = Browser(port, base.cookies)  # same session, no participant cookie yet
        form = {"name": f"T{n}-{result['joins']}", "csrf_token": token}
        if _record(result, tablet.request("POST", f"/live/{code}", form))[0] != 302:
            continue
        result["joins"] += 1
        answer = {"index": "0", "answer": "a", "csrf_token": token}
        reply = _record(result, tablet.request("POST", f"/live/{code}/answer", answer, FETCH))
        result["answers"] += reply[0] == 200 and json.loads(reply[2]).get("counted") is True


#: A different valid answer of each item type of the pre-test for the n-th save.
CHANGING = {
    "t-single": lambda n: ["a", "b"][n % 2],
    "t-multiple": lambda n: [["a"], ["a", "b"]][n % 2],
    "t-gst-numeric": lambda n: str(n),
}


def _autosaver(
    tablet: Browser, attempt: int, items: list[str], stop_at: float, result: dict
) -> None:
    """A learner whose answers are saved at every change, as the page's script does."""
    result["attempt"] = attempt
    token = tablet.token("/")
    n = 0
    while time.monotonic() < stop_at:
        n += 1
        item = items[n % len(items)]
        value = CHANGING[item](n)
        path = f"/quiz/attempt/{attempt}/{items.index(item) + 1}"
        form = {"answer": value, "csrf_token": token}
        if _record(result, tablet.request("POST", path, form, FETCH))[0] == 200:
            result["saves"] += 1
            result["last"][item] = value  # the last value sent must be the one kept


# The database cannot be reached.

BN_503 = "এখন পাওয়া যাচ্ছে না।"  # bn: পরিষেবাটি ..., bn_BD: সেবাটি ...
EN_503 = "The service is not available right now."


def assert_unavailable(response, lang: str, words: str) -> None:  # noqa: ANN001
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"
    assert f'<html lang="{lang}">' in page and words in page, page


def test_a_lost_sqlite_file_gives_503_pages_in_the_users_language(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    folder = tmp_path / "data"
    app = make_app(LMS_DATABASE_URL=f"sqlite:///{folder / 'lms.sqlite3'}")
    with app.app_context():
        accounts.create_user("asha@example.org", "Asha", PASSWORD, ["learner"])
    client = app.test_client()
    assert login(client, "asha@example.org").status_code == 302
    token = csrf_token(client, "/")
    with app.app_context():
        db.engine.dispose()
    shutil.rmtree(folder)  # the disk was unmounted: "unable to open database file"

    assert_unavailable(client.get("/"), "en", EN_503)  # the user record cannot be loaded
    assert_unavailable(client.get("/", headers={"Accept-Language": "bn-IN"}), "bn-IN", BN_503)
    client.set_cookie("lms_locale", "bn_BD")
    page = client.get("/my/record")
    assert_unavailable(page, "bn-BD", BN_503)
    assert "৫০৩" in page.get_data(as_text=True)  # Bengali digits, no user setting needed
    client.delete_cookie("lms_locale")
    sent = client.post("/live", data={"code": "123456", "csrf_token": token})
    assert_unavailable(sent, "en", "What you sent was not saved.")
    assert "Try again" not in sent.get_data(as_text=True)  # a POST is not simply repeated
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["database"] == "unreachable"


def test_an_unreachable_postgresql_gives_503_pages(make_app: Callable[..., Flask]) -> None:
    url = f"postgresql+psycopg://lms@127.0.0.1:{free_port()}/lms"  # nobody listens there
    app = make_app(LMS_DATABASE_URL=url, migrate=False)
    client = app.test_client()
    assert_unavailable(client.get("/live/123456"), "en", EN_503)
    bengali = client.get("/live/123456", headers={"Accept-Language": "bn-IN,bn;q=0.9"})
    assert_unavailable(bengali, "bn-IN", BN_503)
    assert 'href="/live/123456' in bengali.get_data(as_text=True)  # "Try again"
    form = {"email": "a@example.org", "password": "x", "csrf_token": csrf_token(client, "/login")}
    assert_unavailable(client.post("/login", data=form), "en", EN_503)
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json == {"status": "error", "database": "unreachable"}  # no version: not asked


def test_only_outages_become_503_not_bugs() -> None:
    def sqlite_error(run: Callable[[], object]) -> OperationalError:
        try:
            run()
        except sqlite3.Error as exc:
            return OperationalError("SELECT 1", {}, exc)
        raise AssertionError("no error")

    missing = sqlite_error(lambda: sqlite3.connect("/no/such/folder/lms.sqlite3"))
    no_table = sqlite_error(lambda: sqlite3.connect(":memory:").execute("SELECT * FROM nope"))
    assert database_unavailable(missing)  # SQLITE_CANTOPEN
    assert not database_unavailable(no_table)  # a programming error stays a 500
    assert not database_unavailable(IntegrityError("INSERT", {}, Exception("duplicate")))
    lost = IntegrityError("INSERT", {}, Exception("gone"), connection_invalidated=True)
    assert database_unavailable(lost)
