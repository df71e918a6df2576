"""Forms: practice never shows an item of the pre-, post- or retention test (it is unlimited and
shows every answer); the retention test asks another form than the pre-test's."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lms.accounts.models import User
from lms.content.checker import check_library
from lms.content.library import ContentLibrary
from lms.db import db, utcnow
from lms.quiz import services
from lms.quiz.bank import load_bank
from lms.quiz.models import Attempt
from lms.quiz.types import QuestionTypeRegistry
from tests.conftest import csrf_token, login, post, write_module
from tests.quiz_bank import QUIZ_YAML, RIGHT

#: Items of the test bank, by form (tests/quiz_bank.py: every item is in form A or B).
FORM_A = {"t-single", "t-multiple", "t-gst-numeric", "t-vat-numeric"}
FORM_B = {"t-true", "t-order", "t-match"}

#: Practice-only items: no forms, or a form no test uses (one id per text).
PRACTICE_BLOCKS = {
    "p-glue": """\
  - id: p-glue
    type: true_false
    country: any
    stem: {en: "Solvent glue needs fresh air.", bn: "আঠায় বাতাস লাগে।", bn_BD: "আঠায় বাতাস লাগে।"}
    answer: true
    feedback: {en: "Ventilate.", bn: "বাতাস চলাচল রাখুন।", bn_BD: "বাতাস চলাচল রাখুন।"}
""",
    "p-chrome": """\
  - id: p-chrome
    type: true_false
    country: any
    forms: [P]
    stem: {en: "Chrome liquor may go to the drain.", bn: "ক্রোম নর্দমায়?", bn_BD: "ক্রোম নর্দমায়?"}
    answer: false
    feedback: {en: "Never: it goes to the CETP.", bn: "কখনও না।", bn_BD: "কখনো না।"}
""",
    "p-salt": """\
  - id: p-salt
    type: true_false
    country: any
    forms: []
    stem: {en: "Salt keeps raw hides.", bn: "নুন কাঁচা চামড়া রাখে।", bn_BD: "লবণ কাঁচা চামড়া রাখে।"}
    answer: true
    feedback: {en: "Salting preserves hides.", bn: "নুনে চামড়া টেকে।", bn_BD: "লবণে চামড়া টেকে।"}
""",
    "p-tax": """\
  - id: p-tax
    type: true_false
    country: IN
    stem: {en: "An invoice needs the GSTIN.", bn: "চালানে GSTIN লাগে।"}
    answer: true
    feedback: {en: "Yes.", bn: "হ্যাঁ।"}
""",
    "p-vat": """\
  - id: p-vat
    type: true_false
    country: BD
    stem: {en: "An invoice needs the BIN.", bn_BD: "চালানে বিআইএন লাগে।"}
    answer: true
    feedback: {en: "Yes.", bn_BD: "হ্যাঁ।"}
""",
}
PRACTICE_ITEMS = "".join(PRACTICE_BLOCKS.values())
PRACTICE = set(PRACTICE_BLOCKS)
PRACTICE_RIGHT = {item: {"answer": "false" if item == "p-chrome" else "true"} for item in PRACTICE}
#: QUIZ_YAML's own rules, replaced by TEST_RULES (or by none: the defaults).
RULES = re.compile(r"assessments:\n(?:  .*\n)+?(?=items:)")
TEST_RULES = """\
assessments:
  pre: {count: 3, form: A}
  post: {count: 3, form: B}
  retention: {count: 3, form: B, opens_after_days: 30}
  practice: {count: 3}
