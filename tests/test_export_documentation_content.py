"""The export-documentation module as shipped (advanced): a full course for each country's reader,
three diagrams or more in every language, the LDC-graduation dates taught as the facts say, and
quiz keys that agree with the facts and with the worked example's sums."""

from __future__ import annotations

import pytest
from flask import Flask

from lms.content.facts import load_facts
from tests.shipped import ROOT, bank, seen

SLUG = "export-documentation"


def test_each_country_gets_its_own_procedures(app: Flask, shipped_library) -> None:  # noqa: ANN001
    with app.app_context():
        india = seen(shipped_library, SLUG, "en", "IN", glossary=False)
        bangladesh = seen(shipped_library, SLUG, "en", "BD", glossary=False)
        bangla = seen(shipped_library, SLUG, "bn_BD", "BD", glossary=False)
    assert "ICEGATE" in india and "e-BRC" in india and "EXP" not in india
    assert "EXP" in bangladesh and "UD" in bangladesh and "ICEGATE" not in bangladesh
    for group in (("ইপিবি", "রপ্তানি উন্নয়ন ব্যুরো"), ("ইএক্সপি",), ("ইউডি",), ("পিআরসি",)):
        assert any(term in bangla for term in group), group


def test_ldc_graduation_is_taught_as_undecided_deferral(app: Flask, shipped_library) -> None:  # noqa: ANN001
    """The original date (24 November 2026) and the deferral asked for (to 24 November 2029)
    both come from the facts; the text must not present the new date as decided."""
    book = load_facts(ROOT)
    assert str(book.get("BD", "ldc-graduation-date").value) == "2026-11-24"
    assert str(book.get("BD", "xdoc-ldc-deferral-to").value) == "2029-11-24"
    with app.app_context():
        text = seen(shipped_library, SLUG, "en", "BD")
    assert "24 November 2026" in text and "24 November 2029" in text
    assert "General Assembly" in text and "could not confirm" in text


def test_items_keyed_to_facts_agree_with_the_facts(app: Flask) -> None:
    book = load_facts(ROOT)
    items = {i.id: i for i in bank(app, SLUG).items}
    assert items["xdoc-in-realisation-a"].data["answer"]["fact"] == "rbi-realisation-months"
    assert book.get("IN", "rbi-realisation-months").value == 15
    assert items["xdoc-bd-realisation-a"].data["answer"]["fact"] == "bb-realisation-days"
    assert items["xdoc-presentation-days-a"].data["answer"]["fact"] == "xdoc-ucp-presentation-days"
    for country in ("IN", "BD"):
        assert book.get(country, "xdoc-ucp-presentation-days").value == 21
        assert book.get(country, "xdoc-ucp-examination-days").value == 5
        assert book.get(country, "xdoc-rex-threshold-eur").value == 6000


def test_worked_example_arithmetic(app: Flask) -> None:
    """Numeric keys are the sums their stems describe (CIF cover 110% from the facts)."""
    book = load_facts(ROOT)
    cover = book.get("IN", "cif-insurance-cover").value / 100
    keys = {
        i.id: i.data["answer"]["value"]
        for i in bank(app, SLUG).items
        if i.type == "numeric" and "value" in i.data["answer"]
    }
    assert keys["xdoc-insurance-cif-a"] == pytest.approx(20000 * cover)
    assert keys["xdoc-insurance-cif-b"] == pytest.approx(1200 * 26 * cover)
    assert keys["xdoc-discrepancy-cost-p"] == 25000 * 3 / 100 + 80


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
