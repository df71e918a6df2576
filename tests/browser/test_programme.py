"""The programme's paths in a real browser at tablet size: an admin imports enterprises and
beneficiaries, a trainer plans a session and taps attendance, a participant checks in with the
session's QR code link, gives the needs assessment and feedback, and the dashboard shows it all."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from playwright.sync_api import expect

from lms.accounts import services
from lms.db import db
from lms.programme.models import Cluster, TrainingSession
from tests.browser.conftest import TABLET_LANDSCAPE
from tests.browser.test_tablet import _sign_in, _small_targets
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

ENTERPRISES = (
    "name,cluster,segment,udyam,gstin,women_led,employees\n"
    "Shampa Bags,Tangra,leather-goods,UDYAM-WB-10-0023456,,yes,6\n"
    "Alam Leather Craft,Tangra,footwear,UDYAM-WB-10-0012345,27AAPFU0939F1ZV,no,14\n"
)
BENEFICIARIES = (
    "enterprise,name,gender,phone,preferred_language,social_category,category_consent\n"
    "Shampa Bags,শম্পা দাস,female,9830012345,bn,sc,yes\n"
    "UDYAM-WB-10-0012345,Imran Alam,male,,en,,\n"
)


def _setup(live_server: Any) -> tuple[str, Any]:
    base = live_server()
    app = live_server.servers[-1].lms_app
    with app.app_context():
        db.session.add(Cluster(name="Tangra", country="IN"))
        db.session.commit()
        services.create_user("admin@example.org", "Anita Sen", PASSWORD, ["admin"])
        services.create_user("trainer@example.org", "Subrata Das", PASSWORD, ["trainer"])
        services.create_user("shampa@example.org", "শম্পা দাস", PASSWORD, ["learner"], locale="bn")
    return base, app


def _upload(page: Any, base: str, path: str, name: str, text: str) -> None:
    page.goto(base + path)
    page.set_input_files("#file", {"name": name, "mimeType": "text/csv", "buffer": text.encode()})
    page.get_by_role("button", name="Import").click()
    page.wait_for_url(base + "/programme/enterprises")
    assert page.get_by_text("2 rows imported.").is_visible()


def test_import_plan_a_session_tap_attendance_and_check_in(browser: Any, live_server: Any) -> None:
    base, app = _setup(live_server)
    admin = browser.new_context(viewport=TABLET_LANDSCAPE, locale="en-US").new_page()
    _sign_in(admin, base, "admin@example.org")
    _upload(admin, base, "/programme/enterprises/import", "enterprises.csv", ENTERPRISES)
    _upload(admin, base, "/programme/beneficiaries/import", "people.csv", BENEFICIARIES)
    admin.get_by_role("link", name="Shampa Bags").click()
    admin.get_by_label("E-mail of the person's account").fill("shampa@example.org")
    admin.get_by_role("button", name="Link").click()
    expect(admin.get_by_role("cell", name="shampa@example.org")).to_be_visible()
    expect(admin.get_by_text("+919830012345")).to_be_visible()  # admins see the mobile number

    trainer = browser.new_context(viewport=TABLET_LANDSCAPE, locale="en-US").new_page()
    _sign_in(trainer, base, "trainer@example.org")
    trainer.goto(base + "/programme/sessions/new")
    trainer.get_by_label("Name").fill("GST basics, Tangra")
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=5, minutes=30))).date()
    trainer.get_by_label("Date").fill(today.isoformat())
    trainer.get_by_label("Cluster").select_option("Tangra")
    trainer.get_by_role("button", name="Save").click()
    expect(trainer.get_by_role("heading", name="GST basics, Tangra")).to_be_visible()
    trainer.get_by_label("Imran Alam · Alam Leather Craft").check()
    trainer.get_by_role("button", name="Enrol").click()
    roster = trainer.get_by_role("button", name="Imran Alam")
    roster.click()
    expect(trainer.get_by_role("button", name="Imran Alam")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(trainer.get_by_text("1 present of 1 enrolled (50 places)")).to_be_visible()
    assert _small_targets(trainer) == []
    trainer.get_by_role("link", name="Show the check-in QR code").click()
    expect(trainer.locator(".checkin-qr svg")).to_be_visible()
    checkin_url = trainer.locator(".checkin-qr figcaption a").inner_text()

    # The participant scans the code: their tablet opens the link, they sign in and tap once.
    owner = browser.new_context(viewport=TABLET_LANDSCAPE, locale="bn-IN").new_page()
    owner.goto(checkin_url)
    owner.get_by_label("ইমেল").fill("shampa@example.org")
    owner.get_by_label("পাসওয়ার্ড").fill(PASSWORD)
    owner.get_by_role("button", name="সাইন ইন").click()
    owner.get_by_role("button", name="আমি এসেছি").click()
    expect(owner.get_by_role("status")).to_be_visible()
    with app.app_context():
        session = db.session.query(TrainingSession).one()
        assert sorted(
            (e.beneficiary.name, e.present, e.marked_via) for e in session.enrolments
        ) == [
            ("Imran Alam", True, "roster"),
            ("শম্পা দাস", True, "qr"),
        ]
    trainer.reload()
    expect(trainer.get_by_text("2 present of 2 enrolled (50 places)")).to_be_visible()

    # The owner answers the needs assessment, one area per screen, and sees their roadmap.
    owner.goto(base + "/programme/needs")
    for _step in range(9):
        for question in owner.locator("fieldset.needs-question").all():
            question.locator("label.choice").first.click()
        last = owner.locator("button[value=finish]")
        if last.count():
            last.click()
            break
        owner.locator("button[value=next]").click()
    expect(owner.get_by_role("heading", name="আপনার প্রশিক্ষণ-পরিকল্পনা")).to_be_visible()
    # Modules link to their pages.
    expect(owner.get_by_role("link", name="চামড়া ব্যবসার জন্য GST")).to_be_visible()
    assert _small_targets(owner) == []

    # ...then gives feedback on the session: one big face per question.
    owner.goto(f"{base}/programme/sessions/{session.id}/feedback")
    for question in owner.locator("fieldset.rating").all():
        question.locator("label.rating-choice").nth(4).click()
    owner.locator("textarea").fill("খুব কাজের সেশন। <script>alert(1)</script>")
    owner.get_by_role("button", name="মতামত পাঠান").click()
    expect(owner.locator(".flash-success")).to_be_visible()

    # The official's dashboard shows the session, its attendance and the feedback; exports open.
    admin.goto(base + "/programme/dashboard")
    sessions = admin.locator("#sessions")
    expect(sessions.get_by_text("GST basics, Tangra").first).to_be_visible()
    with admin.expect_download() as download:
        sessions.get_by_role("link", name="Download Excel (XLSX)").click()
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    rows = [[c for c in row] for row in book.active.iter_rows(values_only=True)]
    header, (row,) = rows[0], rows[1:]
    figures = dict(zip(header, row, strict=True))
    assert figures["Session"] == "GST basics, Tangra" and figures["Present"] == 2
    assert (figures["Women"], figures["Marginalised communities"]) == (1, 1)
    assert (figures["Mean rating (1–5)"], figures["Feedback responses"]) == (5, 1)
