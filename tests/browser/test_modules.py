"""Reading a module on a tablet, and editing one with live preview, in a real browser."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from lms.accounts import services
from tests.browser.conftest import ARTIFACTS
from tests.conftest import PASSWORD, write_module

pytestmark = pytest.mark.browser
SHIPPED = Path(__file__).resolve().parents[2] / "modules_content"


def _user(live_server: Any, email: str, role: str, locale: str | None = None) -> None:
    with live_server.servers[-1].lms_app.app_context():
        services.create_user(email, email.split("@")[0], PASSWORD, [role], locale=locale)


def _sign_in(page: Any, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(base + "/")


def test_a_learner_reads_in_bengali_and_resumes(page: Any, live_server: Any, tmp_path) -> None:  # noqa: ANN001
    content = tmp_path / "content"
    shutil.copytree(SHIPPED / "gst-vat", content / "gst-vat")
    shutil.copytree(SHIPPED / "facts", content / "facts")  # its figures
    base = live_server(LMS_CONTENT_DIR=str(content))
    _user(live_server, "rahim@example.org", "learner", locale="bn_BD")
    _sign_in(page, base, "rahim@example.org")
    page.goto(base + "/modules")
    page.locator(".card-link").first.click()
    assert page.locator("article.reader").get_attribute("lang") == "bn-BD"
    # The first test is the next step; reading without it stays at hand.
    page.locator('.path-step[data-step="read"]').get_by_role("link").click()
    page.wait_for_url(base + "/modules/gst-vat/1")
    page.get_by_role("button", name="পরবর্তী অংশ →").click()
    page.wait_for_url(base + "/modules/gst-vat/2")
    page.get_by_role("button", name="পরবর্তী অংশ →").click()
    page.wait_for_url(base + "/modules/gst-vat/3")
    assert "৩" in page.locator(".crumbs").inner_text()  # Bengali digits
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "module-section-bn_BD.png"), full_page=False)
    # The tablet sleeps, the page reloads: the module page offers to continue at section 3.
    page.goto(base + "/modules/gst-vat")
    page.locator('#next-step[data-step="read"]').get_by_role("link").click()
    page.wait_for_url(base + "/modules/gst-vat/3")
    # Opening a section directly (e.g. from the list) is remembered too.
    page.goto(base + "/modules/gst-vat/5")
    page.wait_for_load_state("networkidle")
    page.goto(base + "/modules/gst-vat")
    page.locator('#next-step[data-step="read"]').get_by_role("link").click()
    page.wait_for_url(base + "/modules/gst-vat/5")


def test_an_author_edits_with_live_preview_and_saves(page: Any, live_server: Any, tmp_path) -> None:  # noqa: ANN001
    content = tmp_path / "content"
    write_module(content, "tanning", title="Tanning basics")
    base = live_server(LMS_CONTENT_DIR=str(content))
    _user(live_server, "author@example.org", "author")
    _sign_in(page, base, "author@example.org")
    page.goto(base + "/author/content")
    page.get_by_role("link", name="Edit").first.click()
    page.wait_for_url(base + "/author/content/tanning/en/edit")
    source = page.locator("#source-text")
    source.press("Control+End")
    source.type("\n## Drying\n\nHang the **hides** in shade.\n\n![](drum.png)\n")
    preview = page.locator(".live-html")
    preview.locator("strong", has_text="hides").wait_for()
    page.locator(".live-problems", has_text="no alt text").wait_for()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(base + "/author/content/tanning/en/edit")
    assert "Saved. The checker found 2 errors" in page.locator(".flash").inner_text()
    saved = (content / "tanning" / "en.md").read_text()
    assert "Hang the **hides** in shade." in saved
    page.screenshot(path=str(ARTIFACTS / "editor.png"), full_page=False)
