"""A learner who passes downloads the certificate; its QR link opens a public verify page that
says valid, and revoked after revocation."""

from __future__ import annotations

from typing import Any

import pytest

from lms.accounts import services as accounts
from lms.certificates import services
from lms.db import db
from tests.browser.conftest import ARTIFACTS, TABLET_PORTRAIT
from tests.conftest import PASSWORD, write_module
from tests.quiz_bank import QUIZ_YAML
from tests.test_certificates import earn

pytestmark = pytest.mark.browser


def test_learner_downloads_and_anyone_verifies(
    browser: Any, page: Any, live_server: Any, tmp_path
) -> None:  # noqa: ANN001
    content = tmp_path / "content"
    folder = write_module(content, "tanning", title="Tanning basics", bn="auto", bn_BD="auto")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    base = live_server(LMS_CONTENT_DIR=str(content))
    app = live_server.servers[-1].lms_app
    app.config["LMS_BASE_URL"] = base  # the public address printed in the QR code
    with app.app_context():
        user_id = accounts.create_user(
            "nasrin@example.org", "নাসরিন বেগম", PASSWORD, ["learner"], locale="bn_BD"
        ).id
    certificate = earn(app, user_id)
    page.goto(base + "/login")
    page.locator("input[name=email]").fill("nasrin@example.org")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(base + "/")
    page.get_by_role("link", name="আমার সনদপত্র").click()
    assert certificate.code in page.locator("main").inner_text()
    with page.expect_download() as download:
        page.locator(".card", has_text=certificate.code).get_by_role(
            "link", name="PDF ডাউনলোড করুন"
        ).click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    # The QR code holds the verify URL; a buyer opens it on their phone, signed out.
    with app.app_context():
        verify_url = services.absolute("lms.certificates.verify", code=certificate.code)
    assert verify_url.startswith(base)
    visitor = browser.new_context(viewport=TABLET_PORTRAIT).new_page()
    visitor.goto(verify_url)
    assert "✓ Valid" in visitor.locator(".verdict").inner_text()
    assert "নাসরিন বেগম" in visitor.locator("main").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    visitor.screenshot(path=str(ARTIFACTS / "verify-valid.png"))
    with app.app_context():
        services.revoke(db.session.get(type(certificate), certificate.id), "Wrong holder")
    visitor.reload()
    assert "✗ Revoked" in visitor.locator(".verdict").inner_text()
    assert "Wrong holder" in visitor.locator("main").inner_text()
    visitor.goto(base + "/verify/XXXX-XXXX-XXX")
    assert "No certificate has this code" in visitor.locator("h1").inner_text()
