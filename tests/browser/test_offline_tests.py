"""Tests offline on a shared tablet (issue 21): answers given without a network are kept on the
tablet (IndexedDB), survive a closed page, and are counted once each when the network is back;
a submit made offline counts once; a queue left by one learner is never shown to the next, and
is still saved for the learner who answered."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from lms.accounts import services
from lms.db import db
from lms.quiz.models import Answer, Attempt, SyncKey
from tests.browser.test_quiz import _answer_current, _form_state
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
SHIPPED = Path(__file__).resolve().parents[2] / "modules_content"
QUEUED = "Saved on this tablet, will send"
QUEUE_SIZE = """() => new Promise((resolve, reject) => {
  const opening = indexedDB.open("lms-queue", 1);
  opening.onsuccess = () => {
    const counting = opening.result.transaction("changes").objectStore("changes").count();
    counting.onsuccess = () => { resolve(counting.result); opening.result.close(); };
    counting.onerror = () => reject(counting.error);
  };
  opening.onerror = () => reject(opening.error);
})"""
KEPT = """async ([key, urls]) => {
  const cache = await caches.open("lms-learner-" + key);
  const found = await Promise.all(urls.map((u) => cache.match(new URL(u, location.href).href)));
  return found.every(Boolean);
}"""


def serve(live_server: Any, tmp_path: Path) -> tuple[str, Flask]:
    content = tmp_path / "content"
    shutil.copytree(SHIPPED / "gst-vat", content / "gst-vat")
    shutil.copytree(SHIPPED / "facts", content / "facts")
    base = live_server(LMS_CONTENT_DIR=str(content))
    app = live_server.servers[-1].lms_app
    with app.app_context():
        for name in ("Rekha", "Sima"):
            email = f"{name.lower()}@example.org"
            services.create_user(email, name, PASSWORD, ["learner"], locale="en")
    return base, app


def sign_in(page: Any, base: str, name: str) -> None:
    page.goto(base + "/login")
    page.locator("input[name=email]").fill(f"{name.lower()}@example.org")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(base + "/")


def start_pre(page: Any, base: str) -> int:
    """Start the first test; wait until the service worker has kept all its pages."""
    page.goto(base + "/modules/gst-vat")
    page.locator('#next-step[data-step="pre"]').get_by_role("button").click()
    page.wait_for_url("**/quiz/attempt/*/1")
    attempt = int(re.search(r"/quiz/attempt/(\d+)/1", page.url).group(1))
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller")
    form = page.locator("form.question")
    urls = [*eval_json(form.get_attribute("data-pages")), form.get_attribute("data-review")]
    key = form.get_attribute("data-learner")
    until(page, lambda: page.evaluate(KEPT, [key, urls]))
    return attempt


def until(page: Any, check: Any, seconds: float = 20) -> None:
    """Wait for ``check()`` (page.evaluate awaits the page's promises; wait_for_function not)."""
    for _ in range(int(seconds * 10)):
        if check():
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"still not so after {seconds} s")


def eval_json(text: str | None) -> list[str]:
    return json.loads(text or "[]")


def count(app: Flask, query: Any) -> int:
    with app.app_context():
        return db.session.scalar(query)


def answers_of(app: Flask, attempt: int) -> dict[str, Any]:
    with app.app_context():
        rows = db.session.scalars(select(Answer).where(Answer.attempt_id == attempt))
        return {a.item_id: a.response for a in rows if a.response is not None}


def keys_of(app: Flask, attempt: int, kind: str) -> int:
    query = select(func.count()).select_from(SyncKey).filter_by(attempt_id=attempt, kind=kind)
    return count(app, query)


def test_five_answers_offline_survive_a_closed_page_and_count_once(
    page: Any, live_server: Any, tmp_path: Path
) -> None:
    base, app = serve(live_server, tmp_path)
    sign_in(page, base, "Rekha")
    attempt = start_pre(page, base)
    page.context.set_offline(True)
    given = []
    for number in range(1, 6):
        _answer_current(page)
        page.locator(".save-state", has_text=QUEUED).wait_for()
        given.append(_form_state(page))
        page.get_by_role("button", name="Next question").click()
        page.wait_for_url(f"**/quiz/attempt/{attempt}/{number + 1}")
    queued = page.evaluate(QUEUE_SIZE)
    assert queued >= 5 and answers_of(app, attempt) == {}  # all on the tablet, none sent
    # The review page, kept before any answer, counts the answers waiting on the tablet.
    page.goto(f"{base}/quiz/attempt/{attempt}/review")
    page.locator(".answered-count", has_text="You answered 5 of").wait_for()
    page.close()  # the tablet is put away: the browser tab is gone

    again = page.context.new_page()
    again.goto(f"{base}/quiz/attempt/{attempt}/3")  # still offline: the kept copy
    assert again.locator("html").get_attribute("data-lms-saved-at")
    again.locator(".save-state", has_text=QUEUED).wait_for()
    assert _form_state(again) == given[2]  # the queued answer, not the page as it was kept
    again.context.set_offline(False)
    again.locator(".save-state", has_text="Saved").wait_for()
    until(again, lambda: again.evaluate(QUEUE_SIZE) == 0)
    assert len(answers_of(app, attempt)) == 5
    assert keys_of(app, attempt, "answer") == queued  # every change applied once
    with app.app_context():
        rows = db.session.scalars(select(Answer).where(Answer.attempt_id == attempt)).all()
        assert len(rows) == len({r.item_id for r in rows}) == 5


