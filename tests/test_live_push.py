"""Live quizzes push their changes (Server-Sent Events): the next question reaches every tablet
without its asking, joins send a count and not the whole state, heartbeats keep the stream, it
ends with the quiz, resumes from Last-Event-ID, and never keeps a sign-in alive."""

from __future__ import annotations

import http.client
import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from lms.db import db, utcnow
from lms.live import push, services
from lms.live.models import LiveQuiz
from lms.sessions import SignInSession
from tests.conftest import PG_URL, build_app, csrf_token, login, write_module
from tests.processes import ROOT, Browser, free_port
from tests.quiz_bank import QUIZ_YAML

ITEMS = ["t-single", "t-true"]


class Events:
    """The events of one stream, read in a thread of its own (the one that asks, as a server's
    worker would): ``next()`` waits at most ``timeout``."""

    def __init__(self, open_stream: Callable[[], Iterator[bytes]]) -> None:
        self.queue: queue.Queue[dict[str, str] | None] = queue.Queue()
        self.closed = False
        self.thread = threading.Thread(target=self._read, args=(open_stream,), daemon=True)
        self.thread.start()
        OPENED.append(self)

    def _read(self, open_stream: Callable[[], Iterator[bytes]]) -> None:
        buffer, chunks = "", open_stream()
        try:
            for chunk in chunks:
                if self.closed:
                    break
                buffer += chunk.decode()
                while "\n\n" in buffer:
                    block, buffer = buffer.split("\n\n", 1)
                    self._parse(block)
        finally:
            chunks.close()
            self.queue.put(None)  # the stream ended

    def _parse(self, block: str) -> None:
        fields: dict[str, str] = {}
        for line in block.split("\n"):
            key, _, value = line.partition(":")
            if key:
                value = value[1:] if value.startswith(" ") else value
                fields[key] = value if key not in fields else fields[key] + "\n" + value
        if "data" in fields:
            fields.setdefault("event", "message")
            self.queue.put(fields)

    def next(self, timeout: float = 5, beats: bool = False) -> dict[str, str] | None:
        """The next event (heartbeats only with ``beats``), or ``None`` when the stream ended;
        fails after ``timeout``."""
        end = time.monotonic() + timeout
        while True:
            found = self.queue.get(timeout=max(0.001, end - time.monotonic()))
            if beats or found is None or found["event"] != "message":
                return found

    def quiet(self, seconds: float) -> bool:
        """Whether nothing but heartbeats arrives within ``seconds``."""
        try:
            self.next(seconds)
        except queue.Empty:
            return True
        return False


OPENED: list[Events] = []


