"""The pages run under the Content-Security-Policy: no inline script or style is blocked."""

from __future__ import annotations

from typing import Any

import pytest

from lms.accounts import services
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _watch_and_sign_in(page: Any, base: str, email: str) -> list[str]:
    """Collect the console's CSP violations from now on, and sign in as ``email``."""
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.goto(base + "/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(base + "/")
    return problems


def test_no_page_breaks_the_content_security_policy(page: Any, live_server: Any) -> None:
    base = live_server()
    with live_server.servers[-1].lms_app.app_context():
        services.create_user("admin@example.org", "Admin", PASSWORD, ["admin"])
    problems = _watch_and_sign_in(page, base, "admin@example.org")
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


def test_programme_pages_with_demo_data_keep_the_policy(page: Any, live_server: Any) -> None:
    from lms.db import db
    from lms.demo import load_demo
    from lms.programme.models import Cluster, Enterprise, Mentorship, Programme, TrainingSession

    base = live_server()
    app = live_server.servers[-1].lms_app
    with app.app_context():
        load_demo(PASSWORD)
        session = db.session.query(TrainingSession).order_by(TrainingSession.held_on).first()
        ids = {
            "session": session.id,
            "programme": db.session.query(Programme).first().id,
            "cluster": db.session.query(Cluster).filter_by(name="Tangra").one().id,
            "enterprise": db.session.query(Enterprise).first().id,
            "mentorship": db.session.query(Mentorship).first().id,
        }
    problems = _watch_and_sign_in(page, base, "admin@demo.dakshata.org")
    for path in (
        "/programme/programmes",
        "/programme/clusters",
        f"/programme/programmes/{ids['programme']}",
        "/programme/beneficiaries/import",
        "/programme/sessions/new",
        f"/programme/sessions/{ids['session']}",
        f"/programme/sessions/{ids['session']}/qr",
        f"/programme/enterprises/{ids['enterprise']}",
        f"/programme/enterprises/{ids['enterprise']}/roadmap",
        f"/programme/enterprises/{ids['enterprise']}/needs",
        "/programme/needs/clusters",
        f"/programme/clusters/{ids['cluster']}/needs",
        "/programme/needs/questionnaire?lang=bn_BD",
        "/programme/feedback",
        "/programme/feedback/summary",
        "/programme/mentorship",
        f"/programme/mentorship/{ids['mentorship']}",
        "/programme/dashboard",
        "/quiz/ranking",
        "/my/record",
    ):
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
    assert problems == []
