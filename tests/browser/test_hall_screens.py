"""The screens of a first hour in the hall, at tablet (800 x 1280) and phone (360 x 740) size in
the three languages (issue 16): the module page, a section with a diagram, a question, the
result and the check-in. Nothing is wider than the screen, the phone's header stays short, and
each screen is saved to tests/artifacts/hall/ to be looked at."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from lms.accounts import services
from lms.db import db
from lms.programme.models import Beneficiary, Cluster, Enterprise
from lms.programme.sessions import training
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_quiz import _answer_current
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
SHIPPED = Path(__file__).resolve().parents[2] / "modules_content"
SIZES = {"tablet": {"width": 800, "height": 1280}, "phone": {"width": 360, "height": 740}}
SHOTS = ARTIFACTS / "hall"


def _hall(live_server: Any, tmp_path: Path) -> tuple[str, Any, str]:
    content = tmp_path / "content"
    shutil.copytree(SHIPPED / "gst-vat", content / "gst-vat")
    shutil.copytree(SHIPPED / "facts", content / "facts")
    base = live_server(LMS_CONTENT_DIR=str(content))
    app = live_server.servers[-1].lms_app
    with app.app_context():
        cluster = Cluster(name="Tangra", country="IN")
        db.session.add(Enterprise(name="Shampa Bags", segment="leather-goods", cluster=cluster))
        db.session.commit()
        session, problems = training.save_session(
            {
                "title": "GST day 1",
                "held_on": "2026-01-01",
                "cluster": "Tangra",
                "capacity": "20",
                "modules": ["gst-vat"],
            }
        )
        assert problems == []
        session.held_on = training.session_today(session)
        db.session.commit()
        return base, app, session.checkin_token


def _learner(app: Any, email: str, locale: str) -> None:
    with app.app_context():
        user = services.create_user(email, "শম্পা দাস", PASSWORD, ["learner"], locale=locale)
        enterprise = db.session.query(Enterprise).one()
        db.session.add(Beneficiary(name="শম্পা দাস", user_id=user.id, enterprise=enterprise))
        db.session.commit()


def _fits(page: Any, size: str, name: str) -> None:
    page.wait_for_load_state("load")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    width = page.evaluate("document.scrollingElement.scrollWidth")
    header = page.evaluate("document.querySelector('header.topbar').getBoundingClientRect().height")
    assert width <= SIZES[size]["width"], (name, width)
    if size == "phone":
        assert header <= 120, (name, header)


@pytest.mark.parametrize("locale", ["en", "bn", "bn_BD"])
def test_the_first_hour_fits_tablet_and_phone(
    browser: Any, live_server: Any, tmp_path: Path, locale: str
) -> None:
    base, app, token = _hall(live_server, tmp_path)
    for size, viewport in SIZES.items():
        email = f"{size}-{locale}@example.org".lower()
        _learner(app, email, locale)
        page = browser.new_context(viewport=viewport).new_page()
        page.goto(f"{base}/programme/checkin/{token}")
        page.locator("input[name=email]").fill(email)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("form button[type=submit]").last.click()
        page.locator(".checkin-who").wait_for()
        _fits(page, size, f"checkin-{locale}-{size}")
        page.goto(f"{base}/modules/gst-vat")
        _fits(page, size, f"module-{locale}-{size}")
        page.goto(f"{base}/modules/gst-vat")
        page.locator('#next-step[data-step="pre"]').get_by_role("button").click()
        page.wait_for_url("**/quiz/attempt/*/1")
        _fits(page, size, f"question-{locale}-{size}")
        attempt = page.url.rsplit("/", 1)[0]
        for number in range(1, 40):
            if page.goto(f"{attempt}/{number}").status != 200:
                break
            _answer_current(page)
            page.wait_for_load_state("networkidle")
        page.goto(f"{attempt}/review")
        page.locator('form[action$="/submit"] button[type=submit]').click()
        page.wait_for_url("**/result")
        _fits(page, size, f"result-{locale}-{size}")
        drawn = page.goto(f"{base}/modules/gst-vat/1")
        assert drawn.status == 200
        for number in range(1, 12):  # the first section with a diagram
            if page.locator("figure.diagram").count():
                break
            page.goto(f"{base}/modules/gst-vat/{number + 1}")
        assert page.locator("figure.diagram svg").count(), "no diagram in gst-vat"
        box = page.locator("figure.diagram svg").first.bounding_box()
        assert box["x"] + box["width"] <= viewport["width"]
        _fits(page, size, f"section-{locale}-{size}")
        page.context.close()