@pytest.fixture(autouse=True)
def _streams_end(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Short heartbeats and lingering, so that every stream and watcher a test opened has
    ended (and closed its connections) before the next test."""
    monkeypatch.setattr(push, "HEARTBEAT", 0.5)
    monkeypatch.setattr(push, "LINGER", 0.2)
    yield
    while OPENED:
        events = OPENED.pop()
        events.closed = True
        events.thread.join(10)
    for thread in threading.enumerate():
        if thread.name == "lms-live-push":
            thread.join(10)


def content_root(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    folder = write_module(root, "tanning", bn="auto", bn_BD="auto")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    return root


@pytest.fixture
def app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    return make_app(LMS_CONTENT_DIR=str(content_root(tmp_path)))


def new_quiz(app: Flask, countdown: int = 0) -> tuple[int, str]:
    from lms.content import services as content
    from lms.quiz import services as quiz_services

    with app.app_context():
        bank = quiz_services.bank_for(content.library().get("tanning"))
        quiz = services.create(
            bank,
            "tanning",
            ITEMS,
            title="Push",
            mode="correctness",
            countdown=countdown,
            session_label="",
            user_id=None,
        )
        services.start(quiz)
        return quiz.id, quiz.code


def act(app: Flask, quiz_id: int, action: str) -> None:
    with app.app_context():
        services.act(db.session.get(LiveQuiz, quiz_id), action)


def version(app: Flask, quiz_id: int) -> int:
    with app.app_context():
        return db.session.get(LiveQuiz, quiz_id).version


def join(client: FlaskClient, code: str, name: str) -> None:
    token = csrf_token(client, "/live")
    assert client.post(f"/live/{code}", data={"name": name, "csrf_token": token}).status_code == 302


def stream(client: FlaskClient, code: str, **headers: str) -> Events:
    def chunks() -> Iterator[bytes]:
        response = client.get(f"/live/{code}/events", headers=headers, buffered=False)
        try:
            if response.status_code == 200 and response.mimetype == "text/event-stream":
                yield from response.iter_encoded()
        finally:
            response.close()

    return Events(chunks)


def test_the_next_question_is_pushed_with_the_question_itself(app: Flask) -> None:
    quiz_id, code = new_quiz(app)
    tablet = app.test_client()
    join(tablet, code, "Asha")
    events = stream(tablet, code)
    first = events.next()
    assert first["event"] == "state" and json.loads(first["data"])["s"] == "lobby"
    started = time.monotonic()
    act(app, quiz_id, "next")
    pushed = events.next()
    assert time.monotonic() - started < 1
    data = json.loads(pushed["data"])
    assert pushed["event"] == "state" and data["s"] == "question" and data["i"] == 0
    assert data["v"] == version(app, quiz_id) and pushed["id"] == f"{data['v']}.1"
    assert "Which drum wastes less water?" in data["h"] and 'name="index" value="0"' in data["h"]
    # The same for every tablet: no form token of anyone's (the script puts in its own).
    assert 'name="csrf_token" value=""' in data["h"]


def test_a_join_sends_a_count_and_no_state(app: Flask) -> None:
    _quiz_id, code = new_quiz(app)
    tablet = app.test_client()
    join(tablet, code, "Asha")
    events = stream(tablet, code)
    assert events.next()["event"] == "state"
    join(app.test_client(), code, "Babu")
    counted = events.next()
    assert counted["event"] == "count" and counted["data"] == "2 joined"
    assert events.quiet(0.5)  # no state event: nobody fetches a new fragment for a join


def test_heartbeats_keep_a_quiet_stream(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    _quiz_id, code = new_quiz(app)
    tablet = app.test_client()
    join(tablet, code, "Asha")
    events = stream(tablet, code)
    assert events.next()["event"] == "state"
    beats = [events.next(2, beats=True), events.next(2, beats=True)]
    assert all(b["event"] == "message" and b["data"] == "" for b in beats)


def test_the_stream_ends_when_the_quiz_ends(app: Flask) -> None:
    quiz_id, code = new_quiz(app)
    tablet = app.test_client()
    join(tablet, code, "Asha")
    events = stream(tablet, code)
    events.next()
    act(app, quiz_id, "end")
    last = events.next()
    assert last["event"] == "state" and json.loads(last["data"])["s"] == "ended"
    assert events.next() is None  # the server closed the stream
    assert tablet.get(f"/live/{code}/events").status_code == 204  # the browser stops asking


def test_last_event_id_resumes_where_the_tablet_was(app: Flask) -> None:
    quiz_id, code = new_quiz(app)
    tablet = app.test_client()
    join(tablet, code, "Asha")
    now = f"{version(app, quiz_id)}.1"
    events = stream(tablet, code, **{"Last-Event-ID": now})
    assert events.quiet(0.5)  # it knows all: nothing to send
    old = stream(tablet, code, **{"Last-Event-ID": "1.0"})
    missed = old.next()
    assert missed["event"] == "state" and missed["id"] == now
    act(app, quiz_id, "next")
    assert json.loads(events.next()["data"])["s"] == "question"


def test_the_host_screen_hears_joins_and_answers(app: Flask, make_user) -> None:  # noqa: ANN001
    quiz_id, code = new_quiz(app)
    trainer = app.test_client()
    login(trainer, make_user("trainer").email)
    events = Events(
        lambda: iter(trainer.get(f"/live/host/{quiz_id}/events", buffered=False).iter_encoded())
    )
    assert events.next()["event"] == "state"
    tablet = app.test_client()
    join(tablet, code, "Asha")
    assert json.loads(events.next()["data"])["j"] == 1
    act(app, quiz_id, "next")
    assert json.loads(events.next()["data"])["s"] == "question"
    token = csrf_token(tablet, f"/live/{code}/play")
    tablet.post(f"/live/{code}/answer", data={"index": "0", "answer": "a", "csrf_token": token})
    assert json.loads(events.next()["data"])["a"] == 1


def test_a_countdown_closes_the_question_without_any_request(app: Flask) -> None:
    quiz_id, code = new_quiz(app, countdown=1)
    tablet = app.test_client()
    join(tablet, code, "Asha")
    events = stream(tablet, code)
    events.next()
    act(app, quiz_id, "next")
    assert json.loads(events.next()["data"])["s"] == "question"
    closed = events.next(4)  # the watcher closed it: no tablet asked
    assert json.loads(closed["data"])["s"] == "closed"


def test_a_stream_keeps_no_sign_in_alive(app: Flask, make_user) -> None:  # noqa: ANN001
    app.config["LMS_IDLE_TIMEOUT"] = 60
    _quiz_id, code = new_quiz(app)
    learner = app.test_client()
    login(learner, make_user("learner").email)
    token = csrf_token(learner, "/live")
    assert learner.post(f"/live/{code}", data={"csrf_token": token}).status_code == 302
    with app.app_context():  # the learner left the tablet 57 s ago
        db.session.execute(
            update(SignInSession).values(last_seen_at=utcnow() - timedelta(seconds=57))
        )
        db.session.commit()
    started = time.monotonic()
    events = stream(learner, code)
    assert events.next()["event"] == "state"
    while events.next(8) is not None:  # ends when the session times out, not 10 min later
        pass
    assert time.monotonic() - started < 6
    assert learner.get(f"/live/{code}/events").status_code == 401  # the page then reloads


def test_the_answer_carries_how_long_the_question_was_shown(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Any] = []
    counted = services.answer

    def answer(quiz, me, index, response, now=None, shown_ms=None):  # noqa: ANN001, ANN202
        seen.append(shown_ms)
        return counted(quiz, me, index, response, now)

    monkeypatch.setattr(services, "answer", answer)
    quiz_id, code = new_quiz(app)
    act(app, quiz_id, "next")
    for name, shown in (("Asha", "2500"), ("Babu", "soon")):
        tablet = app.test_client()
        join(tablet, code, name)
        token = csrf_token(tablet, f"/live/{code}/play")
        form = {"index": "0", "answer": "a", "csrf_token": token, "shown_ms": shown}
        tablet.post(f"/live/{code}/answer", data=form, headers={"X-Requested-With": "fetch"})
    assert seen == [2500, None]


# Two app servers (gunicorn's gevent worker, as in production) on one database.


def sse_lines(port: int, path: str, cookies: dict[str, str]) -> Iterator[bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())})
    response = conn.getresponse()
    assert response.status == 200
    try:
        while line := response.readline():
            yield line
    finally:
        conn.close()


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[tuple[Flask, int, int]]:
    root = content_root(tmp_path)
    app = build_app(tmp_path / "inst", LMS_CONTENT_DIR=str(root))
    env = {
        **os.environ,
        "LMS_DATABASE_URL": app.config["LMS_DATABASE_URL"],
        "LMS_CONTENT_DIR": str(root),
        "LMS_SECRET_KEY": app.config["SECRET_KEY"],
    }
    ports = [free_port(), free_port()]
    command = [sys.executable, "-m", "gunicorn", "-k", "gevent", "-w", "2", "--log-level"]
    command += ["warning", "--graceful-timeout", "1", "wsgi:app"]  # open streams: no waiting
    processes = [
        subprocess.Popen([*command, "-b", f"127.0.0.1:{p}"], cwd=ROOT, env=env) for p in ports
    ]
    try:
        for port in ports:
            for _ in range(100):
                try:
                    Browser(port).request("GET", "/healthz")
                    break
                except OSError:
                    time.sleep(0.1)
        yield app, ports[0], ports[1]
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def test_two_servers_push_through_the_database(
    two_servers: tuple[Flask, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL, NOTIFY reaches the other server's streams at once (its own look at the
    database comes only every 5 s); on SQLite, the watcher's look every 100 ms does."""
    app, port_a, port_b = two_servers
    quiz_id, code = new_quiz(app)
    tablets = []
    for port, name in ((port_a, "Asha"), (port_b, "Babu")):
        tablet = Browser(port)
        token = tablet.token("/live")
        tablet.request("POST", f"/live/{code}", {"name": name, "csrf_token": token})
        tablets.append(tablet)
    streams = [
        Events(lambda t=t: sse_lines(t.port, f"/live/{code}/events", t.cookies)) for t in tablets
    ]
    for events in streams:
        assert events.next()["event"] == "state"
    started = time.monotonic()
    act(app, quiz_id, "next")  # a third process, as another host would
    for events in streams:
        data = json.loads(events.next(3)["data"])
        assert data["s"] == "question" and "Which drum" in data["h"]
    assert time.monotonic() - started < (1.5 if PG_URL else 3)


def test_speed_is_timed_from_the_tablet_within_a_bound() -> None:
    opened = datetime(2026, 12, 5, 10, 0, 0, tzinfo=UTC)
    quiz = LiveQuiz(question_opened_at=opened, countdown=20, mode="speed")
    answered = opened + timedelta(seconds=5)
    elapsed = partial(services.elapsed_seconds, quiz, answered)
    assert elapsed() == 5.0  # no word from the tablet: since the question opened
    assert elapsed(3500) == 3.5  # told 1.5 s late: timed from when it saw the question
    assert elapsed(100) == 5.0 - services.DELIVERY_GRACE  # claims too little: the bound
    assert elapsed(9000) == 5.0  # claims more time than it had: the server's own
    late = services.points_for(quiz, 1.0, answered, 3500)
    assert (
        late
        > services.points_for(quiz, 1.0, answered)
        == services.points_for(quiz, 1.0, answered, 9000)
    )
    assert services.points_for(quiz, 1.0, answered, 0) == services.points_for(
        quiz, 1.0, answered, 3000
    )


def test_answers_after_the_end_do_not_lock_the_hall_out(app: Flask) -> None:
    """Late answers (a slow network) reach a quiz that has ended: each is refused as closed,
    not counted as a wrong code, so the hall's one address can still join the next quiz."""
    quiz_id, code = new_quiz(app)
    act(app, quiz_id, "next")
    tablets = []
    for n in range(3):
        tablets.append(app.test_client())
        join(tablets[-1], code, f"Tablet {n}")
    act(app, quiz_id, "end")
    late = app.config["LMS_LIVE_MAX_WRONG_CODES_PER_IP"] + 5
    for n in range(late):
        tablet = tablets[n % len(tablets)]
        token = csrf_token(tablet, f"/live/{code}/play")
        form = {"index": "0", "answer": "a", "csrf_token": token}
        reply = tablet.post(
            f"/live/{code}/answer", data=form, headers={"X-Requested-With": "fetch"}
        )
        assert reply.status_code == 409 and reply.get_json()["ok"] is False
    _next_id, next_code = new_quiz(app)
    newcomer = app.test_client()
    assert (
        newcomer.post(
            "/live", data={"code": next_code, "csrf_token": csrf_token(newcomer, "/live")}
        ).status_code
        == 302
    )
