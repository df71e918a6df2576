"""The pages run under the Content-Security-Policy: no inline script or style is blocked."""

from __future__ import annotations

from typing import Any

import pytest

from lms.accounts import services
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_no_page_breaks_the_content_security_policy(page: Any, live_server: Any) -> None:
    base = live_server()
    with live_server.servers[-1].lms_app.app_context():
        services.create_user("admin@example.org", "Admin", PASSWORD, ["admin"])
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.goto(base + "/login")
    page.locator("input[name=email]").fill("admin@example.org")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(base + "/")
    for path in (
        "/",
        "/modules",
        "/modules/gst-vat",
        "/modules/gst-vat/1",
        "/settings",
        "/author/content",
        "/author/content/gst-vat/bn/edit",
        "/quiz/results",
        "/live",
        "/live/host",
        "/certificates",
        "/verify",
        "/programme/enterprises",
        "/programme/enterprises/new",
        "/programme/enterprises/import",
        "/programme/sessions",
    ):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
    assert problems == []
