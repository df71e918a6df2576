"""Facts (issue 18): every figure stated once per country, rendered for the reader, checked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from lms.accounts.models import User
from lms.content import facts
from lms.content.checker import check_library
from lms.content.library import ContentLibrary
from lms.db import db
from lms.quiz.models import Attempt
from lms.state import state
from tests.conftest import csrf_token, login, post
from tests.country_content import write_content, write_facts


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    write_content(root)
    return root


@pytest.fixture
def app(make_app, content: Path) -> Flask:  # noqa: ANN001
    return make_app(LMS_CONTENT_DIR=str(content))


def learner(app: Flask, make_user, country: str, **fields: object) -> User:  # noqa: ANN001
    user = make_user(**fields)
    with app.app_context():
        db.session.get(User, user.id).country = country
        db.session.commit()
    return user


def reader(app: Flask, user: User):  # noqa: ANN201
    client = app.test_client()
    login(client, user.email)
    return client


def save_settings(client, fields: dict[str, str]) -> None:  # noqa: ANN001
    token = csrf_token(client, "/settings")
    data = {"csrf_token": token, "settings-csrf_token": token, "which": "settings", **fields}
    saved = client.post("/settings", data=data)
    assert saved.status_code == 302


def test_a_fact_is_written_for_the_texts_language(app: Flask, content: Path) -> None:
    book = facts.load_facts(content)
    gst, loan = book.get("IN", "gst-threshold"), book.get("IN", "big-loan")
    vat, days = book.get("BD", "vat-threshold"), book.get("IN", "payment-days")
    with app.app_context():
        assert facts.format_fact(gst, "en") == "₹40 lakh"
        assert facts.format_fact(gst, "bn") == "₹৪০ লক্ষ"
        assert facts.format_fact(gst, "bn", latin_digits=True) == "₹40 লক্ষ"
        assert facts.format_fact(loan, "en") == "₹1.5 crore"
        assert facts.format_fact(vat, "bn_BD") == "৳৫০ লাখ"
        assert facts.format_fact(vat, "en") == "৳50 lakh"
        assert facts.format_fact(vat, "en", bare=True) == "50,00,000"
        assert facts.format_fact(book.get("IN", "gst-rate"), "en") == "18%"
        assert facts.format_fact(days, "en") == "45 days"
        assert facts.format_fact(days, "bn") == "৪৫ দিন"


def test_module_pages_show_the_learners_facts_in_their_language(app: Flask, make_user) -> None:  # noqa: ANN001
    india_en = reader(app, learner(app, make_user, "IN"))
    page = india_en.get("/modules/tax/1").get_data(as_text=True)
    assert "Register for GST above ₹40 lakh; a loan of ₹1.5 crore; rate 18%." in page
    assert "Buyers pay within 45 days." in page and "VAT" not in page
    india_bn = reader(app, learner(app, make_user, "IN", locale="bn"))
    assert "₹৪০ লক্ষ-এর বেশি" in india_bn.get("/modules/tax/1").get_data(as_text=True)
    latin = reader(app, learner(app, make_user, "IN", locale="bn"))
    settings = {"settings-name": "L", "settings-locale": "bn", "settings-latin_digits": "y"}
    save_settings(latin, settings)
    assert "₹40 লক্ষ-এর বেশি" in latin.get("/modules/tax/1").get_data(as_text=True)
    bangladesh = reader(app, learner(app, make_user, "BD", locale="bn_BD"))
    page = bangladesh.get("/modules/tax/1").get_data(as_text=True)
    assert "৳৫০ লাখ-এর বেশি" in page and "জিএসটি" not in page


def test_a_changed_fact_changes_the_module_the_item_and_the_key(
    app: Flask,
    content: Path,
    make_user,  # noqa: ANN001
) -> None:
    first = reader(app, learner(app, make_user, "BD"))
    assert "register for VAT above ৳50 lakh" in first.get("/modules/tax/1").get_data(as_text=True)
    bd_facts = content / "facts" / "BD" / "tax.yaml"
    bd_facts.write_text(
        bd_facts.read_text(encoding="utf-8").replace("5000000", "6000000"), encoding="utf-8"
    )
    os.utime(bd_facts, ns=(1, 1))  # a different mtime, whatever the clock's resolution
    learner_ = learner(app, make_user, "BD")
    client = reader(app, learner_)
    assert "register for VAT above ৳60 lakh" in client.get("/modules/tax/1").get_data(as_text=True)
    assert post(client, "/quiz/tax/pre/start").status_code == 302
    with app.app_context():
        attempt = db.session.scalars(select(Attempt).filter_by(user_id=learner_.id)).one()
        entry = next(e for e in attempt.items if e["id"] == "vat-threshold")
        assert entry["data"]["answer"]["value"] == 6000000
        assert "৳60 lakh" in entry["data"]["stem"]["en"]
        number = 1 + attempt.items.index(entry)
    page = client.get(f"/quiz/attempt/{attempt.id}/{number}").get_data(as_text=True)
    assert "Hint: ৳60 lakh." in page
    post(client, f"/quiz/attempt/{attempt.id}/{number}", {"answer": "6000000"})
    post(client, f"/quiz/attempt/{attempt.id}/submit")
    with app.app_context():
        answer = db.session.get(Attempt, attempt.id).answer_for("vat-threshold")
        assert answer.fraction == 1.0


def test_an_unknown_fact_shows_its_id_and_the_checker_names_the_line(
    app: Flask,
    content: Path,
    make_user,
    caplog,  # noqa: ANN001
) -> None:
    english = content / "tax" / "en.md"
    text = english.read_text(encoding="utf-8").replace("Keep every invoice.", "Keep {fact:nope}.")
    english.write_text(text, encoding="utf-8")
    line = 1 + text.split("\n").index("Keep {fact:nope}.")
    page = reader(app, learner(app, make_user, "IN")).get("/modules/tax/2")
    assert page.status_code == 200 and "Keep [nope]." in page.get_data(as_text=True)
    assert "unknown fact {fact:nope}" in caplog.text
    with app.app_context():
        found = [p.format(content) for p in check_library(ContentLibrary(content))]
    assert (
        f"tax/en.md:{line}: error: unknown fact nope for IN, BD (readers there see [nope]): "
        "add it to facts/IN/ or move the sentence into a country block"
    ) in found


def test_the_checker_reads_facts_in_the_right_country_and_in_items(
    app: Flask, content: Path
) -> None:
    english = content / "tax" / "en.md"
    text = english.read_text(encoding="utf-8")
    english.write_text(text.replace("BIN and register", "BIN ({fact:gst-rate}) and register"))
    bank = content / "tax" / "quiz.yaml"
    bank.write_text(bank.read_text().replace("answer: {fact: vat-threshold", "answer: {fact: vat"))
    with app.app_context():
        problems = check_library(ContentLibrary(content), state().content_checks)
        found = [p.format(content) for p in problems]
    line = 1 + text.split("\n").index("Take a BIN and register for VAT above {fact:vat-threshold}.")
    assert any(
        f.startswith(f"tax/en.md:{line}: error: unknown fact gst-rate for BD (") for f in found
    )
    assert "tax/quiz.yaml:19: error: item vat-threshold: unknown fact vat for BD" in found
    assert not [f for f in found if "error" in f and "gst-rate" not in f and "fact vat " not in f]


def test_the_checker_reports_bad_and_old_facts_with_their_line(app: Flask, content: Path) -> None:
    write_facts(
        content,
        "BD",
        "more.yaml",
        """\
        vat-threshold:
          value: 1
          unit: BDT
          source: "x"
          checked: 2026-11-01
        odd-unit:
          value: 3
          unit: kg
          source: "x"
          checked: 2026-11-01
        no-source:
          value: 3
          unit: number
          checked: 2026-11-01
        not-a-date:
          value: 3
          unit: number
          source: "x"
          checked: soon
        bad-value:
          value: lots
          unit: percent
          source: "x"
          checked: 2026-11-01
        old:
          value: 3
          unit: years
          source: "x"
          checked: 2024-01-31
        """,
    )
    import datetime as dt

    with app.app_context():
        problems = check_library(ContentLibrary(content), today=dt.date(2026, 12, 5))
        found = [p.format(content) for p in problems]
    assert "facts/BD/tax.yaml:1: error: duplicate fact vat-threshold (also in more.yaml:1)" in found
    assert any(
        f.startswith("facts/BD/more.yaml:8: error: fact odd-unit: unit must be") for f in found
    )
    assert "facts/BD/more.yaml:11: error: fact no-source: source is missing" in found
    assert any(
        f.startswith("facts/BD/more.yaml:19: error: fact not-a-date: checked") for f in found
    )
    assert any(f.startswith("facts/BD/more.yaml:21: error: fact bad-value: value") for f in found)
    assert (
        "facts/BD/more.yaml:25: warning: fact old was last checked on 2024-01-31, more than "
        "12 months ago: check it against its source and renew checked"
    ) in found
    assert not any("tax.yaml" in f and "warning" in f for f in found)  # checked 2026-11-01
