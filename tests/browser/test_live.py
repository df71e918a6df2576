"""A live quiz in real browsers: a trainer and four tablets in three languages, one reloading
mid-question and one joining late; the stored results match what was answered."""

from __future__ import annotations

from typing import Any

import pytest

from lms.accounts import services
from lms.db import db
from lms.live.models import LiveAnswer, LiveQuiz
from tests.browser.conftest import ARTIFACTS, CHROMIUM_ARGS, TABLET_PORTRAIT  # noqa: F401
from tests.conftest import PASSWORD, write_module
from tests.quiz_bank import QUIZ_YAML

pytestmark = pytest.mark.browser


def tablet(browser: Any, base: str, locale: str) -> Any:
    context = browser.new_context(viewport=TABLET_PORTRAIT)
    context.add_cookies([{"name": "lms_locale", "value": locale, "url": base}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def join(page: Any, base: str, code: str, name: str) -> None:
    page.goto(base + "/live")
    page.locator("input[name=code]").fill(code)
    page.locator("form button[type=submit]").last.click()
    page.locator("input[name=name]").fill(name)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"**/live/{code}/play")


def choose(page: Any, label: str) -> None:
    page.locator("label.choice", has_text=label).click()
    page.locator("form[data-live-answer] button[type=submit]").click()
    page.locator(".done").wait_for()


def test_a_live_quiz_across_four_tablets(
    browser: Any, page: Any, live_server: Any, tmp_path
) -> None:  # noqa: ANN001
    content = tmp_path / "content"
    folder = write_module(content, "tanning", bn="auto", bn_BD="auto")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    base = live_server(LMS_CONTENT_DIR=str(content))
    app = live_server.servers[-1].lms_app
    with app.app_context():
        services.create_user("trainer@example.org", "Trainer", PASSWORD, ["trainer"])
    host = page
    host.set_viewport_size({"width": 1280, "height": 800})
    host.goto(base + "/login")
    host.locator("input[name=email]").fill("trainer@example.org")
    host.locator("input[name=password]").fill(PASSWORD)
    host.locator("form button[type=submit]").last.click()
    host.goto(base + "/live/host/new/tanning")
    for item in ("Which drum", "Never enter a pit"):
        host.locator("ul.pick label", has_text=item).click()
    host.get_by_role("button", name="Create").click()
    host.get_by_role("button", name="Open the lobby").click()
    code = host.locator(".join-code").inner_text().replace(" ", "")
    assert len(code) == 6

    ann = tablet(browser, base, "en")
    bimal = tablet(browser, base, "bn")
    chandni = tablet(browser, base, "bn_BD")
    join(ann, base, code, "Ann")
    join(bimal, base, code, "Bimal")
    join(chandni, base, code, "Chandni")
    host.locator(".names", has_text="Chandni").wait_for()  # the lobby updates by itself

    host.get_by_role("button", name="First question").click()
    ann.locator("legend", has_text="Which drum wastes less water?").wait_for()
    bimal.locator("legend", has_text="কোন ড্রাম কম জল নষ্ট করে?").wait_for()
    chandni.locator("legend", has_text="কোন ড্রাম কম পানি নষ্ট করে?").wait_for()
    choose(ann, "Batch washing")
    bimal.reload()  # mid-question: the tablet comes back to the same question
    choose(bimal, "ব্যাচ ধোয়া")
    choose(chandni, "চলমান পানি")
    host.locator(".answered", has_text="3 of 3 answered").wait_for()
    host.get_by_role("button", name="Show the answer").click()
    ann.locator(".big-result", has_text="Right").wait_for()
    chandni.locator(".big-result", has_text="ঠিক হয়নি").wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    host.screenshot(path=str(ARTIFACTS / "live-host-reveal.png"))
    bimal.screenshot(path=str(ARTIFACTS / "live-tablet-bn.png"))

    dev = tablet(browser, base, "en")
    join(dev, base, code, "Dev")  # late: straight into the quiz as it is now
    host.get_by_role("button", name="Next question").first.click()
    for who, label in ((ann, "True"), (bimal, "সত্য"), (chandni, "মিথ্যা"), (dev, "True")):
        who.locator("form[data-live-answer]").wait_for()
        choose(who, label)
    host.locator(".answered", has_text="4 of 4 answered").wait_for()
    host.get_by_role("button", name="Close the question").click()
    host.get_by_role("button", name="Show the answer").click()
    host.get_by_role("button", name="End the quiz").click()
    host.wait_for_url("**/results")
    dev.locator("h1", has_text="The quiz has ended").wait_for()

    with app.app_context():
        quiz = db.session.query(LiveQuiz).one()
        scores = {p.name: round(p.score) for p in quiz.participants}
        answers = db.session.query(LiveAnswer).count()
    assert scores == {"Ann": 200, "Bimal": 200, "Chandni": 0, "Dev": 100}
    assert answers == 7  # 3 + 4, each counted once
    table = host.locator("table").first.inner_text()
    assert table.index("Ann") < table.index("Dev") < table.index("Chandni")
