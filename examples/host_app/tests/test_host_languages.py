"""Languages: the host's ``_()`` keeps the host's catalog on LMS pages, LMS text comes from the
LMS's catalog, and the LMS follows the host's locale when it is one of ``LMS_LOCALES``."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po
from conftest import EXAMPLE, Member, add_member, migrate_all, post, sign_in
from flask import Flask
from flask.testing import FlaskClient
from host_app.models import db

from lms import LMS


def html_lang(page: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', page)
    assert match, "no <html lang>"
    return match.group(1)


def test_an_lms_page_in_bengali_uses_both_catalogs(client: FlaskClient, member: Member) -> None:
    sign_in(client, member)
    post(client, "/language", {"lang": "bn"})  # the host's own language switch

    page = client.get("/learn/").get_data(as_text=True)
    assert html_lang(page) == "bn-IN"
    # The host's nav links (its override of lms/base.html), from the host's catalog ...
    assert '<a href="/">মূল পাতা</a>' in page
    assert '<a href="/shop">দোকান</a>' in page
    assert '<a href="/cart">ঝুড়ি</a>' in page
    # ... not from the LMS's, which says "প্রথম পাতা" for "Home",
    assert '<a href="/">প্রথম পাতা</a>' not in page
    # ... and the LMS's own text from the LMS's catalog: the "My results" tile and the title.
    assert "আমার ফলাফল" in page
    assert "প্রথম পাতা" in page
    assert "My results" not in page

    # The host's own pages still translate with the host's catalog.
    home = client.get("/").get_data(as_text=True)
    assert "বানতলা চর্মশিল্প সমবায়" in home
    assert '<a href="/shop">দোকান</a>' in home


@pytest.mark.parametrize(
    ("host_choice", "browser", "expected"),
    [
        ("bn_BD", None, "bn-BD"),
        ("bn", "bn-BD", "bn-IN"),  # the host's choice wins over the browser
        ("fr", "bn-BD", "bn-BD"),  # not one of the LMS's: the LMS's own choice (the browser)
        ("fr", None, "en"),  # ... or its default
    ],
)
def test_the_lms_follows_the_hosts_locale_when_it_is_one_of_its_own(
    make_host: Callable[..., Flask], host_choice: str, browser: str | None, expected: str
) -> None:
    app = make_host(LANGUAGES=["en", "bn", "bn_BD", "fr"])
    client = app.test_client()
    sign_in(client, add_member(app))
    post(client, "/language", {"lang": host_choice})
    headers = {"Accept-Language": browser} if browser else {}
    host_page = client.get("/", headers=headers).get_data(as_text=True)
    assert html_lang(host_page) == host_choice.replace("_", "-")
    lms_page = client.get("/learn/", headers=headers).get_data(as_text=True)
    assert html_lang(lms_page) == expected
    # The LMS offers its own language switch only when the host's choice is not one of its own.
    assert ('class="lang-switch"' in lms_page) == (host_choice == "fr")


def test_the_lms_locale_selector_is_asked_before_the_hosts(
    make_host: Callable[..., Flask],
) -> None:
    app = make_host(migrate=False, MOUNT_LMS=False)
    LMS(app, db=db, url_prefix="/learn", locale_selector=lambda: "bn_BD")
    migrate_all(app)
    client = app.test_client()
    post(client, "/language", {"lang": "bn"})
    assert html_lang(client.get("/").get_data(as_text=True)) == "bn"
    assert html_lang(client.get("/learn/").get_data(as_text=True)) == "bn-BD"


def test_every_message_of_the_host_is_translated() -> None:
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "N_": None}
    method_map = [("host_app/**.py", "python"), ("host_app/templates/**.html", "jinja2")]
    used = {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(EXAMPLE), method_map=method_map, keywords=keywords
        )
    }
    assert "Members' area" in used
    for locale in ("bn", "bn_BD"):
        with (EXAMPLE / "translations" / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
            catalog = {m.id: m for m in read_po(fh, locale=locale) if m.id}
        assert set(catalog) == used, f"{locale}: run pybabel extract/update (README)"
        untranslated = [m.id for m in catalog.values() if not m.string or m.fuzzy]
        assert untranslated == [], locale
