"""A live-quiz tablet in a hall whose wifi drops for 20 s (issue 21): it says "Reconnecting…",
never an error; the answer given stays chosen on screen and is counted once when the network is
back; the quiz's next step reaches the tablet by itself."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from lms.db import db
from lms.live.models import LiveAnswer, LiveParticipant
from tests.browser.test_live import join, tablet
from tests.browser.test_live_push import FIRST, SECOND, act, start_quiz

pytestmark = pytest.mark.browser


def test_a_tablet_offline_for_20_seconds_keeps_its_answer_and_catches_up(
    browser: Any, live_server: Any, tmp_path: Path
) -> None:
    base, app, quiz_id, code = start_quiz(live_server, tmp_path)
    page = tablet(browser, base, "en")
    join(page, base, code, "Ann")
    act(app, quiz_id, "next")
    page.locator("legend", has_text=FIRST).wait_for()
    page.context.set_offline(True)
    choice = page.locator("label.choice", has_text="Batch washing")
    choice.click()
    page.locator("form[data-live-answer] button[type=submit]").click()
    page.locator(".live-net", has_text="Reconnecting…").wait_for()
    page.wait_for_timeout(20_000)
    # Still the same question, the answer still chosen, no error anywhere.
    assert choice.locator("input").is_checked()
    assert page.locator(".live-refusal").inner_text() == ""
    assert "Reconnecting…" in page.locator(".live-net").inner_text()
    back = time.monotonic()
    page.context.set_offline(False)
    page.locator(".done").wait_for(timeout=10_000)  # sent at once, counted, shown
    assert time.monotonic() - back < 5  # no waiting for the next scheduled try
    assert page.locator(".live-net").inner_text() == ""
    act(app, quiz_id, "close")
    page.locator("text=Your answer is in. Wait for the answer.").wait_for(timeout=20_000)

    # A second drop with nothing to send: the quiz moves on meanwhile; the tablet catches up.
    page.context.set_offline(True)
    page.wait_for_timeout(20_000)
    act(app, quiz_id, "reveal", "next")
    page.context.set_offline(False)
    page.locator("legend", has_text=SECOND).wait_for(timeout=10_000)
    page.locator("label.choice", has_text="True").click()
    page.locator("form[data-live-answer] button[type=submit]").click()
    page.locator(".done").wait_for()
    with app.app_context():
        answers = db.session.query(LiveAnswer).filter_by(quiz_id=quiz_id).all()
        assert sorted((a.item_index, a.response) for a in answers) == [(0, "a"), (1, True)]
        ann = db.session.query(LiveParticipant).filter_by(quiz_id=quiz_id).one()
        assert round(ann.score) == 200  # both right, each counted once
    page.context.close()
