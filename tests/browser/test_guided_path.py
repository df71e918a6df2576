"""The guided path on a tablet (800 x 1280) in Bengali: the module page leads with one big next
step, the result teaches, the reading ends by leading to the final test, and a pass leads to
the certificate. Nothing overflows a 360 px phone; every button is a 48 px touch target."""

from __future__ import annotations

from typing import Any

import pytest

from lms.accounts import services
from tests.browser.conftest import ARTIFACTS
from tests.conftest import PASSWORD, write_module
from tests.quiz_bank import QUIZ_YAML

pytestmark = pytest.mark.browser

#: The right answer to each item of the test bank, as a learner would give it on screen.
RIGHT_SELECTS = {
    "position-soak": "1",
    "position-lime": "2",
    "position-tan": "3",
    "match-p1": "x",
    "match-p2": "y",
}
BUTTONS = ".next-step .button, .path-step .button, .finish-reading .button, .continue .button"


def _answer_right(page: Any) -> None:
    """Give the right answer to whatever item of the test bank is on screen."""
    form = page.locator("form.question")
    for value in ("true", "a"):
        choice = form.locator(f"input[type=radio][value={value}]")
        if choice.count():
            choice.check()
            return
    boxes = form.locator("input[type=checkbox]")
    if boxes.count():
        for value in ("a", "b"):
            form.locator(f"input[type=checkbox][value={value}]").check()
        return
    numeric = form.locator("input[name=answer][type=text]")
    if numeric.count():
        numeric.fill("৬০০")
        return
    for name, value in RIGHT_SELECTS.items():
        select = form.locator(f"select[name={name}]")
        if select.count():
            select.select_option(value)


def _take_test(page: Any) -> None:
    """From the first question: answer each, go on, review and submit."""
    page.wait_for_url("**/quiz/attempt/*/1")
    while True:
        _answer_right(page)
        page.wait_for_load_state("networkidle")
        more = page.locator("button[name=go][value=next]")
        if not more.count():
            break
        more.click()
        page.wait_for_load_state()
    page.locator("button[name=go][value=review]").click()
    page.wait_for_url("**/review")
    page.locator("form[action$='/submit'] button").click()
    page.wait_for_url("**/result")


def _fits(page: Any) -> None:
    """No sideways scrolling, and every button of the path is at least 48 px high."""
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{overflow} px wider than the screen at {page.url}"
    for box in page.locator(BUTTONS).evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().height)"
    ):
        assert box >= 48


def _on_a_phone(page: Any) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    _fits(page)
    page.set_viewport_size({"width": 800, "height": 1280})


def test_a_bengali_learner_follows_the_path_to_the_certificate(
    page: Any, live_server: Any, tmp_path
) -> None:  # noqa: ANN001
    content = tmp_path / "content"
    folder = write_module(content, "tanning", title="Tanning basics", bn="auto")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    base = live_server(LMS_CONTENT_DIR=str(content), LMS_BASE_URL="https://dakshata.example.org")
    with live_server.servers[-1].lms_app.app_context():
        services.create_user("mina@example.org", "মিনা", PASSWORD, ["learner"], locale="bn")
    page.goto(base + "/login")
    page.locator("input[name=email]").fill("mina@example.org")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(base + "/")
    assert page.locator(".continue").count() == 0  # nothing to continue yet

    # 1. The module page leads with the first test, above the module's text, on the first screen.
    page.goto(base + "/modules/tanning")
    lead = page.locator('#next-step[data-step="pre"]')
    box = lead.bounding_box()
    assert box["y"] + box["height"] < 1280
    assert box["y"] < page.locator("article.reader").bounding_box()["y"]
    assert "৩" in lead.inner_text()  # three questions, in Bengali digits
    assert page.locator("#next-step").count() == 1  # one next step
    _fits(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "guided-module-bn.png"), full_page=False)
    _on_a_phone(page)
    lead.get_by_role("button").click()
    _take_test(page)

    # 2. The result shows each answer beside the right one, then leads on to the reading.
    assert page.locator(".answer-choice.chosen").count() >= 2
    assert page.locator(".answer-right").count() >= 2
    assert "আপনার উত্তর" in page.locator(".feedback-list").inner_text()
    _fits(page)
    _on_a_phone(page)
    page.screenshot(path=str(ARTIFACTS / "guided-result-bn.png"), full_page=False)
    page.locator(".score a.button.big").click()
    page.wait_for_url(base + "/modules/tanning#next-step")
    reading = page.locator('#next-step[data-step="read"]')
    assert "২" in reading.locator(".step-count").inner_text()  # step 2 of 4
    reading.get_by_role("link").click()
    page.wait_for_url(base + "/modules/tanning/1")
    page.locator("button[name=to]").last.click()
    page.wait_for_url(base + "/modules/tanning/2")

    # 3. Back home mid-module: the home page leads back, ahead of the tiles.
    page.goto(base + "/")
    resume = page.locator(".continue")
    assert "৩টির মধ্যে ২ নম্বর অংশ" in resume.inner_text()
    assert resume.bounding_box()["y"] < page.locator(".tiles").bounding_box()["y"]
    _fits(page)
    _on_a_phone(page)
    resume.get_by_role("link").click()
    page.wait_for_url(base + "/modules/tanning/2")
    page.locator("button[name=to]").last.click()
    page.wait_for_url(base + "/modules/tanning/3")

    # 4. The last section ends with the finished-reading panel, which leads to the final test.
    finish = page.locator(".finish-reading")
    finish.wait_for()
    _fits(page)
    _on_a_phone(page)
    page.screenshot(path=str(ARTIFACTS / "guided-finish-bn.png"), full_page=True)
    finish.get_by_role("button").click()
    page.wait_for_url(base + "/modules/tanning?done=1")
    final = page.locator('#next-step[data-step="post"]')
    assert "৩" in final.locator(".step-count").inner_text()  # step 3 of 4
    final.get_by_role("button").click()
    _take_test(page)

    # 5. A pass says the certificate is ready, with a button to it.
    ready = page.locator(".certificate-ready")
    assert ready.is_visible()
    _fits(page)
    page.screenshot(path=str(ARTIFACTS / "guided-pass-bn.png"), full_page=False)
    ready.get_by_role("link").click()
    page.wait_for_url(base + "/certificates")
    assert page.locator(".card").count() >= 1
    page.goto(base + "/modules/tanning")
    assert page.locator('#next-step[data-step="certificate"]').is_visible()
    _on_a_phone(page)
