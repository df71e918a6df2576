"""The digital-marketing module as shipped: a full course for each country's reader, written for
Bangladesh in bn_BD, with its figures from the facts and its quiz keys agreeing with them."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from lms.content.blocks import for_country
from lms.content.checker import check_library
from lms.content.facts import REFERENCE, load_facts
from lms.content.library import ContentLibrary
from tests.shipped import ROOT, bank, seen

SLUG = "digital-marketing"


def test_the_checker_finds_no_problem_in_the_module(
    app: Flask, shipped_library: ContentLibrary
) -> None:
    with app.app_context():
        problems = [p.format(ROOT) for p in check_library(shipped_library)]
    assert [p for p in problems if SLUG in p] == []


@pytest.mark.parametrize("country", ["IN", "BD"])
def test_it_is_a_full_course_for_each_country(app: Flask, shipped_library, country: str) -> None:  # noqa: ANN001
    english = for_country(shipped_library.get(SLUG).docs["en"], country)
    assert sum(len(s.markdown.split()) for s in english.sections) >= 2500
    assert 8 <= len(english.sections) <= 13
    assert english.sections[-1].title == "Glossary"
    body = "\n".join(s.markdown for s in english.sections)
    assert "!!! checklist" in body
    assert re.search(r"^\|[ :|-]*-{3,}[ :|-]*$", body, re.MULTILINE)
    items = [i for i in bank(app, SLUG).items if i.for_country(country)]
    assert len({i.type for i in items}) >= 5
    assert {"A", "B"} <= {form for i in items for form in i.forms}
    assert sum(i.country == country for i in items) >= 8


def test_translations_have_the_same_pages_and_are_bengali(shipped_library: ContentLibrary) -> None:
    module = shipped_library.get(SLUG)
    english = module.docs["en"]
    for locale in ("bn", "bn_BD"):
        doc = module.docs[locale]
        assert len(doc.pages) == len(english.pages), locale
        assert doc.word_count >= 0.7 * english.word_count, (locale, doc.word_count)
        bengali = len(re.findall("[\u0980-\u09ff]", doc.text))
        assert bengali > 0.5 * len(re.findall(r"\w", doc.text)), locale


def test_bangladesh_readers_get_bangladesh_rules_and_taka(app: Flask, shipped_library) -> None:  # noqa: ANN001
    with app.app_context():
        bangla, english_bd = (
            seen(shipped_library, SLUG, "bn_BD", "BD"),
            seen(shipped_library, SLUG, "en", "BD"),
        )
        india = seen(shipped_library, SLUG, "bn", "IN")
    assert "৳" in bangla and "₹" not in bangla and "₹" not in english_bd
    for group in (("ডিবিআইডি", "DBID"), ("দারাজ",), ("বিকাশ",), ("আরজেএসসি", "RJSC")):
        assert any(term in bangla for term in group), group
    assert "ONDC" not in english_bd and "TCS" not in english_bd
    assert "₹" in india and "ONDC" in india and "DBID" not in india


@pytest.mark.parametrize("country", ["IN", "BD"])
def test_figures_come_from_the_countrys_facts(shipped_library, country: str) -> None:  # noqa: ANN001
    for locale in ("en", "bn", "bn_BD"):
        doc = for_country(shipped_library.get(SLUG).docs[locale], country)
        shown = "\n".join(s.markdown for s in doc.sections)
        assert len(REFERENCE.findall(shown)) >= 8, (locale, country)


def test_the_tcs_rate_taught_is_the_reduced_rate(app: Flask, shipped_library) -> None:  # noqa: ANN001
    """Since 10 July 2024 e-commerce operators collect 0.5% in all (0.25% CGST + 0.25% SGST),
    not 1%: the India text must show the fact's value and date."""
    book = load_facts(ROOT)
    assert book.get("IN", "gst-tcs-rate").value == 0.5
    with app.app_context():
        text = seen(shipped_library, SLUG, "en", "IN")
    assert "0.5%" in text and "10 July 2024" in text


def test_items_keyed_to_facts_agree_with_the_facts(app: Flask) -> None:
    book = load_facts(ROOT)
    items = {i.id: i for i in bank(app, SLUG).items}
    assert items["in-dm-tcs-rate-a"].data["answer"] == {"fact": "gst-tcs-rate", "tolerance": 0}
    assert items["bd-dm-delivery-other-city-a"].data["answer"]["fact"] == "dc-delivery-days-other"
    assert book.get("BD", "dc-delivery-days-other").value == 10
    assert book.get("BD", "dc-complaint-hours").value == 72


def test_worked_example_arithmetic(app: Flask) -> None:
    """The numeric keys of the ad-measuring items are the sums their stems describe."""
    keys = {
        i.id: i.data["answer"]["value"]
        for i in bank(app, SLUG).items
        if i.type == "numeric" and "value" in i.data["answer"]
    }
    assert keys["dm-cost-per-message-a"] == 2400 / 48
    assert keys["dm-roas-a"] == 9000 / 2000
    assert keys["dm-cost-per-order-b"] == 3600 / 12
    assert keys["dm-breakeven-roas-b"] == 1500 / 500
    assert keys["in-dm-cost-per-order-no-gstin-b"] == 2360 / 8
    assert keys["bd-dm-roas-refused-a"] == 12 * 1500 / 3000
    assert abs(keys["bd-dm-cost-per-delivered-b"] - 4600 / 12) <= 1


def test_the_bank_serves_every_test_for_both_countries(app: Flask) -> None:
    loaded = bank(app, SLUG)
    assert [p.format(ROOT) for p in loaded.problems] == []
    assert len(loaded.items) >= 38
    for country in ("IN", "BD"):
        for kind in ("pre", "post", "retention", "practice"):
            rule = loaded.rules[kind]
            assert len(loaded.eligible(rule, country)) >= rule.count, (country, kind)
        pre = {i.id for i in loaded.eligible(loaded.rules["pre"], country)}
        post = {i.id for i in loaded.eligible(loaded.rules["post"], country)}
        assert not pre & post
