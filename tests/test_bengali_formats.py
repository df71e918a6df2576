"""Bengali pages write dates, times, numbers and choice letters as Bengali readers do: "৫ মার্চ,
২০২৬, দুপুর ২:০৭" (no Latin "PM", no all-digit 5/3/26), ক খ গ ঘ for choices on the tablets and
the projector alike, and Bengali digits inside messages made before they are shown."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask, g
from flask.ctx import RequestContext
from flask.testing import FlaskClient

from lms import i18n
from lms.accounts import services as accounts
from lms.content.source import Problem
from tests.conftest import login, post, write_module
from tests.quiz_bank import QUIZ_YAML
from tests.test_live import act, code_of, create_quiz, join

MOMENT = datetime(2026, 3, 5, 8, 37, tzinfo=UTC)  # 14:07 in Kolkata, 14:37 in Dhaka
LATIN = re.compile(r"[A-Za-z0-9]")


@pytest.fixture
def app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    """The live tests' module and item bank (tests/test_live.py's helpers drive it)."""
    folder = write_module(tmp_path / "content", "tanning", bn="auto", bn_BD="auto")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    return make_app(LMS_CONTENT_DIR=str(tmp_path / "content"))


def _in(app: Flask, locale: str) -> RequestContext:
    """A request in ``locale`` (pop it when done)."""
    context = app.test_request_context()
    context.push()
    g.lms_locale = locale
    return context


@pytest.mark.parametrize(
    ("locale", "short_date", "short_time"),
    [("bn", "৫ মার্চ, ২০২৬", "দুপুর ২:০৭"), ("bn_BD", "৫ মার্চ, ২০২৬", "দুপুর ২:৩৭")],
)
def test_bengali_dates_and_times_name_the_part_of_the_day(
    app: Flask, locale: str, short_date: str, short_time: str
) -> None:
    context = _in(app, locale)
    try:
        assert i18n.format_date(MOMENT, "short") == short_date
        assert i18n.format_time(MOMENT) == short_time
        assert i18n.format_datetime(MOMENT, "short") == f"{short_date}, {short_time}"
        for width in ("short", "medium", "long", "full"):
            shown = i18n.format_datetime(MOMENT, width)
            assert not LATIN.search(shown), (width, shown)  # no AM/PM, IST or +0600
        assert i18n.format_date(MOMENT, "d MMM") == "৫ মার্চ"  # a pattern stays a pattern
    finally:
        context.pop()
    context = _in(app, "en")
    try:
        assert i18n.format_datetime(MOMENT, "short").endswith("PM")  # CLDR's own
    finally:
        context.pop()


def test_choice_letters_follow_the_language(app: Flask) -> None:
    for locale, letters in (("en", "ABCD"), ("bn", "কখগঘ"), ("bn_BD", "কখগঘ")):
        context = _in(app, locale)
        try:
            assert "".join(i18n.option_letter(i) for i in range(4)) == letters
            assert i18n.option_letter(40) == i18n.format_number(41)  # past the last letter
        finally:
            context.pop()


def test_a_message_made_before_it_is_shown_gets_the_readers_digits(app: Flask) -> None:
    with app.app_context(), pytest.raises(accounts.AccountError) as refused:
        accounts.check_password_rules("short")
    minimum = app.config["LMS_PASSWORD_MIN_LENGTH"]
    context = _in(app, "bn")
    try:
        shown = str(refused.value)
        assert i18n.format_number(minimum) in shown and str(minimum) not in shown
    finally:
        context.pop()


def _letters(page: str, pattern: str) -> list[str]:
    return re.findall(pattern, page)


def test_the_projector_and_the_tablets_letter_the_choices_alike(app: Flask, make_user) -> None:  # noqa: ANN001
    trainer = app.test_client()
    login(trainer, make_user("trainer", locale="bn").email)
    quiz_id = create_quiz(trainer)
    code = code_of(app, quiz_id)
    tablets = [join(app, code, "Asha", "bn"), join(app, code, "Babu", "bn_BD")]
    act(trainer, quiz_id, "next")  # the single-choice question: two choices
    projector = trainer.get(f"/live/host/{quiz_id}").get_data(as_text=True)
    shown = _letters(projector, r'<li class="choice shape-\d">(\S+) · ')
    assert shown == ["ক", "খ"]
    for tablet in tablets:
        page = tablet.get(f"/live/{code}/play").get_data(as_text=True)
        assert _letters(page, r'<span class="letter" aria-hidden="true">(\S+)</span>') == shown
    english = join(app, code, "Chris", "en").get(f"/live/{code}/play").get_data(as_text=True)
    assert _letters(english, r'<span class="letter" aria-hidden="true">(\S+)</span>') == [
        "A",
        "B",
    ]


@pytest.fixture
def author(app: Flask, make_user) -> FlaskClient:  # noqa: ANN001
    client = app.test_client()
    login(client, make_user("author").email)
    post(client, "/language", {"locale": "bn"})
    return client


def test_the_checker_report_is_a_page_in_the_readers_language(
    app: Flask, author: FlaskClient
) -> None:
    root = app.config["LMS_CONTENT_DIR"]
    folder = write_module(Path(root), "broken", bn="auto")
    english = folder / "en.md"
    english.write_text(english.read_text(encoding="utf-8") + "\n<b>x</b>\n", encoding="utf-8")
    line = english.read_text(encoding="utf-8").split("\n").index("<b>x</b>") + 1
    response = author.get("/author/content/check")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert 'href="/author/content"' in page and "ফিরে যান" in page  # the way back
    bengali_line = str(line).translate(str.maketrans(i18n.LATIN_DIGITS, i18n.BENGALI_DIGITS))
    assert f"<td>{bengali_line}</td>" in page
    assert "ভুল</span>" in page and "<code>b</code>" in page  # severity, the tag as code
    assert "error:" not in page and "IN+BD" not in page  # not the command's English lines
    dashboard = author.get("/author/content").get_data(as_text=True)
    assert "পরীক্ষার মডিউল (bn)" in dashboard  # the module's Bengali title
    assert not re.search(r"\b[AP]M\b", dashboard)


def test_problem_messages_stay_plain_for_the_command(app: Flask) -> None:
    from lms.content.checker import message_html

    message = i18n._l("link to module %(slug)s: no such module", slug="<x>")
    problem = Problem(Path("m/en.md"), 12, "error", message)
    with app.app_context():
        assert problem.format() == "m/en.md:12: error: link to module <x>: no such module"
    context = _in(app, "bn")
    try:
        html = str(message_html(message))
        assert "<code>&lt;x&gt;</code>" in html and "<x>" not in html
    finally:
        context.pop()
