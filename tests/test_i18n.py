"""UI languages: locale choice, the bn_BD -> bn -> en chain, digits, money, dates, catalogs."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from lms import i18n
from tests.conftest import csrf_token, login, post

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"


def html_lang(page: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', page)
    assert match
    return match.group(1)


def test_locale_from_browser_then_cookie_then_user(client: FlaskClient, make_user) -> None:  # noqa: ANN001
    assert html_lang(client.get("/login").get_data(as_text=True)) == "en"
    bd = {"Accept-Language": "bn-BD,bn;q=0.9,en;q=0.5"}
    assert html_lang(client.get("/login", headers=bd).get_data(as_text=True)) == "bn-BD"
    india = {"Accept-Language": "bn-IN"}
    assert html_lang(client.get("/login", headers=india).get_data(as_text=True)) == "bn-IN"
    post(client, "/language", {"locale": "bn"})
    assert html_lang(client.get("/login", headers=bd).get_data(as_text=True)) == "bn-IN"
    user = make_user(locale="bn_BD")
    login(client, user.email)
    assert html_lang(client.get("/", headers=india).get_data(as_text=True)) == "bn-BD"


def test_switching_language_saves_the_choice_on_the_account(app, client, make_user) -> None:  # noqa: ANN001
    user = make_user()
    login(client, user.email)
    response = post(client, "/language", {"locale": "bn_BD", "next": "/settings"})
    assert response.status_code == 302 and response.headers["Location"] == "/settings"
    fresh = app.test_client()
    login(fresh, user.email)
    assert html_lang(fresh.get("/").get_data(as_text=True)) == "bn-BD"


def test_language_picked_before_sign_in_sticks_to_a_new_account(app, client, make_user) -> None:  # noqa: ANN001
    user = make_user()  # no saved language yet
    post(client, "/language", {"locale": "bn"})
    login(client, user.email)
    fresh = app.test_client()
    login(fresh, user.email)
    assert html_lang(fresh.get("/").get_data(as_text=True)) == "bn-IN"


def test_language_switch_refuses_unknown_locales_and_get(client: FlaskClient) -> None:
    response = post(client, "/language", {"locale": "fr", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    assert "lms_locale" not in response.headers.get("Set-Cookie", "")
    assert client.get("/language?locale=bn").status_code == 405


class _Text(HTMLParser):
    """The visible text of a page, skipping the language switcher's autonyms and icons."""

    VOID = {"input", "meta", "link", "br", "img"}

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self._depth = 0
        self._skip_from: int | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:  # type: ignore[type-arg]
        if tag in self.VOID:
            return
        self._depth += 1
        hidden = ("class", "lang-switch") in attrs or ("aria-hidden", "true") in attrs
        if self._skip_from is None and (tag in ("script", "style", "title") or hidden):
            self._skip_from = self._depth

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if self._skip_from == self._depth:
            self._skip_from = None
        self._depth -= 1

    @property
    def _skip(self) -> bool:
        return self._skip_from is not None

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.chunks.append(data.strip())


def visible_text(page: str) -> list[str]:
    parser = _Text()
    parser.feed(page)
    return parser.chunks


@pytest.mark.parametrize("path", ["/", "/login", "/settings", "/admin/users", "/admin/users/new"])
def test_every_visible_string_changes_with_the_language(app, make_user, path) -> None:  # noqa: ANN001
    admin = make_user("admin", name="Admin", email="admin@example.org")
    texts = {}
    for code in ("en", "bn", "bn_BD"):
        client = app.test_client()
        if path != "/login":
            login(client, admin.email)
        post(client, "/language", {"locale": code})
        texts[code] = visible_text(client.get(path).get_data(as_text=True))
    data = {"Admin", "admin@example.org", "—", *(info.autonym for info in i18n.LOCALES.values())}
    for english, bengali in zip(texts["en"], texts["bn"], strict=True):
        if english not in data:
            assert english != bengali, f"not translated on {path}: {english!r}"
            assert re.search("[\u0980-\u09ff]", bengali), bengali
    assert len(texts["bn_BD"]) == len(texts["en"])


def _catalog(tmp: Path, locale: str, messages: dict[str, str]) -> None:
    catalog = Catalog(locale=locale, domain="lms")
    for msgid, msgstr in messages.items():
        catalog.add(msgid, msgstr)
    folder = tmp / locale / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "lms.mo").open("wb") as fh:
        write_mo(fh, catalog)


def test_bn_bd_falls_back_to_bn_message_by_message(make_app, tmp_path: Path) -> None:  # noqa: ANN001
    catalogs = tmp_path / "catalogs"
    _catalog(catalogs, "bn", {"Sign in": "সাইন ইন (bn)", "Password": "পাসওয়ার্ড (bn)"})
    _catalog(catalogs, "bn_BD", {"Password": "পাসওয়ার্ড (bn_BD)"})
    app = make_app(LMS_TRANSLATIONS_DIR=str(catalogs))
    page = app.test_client().get("/login", headers={"Accept-Language": "bn-BD"})
    text = page.get_data(as_text=True)
    assert "পাসওয়ার্ড (bn_BD)" in text  # its own translation wins
    assert "সাইন ইন (bn)" in text  # missing from bn_BD: Bengali, not English
    assert "E-mail" in text  # in neither catalog: English
    with app.test_request_context(headers={"Accept-Language": "bn-BD"}):
        assert i18n.gettext("Sign in") == "সাইন ইন (bn)"


