"""Reading offline on a shared tablet (issue 21): Save for offline, read with the network gone,
the offline banner, and the next learner never getting the first learner's pages."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server

from lms.accounts import services
from lms.offline import learner_key
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

MODULE = "/modules/gst-vat"


class Wifi:
    """The hall's wifi for one tablet: ``drop()`` takes the browser offline and the server off
    the network (Chromium's offline switch does not reach a service worker's own fetches);
    ``back()`` brings both back on the same address."""

    def __init__(self, live_server: Any, context: Any) -> None:
        self.server = live_server.servers[-1]
        self.context = context
        self.port = self.server.server_port

    def drop(self) -> None:
        self.context.set_offline(True)
        self.server.shutdown()
        self.server.server_close()

    def back(self) -> None:
        app = self.server.lms_app
        self.server = make_server("127.0.0.1", self.port, app, threaded=True)
        self.server.lms_app = app
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.context.set_offline(False)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def tablet(live_server: Any, page: Any) -> Iterator[tuple[str, Any, Wifi]]:
    base = live_server()
    app = live_server.servers[-1].lms_app
    with app.app_context():
        services.create_user("asha@example.org", "Asha Khatun", PASSWORD, ["learner"])
        services.create_user("bina@example.org", "Bina Das", PASSWORD, ["learner"])
    wifi = Wifi(live_server, page.context)
    yield base, page, wifi
    if wifi.server is not live_server.servers[-1]:
        wifi.close()


def _sign_in(page: Any, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(base + "/")


def _section_titles(app: Any) -> list[str]:
    from lms.content import services as content

    with app.app_context():
        doc = content.library().get("gst-vat").docs["en"]
        return [section.title for section in doc.pages]


def _controlled(page: Any) -> None:
    """Wait until the service worker controls the page (it claims pages when it activates)."""
    page.wait_for_function("navigator.serviceWorker && !!navigator.serviceWorker.controller")


def _opens_offline(page: Any, url: str) -> bool:
    """Whether ``url`` opens from the tablet's copy. In a new tab each time: once a page has
    failed to load, Chromium's offline emulation fails that tab's next loads too, even those
    the service worker would answer (a real tablet has no such emulation)."""
    tab = page.context.new_page()
    try:
        tab.goto(url)
        return tab.locator("html[data-lms-saved-at]").count() == 1
    except Exception:  # noqa: BLE001  (Playwright's error: the page could not be loaded)
        return False
    finally:
        tab.close()


def _furthest_read(app: Any, email: str, page: Any) -> int:
    """The furthest section of gst-vat the server has for ``email``, once it stops changing."""
    from lms.content import services as content
    from lms.db import db

    found = 0
    for _try in range(25):
        with app.app_context():
            user = services.find_user(email)
            progress = content.progress_for(user.id).get("gst-vat")
            found = progress.furthest_section if progress is not None else 0
            db.session.remove()
        if found >= 4:
            break
        page.wait_for_timeout(200)
    return found


def _learner_caches(page: Any) -> list[str]:
    return page.evaluate(
        "caches.keys().then(names => names.filter(n => n.startsWith('lms-learner-')))"
    )


def test_a_saved_module_reads_offline_and_the_next_learner_gets_none_of_it(
    tablet: tuple[str, Any, Wifi], live_server: Any
) -> None:
    base, page, wifi = tablet
    app = live_server.servers[-1].lms_app
    titles = _section_titles(app)
    _sign_in(page, base, "asha@example.org")
    page.goto(base + MODULE)
    _controlled(page)
    save = page.locator("[data-offline-save-button]")
    assert save.is_visible()
    assert "Save for offline (" in save.inner_text() and "KB)" in save.inner_text()
    save.click()
    page.get_by_text("Saved for offline").wait_for(timeout=20_000)

    wifi.drop()
    for number in (1, 2, 3):
        page.goto(f"{base}{MODULE}/{number}")
        assert titles[number - 1] in page.locator("article.reader").inner_text()
        banner = page.locator(".offline-banner")
        assert banner.is_visible()
        assert banner.inner_text().startswith("Offline: saved on ")
    # Next, offline, opens the kept section too.
    page.get_by_role("button", name="Next").click()
    page.wait_for_url(f"{base}{MODULE}/4")
    assert titles[3] in page.locator("article.reader").inner_text()

    wifi.back()
    page.goto(base + MODULE)
    assert page.locator(".offline-banner").count() == 0  # from the server again
    # The sections read offline are reported now: resume is exact, the reading counts.
    assert _furthest_read(app, "asha@example.org", page) == 4
    with app.app_context():
        first_key = learner_key(services.find_user("asha@example.org").id)
    assert _learner_caches(page) == [f"lms-learner-{first_key}"]
    page.get_by_role("button", name="Switch learner").click()
    page.wait_for_url(base + "/login**")
    _sign_in(page, base, "bina@example.org")
    _controlled(page)
    page.wait_for_function(
        f"caches.has('lms-learner-{first_key}').then(found => !found)", timeout=5_000
    )

    wifi.drop()
    for number in (1, 2, 3):
        assert not _opens_offline(page, f"{base}{MODULE}/{number}")


def test_personal_pages_are_never_kept(tablet: tuple[str, Any, Wifi]) -> None:
    base, page, wifi = tablet
    _sign_in(page, base, "asha@example.org")
    page.goto(base + MODULE + "/1")
    _controlled(page)
    page.goto(base + "/my/record")
    page.goto(base + "/settings")
    page.goto(base + MODULE + "/2")  # opened: kept without asking
    page.wait_for_function(
        "caches.keys().then(names => Promise.all(names.filter(n => n.startsWith('lms-learner-'))"
        ".map(n => caches.open(n).then(c => c.keys())))).then(found => found.flat().length >= 2)"
    )
    wifi.drop()
    assert _opens_offline(page, base + MODULE + "/2")
    assert not _opens_offline(page, base + "/my/record")
    assert not _opens_offline(page, base + "/settings")
    kept = page.evaluate(
        "caches.keys().then(names => Promise.all(names.map(n => caches.open(n)"
        ".then(c => c.keys())))).then(found => found.flat().map(r => new URL(r.url).pathname))"
    )
    assert "/my/record" not in kept and "/settings" not in kept
    assert MODULE + "/2" in kept
    # A page never kept: the worker's own page, in every language, with nobody's data on it.
    tab = page.context.new_page()
    tab.goto(base + "/settings")
    shown = tab.locator("main.offline-fallback").inner_text()
    assert "No internet" in shown and "ইন্টারনেট নেই" in shown and "Asha" not in shown
    tab.close()


def test_an_idle_tablet_signed_out_offline_keeps_nothing_to_read(
    live_server: Any, page: Any
) -> None:
    base = live_server(LMS_IDLE_TIMEOUT=6)  # the warning shows for the last 3 s
    with live_server.servers[-1].lms_app.app_context():
        services.create_user("asha@example.org", "Asha Khatun", PASSWORD, ["learner"])
    wifi = Wifi(live_server, page.context)
    try:
        _sign_in(page, base, "asha@example.org")
        page.goto(base + MODULE + "/1")  # opened: kept without asking
        _controlled(page)
        page.wait_for_function(
            "caches.keys().then(names => names.some(n => n.startsWith('lms-learner-')))"
        )
        wifi.drop()
        assert _opens_offline(page, base + MODULE + "/1")
        # Nobody taps: the idle sign-out cannot reach the server, but the copies go.
        page.wait_for_event(
            "requestfailed", lambda request: request.url.endswith("/logout"), timeout=12_000
        )
        # The worker deletes the cache as the tab tries to leave: give it up to 5 s.
        for _try in range(20):
            if not _opens_offline(page, base + MODULE + "/1"):
                break
            page.wait_for_timeout(250)
        assert not _opens_offline(page, base + MODULE + "/1")
    finally:
        if wifi.server is not live_server.servers[-1]:
            wifi.close()


def test_a_new_deploy_replaces_the_static_cache_and_keeps_the_learners_pages(
    tablet: tuple[str, Any, Wifi], monkeypatch: pytest.MonkeyPatch
) -> None:
    from lms.offline import services as offline

    base, page, _wifi = tablet
    _sign_in(page, base, "asha@example.org")
    page.goto(base + MODULE + "/1")
    _controlled(page)
    names = page.evaluate("caches.keys()")
    old = [name for name in names if name.startswith("lms-static-")]
    assert len(old) == 1 and _learner_caches(page)
    # A deploy that changed a static file: the worker's bytes change with the version.
    monkeypatch.setattr(offline, "static_version", lambda folder: "0123456789ab")
    page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
    page.wait_for_function(
        "old => caches.keys().then(names => names.includes('lms-static-0123456789ab')"
        " && !names.includes(old))",
        arg=old[0],
    )
    assert _learner_caches(page) == [n for n in names if n.startswith("lms-learner-")]
