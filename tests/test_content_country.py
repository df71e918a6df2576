"""Content follows the learner's country, not the UI language (issue 18)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.content.cli import report
from lms.countries import country_of
from lms.db import db
from lms.programme.models import Beneficiary, Cluster, Enterprise
from lms.quiz.models import Attempt
from tests.conftest import csrf_token, login, post, write_module
from tests.country_content import EN, write_content
from tests.test_embedding import (  # noqa: F401  (the host test's engines are closed after it)
    _dispose_host_engines,
    _reset_postgres_after,
    add_member,
    lms_post,
    make_host,
    sign_in,
)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    write_content(root)
    return root


@pytest.fixture
def app(make_app, content: Path) -> Flask:  # noqa: ANN001
    return make_app(LMS_CONTENT_DIR=str(content))


def beneficiary_of(app: Flask, user: User, country: str) -> None:
    with app.app_context():
        cluster = Cluster(name=f"Cluster {country} {user.id}", country=country)
        enterprise = Enterprise(name=f"Unit {user.id}", segment="tannery", cluster=cluster)
        db.session.add(Beneficiary(name=user.name, enterprise=enterprise, user_id=user.id))
        db.session.commit()


def set_country(app: Flask, user: User, country: str | None) -> None:
    with app.app_context():
        db.session.get(User, user.id).country = country
        db.session.commit()


def signed_in(app: Flask, user: User):  # noqa: ANN201
    client = app.test_client()
    login(client, user.email)
    return client


def test_an_english_reader_gets_the_content_and_items_of_their_enterprises_country(
    app: Flask,
    make_user,  # noqa: ANN001
) -> None:
    bangladeshi, indian = make_user(locale="en"), make_user(locale="en")
    beneficiary_of(app, bangladeshi, "BD")
    beneficiary_of(app, indian, "IN")
    set_country(app, bangladeshi, "IN")  # the enterprise's cluster wins over the own choice
    for user, sees, never in (
        (bangladeshi, "VAT above ৳50 lakh", "GST"),
        (indian, "GST above ₹40 lakh", "VAT"),
    ):
        client = signed_in(app, user)
        page = client.get("/modules/tax/1").get_data(as_text=True)
        assert sees in page and never not in page
        assert post(client, "/quiz/tax/pre/start").status_code == 302
    with app.app_context():
        attempts = {a.user_id: a for a in db.session.scalars(select(Attempt))}
        bd, india = attempts[bangladeshi.id], attempts[indian.id]
        assert bd.country == "BD" and {e["id"] for e in bd.items} == {"vat-threshold", "days"}
        assert india.country == "IN"
        assert {e["id"] for e in india.items} == {"gst-threshold", "days"}
        days = {a.country: next(e for e in a.items if e["id"] == "days") for a in (bd, india)}
    assert days["BD"]["data"]["stem"]["en"] == "Buyers pay within 30 days."
    assert days["IN"]["data"]["stem"]["en"] == "Buyers pay within 45 days."


def test_the_country_comes_from_the_enterprise_then_the_choice_then_the_default(
    app: Flask,
    make_user,  # noqa: ANN001
) -> None:
    user = make_user()
    with app.app_context():
        assert country_of(db.session.get(User, user.id)) == "IN"  # LMS_DEFAULT_COUNTRY's default
    app.config["LMS_DEFAULT_COUNTRY"] = "BD"
    with app.app_context():
        assert country_of(db.session.get(User, user.id)) == "BD"  # the default
        assert country_of(None) == "BD"
    set_country(app, user, "IN")
    with app.app_context():
        assert country_of(db.session.get(User, user.id)) == "IN"  # their own choice
    beneficiary_of(app, user, "BD")
    with app.app_context():
        assert country_of(db.session.get(User, user.id)) == "BD"  # their enterprise's


def test_a_host_apps_user_has_a_country_of_their_own(tmp_path: Path, content: Path) -> None:
    app, _ = make_host(tmp_path, content_dir=str(content))
    client = sign_in(app, add_member(app, "Rahima"))
    assert "Register for GST above ₹40 lakh" in client.get("/learn/modules/tax/1").get_data(
        as_text=True
    )
    saved = lms_post(
        client,
        "/learn/settings",
        {
            "which": "settings",
            "settings-csrf_token": csrf_token(client, "/learn/settings"),
            "settings-locale": "en",
            "settings-country": "BD",
        },
    )
    assert saved.status_code == 302
    with app.app_context():
        record = db.session.scalars(select(User)).one()
        assert record.external_id is not None and record.country == "BD"
    page = client.get("/learn/modules/tax/1").get_data(as_text=True)
    assert "register for VAT above ৳50 lakh" in page and "GST" not in page


def test_a_section_in_the_other_countrys_block_is_not_a_page(app: Flask, make_user) -> None:  # noqa: ANN001
    user = make_user()
    set_country(app, user, "BD")
    client = signed_in(app, user)
    module = client.get("/modules/tax").get_data(as_text=True)
    assert "Mushak returns" in module
    assert "Keeping records" in client.get("/modules/tax/3").get_data(as_text=True)
    post(client, "/modules/tax/2/go", {"to": "3"})  # the Bangladeshi stops on page 3 of 3
    set_country(app, user, "IN")
    module = client.get("/modules/tax").get_data(as_text=True)
    assert "Mushak" not in module and "::: " not in module
    assert client.get("/modules/tax/3").status_code == 404  # India's text has two pages
    assert 'href="/modules/tax/2">' in module  # Continue: the last page, not a missing one
    assert "Keeping records" in client.get("/modules/tax/2").get_data(as_text=True)
    # Finished only once every page of India's text has been opened: page 1 never was.
    refused = post(client, "/modules/tax/2/go", {"finish": "1", "to": "2"})
    assert refused.headers["Location"].endswith("/modules/tax/2")
    post(client, "/modules/tax/1/seen")
    done = post(client, "/modules/tax/2/go", {"finish": "1", "to": "2"})
    assert done.headers["Location"].endswith("/modules/tax?done=1")
    set_country(app, user, "BD")  # finished stays finished
    assert "Read again" in client.get("/modules/tax").get_data(as_text=True)


def test_the_checker_reports_bad_blocks_and_the_variants_of_each_file(
    app: Flask, content: Path
) -> None:
    broken = EN.replace("::: BD\nTake", "::: BD\n::: IN\nTake").replace(
        "::: BD\n## Mushak", "::: XX\n## Mushak"
    )
    write_module(content, "broken", order=2, en=broken + "\n:::\n\n::: BD\nopen\n")
    lines = (broken + "\n:::\n\n::: BD\nopen\n").split("\n")
    with app.app_context():
        found, errors = report(content)
    nested = 1 + lines.index("::: IN", lines.index("::: BD"))
    assert f"broken/en.md:{nested}: error: country blocks cannot be nested" in "\n".join(found)
    assert any(
        re.search(
            rf"broken/en.md:{1 + lines.index('::: XX')}: error: unknown country block '::: XX'", f
        )
        for f in found
    )
    assert any(
        f"broken/en.md:{len(lines) - 4}: error: ':::' closes no country block" in f for f in found
    )
    assert any(
        f"broken/en.md:{len(lines) - 2}: error: this country block is not closed" in f
        for f in found
    )
    assert errors >= 4
    assert "tax: en IN+BD, bn IN+BD, bn_BD IN+BD" in found
    bd_only = "---\ntitle: T\nsummary: S\nobjectives: [o]\n---\n\n## A\n\n::: BD\nVAT.\n:::\n"
    write_module(content, "bd-only", order=3, en=bd_only)
    with app.app_context():
        found, _errors = report(content)
    assert "bd-only: en BD only" in found
    assert any(
        f.endswith(
            "bd-only/en.md:9: warning: country blocks for BD only: readers in IN "
            "get only the text outside blocks"
        )
        for f in found
    )


@pytest.mark.parametrize(
    ("locale", "label"),
    [
        ("en", "Learn the rules and figures of"),
        ("bn", "যে দেশের নিয়ম ও হিসাব শিখবেন"),
        ("bn_BD", "যে দেশের নিয়ম ও হিসাব শিখবেন"),
    ],
)
def test_my_settings_offers_the_country(app: Flask, make_user, locale: str, label: str) -> None:  # noqa: ANN001
    user = make_user(locale=locale)
    client = signed_in(app, user)
    page = client.get("/settings").get_data(as_text=True)
    assert label in page and re.search(r'checked[^>]*value="IN"', page)
    token = csrf_token(client, "/settings")
    saved = client.post(
        "/settings",
        data={
            "csrf_token": token,
            "settings-csrf_token": token,
            "which": "settings",
            "settings-name": "N",
            "settings-locale": locale,
            "settings-country": "BD",
        },
    )
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id).country == "BD"
    assert re.search(r'checked[^>]*value="BD"', client.get("/settings").get_data(as_text=True))
    beneficiary_of(app, user, "IN")  # an enterprise's learner has nothing to choose
    page = client.get("/settings").get_data(as_text=True)
    assert 'name="settings-country"' not in page


def test_a_live_quiz_asks_the_halls_country_with_its_facts(app: Flask, make_user) -> None:  # noqa: ANN001
    """A trainer picks the hall's country: its facts are written into the questions and the keys;
    another country's question is refused; a draft without facts is never stored."""
    from lms.live import services as live
    from lms.live.models import LiveQuiz
    from lms.quiz import services as quiz_services

    trainer = make_user("trainer")
    with app.app_context():
        bank = quiz_services.bank_for(app.extensions["lms"].content_library.get("tax"))
        made = live.create(
            bank,
            "tax",
            ["vat-threshold", "days"],
            title="VAT",
            mode="correctness",
            countdown=0,
            session_label="Savar",
            user_id=trainer.id,
            country="BD",
        )
        vat, days = made.items
        assert vat["data"]["answer"]["value"] == 5000000
        assert "৳50 lakh" in vat["data"]["stem"]["en"] and "{fact:" not in repr(made.items)
        assert "30 days" in days["data"]["stem"]["en"]
        for country, item_ids in (("IN", ["vat-threshold"]), ("XX", ["days"])):
            with pytest.raises(live.LiveError) as refused:
                live.create(
                    bank,
                    "tax",
                    item_ids,
                    title="t",
                    mode="correctness",
                    countdown=0,
                    session_label="",
                    user_id=trainer.id,
                    country=country,
                )
            assert refused.value.code == "wrong-country"
        assert db.session.scalar(select(func.count()).select_from(LiveQuiz)) == 1
    client = signed_in(app, trainer)
    page = client.get("/live/host/new/tax").get_data(as_text=True)
    assert re.search(r'<select id="country" name="country">', page)
    response = post(
        client,
        "/live/host/new/tax",
        {
            "title": "t",
            "mode": "correctness",
            "countdown": "0",
            "country": "IN",
            "items": ["vat-threshold"],
        },
    )
    assert "Choose questions for the hall" in response.get_data(as_text=True)


@pytest.mark.parametrize("view", ["/author/content/tax/en", "/author/content/tax/compare/bn"])
def test_authors_preview_each_countrys_reader(app: Flask, make_user, view: str) -> None:  # noqa: ANN001
    """The preview and the comparison show one country's reader at a time, facts filled in: no
    block markers, no fact ids."""
    client = signed_in(app, make_user("author"))
    india = client.get(view).get_data(as_text=True)
    bangladesh = client.get(f"{view}?country=BD").get_data(as_text=True)
    assert "GST" in india and "BIN" not in india and "₹40 lakh" in india
    assert "BIN" in bangladesh and "Register for GST" not in bangladesh and "৳50 lakh" in bangladesh
    assert "Mushak returns" in bangladesh and "Mushak returns" not in india
    for page in (india, bangladesh):
        assert ":::" not in page and "{fact:" not in page