"""


def bank_text(*, practice: bool = True, rules: str | None = TEST_RULES) -> str:
    text = RULES.sub(rules or "", QUIZ_YAML)
    return text + (PRACTICE_ITEMS if practice else "")


def write_bank(root: Path, text: str) -> Path:
    folder = write_module(root, "tanning", title="Tanning basics", bn="auto", bn_BD="auto")
    (folder / "quiz.yaml").write_text(text, encoding="utf-8")
    return folder / "quiz.yaml"


def bank_of(path: Path):  # noqa: ANN201
    return load_bank(path, QuestionTypeRegistry())


def drawable(bank, kind: str, country: str) -> set[str]:  # noqa: ANN001
    return {item.id for item in bank.eligible(bank.rules[kind], country)}


def checker_lines(app: Flask, root: Path) -> list[str]:
    with app.app_context():
        library = ContentLibrary(root)
        return [
            p.format(root) for p in check_library(library, app.extensions["lms"].content_checks)
        ]


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    write_bank(root, QUIZ_YAML)
    return root


@pytest.fixture
def app(make_app: Callable[..., Flask], content: Path) -> Flask:
    """An app on ``content``; a test gives it another bank with ``write_bank(content, ...)``."""
    return make_app(LMS_CONTENT_DIR=str(content))


def practice_start_offered(client: FlaskClient) -> bool:
    page = client.get("/modules/tanning").get_data(as_text=True)
    return 'action="/quiz/tanning/practice/start"' in page


# A bank whose items are all in a test's form (today's shipped banks, tests/quiz_bank.py).


def test_practice_draws_nothing_when_every_item_is_in_a_test(tmp_path: Path) -> None:
    bank = bank_of(write_bank(tmp_path, QUIZ_YAML))
    for country in ("IN", "BD"):
        assert drawable(bank, "practice", country) == set()


def test_without_practice_only_items_practice_is_not_offered(
    app: Flask, content: Path, make_user
) -> None:  # noqa: ANN001
    client = app.test_client()  # on tests/quiz_bank.py's bank
    login(client, make_user().email)
    assert not practice_start_offered(client)
    refused = post(client, "/quiz/tanning/practice/start")
    assert refused.status_code == 302
    assert "/quiz/attempt/" not in refused.headers["Location"]
    with app.app_context():
        assert db.session.query(Attempt).count() == 0  # no item was shown


def test_the_checker_warns_of_a_bank_without_practice_only_items(app: Flask, content: Path) -> None:
    write_bank(content, QUIZ_YAML)
    warning = (
        "warning: no practice-only items (items in no form of the pre-, post- or retention test): "
        "practice is not offered"
    )
    assert sum(line.endswith(warning) for line in checker_lines(app, content)) == 1
    write_bank(content, bank_text())
    assert not any(warning in line for line in checker_lines(app, content))


# A bank with practice-only items.


def test_practice_draws_only_practice_only_items(tmp_path: Path) -> None:
    bank = bank_of(write_bank(tmp_path, bank_text()))
    assert drawable(bank, "practice", "IN") == PRACTICE - {"p-vat"}
    assert drawable(bank, "practice", "BD") == PRACTICE - {"p-tax"}
    for kind in ("pre", "post", "retention"):
        assert not drawable(bank, kind, "IN") & PRACTICE, kind  # practice-only: in no test


def test_an_item_in_a_test_form_is_never_practised(tmp_path: Path) -> None:
    text = bank_text().replace("    forms: [P]\n", "    forms: [P, A]\n")
    bank = bank_of(write_bank(tmp_path, text))
    assert "p-chrome" not in drawable(bank, "practice", "IN")
    assert "p-chrome" in drawable(bank, "pre", "IN")


def test_six_practice_attempts_never_show_a_test_item(app: Flask, content: Path, make_user) -> None:  # noqa: ANN001
    write_bank(content, bank_text())
    client = app.test_client()
    login(client, make_user().email)
    assert practice_start_offered(client)
    tests = FORM_A | FORM_B
    stems = ["Which drum", "Which are PPE", "GST at 5%", "Never enter a pit", "Put the steps"]
    for _ in range(6):
        started = post(client, "/quiz/tanning/practice/start")
        attempt_id = int(re.match(r"/quiz/attempt/(\d+)/", started.headers["Location"]).group(1))
        with app.app_context():
            shown = [e["id"] for e in db.session.get(Attempt, attempt_id).items]
        assert len(shown) == 3 and not set(shown) & tests, shown
        token = csrf_token(client, f"/quiz/attempt/{attempt_id}/1")
        pages = []
        for number, item_id in enumerate(shown, 1):
            pages.append(client.get(f"/quiz/attempt/{attempt_id}/{number}").get_data(as_text=True))
            data = {**PRACTICE_RIGHT[item_id], "csrf_token": token}
            client.post(f"/quiz/attempt/{attempt_id}/{number}", data=data)
        post(client, f"/quiz/attempt/{attempt_id}/submit")
        pages.append(client.get(f"/quiz/attempt/{attempt_id}/result").get_data(as_text=True))
        assert not [stem for stem in stems if any(stem in page for page in pages)]


def test_a_bangladesh_learner_is_offered_practice_only_with_items_for_bangladesh(
    app: Flask, content: Path, make_user
) -> None:  # noqa: ANN001
    write_bank(content, bank_text(practice=False) + PRACTICE_BLOCKS["p-tax"])  # India's only
    india, bangladesh = app.test_client(), app.test_client()
    login(india, make_user(locale="bn").email)
    bangladeshi = make_user(locale="bn_BD")
    with app.app_context():  # the learner's country decides the items, not the language
        db.session.get(User, bangladeshi.id).country = "BD"
        db.session.commit()
    login(bangladesh, bangladeshi.email)
    assert practice_start_offered(india)
    assert not practice_start_offered(bangladesh)


# The retention test.


def test_the_retention_test_uses_the_post_tests_form_by_default(tmp_path: Path) -> None:
    bank = bank_of(write_bank(tmp_path, bank_text(rules=None)))
    assert bank.rules["retention"].form == bank.rules["post"].form == "B"
    assert drawable(bank, "retention", "IN") == FORM_B
    assert not drawable(bank, "retention", "IN") & drawable(bank, "pre", "IN")


def test_a_retention_attempt_draws_from_its_own_form(app: Flask, content: Path, make_user) -> None:  # noqa: ANN001
    write_bank(content, bank_text(rules=None))
    learner = make_user()
    weeks_ago = utcnow() - timedelta(days=40)
    with app.app_context():
        module = app.extensions["lms"].content_library.get("tanning")
        post_test = services.start_attempt(learner.id, module, "post", "en", weeks_ago)
        services.submit(post_test, weeks_ago + timedelta(minutes=10))
        attempt = services.start_attempt(learner.id, module, "retention", "en")
        assert attempt.form == "B"
        assert {e["id"] for e in attempt.items} <= FORM_B


def test_a_retention_test_of_its_own_form_draws_only_that_form(tmp_path: Path) -> None:
    own = TEST_RULES.replace("retention: {count: 3, form: B", "retention: {count: 1, form: P")
    text = bank_text(rules=own)
    bank = bank_of(write_bank(tmp_path, text))
    assert drawable(bank, "retention", "IN") == {"p-chrome"}
    assert "p-chrome" not in drawable(bank, "practice", "IN")  # P is a test's form now


def test_the_checker_warns_when_the_retention_test_repeats_the_pre_tests_form(
    app: Flask, content: Path
) -> None:
    same = TEST_RULES.replace("retention: {count: 3, form: B", "retention: {count: 3, form: A")
    write_bank(content, bank_text(rules=same))
    warning = (
        "tanning/quiz.yaml:5: warning: the retention test uses form A, as the pre-test does: "
        "learners would meet the pre-test's questions again; use the post-test's form"
    )
    assert warning in checker_lines(app, content)
    write_bank(content, bank_text())
    assert not any("retention test uses form" in line for line in checker_lines(app, content))


# Attempts made before: scored from their own snapshot.


def test_an_earlier_practice_attempt_with_test_items_is_scored_as_before(
    app: Flask, content: Path, make_user
) -> None:  # noqa: ANN001
    write_bank(content, QUIZ_YAML)
    learner = make_user()
    with app.app_context():
        bank = services.bank_for(app.extensions["lms"].content_library.get("tanning"))
        items = [bank.item("t-single"), bank.item("t-true")]  # what practice used to draw
        attempt = Attempt(
            user_id=learner.id,
            module_id="tanning",
            kind="practice",
            form=None,
            country="IN",
            locale="en",
            seed=7,
            number=1,
            items=[
                {"v": 1, "id": i.id, "type": i.type, "points": i.points, "data": i.data}
                for i in items
            ],
            max_score=2,
        )
        db.session.add(attempt)
        db.session.commit()
        services.save_answer(attempt, "t-single", RIGHT["t-single"])
        services.submit(attempt)
        assert attempt.score == 1


# The shipped banks.

SHIPPED = Path(__file__).resolve().parent.parent / "modules_content"


@pytest.mark.parametrize("path", sorted(SHIPPED.glob("*/quiz.yaml")), ids=lambda p: p.parent.name)
def test_shipped_practice_never_shows_a_test_item(path: Path) -> None:
    bank = bank_of(path)
    for country in ("IN", "BD"):
        tested = set().union(
            *(drawable(bank, kind, country) for kind in ("pre", "post", "retention"))
        )
        assert not drawable(bank, "practice", country) & tested, country
    assert bank.rules["retention"].form != bank.rules["pre"].form