def test_numbers_use_bengali_digits_and_indian_grouping(app: Flask) -> None:
    with app.test_request_context(headers={"Accept-Language": "bn"}):
        assert i18n.format_number(12345678) == "১,২৩,৪৫,৬৭৮"
        assert i18n.format_money(Decimal("1234567.5")) == "₹১২,৩৪,৫৬৭.৫০"
        assert i18n.format_date(date(2026, 11, 23), "long") == "২৩ নভেম্বর, ২০২৬"
    with app.test_request_context(headers={"Accept-Language": "bn-BD"}):
        assert i18n.format_money(1234567) == "১২,৩৪,৫৬৭.০০৳"
        # 23:30 UTC is already the next day in Dhaka (UTC+6).
        assert i18n.format_date(datetime(2026, 11, 23, 23, 30, tzinfo=UTC), "short").startswith(
            "২৪"
        )
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert i18n.format_number(12345678) == "1,23,45,678"
        assert i18n.format_money(250000) == "₹2,50,000.00"
        assert i18n.format_money(250000, "BDT") == "BDT 2,50,000.00".replace(" ", "")
        assert i18n.format_percent(0.456) == "46%"


def test_a_user_may_choose_latin_digits(app, client, make_user) -> None:  # noqa: ANN001
    user = make_user(locale="bn")
    login(client, user.email)
    token = csrf_token(client, "/settings")
    client.post(
        "/settings",
        data={
            "csrf_token": token,
            "which": "settings",
            "settings-csrf_token": token,
            "settings-name": "N",
            "settings-locale": "bn",
            "settings-latin_digits": "y",
        },
    )
    with app.test_request_context():
        from flask_login import login_user

        from lms.accounts.models import User
        from lms.db import db

        login_user(db.session.get(User, user.id))
        assert i18n.format_number(1234567) == "12,34,567"
    assert i18n.parse_digits("১২৩.৫") == "123.5"


def test_error_pages_speak_the_users_language(make_app, make_user) -> None:  # noqa: ANN001
    standalone = make_app(LMS_APP_ERROR_PAGES=True)
    page = standalone.test_client().get("/no/such/page", headers={"Accept-Language": "bn-BD"})
    assert page.status_code == 404
    text = page.get_data(as_text=True)
    assert "এই পাতাটি খুঁজে পাওয়া যায়নি।" in text and "৪০৪" in text
    # In a host app that keeps its own error pages, the LMS's own 404s are still localised.
    host = make_app()
    assert "LMS" not in host.test_client().get("/no/such/page").get_data(as_text=True)
    with host.app_context():
        from lms.accounts.services import create_user

        create_user("a@example.org", "A", "correct horse battery", ["admin"], locale="bn")
    client = host.test_client()
    login(client, "a@example.org")
    text = client.get("/admin/users/999").get_data(as_text=True)
    assert "এই পাতাটি খুঁজে পাওয়া যায়নি।" in text


# The catalogs themselves.


def _po(locale: str) -> list:  # type: ignore[type-arg]
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "lms.po").open("rb") as fh:
        return [m for m in read_po(fh, locale=locale) if m.id]


@pytest.mark.parametrize("locale", ["bn", "bn_BD"])
def test_every_message_has_a_real_translation(locale: str) -> None:
    missing = [m.id for m in _po(locale) if not m.string or m.fuzzy]
    assert not missing, f"untranslated in {locale}: {missing}"
    for message in _po(locale):
        text = message.string if isinstance(message.string, str) else " ".join(message.string)
        assert re.search("[\u0980-\u09ff]", text), f"{locale}: {message.id!r} is not Bengali"
        placeholders = set(re.findall(r"%\(\w+\)s", str(message.id)))
        assert placeholders == set(re.findall(r"%\(\w+\)s", text)), message.id


def test_catalogs_are_not_stale(tmp_path: Path) -> None:
    """The code's messages are exactly those in the template and in each catalog."""
    pot = tmp_path / "fresh.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "N_",
            "-k",
            "lazy_gettext",
            "-k",
            "_lms",
            "-k",
            "_lms_n:1,2",
            "--no-location",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as fh:
        code_ids = {m.id for m in read_po(fh) if m.id}
    with (TRANSLATIONS / "lms.pot").open("rb") as fh:
        template_ids = {m.id for m in read_po(fh) if m.id}
    assert code_ids == template_ids, "run `make translations`"
    for locale in ("bn", "bn_BD"):
        assert {m.id for m in _po(locale)} == code_ids, (
            f"{locale} is stale: run `make translations`"
        )


@pytest.mark.parametrize("locale", ["bn", "bn_BD"])
def test_catalogs_pass_babels_checks(locale: str) -> None:
    """What `pybabel compile` refuses, e.g. placeholders that differ from the English."""
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "lms.po").open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    assert [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()] == []


def test_template_messages_survive_jinja_formatting() -> None:
    """Jinja's gettext always applies %-formatting, so a literal % in a template is %%."""
    pattern = re.compile(r"""_\(\s*(['"])(.*?)\1""", re.DOTALL)
    for template in (ROOT / "lms" / "templates").rglob("*.html"):
        for _quote, message in pattern.findall(template.read_text(encoding="utf-8")):
            assert not re.search(r"%(?![(%])", message), f"{template.name}: {message}"


def test_pick_text_follows_the_chain_with_english_last() -> None:
    from lms.i18n import pick_text

    texts = {"en": "Ready", "bn": "তৈরি"}
    assert pick_text(texts, ["bn_BD", "bn"]) == ("তৈরি", "bn")
    assert pick_text(texts, ["bn_BD"]) == ("Ready", "en")
    assert pick_text({"bn": ""}, ["bn"]) == ("", "en")
    assert pick_text("as written", ["bn"]) == ("as written", "bn")
    assert pick_text(None, ["bn"]) == ("", "en")
