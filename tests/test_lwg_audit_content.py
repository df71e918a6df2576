"""The lwg-audit-preparation module as shipped (advanced): a full course for each country's reader,
the same diagrams in every language, quiz keys that agree with the LWG medal facts, and a
self-assessment checklist the learner can fill in."""

from __future__ import annotations

import pytest
import yaml
from flask import Flask

from lms.content.blocks import for_country
from lms.content.facts import REFERENCE, load_facts
from tests.shipped import ROOT, bank, seen

SLUG = "lwg-audit-preparation"
LANGUAGES = ("en", "bn", "bn_BD")


def test_bangladesh_reads_about_savar_the_doe_and_taka(app: Flask, shipped_library) -> None:  # noqa: ANN001
    with app.app_context():
        bangladesh, india = (
            seen(shipped_library, SLUG, "bn_BD", "BD"),
            seen(shipped_library, SLUG, "bn", "IN"),
        )
        english_bd = seen(shipped_library, SLUG, "en", "BD")
    assert "৳" in bangladesh and "₹" not in bangladesh and "₹" not in english_bd
    assert "সাভার" in bangladesh and "পরিবেশ অধিদপ্তর" in bangladesh and "বিসিক" in bangladesh
    assert "₹" in india and "WBPCB" in india and "সাভার" not in india
    for locale in LANGUAGES:
        for country in ("IN", "BD"):
            doc = for_country(shipped_library.get(SLUG).docs[locale], country)
            shown = "\n".join(s.markdown for s in doc.sections)
            assert len(REFERENCE.findall(shown)) >= 10, (locale, country)


def medal(score: int, book) -> str:  # noqa: ANN001
    """The rating a lowest critical section of ``score`` per cent gives, by the facts."""
    for name, fact in (("Gold", "lwg-gold-score"), ("Silver", "lwg-silver-score")):
        if score >= book.get("IN", fact).value:
            return name
    return "Bronze" if score >= book.get("IN", "lwg-bronze-score").value else "none"


@pytest.mark.parametrize(
    ("item_id", "lowest"), [("lwg-lowest-section-a", 72), ("lwg-lowest-section-b", 78)]
)
def test_the_medal_items_agree_with_the_thresholds(app: Flask, item_id: str, lowest: int) -> None:
    item = next(i for i in bank(app, SLUG).items if i.id == item_id)
    assert str(lowest) in item.data["stem"]["en"]
    right = next(o for o in item.data["options"] if o["id"] == item.data["answer"])
    assert right["text"]["en"] == medal(lowest, load_facts(ROOT))


def checklist() -> dict:
    return yaml.safe_load((ROOT / SLUG / "checklist.yaml").read_text(encoding="utf-8"))


def test_the_self_assessment_has_sections_and_items_in_three_languages() -> None:
    data = checklist()
    assert data["id"] == "lwg-self-assessment"
    for key in ("title", "intro"):
        assert all(data[key][lang].strip() for lang in LANGUAGES)
    items = [item for section in data["sections"] for item in section["items"]]
    assert 6 <= len(data["sections"]) <= 9
    assert 30 <= len(items) <= 45
    assert len({item["id"] for item in items}) == len(items)
    assert len({section["id"] for section in data["sections"]}) == len(data["sections"])
    for item in items:
        assert item["country"] in {"any", "IN", "BD"}, item["id"]
        for key in ("text", "help"):
            if key in item or key == "text":
                assert all(item[key][lang].strip() for lang in LANGUAGES), (item["id"], key)


def test_the_self_assessment_asks_each_country_about_its_own_permits() -> None:
    items = [item for section in checklist()["sections"] for item in section["items"]]
    india = " ".join(i["text"]["en"] for i in items if i["country"] == "IN")
    bangladesh = " ".join(i["text"]["en"] for i in items if i["country"] == "BD")
    assert "WBPCB" in india and "DoE" not in india
    assert "ECC" in bangladesh and "BSCIC" in bangladesh and "WBPCB" not in bangladesh
    assert {"IN", "BD", "any"} == {i["country"] for i in items}
