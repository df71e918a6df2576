"""The enterprise form in a real browser: choosing a cluster shows its country's registration
numbers (country_fields.js, loaded under the LMS's Content-Security-Policy)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from lms.accounts import services
from lms.db import db
from lms.programme.models import Cluster
from tests.browser.test_tablet import _sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_the_clusters_country_decides_the_numbers_shown(page: Any, live_server: Any) -> None:
    base = live_server()
    app = live_server.servers[-1].lms_app
    with app.app_context():
        db.session.add_all(
            [Cluster(name="Tangra", country="IN"), Cluster(name="Savar", country="BD")]
        )
        db.session.commit()
        services.create_user("admin@example.org", "Anita Sen", PASSWORD, ["admin"])
    errors: list[str] = []  # script errors, and scripts the CSP refused
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security" in m.text else None)
    _sign_in(page, base, "admin@example.org")
    page.goto(base + "/programme/enterprises/new")
    udyam, etin = page.get_by_label("Udyam registration number"), page.get_by_label("e-TIN")
    expect(udyam).to_be_visible()  # no cluster yet: the default country, India
    expect(etin).to_be_hidden()
    page.select_option("#cluster", "Savar")
    expect(etin).to_be_visible()
    expect(page.get_by_label("Trade licence number")).to_be_visible()
    expect(udyam).to_be_hidden()
    page.select_option("#cluster", "Tangra")
    expect(udyam).to_be_visible()
    expect(etin).to_be_hidden()
    assert errors == []
