"""The product-development module (issue 19): a full course for each country, with its figures
taken from its own facts, and the design-protection facts consistent with one another."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from lms.content.blocks import for_country
from lms.content.checker import check_library
from lms.content.facts import REFERENCE, load_facts
from lms.content.library import ContentLibrary
from tests.shipped import ROOT, seen

SLUG = "product-development"


def test_the_checker_finds_no_problem_in_the_module(
    app: Flask, shipped_library: ContentLibrary
) -> None:
    with app.app_context():
        problems = [p.format(ROOT) for p in check_library(shipped_library)]
    assert [p for p in problems if p.startswith(f"{SLUG}/") or "/design.yaml" in p] == []


@pytest.mark.parametrize("country", ["IN", "BD"])
def test_it_is_a_full_course_for_each_country(app: Flask, shipped_library, country: str) -> None:  # noqa: ANN001
    from lms.quiz.bank import load_bank

    module = shipped_library.get(SLUG)
    english = for_country(module.docs["en"], country)
    assert sum(len(s.markdown.split()) for s in english.sections) >= 2500
    assert 8 <= len(english.sections) <= 12 + 1  # the introduction and the glossary included
    assert english.sections[-1].title == "Glossary"
    for locale in ("bn", "bn_BD"):
        doc = module.docs[locale]
        assert len(doc.pages) == len(module.docs["en"].pages), locale
        assert doc.word_count >= 0.7 * module.docs["en"].word_count, locale
    with app.app_context():
        bank = load_bank(ROOT / SLUG / "quiz.yaml", app.extensions["lms"].question_types)
    assert bank.problems == []
    assert len(bank.items) >= 38
    items = [i for i in bank.items if i.for_country(country)]
    assert len({i.type for i in items}) >= 5
    assert {"A", "B"} <= {form for i in items for form in i.forms}
    assert sum(i.country == country for i in items) >= 8
    for kind in ("pre", "post", "retention", "practice"):
        rule = bank.rules[kind]
        assert len(bank.eligible(rule, country)) >= rule.count, kind
    pre = {i.id for i in bank.eligible(bank.rules["pre"], country)}
    post = {i.id for i in bank.eligible(bank.rules["post"], country)}
    assert not pre & post


def test_each_country_is_taught_its_own_design_law(app: Flask, shipped_library) -> None:  # noqa: ANN001
    with app.app_context():
        english_in, english_bd = (
            seen(shipped_library, SLUG, "en", "IN"),
            seen(shipped_library, SLUG, "en", "BD"),
        )
        bengali_in, bangla = (
            seen(shipped_library, SLUG, "bn", "IN"),
            seen(shipped_library, SLUG, "bn_BD", "BD"),
        )
    assert "Designs Act, 2000" in english_in and "Industrial Design Act" not in english_in
    assert "Industrial Design Act, 2023" in english_bd and "Designs Act, 2000" not in english_bd
    assert "₹" in english_in and "₹" not in english_bd
    assert "৳" in bangla and "₹" not in bangla
    assert "ডিজাইনস অ্যাক্ট, ২০০০" in bengali_in and "₹" in bengali_in
    for term in ("শিল্প-নকশা আইন, ২০২৩", "ডিপিডিটি", "এসএমই ফাউন্ডেশন", "ভৈরব"):
        assert term in bangla, term
    # Bengali digits in the facts shown to Bengali readers
    assert "১০ বছর" in bangla and "১০ বছর" in bengali_in


@pytest.mark.parametrize("country", ["IN", "BD"])
def test_every_language_states_its_figures_as_facts(shipped_library, country: str) -> None:  # noqa: ANN001
    for locale in ("en", "bn", "bn_BD"):
        doc = for_country(shipped_library.get(SLUG).docs[locale], country)
        shown = "\n".join(s.markdown for s in doc.sections)
        assert len(REFERENCE.findall(shown)) >= 8, (locale, country)


def test_the_longest_protection_agrees_with_the_term_and_renewals() -> None:
    book = load_facts(ROOT)

    def value(country: str, fact_id: str) -> float:
        return book.get(country, fact_id).value

    india = value("IN", "design-term-years") + value("IN", "design-extension-years")
    assert value("IN", "design-max-years") == india
    renewals = value("BD", "bd-design-renewals-max") * value("BD", "bd-design-renewal-years")
    bangladesh = value("BD", "bd-design-term-years") + renewals
    assert value("BD", "bd-design-max-years") == bangladesh


def test_small_entities_pay_a_quarter_of_the_others_fee_in_india() -> None:
    """The Designs (Amendment) Rules 2021 set the fees of others at four times those of natural
    persons, start-ups and small entities; the module teaches that ratio."""
    book = load_facts(ROOT)
    for kind in ("application", "extension"):
        small = book.get("IN", f"design-fee-{kind}-small").value
        other = book.get("IN", f"design-fee-{kind}-other").value
        assert other == 4 * small, kind


def test_the_worked_sampling_total_adds_up(shipped_library: ContentLibrary) -> None:
    """The English sampling table: the rounds and the courier add up to the total shown."""
    text = shipped_library.get(SLUG).docs["en"].text
    row = r"^\s*\| (?:Proto|Fit|SMS|PP|Courier) \|.*\*\*([\d,]+)\*\* \|$"
    rounds = [int(n.replace(",", "")) for n in re.findall(row, text, re.M)]
    total = re.search(r"\| \*\*Total\*\* \| \*\*12 pairs\*\* \| \| \*\*([\d,]+)\*\* \|", text)
    assert len(rounds) == 5 and total is not None
    assert sum(rounds) == int(total.group(1).replace(",", ""))
