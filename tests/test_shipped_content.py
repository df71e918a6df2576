"""The seven programme modules as shipped: clean, complete, and written for each country."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from lms.content.blocks import for_country
from lms.content.checker import check_library
from lms.content.facts import REFERENCE, load_facts
from lms.content.library import ContentLibrary
from tests.shipped import ROOT, seen

MODULES = [
    "export-readiness",
    "gst-vat",
    "e-commerce",
    "branding",
    "cleaner-production",
    "financial-literacy",
    "digital-loans",
    "quality-standards",
    "product-development",
    "digital-marketing",
    "lwg-audit-preparation",
    "export-documentation",
    "export-costing-and-pricing",
]
#: The advanced modules (issue 20): 3,000 words of English for each country's reader.
ADVANCED = ["lwg-audit-preparation", "export-documentation", "export-costing-and-pricing"]
NEW_MODULES = [
    "financial-literacy",
    "digital-loans",
    "quality-standards",
    "product-development",
    "digital-marketing",
    *ADVANCED,
]


def test_the_checker_passes_on_the_shipped_content(
    app: Flask, shipped_library: ContentLibrary
) -> None:
    with app.app_context():
        problems = [p.format(ROOT) for p in check_library(shipped_library)]
    assert problems == []


def test_the_seven_programme_modules_are_there_in_order(shipped_library: ContentLibrary) -> None:
    assert [m.slug for m in shipped_library.modules()] == MODULES
    for module in shipped_library.modules():
        assert set(module.docs) == {"en", "bn", "bn_BD"}, module.slug
        assert module.usable


@pytest.mark.parametrize("slug", MODULES)
def test_each_module_teaches_at_length_in_three_languages(shipped_library, slug: str) -> None:  # noqa: ANN001
    module = shipped_library.get(slug)
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


@pytest.mark.parametrize("slug", NEW_MODULES)
@pytest.mark.parametrize("country", ["IN", "BD"])
def test_the_new_modules_are_full_courses(
    app: Flask, shipped_library, slug: str, country: str
) -> None:  # noqa: ANN001
    """Issue 18's measure of a module, for each country's reader: 2,500 words of English, 8-12
    sections and a glossary; a bank of 38 items or more (India's and Bangladesh's variants),
    each country's over five types, in forms A and B."""
    from lms.quiz.bank import load_bank

    english = for_country(shipped_library.get(slug).docs["en"], country)
    words = sum(len(s.markdown.split()) for s in english.sections)
    assert words >= 2500, words
    assert 8 <= len(english.sections) <= 12 + 1  # the glossary is the last
    assert english.sections[-1].title == "Glossary"
    with app.app_context():
        bank = load_bank(ROOT / slug / "quiz.yaml", app.extensions["lms"].question_types)
    assert len(bank.items) >= 38
    items = [i for i in bank.items if i.for_country(country)]
    assert len({i.type for i in items}) >= 5
    assert {"A", "B"} <= {form for i in items for form in i.forms}
    assert sum(i.country == country for i in items) >= 8  # variants of the country's own


#: Institutions and rules each Bangladesh text must teach (any one of each group).
BANGLADESH = {
    "export-readiness": [("EPB", "ইপিবি", "রপ্তানি উন্নয়ন ব্যুরো"), ("ERC", "ইআরসি")],
    "gst-vat": [("মূসক",), ("NBR", "এনবিআর"), ("BIN", "বিআইএন")],
    "e-commerce": [("DBID", "ডিবিআইডি"), ("bKash", "বিকাশ"), ("e-GP", "ই-জিপি")],
    "branding": [("DPDT", "পেটেন্ট, ডিজাইন ও ট্রেডমার্কস"), ("BSTI", "বিএসটিআই")],
    "cleaner-production": [("সাভার",), ("DoE", "পরিবেশ অধিদপ্তর")],
    "financial-literacy": [("ট্রেড লাইসেন্স",), ("ই-টিআইএন", "e-TIN"), ("মূসক",)],
    "digital-loans": [
        ("বিকাশ", "bKash"),
        ("নগদ", "Nagad"),
        ("সিআইবি", "CIB"),
        ("এসএমই ফাউন্ডেশন", "SME Foundation"),
        ("বাংলাদেশ ব্যাংক",),
    ],
    "quality-standards": [("BSTI", "বিএসটিআই"), ("BAB", "বিএবি")],
    "product-development": [("DPDT", "ডিপিডিটি"), ("শিল্প-নকশা আইন", "শিল্প নকশা আইন")],
    "digital-marketing": [("Daraz", "দারাজ"), ("DBID", "ডিবিআইডি")],
    "lwg-audit-preparation": [("সাভার",), ("পরিবেশ অধিদপ্তর", "DoE"), ("বিসিক", "BSCIC")],
    "export-documentation": [("ইএক্সপি", "EXP"), ("ইউডি", "UD"), ("বন্ডেড",)],
    "export-costing-and-pricing": [("নগদ সহায়তা",), ("বাংলাদেশ ব্যাংক",), ("ইসিজিএস", "ECGS")],
}


