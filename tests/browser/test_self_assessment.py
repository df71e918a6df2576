"""The LWG self-assessment on a tablet and a phone, in Bengali: big taps, Save keeps them, a
reload shows them (issue 20)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from lms.accounts import services
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_tablet import _small_targets
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
SHIPPED = Path(__file__).resolve().parents[2] / "modules_content"
SIZES = {"tablet": {"width": 800, "height": 1280}, "phone": {"width": 360, "height": 740}}


@pytest.mark.parametrize("size", ["tablet", "phone"])
def test_answers_are_tapped_saved_and_kept(
    browser: Any, live_server: Any, tmp_path: Path, size: str
) -> None:
    root = tmp_path / "content"
    for slug in ("lwg-audit-preparation", "quality-standards", "cleaner-production", "facts"):
        shutil.copytree(SHIPPED / slug, root / slug)
    base = live_server(LMS_CONTENT_DIR=str(root))
    with live_server.servers[-1].lms_app.app_context():
        services.create_user(
            "mita@example.org", "Mita", PASSWORD, ["learner"], locale="bn", country="IN"
        )
    page = browser.new_context(viewport=SIZES[size]).new_page()
    page.goto(base + "/login")
    page.locator("input[name=email]").fill("mita@example.org")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(base + "/")
    page.goto(base + "/modules/lwg-audit-preparation")
    page.locator("a.self-assessment-link").click()
    page.wait_for_url("**/self-assessment")
    first = page.locator("fieldset.checklist-item").first
    first.get_by_text("আংশিক").click()
    page.locator("fieldset.checklist-item").nth(1).get_by_text("তৈরি").click()
    assert _small_targets(page) == []
    assert page.evaluate("document.scrollingElement.scrollWidth") <= SIZES[size]["width"]
    page.locator("button[name=section]").first.click()
    page.wait_for_load_state()
    page.reload()
    assert first.locator("input:checked").get_attribute("value") == "partly"
    progress = page.locator(".checklist-progress").inner_text()
    assert "২টির" in progress and not any(c.isascii() and c.isdigit() for c in progress)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"self-assessment-bn-{size}.png"))


def test_the_competitive_analysis_saves_as_it_is_typed(
    browser: Any, live_server: Any, tmp_path: Path
) -> None:
    from tests.browser.test_hall_screens import _hall, _learner

    base, app, _token = _hall(live_server, tmp_path)
    _learner(app, "owner@example.org", "bn")
    page = browser.new_context(viewport=SIZES["phone"]).new_page()
    page.goto(base + "/login")
    page.locator("input[name=email]").fill("owner@example.org")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(base + "/")
    page.goto(base + "/programme/competition")
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.locator("#products").type("চামড়ার ব্যাগ, মাসে ৩০০টি")
    expect(page.locator(".save-state")).to_have_text("সংরক্ষিত")
    page.context.set_offline(True)
    page.locator("#gaps").type("ফিনিশিং")
    page.locator(".save-state", has_text="নেটওয়ার্ক").wait_for(timeout=10_000)
    page.context.set_offline(False)  # back online: the waiting answer is sent by itself
    expect(page.locator(".save-state")).to_have_text("সংরক্ষিত", timeout=10_000)
    page.reload()  # nothing was pressed: both answers were saved as they were typed
    assert page.locator("#products").input_value() == "চামড়ার ব্যাগ, মাসে ৩০০টি"
    assert page.locator("#gaps").input_value() == "ফিনিশিং"
    assert page.evaluate("document.scrollingElement.scrollWidth") <= SIZES["phone"]["width"]
