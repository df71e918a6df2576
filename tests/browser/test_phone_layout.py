"""Nothing is lost on a 360 x 740 phone (issue 16.5): no sideways page scroll, tables scroll in
their own box, the header stays short."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from lms.accounts import services
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
SHIPPED = Path(__file__).resolve().parents[2] / "modules_content"
SHOTS = Path("/tmp/phone-shots")
PHONE = {"width": 360, "height": 740}


def _phone_page(browser: Any, live_server: Any, tmp_path: Path, locale: str) -> tuple[Any, str]:
    content = tmp_path / "content"
    shutil.copytree(SHIPPED / "gst-vat", content / "gst-vat")
    shutil.copytree(SHIPPED / "facts", content / "facts")  # its figures
    base = live_server(LMS_CONTENT_DIR=str(content))
    with live_server.servers[-1].lms_app.app_context():
        services.create_user(
            "mita@example.org", "Mita Rani Sarkar", PASSWORD, ["learner"], locale=locale
        )
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(base + "/login")
    page.locator("input[name=email]").fill("mita@example.org")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(base + "/")
    return page, base


def _layout(page: Any) -> dict[str, Any]:
    page.wait_for_load_state("load")
    return page.evaluate(
        """() => ({
             pageWidth: document.scrollingElement.scrollWidth,
             header: document.querySelector('header.topbar').getBoundingClientRect().height,
             tables: [...document.querySelectorAll('.table-scroll')].map(
               box => ({scrolls: box.scrollWidth > box.clientWidth,
                        hint: getComputedStyle(box, '::before').content}))
           })"""
    )


@pytest.mark.parametrize("locale", ["bn", "bn_BD"])
def test_module_sections_fit_a_phone(
    browser: Any, live_server: Any, tmp_path: Path, locale: str
) -> None:
    page, base = _phone_page(browser, live_server, tmp_path, locale)
    page.screenshot(path=str(SHOTS / f"home-{locale}.png"))
    assert _layout(page)["header"] <= 120
    tables = []
    for number in range(1, 16):
        if page.goto(f"{base}/modules/gst-vat/{number}").status == 404:
            break
        layout = _layout(page)
        assert layout["pageWidth"] <= 360, (number, layout)
        assert layout["header"] <= 120, (number, layout)
        if layout["tables"]:
            page.screenshot(path=str(SHOTS / f"table-{locale}-{number}.png"))
        tables += layout["tables"]
    assert any(table["scrolls"] for table in tables), tables
    # The cue shows on the tables that scroll, and only on them.
    for table in tables:
        assert (table["hint"] not in ("none", "normal", "")) is table["scrolls"], table


def _question_fits(page: Any) -> dict[str, Any]:
    page.wait_for_load_state("load")
    return page.evaluate(
        """() => ({
             pageWidth: document.scrollingElement.scrollWidth,
             right: Math.max(0, ...[...document.querySelectorAll(
                 'form.question :is(.unit, select, input, label)')]
               .filter(el => el.offsetParent !== null)
               .map(el => el.getBoundingClientRect().right)),
             unit: !!document.querySelector('form.question .unit'),
             selects: document.querySelectorAll('form.question select').length
           })"""
    )


@pytest.mark.parametrize("locale", ["bn_BD", "en"])
def test_every_question_type_fits_a_phone(
    browser: Any, live_server: Any, tmp_path: Path, locale: str
) -> None:
    """Numeric answers keep their unit on screen, matching and ordering rows wrap (pre-test:
    single, multiple, numeric; post-test: true/false, ordering, matching)."""
    from tests.conftest import write_module
    from tests.quiz_bank import QUIZ_YAML

    root = tmp_path / "content"
    folder = write_module(root, "tanning", title="Tanning basics", bn="auto", bn_BD="auto")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    base = live_server(LMS_CONTENT_DIR=str(root))
    with live_server.servers[-1].lms_app.app_context():
        services.create_user("nila@example.org", "Nila", PASSWORD, ["learner"], locale=locale)
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(base + "/login")
    page.locator("input[name=email]").fill("nila@example.org")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(base + "/")
    seen: list[dict[str, Any]] = []
    for step in ("pre", "post"):
        if step == "post":  # the post-test opens after the reading
            for number in (1, 2, 3):
                page.goto(f"{base}/modules/tanning/{number}")
                go = page.locator("button[name=finish]")
                if not go.count():
                    go = page.locator(f'button[name=to][value="{number + 1}"]')
                go.click()
                page.wait_for_load_state()
        page.goto(base + "/modules/tanning")
        page.locator(f'#next-step[data-step="{step}"]').get_by_role("button").click()
        page.wait_for_url("**/quiz/attempt/*/1")
        for number in range(1, 4):
            if number > 1:
                page.goto(page.url.rsplit("/", 1)[0] + f"/{number}")
            fits = _question_fits(page)
            page.screenshot(path=str(SHOTS / f"question-{locale}-{step}-{number}.png"))
            assert fits["pageWidth"] <= 360 and fits["right"] <= 360, (step, number, fits)
            assert _layout(page)["header"] <= 120
            seen.append(fits)
        page.goto(page.url.rsplit("/", 1)[0] + "/review")
        page.locator('form[action$="/submit"] button[type=submit]').click()
        page.wait_for_url("**/result")
    assert any(f["unit"] for f in seen) and any(f["selects"] for f in seen), seen
