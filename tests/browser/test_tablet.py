"""What only a browser shows: signing in on a tablet, switching language, layout, idle sign-out."""

from __future__ import annotations

from typing import Any

import pytest

from lms.accounts import services
from tests.browser.conftest import ARTIFACTS, TABLET_LANDSCAPE
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _add_user(live_server: Any, email: str, name: str, role: str = "learner") -> None:
    app = live_server.servers[-1].lms_app
    with app.app_context():
        services.create_user(email, name, PASSWORD, [role])


def _sign_in(page: Any, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")


def _small_targets(page: Any) -> list[str]:
    """Buttons, links and inputs that a finger cannot hit (under 48 px high), once the page's
    stylesheet has applied (a busy machine can measure a page before its CSS has loaded)."""
    page.wait_for_load_state("load")
    return page.evaluate(
        """() => [...document.querySelectorAll(
               'button, a.button, a.tile, a.person, input:not([type=hidden])')]
             .filter(el => el.offsetParent !== null)
             .filter(el => { const r = el.getBoundingClientRect();
                             return el.type === 'checkbox' || el.type === 'radio'
                               ? r.height < 24 : r.height < 48; })
             .map(el => el.outerHTML.slice(0, 80))"""
    )


def test_sign_in_and_switch_to_bengali_on_a_tablet(page: Any, live_server: Any) -> None:
    base = live_server()
    _add_user(live_server, "rina@example.org", "Rina Das", "admin")
    _sign_in(page, base, "rina@example.org")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Hello, Rina Das").is_visible()
    assert _small_targets(page) == []

    page.get_by_role("button", name="বাংলা (ভারত)").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "bn-IN"
    assert page.get_by_role("heading", name="স্বাগত, Rina Das").is_visible()
    assert page.get_by_role("link", name="আমার সেটিংস").is_visible()
    assert page.get_by_role("button", name="সাইন আউট").is_visible()
    assert _small_targets(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "home-bn-portrait.png"), full_page=True)

    page.get_by_role("button", name="বাংলা (বাংলাদেশ)").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "bn-BD"
    assert page.get_by_role("heading", name="স্বাগতম, Rina Das").is_visible()

    page.set_viewport_size(TABLET_LANDSCAPE)
    page.goto(base + "/admin/users")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.screenshot(path=str(ARTIFACTS / "users-bn_BD-landscape.png"), full_page=True)


def test_switch_learner_shows_this_tablets_learners(page: Any, live_server: Any) -> None:
    base = live_server()
    _add_user(live_server, "a@example.org", "Ayesha Khatun")
    _add_user(live_server, "b@example.org", "Biplab Ghosh")
    _sign_in(page, base, "a@example.org")
    page.get_by_role("button", name="Switch learner").click()
    page.get_by_role("link", name="Ayesha Khatun").click()
    assert page.get_by_label("E-mail").input_value() == "a@example.org"
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")
    assert page.get_by_role("heading", name="Hello, Ayesha Khatun").is_visible()


def test_an_idle_tablet_signs_itself_out(page: Any, live_server: Any) -> None:
    base = live_server(LMS_IDLE_TIMEOUT=2)
    _add_user(live_server, "idle@example.org", "Idle Learner")
    _sign_in(page, base, "idle@example.org")
    page.wait_for_url(base + "/login", timeout=8_000)
    assert page.get_by_text("was not used for a while").is_visible()
    page.goto(base + "/settings")
    assert page.url.startswith(base + "/login")


def test_the_idle_warning_counts_down_and_i_am_still_here_keeps_the_learner(
    page: Any, live_server: Any
) -> None:
    base = live_server(LMS_IDLE_TIMEOUT=8)  # the warning shows for the last 4 s
    with live_server.servers[-1].lms_app.app_context():
        services.create_user("mou@example.org", "Mou Das", PASSWORD, ["learner"], locale="bn")
    page.goto(base + "/login")
    page.locator("input[name=email]").fill("mou@example.org")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(base + "/")
    warning = page.locator("#idle-warning")
    assert warning.is_hidden()
    warning.wait_for(state="visible", timeout=8_000)
    left = page.locator(".idle-warning-left").inner_text()
    assert any("০" <= c <= "৯" for c in left) and not any(c.isascii() and c.isdigit() for c in left)
    page.locator("#idle-still-here").click()
    assert warning.is_hidden()
    page.wait_for_timeout(5_000)  # past the first timeout: the server's timer was reset too
    page.goto(base + "/settings")
    assert page.url == base + "/settings"
    page.wait_for_url(base + "/login", timeout=12_000)  # nobody taps now: signed out
