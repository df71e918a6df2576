"""Live quizzes in real browsers, pushed: tablets receive the next question over one long-lived
request each (no polling), and a refused or failed answer says why instead of "offline" (a
tablet offline for 20 s: ``test_live_reconnect.py``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from lms.content import services as content
from lms.db import db
from lms.live import services
from lms.live.models import LiveAnswer, LiveQuiz
from lms.quiz import services as quiz_services
from tests.browser.test_live import join, tablet
from tests.conftest import write_module
from tests.quiz_bank import QUIZ_YAML

pytestmark = pytest.mark.browser

FIRST = "Which drum wastes less water?"
SECOND = "Never enter a pit"
SECOND_IN = {"en": SECOND, "bn": "কখনও একা গর্তে", "bn_BD": "কখনো একা গর্তে"}


def start_quiz(live_server: Any, tmp_path: Path) -> tuple[str, Flask, int, str]:
    root = tmp_path / "content"
    folder = write_module(root, "tanning", bn="auto", bn_BD="auto")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    base = live_server(LMS_CONTENT_DIR=str(root))
    app = live_server.servers[-1].lms_app
    with app.app_context():
        bank = quiz_services.bank_for(content.library().get("tanning"))
        quiz = services.create(
            bank,
            "tanning",
            ["t-single", "t-true"],
            title="Pushed",
            mode="correctness",
            countdown=0,
            session_label="",
            user_id=None,
        )
        services.start(quiz)
        return base, app, quiz.id, quiz.code


def act(app: Flask, quiz_id: int, *actions: str) -> None:
    with app.app_context():
        quiz = db.session.get(LiveQuiz, quiz_id)
        for action in actions:
            services.act(quiz, action)


def log_requests(page: Any) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    page.on("request", lambda r: seen.append((r.method, r.url)))
    return seen


def kinds(seen: list[tuple[str, str]], part: str) -> int:
    return sum(1 for _method, url in seen if part in url)


def test_three_tablets_receive_the_next_question_without_polling(
    browser: Any, live_server: Any, tmp_path: Path
) -> None:
    base, app, quiz_id, code = start_quiz(live_server, tmp_path)
    pages = [tablet(browser, base, locale) for locale in ("en", "bn", "bn_BD")]
    logs = [log_requests(page) for page in pages]
    for page, name in zip(pages, ("Ann", "Bimal", "Chandni"), strict=True):
        join(page, base, code, name)
    for page, three in zip(pages, ("3", "৩", "৩"), strict=True):  # the lobby counts who joined
        page.locator("[data-joined]", has_text=three).wait_for()
    time.sleep(3.5)  # polling would have asked twice by now
    assert [kinds(seen, "/state") for seen in logs] == [0, 0, 0]

    started = time.monotonic()
    act(app, quiz_id, "next")
    pages[0].locator("legend", has_text=FIRST).wait_for()
    pages[1].locator("legend", has_text="কোন ড্রাম কম জল নষ্ট করে?").wait_for()
    pages[2].locator("legend", has_text="কোন ড্রাম কম পানি নষ্ট করে?").wait_for()
    assert time.monotonic() - started < 2
    assert [kinds(seen, "/state") for seen in logs] == [0, 0, 0]  # the question came pushed

    act(app, quiz_id, "close", "reveal")  # each tablet fetches its own result, once
    for page in pages:
        page.locator(".big-result").wait_for()
    act(app, quiz_id, "next")
    for page, second in zip(pages, SECOND_IN.values(), strict=True):
        page.locator("legend", has_text=second).wait_for()
    for seen in logs:
        assert kinds(seen, "/events") == 1  # one long-lived connection per tablet
        assert kinds(seen, "/state") == 1  # the reveal; nothing between questions
    for page in pages:
        page.context.close()


def test_refusals_say_why_and_a_double_tap_sends_once(
    browser: Any, live_server: Any, tmp_path: Path
) -> None:
    base, app, quiz_id, code = start_quiz(live_server, tmp_path)
    act(app, quiz_id, "next")
    page = tablet(browser, base, "en")
    join(page, base, code, "Ann")
    sent = log_requests(page)
    page.locator("legend", has_text=FIRST).wait_for()

    # A proxy's 502 is no lost network: the learner is told it was not sent, and may send again.
    page.route("**/answer", lambda route: route.fulfill(status=502, body="Bad gateway"))
    page.locator("label.choice", has_text="Batch washing").click()
    page.locator("form[data-live-answer] button[type=submit]").click()
    page.locator(".live-refusal", has_text="could not be sent (error 502)").wait_for()
    assert "Reconnecting" not in page.locator(".live-net").inner_text()
    assert page.locator("form[data-live-answer] button[type=submit]").is_enabled()
    page.unroute("**/answer")

    # Two taps at once send one answer.
    page.evaluate(
        "() => { const f = document.querySelector('form[data-live-answer]');"
        " f.requestSubmit(); f.requestSubmit(); }"
    )
    page.locator(".done").wait_for()
    posts = [url for method, url in sent if method == "POST" and url.endswith("/answer")]
    assert len(posts) == 1 + 1  # the refused one, then one for both taps

    # An answer the server refuses shows the server's own message.
    other = tablet(browser, base, "en")
    other.route("**/events*", lambda route: route.abort())  # it learns nothing by itself
    other.route("**/state*", lambda route: route.abort())
    join(other, base, code, "Babu")
    act(app, quiz_id, "close")
    other.locator("label.choice", has_text="Batch washing").click()
    other.locator("form[data-live-answer] button[type=submit]").click()
    other.locator(".live-refusal", has_text="This question is closed").wait_for()
    with app.app_context():
        assert db.session.query(LiveAnswer).filter_by(quiz_id=quiz_id).count() == 1
    page.context.close()
    other.context.close()