def test_a_submit_made_offline_counts_once_and_the_result_follows(
    page: Any, live_server: Any, tmp_path: Path
) -> None:
    base, app = serve(live_server, tmp_path)
    sign_in(page, base, "Rekha")
    attempt = start_pre(page, base)
    _answer_current(page)
    page.locator(".save-state", has_text="Saved").wait_for()
    page.goto(f"{base}/quiz/attempt/{attempt}/review")
    page.context.set_offline(True)
    button = page.get_by_role("button", name="Submit the test")
    button.click()
    page.locator(".save-state", has_text="will be submitted when the connection").wait_for()
    assert button.is_disabled()  # a second tap sends nothing more
    with app.app_context():
        assert db.session.get(Attempt, attempt).submitted_at is None
    page.context.set_offline(False)
    page.wait_for_url(f"**/quiz/attempt/{attempt}/result", timeout=20_000)
    page.locator(".big-score").wait_for()
    assert keys_of(app, attempt, "submit") == 1
    query = select(func.count()).select_from(Attempt).where(Attempt.submitted_at.is_not(None))
    assert count(app, query) == 1
    assert page.evaluate(QUEUE_SIZE) == 0


def test_a_queue_left_by_one_learner_is_never_shown_to_the_next(
    page: Any, live_server: Any, tmp_path: Path
) -> None:
    base, app = serve(live_server, tmp_path)
    sign_in(page, base, "Rekha")
    rekha = start_pre(page, base)
    # The server is out of reach for the queue: Rekha's answers stay on the tablet.
    page.context.route("**/quiz/sync", lambda route: route.abort())
    _answer_current(page)
    page.locator(".save-state", has_text=QUEUED).wait_for()
    given = _form_state(page)
    page.get_by_role("button", name="Switch learner").click()
    page.wait_for_url("**/login**")
    page.locator("input[name=email]").fill("sima@example.org")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(base + "/")
    assert page.evaluate(QUEUE_SIZE) >= 1  # Rekha's answer is still queued
    sima = start_pre(page, base)
    assert sima != rekha
    assert page.locator(".save-state").inner_text() == ""
    assert not any(value for _name, value in _form_state(page))
    assert page.locator(".qdot.queued").count() == 0
    assert page.get_by_text(QUEUED).count() == 0
    assert page.goto(f"{base}/quiz/attempt/{rekha}/1").status == 404  # not Sima's to see
    # The network is back: the queue goes out, for Rekha, whoever is signed in.
    page.context.unroute("**/quiz/sync")
    page.goto(f"{base}/quiz/attempt/{sima}/1")
    until(page, lambda: page.evaluate(QUEUE_SIZE) == 0)
    assert len(answers_of(app, rekha)) == 1 and answers_of(app, sima) == {}
    with app.app_context():
        assert db.session.get(Attempt, rekha).user_id != db.session.get(Attempt, sima).user_id
    assert given and any(value for _name, value in given)


def test_an_answer_sent_online_shows_on_its_kept_page_offline(
    page: Any, live_server: Any, tmp_path: Path
) -> None:
    base, _app = serve(live_server, tmp_path)
    sign_in(page, base, "Rekha")
    attempt = start_pre(page, base)
    _answer_current(page)
    page.locator(".save-state", has_text="Saved").wait_for()
    given = _form_state(page)
    key = page.locator("form.question").get_attribute("data-learner")
    first = f"{base}/quiz/attempt/{attempt}/1"
    kept_state = """async ([key, url]) => {
      const found = await (await caches.open("lms-learner-" + key)).match(url);
      if (!found) { return null; }
      const doc = new DOMParser().parseFromString(await found.text(), "text/html");
      return [...doc.querySelectorAll(
        'form.question input:not([type=hidden]), form.question select')].map((el) =>
        [el.name, (el.type === 'radio' || el.type === 'checkbox') ? (el.checked ? el.value : '')
                  : el.value]);
    }"""

    def renewed() -> bool:
        found = page.evaluate(kept_state, [key, first])
        return found is not None and [tuple(x) for x in found] == given

    until(page, renewed)  # the kept copy now has the answer the server saved
    page.context.set_offline(True)
    page.goto(f"{base}/quiz/attempt/{attempt}/2")
    page.goto(first)
    assert page.locator("html").get_attribute("data-lms-saved-at")
    assert _form_state(page) == given and page.evaluate(QUEUE_SIZE) == 0
