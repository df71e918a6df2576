"""Back after *Switch learner* in Chromium with the back-forward cache on: the previous
learner's name and scores do not come back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lms.accounts import services as accounts
from lms.content import services as content
from lms.quiz import services as quiz
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, TABLET_PORTRAIT
from tests.conftest import PASSWORD, write_module
from tests.quiz_bank import QUIZ_YAML, RIGHT

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def bfcache_browser(browser: Any) -> Iterator[Any]:
    """Chromium as on a tablet: Playwright turns the back-forward cache off; turned on here
    (launched by the session's Playwright)."""
    launched = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, "--enable-features=BackForwardCache"],
        ignore_default_args=["--disable-back-forward-cache"],
    )
    yield launched
    launched.close()


@pytest.fixture
def page(bfcache_browser: Any) -> Iterator[Any]:
    context = bfcache_browser.new_context(viewport=TABLET_PORTRAIT, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def learner_with_a_score(app: Any, email: str, name: str) -> None:
    """An account whose record shows a post-test scored 67 % (2 of 3 right)."""
    with app.app_context():
        user = accounts.create_user(email, name, PASSWORD, ["learner"])
        module = content.library().get("tanning")
        content.save_position(user.id, "tanning", 3, 3, finished=True)
        attempt = quiz.start_attempt(user.id, module, "post", "en")
        for entry in attempt.items[:2]:
            quiz.save_answer(attempt, entry["id"], RIGHT[entry["id"]])
        quiz.submit(attempt)


def restored_from_cache(page: Any, base: str) -> bool:
    """Whether Back restores a page from the back-forward cache (its script state kept).

    The first page installs the offline worker, whose ``clients.claim()`` evicts a page
    already in the cache; so wait until the worker controls the page, as it does on a
    tablet in use, before leaving it."""
    page.goto(base + "/verify")
    page.wait_for_function("() => !!navigator.serviceWorker.controller")
    page.evaluate("window.lmsMarker = 'still here'")
    page.goto(base + "/login")
    back(page)
    return page.url == base + "/verify" and page.evaluate("window.lmsMarker") == "still here"


def back(page: Any) -> None:
    """Press Back, and wait for the page shown (one restored from the cache fires no load
    event: Playwright's own wait would not end)."""
    page.go_back(wait_until="commit")
    page.wait_for_function("document.readyState === 'complete'")


def test_back_after_switch_learner_shows_nothing_of_the_previous_learner(
    page: Any, live_server: Any, tmp_path: Path
) -> None:
    folder = write_module(tmp_path / "content", "tanning", title="Tanning basics")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    base = live_server(LMS_CONTENT_DIR=str(tmp_path / "content"))
    app = live_server.servers[-1].lms_app
    learner_with_a_score(app, "rahima@example.org", "Rahima Khatun")
    assert restored_from_cache(page, base), "the back-forward cache is off: this test shows nothing"

    page.goto(base + "/login?next=/my/record")
    page.get_by_label("E-mail").fill("rahima@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/my/record")
    assert page.locator(".who-name").inner_text() == "Rahima Khatun"
    assert "67%" in page.locator("main").inner_text()  # what must not come back

    page.get_by_role("button", name="Switch learner").click()
    page.wait_for_url(base + "/login")
    back(page)
    # The sign-in page may list the tablet's recent learners; nobody is shown signed in, and
    # no score is shown.
    assert page.locator(".who-name").count() == 0
    assert "67%" not in page.content()
    assert page.url.startswith(base + "/login")
