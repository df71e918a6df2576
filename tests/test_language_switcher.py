"""The language switcher in the top bar lists every UI language, and works, on every page: a
page's own variables (the session and enterprise forms pass their own table of languages)
cannot hide it."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lms.db import db
from lms.i18n import LOCALES
from lms.programme.models import Beneficiary, Cluster, Enterprise
from lms.programme.sessions import training
from tests.conftest import csrf_token, login

EXPECTED = [(code, LOCALES[code].autonym) for code in ("en", "bn", "bn_BD")]


class Switcher(HTMLParser):
    """The buttons of the page's ``lang-switch`` form: ``(value, text, aria-pressed)``."""

    def __init__(self) -> None:
        super().__init__()
        self.buttons: list[tuple[str, str, str]] = []
        self._in_form = False
        self._button: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form" and "lang-switch" in (values.get("class") or "").split():
            self._in_form = True
        elif tag == "button" and self._in_form:
            self._button = values

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        if tag == "button" and self._button is not None:  # a button without a name
            self.buttons.append((self._button.get("value") or "", "", ""))
            self._button = None

    def handle_data(self, data: str) -> None:
        if self._button is not None and data.strip():
            button = self._button
            self.buttons.append(
                (button.get("value") or "", data.strip(), button.get("aria-pressed") or "")
            )
            self._button = None


def switcher(page: str) -> list[tuple[str, str, str]]:
    parser = Switcher()
    parser.feed(page)
    return parser.buttons


@pytest.fixture
def pages(app: Flask, make_user) -> dict[str, object]:  # noqa: ANN001
    """An admin, and the ids behind the pages that once hid the switcher."""
    admin = make_user("admin", name="Admin")
    with app.app_context():
        enterprise = Enterprise(
            name="Shampa Bags", segment="leather-goods", cluster=Cluster(name="Tangra")
        )
        enterprise.beneficiaries = [Beneficiary(name="Babu", preferred_language="en")]
        db.session.add(enterprise)
        db.session.commit()
        session, problems = training.save_session(
            {"title": "GST day 1", "held_on": "2026-01-01", "trainers": [str(admin.id)]}
        )
        assert problems == []
        db.session.commit()
        return {"admin": admin, "session": session.id, "enterprise": enterprise.id}


def _urls(pages: dict[str, object]) -> list[str]:
    session, enterprise = pages["session"], pages["enterprise"]
    return [
        f"/programme/sessions/{session}",  # the roster
        f"/programme/sessions/{session}/edit",
        "/programme/sessions/new",
        f"/programme/enterprises/{enterprise}",
        "/programme/enterprises/new",
        "/author/content",  # passes the content's languages
        "/author/content/check",
    ]


def _signed_in(client: FlaskClient, pages: dict[str, object], locale: str) -> None:
    login(client, pages["admin"].email)
    client.post("/language", data={"locale": locale, "csrf_token": csrf_token(client, "/")})


@pytest.mark.parametrize("locale", ["en", "bn_BD"])
def test_the_switcher_lists_the_three_languages_on_every_form(
    client: FlaskClient, pages: dict[str, object], locale: str
) -> None:
    _signed_in(client, pages, locale)
    for url in _urls(pages):
        response = client.get(url)
        assert response.status_code == 200, url
        buttons = switcher(response.get_data(as_text=True))
        assert [(value, text) for value, text, _pressed in buttons] == EXPECTED, url
        pressed = [value for value, _text, state in buttons if state == "true"]
        assert pressed == [locale], url


def test_a_switcher_button_changes_the_language_and_comes_back(
    client: FlaskClient, pages: dict[str, object]
) -> None:
    _signed_in(client, pages, "en")
    url = f"/programme/sessions/{pages['session']}/edit"
    page = client.get(url).get_data(as_text=True)
    assert '<html lang="en">' in page
    token = csrf_token(client, url)
    answer = client.post("/language", data={"locale": "bn", "next": url, "csrf_token": token})
    assert answer.status_code == 302 and answer.headers["Location"] == url
    page = client.get(url).get_data(as_text=True)
    assert '<html lang="bn-IN">' in page
    assert [v for v, _t, state in switcher(page) if state == "true"] == ["bn"]


def test_the_forms_still_offer_every_language_for_the_session_and_people(
    client: FlaskClient, pages: dict[str, object]
) -> None:
    """The renamed table still fills the forms' own language choices."""
    _signed_in(client, pages, "en")
    session_form = client.get(f"/programme/sessions/{pages['session']}/edit").get_data(True)
    enterprise_form = client.get(f"/programme/enterprises/{pages['enterprise']}").get_data(True)
    for code, autonym in EXPECTED:
        lang = LOCALES[code].html_lang
        option = f'<option value="{code}" lang="{lang}"'
        assert option in session_form and option in enterprise_form, code
        assert autonym in session_form
    roster = client.get(f"/programme/sessions/{pages['session']}").get_data(as_text=True)
    assert f'<span lang="bn-IN">{LOCALES["bn"].autonym}</span>' in roster  # the session's
    assert f'<span lang="en">{LOCALES["en"].autonym}</span>' in enterprise_form  # Babu's
