"""The five programme modules as shipped: clean, complete, and written for each country."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from lms.content.checker import check_library
from lms.content.library import ContentLibrary

ROOT = Path(__file__).resolve().parent.parent / "modules_content"
MODULES = ["export-readiness", "gst-vat", "e-commerce", "branding", "cleaner-production"]


@pytest.fixture(scope="module")
def library() -> ContentLibrary:
    return ContentLibrary(ROOT)


def test_the_checker_passes_on_the_shipped_content(app: Flask, library: ContentLibrary) -> None:
    with app.app_context():
        problems = [p.format(ROOT) for p in check_library(library)]
    assert problems == []


def test_the_five_programme_modules_are_there_in_order(library: ContentLibrary) -> None:
    assert [m.slug for m in library.modules()] == MODULES
    for module in library.modules():
        assert set(module.docs) == {"en", "bn", "bn_BD"}, module.slug
        assert module.usable


@pytest.mark.parametrize("slug", MODULES)
def test_each_module_teaches_at_length_in_three_languages(library, slug: str) -> None:  # noqa: ANN001
    module = library.get(slug)
    english = module.docs["en"]
    assert english.word_count >= 1200, english.word_count
    body = "\n".join(s.markdown for s in english.sections)
    assert "!!! checklist" in body
    assert re.search(r"^\|[ :|-]*-{3,}[ :|-]*$", body, re.MULTILINE), "no table"
    assert english.pages[-1].title == "Glossary"
    for locale in ("bn", "bn_BD"):
        doc = module.docs[locale]
        assert len(doc.pages) == len(english.pages), (locale, [s.title for s in doc.pages])
        assert doc.word_count >= 0.7 * english.word_count, (locale, doc.word_count)
        bengali_letters = len(re.findall("[\u0980-\u09ff]", doc.text))
        assert bengali_letters > 0.5 * len(re.findall(r"\w", doc.text)), locale


#: Institutions and rules each Bangladesh text must teach (any one of each group).
BANGLADESH = {
    "export-readiness": [("EPB", "ইপিবি", "রপ্তানি উন্নয়ন ব্যুরো"), ("ERC", "ইআরসি")],
    "gst-vat": [("মূসক",), ("NBR", "এনবিআর"), ("BIN", "বিআইএন")],
    "e-commerce": [("DBID", "ডিবিআইডি"), ("bKash", "বিকাশ"), ("e-GP", "ই-জিপি")],
    "branding": [("DPDT", "পেটেন্ট, ডিজাইন ও ট্রেডমার্কস"), ("BSTI", "বিএসটিআই")],
    "cleaner-production": [("সাভার",), ("DoE", "পরিবেশ অধিদপ্তর")],
}


@pytest.mark.parametrize("slug", MODULES)
def test_bangladesh_text_is_written_for_bangladesh(library, slug: str) -> None:  # noqa: ANN001
    india, bangladesh = library.get(slug).docs["bn"].text, library.get(slug).docs["bn_BD"].text
    assert "৳" in bangladesh and "₹" not in bangladesh
    assert "₹" in india or "টাকা" in india
    for group in BANGLADESH[slug]:
        assert any(term in bangladesh for term in group), group
    assert india != bangladesh


def test_tax_module_teaches_vat_in_bangladesh_and_gst_in_india(library) -> None:  # noqa: ANN001
    module = library.get("gst-vat")
    assert "GST" in module.docs["en"].text and "GST" in module.docs["bn"].text
    bangladesh = module.docs["bn_BD"].text
    assert "মূসক" in bangladesh and ("এনবিআর" in bangladesh or "NBR" in bangladesh)
    assert "BIN" in bangladesh or "বিআইএন" in bangladesh


@pytest.mark.parametrize("slug", MODULES)
def test_changeable_facts_carry_date_and_source(library, slug: str) -> None:  # noqa: ANN001
    facts = library.get(slug).meta.get("facts") or []
    assert len(facts) >= 3
    countries = {fact["country"] for fact in facts}
    assert {"IN", "BD"} <= countries


@pytest.mark.parametrize("slug", MODULES)
def test_each_module_has_an_item_bank_for_both_countries(app: Flask, library, slug: str) -> None:  # noqa: ANN001
    from lms.quiz.bank import load_bank

    with app.app_context():
        bank = load_bank(ROOT / slug / "quiz.yaml", app.extensions["lms"].question_types)
    assert [p.format(ROOT) for p in bank.problems] == []
    assert len(bank.items) >= 15
    assert len({item.type for item in bank.items}) >= 3
    for country in ("IN", "BD"):
        for kind in ("pre", "post", "retention"):
            rule = bank.rules[kind]
            assert len(bank.eligible(rule, country)) >= rule.count, (country, kind)
        pre = {i.id for i in bank.eligible(bank.rules["pre"], country)}
        post = {i.id for i in bank.eligible(bank.rules["post"], country)}
        assert not pre & post  # parallel forms: the post-test asks other questions
