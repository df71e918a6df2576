"""The export-costing-and-pricing module as shipped (advanced): a full course for each country's
reader, three diagrams or more in every language, a worked price sheet whose sums add up in the
text and in the quiz keys, and keys that agree with the facts."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask

from lms.content.facts import load_facts
from lms.content.library import ContentLibrary
from tests.shipped import ROOT, bank, seen

SLUG = "export-costing-and-pricing"


def table_after(text: str, heading: str) -> list[list[str]]:
    """The rows (cells stripped of ``**``) of the first pipe table whose header starts with
    ``heading``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| " + heading))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([c.strip().strip("*") for c in line.strip("|").split("|")])
    return rows


def money(cell: str) -> Decimal:
    return Decimal(cell.replace(",", ""))


def test_each_country_gets_its_own_institutions(app: Flask, shipped_library) -> None:  # noqa: ANN001
    with app.app_context():
        india = seen(shipped_library, SLUG, "en", "IN", glossary=False)
        bangladesh = seen(shipped_library, SLUG, "en", "BD", glossary=False)
        bangla = seen(shipped_library, SLUG, "bn_BD", "BD")
        bengali = seen(shipped_library, SLUG, "bn", "IN")
    assert "ECGC" in india and "RoDTEP" in india and "Sadharan Bima" not in india
    assert "Sadharan Bima" in bangladesh and "DEDO" in bangladesh and "ECGC" not in bangladesh
    assert "₹" not in bangladesh and "₹" not in bangla and "৳" in bangla
    assert "₹" in bengali
    for group in (("সাধারণ বীমা",), ("বাংলাদেশ ব্যাংক",), ("ডেডো",), ("নগদ সহায়তা",)):
        assert any(term in bangla for term in group), group


def test_the_price_sheet_in_the_text_adds_up(shipped_library: ContentLibrary) -> None:
    """The cost table sums to the ex-works cost, the costs to the ship to their total, and the
    steps to FOB, CFR and CIF are the sums the text states."""
    text = shipped_library.get(SLUG).docs["en"].text
    cost = table_after(text, "Line |")
    assert sum(money(row[-1]) for row in cost[:-1]) == money(cost[-1][-1]) == Decimal("20.00")
    ship = table_after(text, "Cost to the ship")
    assert sum(money(row[-1]) for row in ship[:-1]) == money(ship[-1][-1]) == Decimal("1000")
    exw = Decimal("20.00") * Decimal("0.12") * 3 / 12 + Decimal("20.00") + Decimal("2.00")
    fob = exw + money(ship[-1][-1]) / 1000
    assert "= **$22.60 a bag**" in text and exw == Decimal("22.60")
    assert "**$23.60 a bag**" in text and fob == Decimal("23.60")
    assert "**$25.00 a bag**" in text and fob + Decimal("1.40") == Decimal("25.00")
    premium = Decimal("25000") * Decimal("1.10") * Decimal("0.002")
    assert "= **$55**" in text and premium == 55
    assert "25,060 × 110% = $27,566" in text and Decimal("25060") * Decimal("1.10") == 27566


def test_the_exchange_rate_examples_add_up(shipped_library: ContentLibrary) -> None:
    text = shipped_library.get(SLUG).docs["en"].text
    for rate, later, forward, lost, got in (
        (85, 82, "85.50", "₹70,800", "₹20,17,800"),
        (120, 117, "120.50", "৳70,800", "৳28,43,800"),
    ):
        assert 23600 * rate - 23600 * later == 70800
        assert lost in text and got in text
        assert f"23,600 × {forward} = **{got}**" in text
    assert Decimal("23600") * Decimal("85.50") == 2017800
    assert Decimal("23600") * Decimal("120.50") == 2843800


def test_items_keyed_to_facts_agree_with_the_facts(app: Flask) -> None:
    book = load_facts(ROOT)
    items = {i.id: i for i in bank(app, SLUG).items}
    assert items["xprice-in-realisation-b"].data["answer"]["fact"] == "rbi-realisation-months"
    assert items["xprice-bd-realisation-b"].data["answer"]["fact"] == "bb-realisation-days"
    assert items["xprice-bd-incentive-rate-b"].data["answer"]["fact"] == "cash-incentive-leather"
    assert items["xprice-rule-count-p"].data["answer"]["fact"] == "xprice-incoterms-rule-count"
    for country in ("IN", "BD"):
        assert book.get(country, "xprice-incoterms-rule-count").value == 11
        assert book.get(country, "cif-insurance-cover").value == 110
    assert book.get("IN", "xprice-nirvik-cover").value == 90
    assert book.get("BD", "xprice-ecgs-since-year").value == 1978


def test_numeric_keys_are_the_sums_their_stems_describe(app: Flask) -> None:
    book = load_facts(ROOT)
    cover = Decimal(book.get("IN", "cif-insurance-cover").value) / 100
    keys = {
        i.id: Decimal(str(i.data["answer"]["value"]))
        for i in bank(app, SLUG).items
        if i.type == "numeric" and "value" in i.data["answer"]
    }
    quarter = Decimal(3) / 12
    assert keys["xprice-cif-insurance-a"] == 30000 * cover
    assert keys["xprice-cif-insurance-b"] == 25060 * cover
    assert keys["xprice-margin-price-a"] == 30 / Decimal("0.75")
    assert keys["xprice-margin-price-b"] == (Decimal("20.60") / Decimal("0.90")).quantize(
        Decimal("0.01")
    )
    assert keys["xprice-credit-cost-a"] == 10000 * Decimal("0.08") * quarter
    assert keys["xprice-credit-cost-b"] == 23600 * Decimal("0.08") * quarter
    assert keys["xprice-fob-per-bag-b"] == Decimal("22.60") + Decimal(1000) / 1000
    assert keys["xprice-discount-p"] == Decimal("23.60") * Decimal("0.10")
    assert keys["xprice-leather-error-p"] == Decimal("0.5") * 2 * 1000
    assert keys["xprice-in-forward-a"] == 10000 * Decimal("85.50")
    assert keys["xprice-in-forward-p"] == 23600 * Decimal("85.50")
    assert keys["xprice-in-fx-loss-b"] == 23600 * (85 - 82)
    assert keys["xprice-bd-forward-a"] == 10000 * Decimal("120.50")
    assert keys["xprice-bd-fx-loss-b"] == 23600 * (120 - 117)


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
