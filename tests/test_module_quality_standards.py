"""The quality-standards module (issue 19): a full course for each country, its facts shared
alike by both countries, and the EU deforestation dates in the order the law moved them."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from lms.content.blocks import for_country
from lms.content.facts import REFERENCE, load_facts
from tests.shipped import ROOT, seen

SLUG = "quality-standards"
#: Facts the module states for both countries from its own files: same value in each.
SHARED = [
    "eudr-in-force-date",
    "eudr-cutoff-date",
    "eudr-original-date",
    "eudr-original-small-date",
    "eudr-delay1-large-date",
    "eudr-delay1-small-date",
    "eudr-large-date",
    "eudr-small-date",
    "eudr-leather-draft-date",
    "eudr-leather-out-date",
    "eu-forced-labour-date",
    "lwg-p7-mandatory-date",
    "lwg-sections",
    "lwg-data-months",
    "iso-cert-cycle-years",
    "child-labour-age",
    "young-worker-age",
]


@pytest.mark.parametrize("country", ["IN", "BD"])
def test_each_country_gets_a_full_course(app: Flask, shipped_library, country: str) -> None:  # noqa: ANN001
    from lms.quiz.bank import load_bank

    english = for_country(shipped_library.get(SLUG).docs["en"], country)
    assert sum(len(s.markdown.split()) for s in english.sections) >= 2500
    assert 8 <= len(english.sections) <= 13
    assert english.sections[-1].title == "Glossary"
    for locale in ("bn", "bn_BD"):
        doc = for_country(shipped_library.get(SLUG).docs[locale], country)
        assert len(doc.sections) == len(english.sections), locale
    with app.app_context():
        bank = load_bank(ROOT / SLUG / "quiz.yaml", app.extensions["lms"].question_types)
    items = [i for i in bank.items if i.for_country(country)]
    assert len(bank.items) >= 38
    assert len({i.type for i in items}) >= 5
    assert {"A", "B"} <= {form for i in items for form in i.forms}
    assert sum(i.country == country for i in items) >= 8
    assert sum(set(i.forms) == {"P"} for i in items) >= 5


def test_each_country_reads_its_own_standards_body(app: Flask, shipped_library) -> None:  # noqa: ANN001
    with app.app_context():
        india, bangladesh = (
            seen(shipped_library, SLUG, "bn", "IN"),
            seen(shipped_library, SLUG, "bn_BD", "BD"),
        )
        english_in, english_bd = (
            seen(shipped_library, SLUG, "en", "IN"),
            seen(shipped_library, SLUG, "en", "BD"),
        )
    assert "BIS" in english_in and "BSTI" not in english_in
    assert "BSTI" in english_bd and "Quality Control Order" not in english_bd
    assert "বিএসটিআই" in bangladesh and "৳" in bangladesh and "₹" not in bangladesh
    assert "BIS" in india and "₹" in india
    assert "₹" not in english_bd
    assert not re.search(r"\[[a-z0-9-]+\]", english_in + english_bd + india + bangladesh)


def test_shared_facts_are_the_same_in_both_countries() -> None:
    book = load_facts(ROOT)
    for fact_id in SHARED:
        india, bangladesh = book.get("IN", fact_id), book.get("BD", fact_id)
        assert india is not None and bangladesh is not None, fact_id
        assert (india.value, india.unit) == (bangladesh.value, bangladesh.unit), fact_id


@pytest.mark.parametrize("country", ["IN", "BD"])
def test_eudr_dates_move_forward_as_the_law_did(country: str) -> None:
    fact = load_facts(ROOT).get

    def day(fact_id: str):  # noqa: ANN202
        return fact(country, fact_id).value

    assert day("eudr-cutoff-date") < day("eudr-in-force-date") < day("eudr-original-date")
    assert day("eudr-original-date") < day("eudr-delay1-large-date") < day("eudr-large-date")
    assert day("eudr-original-small-date") < day("eudr-delay1-small-date") < day("eudr-small-date")
    for size in ("large", "small"):
        assert day(f"eudr-delay1-{size}-date") < day(f"eudr-{size}-date")
    assert day("eudr-leather-draft-date") < day("eudr-leather-out-date") < day("eudr-large-date")


@pytest.mark.parametrize("locale", ["en", "bn", "bn_BD"])
def test_every_language_states_its_figures_as_facts(shipped_library, locale: str) -> None:  # noqa: ANN001
    for country in ("IN", "BD"):
        doc = for_country(shipped_library.get(SLUG).docs[locale], country)
        shown = "\n".join(s.markdown for s in doc.sections)
        used = {m.group(1) for m in REFERENCE.finditer(shown)}
        assert {"cr6-limit", "azo-limit", "eudr-leather-out-date"} <= used, (locale, country)