@pytest.mark.parametrize("slug", ADVANCED)
@pytest.mark.parametrize("country", ["IN", "BD"])
def test_the_advanced_modules_go_deeper(shipped_library, slug: str, country: str) -> None:  # noqa: ANN001
    module = shipped_library.get(slug)
    assert module.meta["level"] == "advanced"
    english = for_country(module.docs["en"], country)
    assert sum(len(s.markdown.split()) for s in english.sections) >= 3000


def drawn(doc) -> list[tuple[str, int]]:  # noqa: ANN001
    """Each diagram the reader of ``doc`` gets drawn: its kind and number of items."""
    from lms.content.diagrams import find

    return [
        (diagram.kind, len(diagram.items))
        for section in doc.sections
        for diagram, _end in find(section.markdown.split("\n"))
        if not any(level == "error" for _line, level, _message in diagram.problems)
    ]


@pytest.mark.parametrize("slug", MODULES)
@pytest.mark.parametrize("country", ["IN", "BD"])
def test_each_reader_gets_the_same_three_diagrams_in_each_language(
    shipped_library,
    slug: str,
    country: str,  # noqa: ANN001
) -> None:
    """Issue 16.12: at least three explanatory diagrams for each country's reader, all drawn,
    and the translations carry the same ones (kind and number of items, in order)."""
    module = shipped_library.get(slug)
    english = drawn(for_country(module.docs["en"], country))
    assert len(english) >= 3, english
    for locale in ("bn", "bn_BD"):
        assert drawn(for_country(module.docs[locale], country)) == english, locale


@pytest.mark.parametrize("slug", MODULES)
def test_bangladesh_text_is_written_for_bangladesh(app: Flask, shipped_library, slug: str) -> None:  # noqa: ANN001
    with app.app_context():
        india, bangladesh = (
            seen(shipped_library, slug, "bn", "IN"),
            seen(shipped_library, slug, "bn_BD", "BD"),
        )
        english_bd = seen(shipped_library, slug, "en", "BD")
    assert "৳" in bangladesh and "₹" not in bangladesh
    assert "₹" in india or "টাকা" in india
    assert "₹" not in english_bd
    for group in BANGLADESH[slug]:
        assert any(term in bangladesh for term in group), group
    assert india != bangladesh


def test_tax_module_teaches_vat_in_bangladesh_and_gst_in_india(app: Flask, shipped_library) -> None:  # noqa: ANN001
    with app.app_context():
        english_in, english_bd = (seen(shipped_library, "gst-vat", "en", c) for c in ("IN", "BD"))
        bengali_in = seen(shipped_library, "gst-vat", "bn", "IN")
        bangla = seen(shipped_library, "gst-vat", "bn_BD", "BD")
    assert "GST" in english_in and "GSTIN" in english_in and "₹" in english_in
    assert "VAT" in english_bd and "BIN" in english_bd and "৳" in english_bd
    assert "GSTIN" not in english_bd and "₹" not in english_bd
    assert "GST" in bengali_in
    assert "মূসক" in bangla and ("এনবিআর" in bangla or "NBR" in bangla)
    assert "BIN" in bangla or "বিআইএন" in bangla


@pytest.mark.parametrize("slug", MODULES)
@pytest.mark.parametrize("country", ["IN", "BD"])
def test_figures_come_from_the_countrys_facts(shipped_library, slug: str, country: str) -> None:  # noqa: ANN001
    """Every module states its figures as facts of the reader's country, in every language (the
    checker proves each of them exists, with a source and a date checked)."""
    for locale in ("en", "bn", "bn_BD"):
        doc = for_country(shipped_library.get(slug).docs[locale], country)
        shown = "\n".join(s.markdown for s in doc.sections)
        assert len(REFERENCE.findall(shown)) >= 3, (locale, country)


#: The Bangladesh items on the VAT and turnover-tax thresholds: the yearly turnover in the stem,
#: and the options that say VAT registration, turnover tax and nothing.
THRESHOLD_ITEMS = {
    ("branding", "brand-bd-turnover-tax"): (10_000_000, {"vat": "b", "turnover": "a", "none": "c"}),
    ("e-commerce", "ecom-bd-turnover-tax"): (8_000_000, {"vat": "c", "turnover": "a", "none": "b"}),
    ("financial-literacy", "bd-fl-turnover-tax-band"): (
        4_000_000,
        {"vat": "c", "turnover": "a", "none": "b"},
    ),
}


@pytest.mark.parametrize(("slug", "item_id"), sorted(THRESHOLD_ITEMS))
def test_bangladesh_threshold_items_agree_with_the_facts(
    app: Flask, slug: str, item_id: str
) -> None:
    from lms.quiz.bank import load_bank

    turnover, options = THRESHOLD_ITEMS[slug, item_id]
    book = load_facts(ROOT)
    vat = book.get("BD", "vat-registration-threshold").value
    enlist = book.get("BD", "turnover-tax-threshold").value
    due = "vat" if turnover > vat else "turnover" if turnover > enlist else "none"
    with app.app_context():
        bank = load_bank(ROOT / slug / "quiz.yaml", app.extensions["lms"].question_types)
    item = next(i for i in bank.items if i.id == item_id)
    assert item.country == "BD" and item.data["answer"] == options[due]


@pytest.mark.parametrize("slug", MODULES)
def test_each_module_has_an_item_bank_for_both_countries(
    app: Flask, shipped_library, slug: str
) -> None:  # noqa: ANN001
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
