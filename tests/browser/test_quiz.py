"""A learner takes a test on a tablet, in Bengali; a reload mid-test keeps every answer."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from lms.accounts import services
from tests.browser.conftest import ARTIFACTS
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
SHIPPED = Path(__file__).resolve().parents[2] / "modules_content"


def _answer_current(page: Any) -> None:
    """Give some answer to whatever question type is on screen."""
    choices = page.locator("label.choice")
    if choices.count():
        choices.first.click()
        return
    numeric = page.locator("input[name=answer][type=text]")
    if numeric.count():
        numeric.fill("১০০০")
        numeric.dispatch_event("change")
        return
    selects = page.locator("form.question select")
    for index in range(selects.count()):
        select = selects.nth(index)
        values = [
            v for v in select.locator("option").evaluate_all("els => els.map(e => e.value)") if v
        ]
        select.select_option(
            values[index % len(values)]
            if "position-" not in (select.get_attribute("name") or "")
            else str(index + 1)
        )


def _form_state(page: Any) -> list[tuple[str, str]]:
    """What the question's form says now: checked boxes, typed numbers, chosen places."""
    return [
        tuple(x)
        for x in page.evaluate("""() => [...document.querySelectorAll(
        'form.question input:not([type=hidden]), form.question select')].map(el =>
        [el.name, (el.type === 'radio' || el.type === 'checkbox') ? (el.checked ? el.value : '')
                  : el.value])""")
    ]


def test_pre_test_in_bengali_survives_a_reload(page: Any, live_server: Any, tmp_path) -> None:  # noqa: ANN001
    content = tmp_path / "content"
    shutil.copytree(SHIPPED / "gst-vat", content / "gst-vat")
    shutil.copytree(SHIPPED / "facts", content / "facts")  # its figures
    base = live_server(LMS_CONTENT_DIR=str(content))
    with live_server.servers[-1].lms_app.app_context():
        services.create_user("mina@example.org", "মিনা", PASSWORD, ["learner"], locale="bn")
    page.goto(base + "/login")
    page.locator("input[name=email]").fill("mina@example.org")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(base + "/")
    page.goto(base + "/modules/gst-vat")
    # Before any reading the module page's next step is the first test.
    page.locator('#next-step[data-step="pre"]').get_by_role("button").click()
    page.wait_for_url("**/quiz/attempt/*/1")
    assert "৮টির মধ্যে ১ নম্বর প্রশ্ন" in page.locator(".crumbs").inner_text()
    # Answer the first question; the page saves it by itself (no button pressed).
    with page.expect_response(lambda r: "/quiz/sync" in r.url and r.request.method == "POST"):
        _answer_current(page)
    page.locator(".save-state", has_text="সংরক্ষিত").wait_for()
    page.wait_for_load_state("networkidle")
    first_url, given = page.url, _form_state(page)
    assert any(value for _name, value in given)
    # The tablet sleeps, the browser reloads: the answer is still there.
    page.reload()
    assert page.url == first_url
    assert _form_state(page) == given
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "quiz-question-bn.png"), full_page=True)
    # Answer the rest with the Next button (works without script too).
    for _ in range(7):
        page.get_by_role("button", name="পরের প্রশ্ন →").click()
        page.wait_for_load_state()
        _answer_current(page)
    page.get_by_role("button", name="দেখে নিয়ে জমা দিন").click()
    page.wait_for_url("**/review")
    assert "৮টির মধ্যে ৮টি" in page.locator("main").inner_text()
    page.get_by_role("button", name="পরীক্ষা জমা দিন").click()
    page.wait_for_url("**/result")
    assert "%" in page.locator(".big-score").inner_text()
    page.screenshot(path=str(ARTIFACTS / "quiz-result-bn.png"), full_page=False)
    # Back on the module page the pre-test shows its score; a second try is not offered.
    page.goto(base + "/modules/gst-vat")
    row = page.locator('.path-step[data-step="pre"]')
    assert "নম্বর:" in row.inner_text()
    assert row.get_by_role("button").count() == 0
