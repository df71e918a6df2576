"""Two app servers (separate gunicorn processes) on one database serve the same live quiz:
nothing lives in a process that the other would not see."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from lms.content import services as content
from lms.db import db
from lms.live import services
from lms.live.models import LiveAnswer, LiveQuiz
from lms.quiz import services as quiz_services
from tests.conftest import build_app, write_module
from tests.processes import ROOT, Browser, free_port
from tests.quiz_bank import QUIZ_YAML


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[Flask, int, int]]:
    root = tmp_path / "content"
    folder = write_module(root, "tanning", bn="auto", bn_BD="auto")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    app = build_app(tmp_path / "inst", LMS_CONTENT_DIR=str(root))
    env = {
        **os.environ,
        "LMS_DATABASE_URL": app.config["LMS_DATABASE_URL"],
        "LMS_CONTENT_DIR": str(root),
        "LMS_SECRET_KEY": app.config["SECRET_KEY"],
    }
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                "1",
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
        )
        for port in ports
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


def test_two_servers_serve_the_same_quiz(servers: tuple[Flask, int, int]) -> None:
    app, port_a, port_b = servers
    with app.app_context():
        bank = quiz_services.bank_for(content.library().get("tanning"))
        quiz = services.create(
            bank,
            "tanning",
            ["t-single", "t-true"],
            title="Two servers",
            mode="correctness",
            countdown=0,
            session_label="",
            user_id=None,
        )
        services.start(quiz)
        quiz_id, code = quiz.id, quiz.code
    tablet = Browser(port_a)
    token = tablet.token("/live")
    assert tablet.request("POST", f"/live/{code}", {"name": "Asha", "csrf_token": token})[0] == 302
    on_b = Browser(port_b, tablet.cookies)  # the next request reaches the other server
    status, headers, text = on_b.request("GET", f"/live/{code}/state")
    assert status == 200 and "Wait for the trainer to start." in text
    etag = headers["ETag"]
    assert on_b.request("GET", f"/live/{code}/state", headers={"If-None-Match": etag})[0] == 304
    with app.app_context():
        services.act(db.session.get(LiveQuiz, quiz_id), "next")
    status, _h, text = Browser(port_a, tablet.cookies).request(
        "GET", f"/live/{code}/state", headers={"If-None-Match": etag}
    )
    assert status == 200 and "Which drum wastes less water?" in text
    send = {"index": "0", "answer": "a", "csrf_token": token}
    fetch = {"X-Requested-With": "fetch"}
    first = Browser(port_b, tablet.cookies).request("POST", f"/live/{code}/answer", send, fetch)
    again = Browser(port_a, tablet.cookies).request("POST", f"/live/{code}/answer", send, fetch)
    assert '"counted":true' in first[2].replace(" ", "")
    assert '"counted":false' in again[2].replace(" ", "")
    with app.app_context():
        services.act(db.session.get(LiveQuiz, quiz_id), "close")
    late = Browser(port_a)
    late_token = late.token("/live")
    late.request("POST", f"/live/{code}", {"name": "Babu", "csrf_token": late_token})
    refused = Browser(port_b, late.cookies).request(
        "POST", f"/live/{code}/answer", {**send, "csrf_token": late_token}, fetch
    )
    assert refused[0] == 409 and "This question is closed" in refused[2]
    with app.app_context():
        assert db.session.query(LiveAnswer).count() == 1
        assert db.session.get(LiveQuiz, quiz_id).participants[0].score == 100
