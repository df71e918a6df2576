"""The result page teaches (issue 16.2): each question with the learner's answer, the right
answer and feedback that never contradicts the verdict; feedback per outcome; and, after a
pass, the certificate."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lms.db import db
from lms.quiz.answers import answer_view, feedback_for, outcome, without_verdict
from lms.quiz.bank import load_bank
from lms.quiz.models import Attempt
from lms.quiz.types import QuestionType, QuestionTypeRegistry
from tests.conftest import csrf_token, login, post, write_module
from tests.quiz_bank import QUIZ_YAML, RIGHT_FORM

#: The bank with a true/false feedback that starts with a verdict, as the shipped ones did.
VERDICT_FEEDBACK = (
    '    feedback: {en: "True. H2S can kill.", bn: "ঠিক। H2S প্রাণঘাতী।", bn_BD: "ঠিক। H2S প্রাণঘাতী।"}\n'
)
VERDICT_YAML = QUIZ_YAML.replace(
    '    feedback: {en: "H2S can kill.", bn: "H2S প্রাণঘাতী।", bn_BD: "H2S প্রাণঘাতী।"}\n',
    VERDICT_FEEDBACK,
)
PER_OUTCOME = (
    "    feedback:\n"
    '      correct: {en: "Well done: H2S can kill.", '
    'bn: "ঠিক ধরেছেন: H2S প্রাণঘাতী।", bn_BD: "ঠিক ধরেছেন: H2S প্রাণঘাতী।"}\n'
    '      wrong: {en: "It is true: H2S can kill.", '
    'bn: "কথাটি সত্য: H2S প্রাণঘাতী।", bn_BD: "কথাটি সত্য: H2S প্রাণঘাতী।"}\n'
)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    folder = write_module(root, "tanning", title="Tanning basics", bn="auto", bn_BD="auto")
    (folder / "quiz.yaml").write_text(VERDICT_YAML, encoding="utf-8")
    return root


@pytest.fixture
def app(make_app: Callable[..., Flask], content: Path) -> Flask:
    return make_app(LMS_CONTENT_DIR=str(content), LMS_BASE_URL="https://dakshata.example.org")


def read_everything(client: FlaskClient) -> None:
    post(client, "/modules/tanning/1/go", {"to": "2"})
    post(client, "/modules/tanning/2/go", {"to": "3"})
    post(client, "/modules/tanning/3/go", {"finish": "1"})


def start(client: FlaskClient, kind: str) -> int:
    response = post(client, f"/quiz/tanning/{kind}/start")
    return int(re.match(r"/quiz/attempt/(\d+)/", response.headers["Location"]).group(1))


def answer(client: FlaskClient, app: Flask, attempt_id: int, forms: dict[str, dict]) -> None:  # type: ignore[type-arg]
    """Give ``forms[item id]`` for each item (items not named are left unanswered)."""
    with app.app_context():
        items = [e["id"] for e in db.session.get(Attempt, attempt_id).items]
    token = csrf_token(client, f"/quiz/attempt/{attempt_id}/1")
    for number, item_id in enumerate(items, 1):
        if item_id in forms:
            data = {**forms[item_id], "csrf_token": token}
            client.post(f"/quiz/attempt/{attempt_id}/{number}", data=data)


def result_rows(page: str) -> dict[str, str]:
    """Each question's block on the result page, by the start of its stem."""
    rows = page.split('<li class="panel feedback')[1:]
    return {re.search(r'<p class="stem">(.*?)</p>', r).group(1)[:12]: r for r in rows}


def marked(block: str, badge: str) -> list[str]:
    """The option texts carrying ``badge`` ("Your answer" / "Right answer") in a block."""
    found = []
    for choice in re.findall(r'<li class="answer-choice.*?</li>', block, re.S):
        if badge in choice:
            found.append(re.search(r'<span class="answer-text">(.*?)</span>', choice).group(1))
    return found


# Pure functions.


def test_each_built_in_type_shows_the_answer_given_and_the_right_one(app: Flask) -> None:
    registry = QuestionTypeRegistry()
    with app.app_context():
        bank = load_bank(Path(app.config["LMS_CONTENT_DIR"]) / "tanning" / "quiz.yaml", registry)
    item = {i.id: (registry.get(i.type), i.data) for i in bank.items}
    single = answer_view(*item["t-single"], "b", ["b", "a"])
    assert [(c.text["en"], c.chosen, c.right) for c in single.choices] == [
        ("Running water", True, False),
        ("Batch washing", False, True),
    ]
    multiple = answer_view(*item["t-multiple"], ["a", "c"])
    assert {c.text["en"]: (c.chosen, c.right) for c in multiple.choices} == {
        "Gloves": (True, True),
        "Goggles": (False, True),
        "Sandals": (True, False),
    }
    true_false = answer_view(*item["t-true"], False)
    assert [(str(c.label), c.chosen, c.right) for c in true_false.choices] == [
        ("True", False, True),
        ("False", True, False),
    ]
    number = answer_view(*item["t-gst-numeric"], "৬০১")
    assert (number.given, number.right, number.unit["en"]) == (601, 600, "₹")
    order = answer_view(*item["t-order"], ["lime", "soak", "tan"])
    assert [t["en"] for t in order.given] == ["Lime", "Soak", "Tan"]
    assert [t["en"] for t in order.right] == ["Soak", "Lime", "Tan"]
    pairs = answer_view(*item["t-match"], {"p1": "y"})
    assert [
        (p.prompt["en"], p.given and p.given["en"], p.right["en"], p.ok) for p in pairs.pairs
    ] == [
        ("CETP", "Safety", "Effluent", False),
        ("PPE", None, "Safety", False),
    ]
    unanswered = answer_view(*item["t-single"], None)
    assert not unanswered.answered and not any(c.chosen for c in unanswered.choices)


def test_a_plugin_type_shows_its_response_and_its_answer_texts() -> None:
    class Hotspot(QuestionType):
        id = "hotspot"
        template = "hotspot.html"

    view = answer_view(Hotspot(), {"answer": {"x": 3, "y": 4}}, {"x": 1, "y": 1})
    assert view.kind == "other" and view.given == {"x": 1, "y": 1}
    assert view.right == [{"x": 3, "y": 4}]


def test_a_verdict_never_starts_a_one_for_all_feedback() -> None:
    assert without_verdict({"en": "True. H2S can kill.", "bn": "ঠিক। H2S প্রাণঘাতী।"}) == {
        "en": "H2S can kill.",
        "bn": "H2S প্রাণঘাতী।",
    }
    assert without_verdict("False, as the law says.") == "As the law says."
    assert without_verdict("মিথ্যা। আসল লট পরীক্ষা করুন।") == "আসল লট পরীক্ষা করুন।"
    for kept in (
        "Correct pickle pH matters.",
        "ঠিক পিকল pH দরকার।",
        "Right-hand side.",
        "ঠিকঠাক লিখুন।",
    ):
        assert without_verdict(kept) == kept


def test_feedback_per_outcome_is_chosen_by_the_answer() -> None:
    item = {
        "feedback": {
            "correct": {"en": "Well done."},
            "wrong": {"en": "It is true."},
        }
    }
    assert feedback_for(item, 1.0) == {"en": "Well done."}
    assert feedback_for(item, 0.0) == {"en": "It is true."}
    assert feedback_for(item, 0.5) == {"en": "It is true."}  # no partly text: wrong's
    partly = {"feedback": {**item["feedback"], "partly": {"en": "Nearly."}}}
    assert feedback_for(partly, 0.5) == {"en": "Nearly."}
    assert feedback_for({"feedback": {"en": "Plain."}}, None) == {"en": "Plain."}
    assert feedback_for({}, 1.0) is None
    assert [outcome(f) for f in (1.0, 0.5, 0.0, None)] == ["correct", "partly", "wrong", "wrong"]


def test_the_checker_takes_feedback_per_outcome_and_its_languages(
    app: Flask, content: Path
) -> None:
    quiz = content / "tanning" / "quiz.yaml"
    old = VERDICT_FEEDBACK
    assert old in VERDICT_YAML
    quiz.write_text(VERDICT_YAML.replace(old, PER_OUTCOME), encoding="utf-8")
    registry = QuestionTypeRegistry()
    with app.app_context():
        assert [
            p.message for p in load_bank(quiz, registry).problems if p.severity == "error"
        ] == []
        missing = PER_OUTCOME.replace(', bn: "কথাটি সত্য: H2S প্রাণঘাতী।"', "")
        quiz.write_text(VERDICT_YAML.replace(old, missing), encoding="utf-8")
        errors = [str(p.message) for p in load_bank(quiz, registry).problems]
        assert errors[0] == "item t-true: feedback.wrong has no bn text"
        only_right = PER_OUTCOME.split("      wrong:")[0]
        quiz.write_text(VERDICT_YAML.replace(old, only_right), encoding="utf-8")
        errors = [str(p.message) for p in load_bank(quiz, registry).problems]
        assert "item t-true: feedback.wrong needs a text per language (en, bn, bn_BD)" in errors


# The result page.


def test_the_result_shows_each_answer_beside_the_right_one(
    app: Flask, client: FlaskClient, make_user
) -> None:  # noqa: ANN001
    login(client, make_user().email)
    attempt_id = start(client, "pre")
    answer(
        client,
        app,
        attempt_id,
        {"t-single": {"answer": "b"}, "t-multiple": {"answer": ["a", "c"]}},  # numeric: none
    )
    review = client.get(f"/quiz/attempt/{attempt_id}/review").get_data(as_text=True)
    assert "Your answer" in review and "Running water" in review  # checked before submitting
    assert "Right answer" not in review and "Batch washing" not in review
    post(client, f"/quiz/attempt/{attempt_id}/submit")
    rows = result_rows(client.get(f"/quiz/attempt/{attempt_id}/result").get_data(as_text=True))
    single, multiple, numeric = rows["Which drum w"], rows["Which are PP"], rows["GST at 5% on"]
    assert marked(single, "Your answer") == ["Running water"]
    assert marked(single, "Right answer") == ["Batch washing"]
    assert "✗ Not right" in single and "Batch washing saves water." in single
    assert sorted(marked(multiple, "Your answer")) == ["Gloves", "Sandals"]
    assert sorted(marked(multiple, "Right answer")) == ["Gloves", "Goggles"]
    assert "You did not answer this question." in numeric
    assert "Right answer:</span> 600 ₹" in numeric


def test_order_matching_and_true_false_answers_after_the_final_test(
    app: Flask, client: FlaskClient, make_user
) -> None:  # noqa: ANN001
    login(client, make_user().email)
    read_everything(client)
    attempt_id = start(client, "post")
    forms = {
        "t-true": {"answer": "false"},
        "t-order": {"position-soak": "2", "position-lime": "1", "position-tan": "3"},
        "t-match": {"match-p1": "x", "match-p2": "x"},
    }
    answer(client, app, attempt_id, forms)
    post(client, f"/quiz/attempt/{attempt_id}/submit")
    page = client.get(f"/quiz/attempt/{attempt_id}/result").get_data(as_text=True)
    rows = result_rows(page)
    true_false, order, match = rows["Never enter "], rows["Put the step"], rows["Match."]
    assert marked(true_false, "Your answer") == ["False"]
    assert marked(true_false, "Right answer") == ["True"]
    assert "✗ Not right" in true_false and "H2S can kill." in true_false
    assert "True. H2S" not in true_false  # the verdict would contradict "Not right"
    your_order, right_order = order.split("Right order")
    assert your_order.index("Lime") < your_order.index("Soak")
    assert right_order.index("Soak") < right_order.index("Lime") < right_order.index("Tan")
    assert "◐ Partly right" in match and "Right answer: Safety" in match
    assert "Not passed yet" in page and "certificate" not in page.split("Your answers")[0]


def test_true_false_feedback_in_bengali_does_not_contradict_a_wrong_answer(
    app: Flask, client: FlaskClient, make_user
) -> None:  # noqa: ANN001
    login(client, make_user(locale="bn").email)
    read_everything(client)
    attempt_id = start(client, "post")
    answer(client, app, attempt_id, {"t-true": {"answer": "false"}})
    post(client, f"/quiz/attempt/{attempt_id}/submit")
    page = client.get(f"/quiz/attempt/{attempt_id}/result").get_data(as_text=True)
    block = next(r for s, r in result_rows(page).items() if s.startswith("কখনও"))
    assert "✗ ঠিক হয়নি" in block and "H2S প্রাণঘাতী।" in block
    assert "ঠিক। H2S" not in block
    assert marked(block, "আপনার উত্তর") == ["মিথ্যা"]  # "Your answer"
    assert marked(block, "ঠিক উত্তর") == ["সত্য"]  # "Right answer"


def test_feedback_per_outcome_after_a_change_and_old_attempts_keep_theirs(
    app: Flask, client: FlaskClient, make_user, content: Path
) -> None:  # noqa: ANN001
    login(client, make_user().email)
    read_everything(client)
    first = start(client, "post")
    answer(client, app, first, {"t-true": {"answer": "false"}})
    post(client, f"/quiz/attempt/{first}/submit")
    per_outcome = VERDICT_YAML.replace(VERDICT_FEEDBACK, PER_OUTCOME)
    (content / "tanning" / "quiz.yaml").write_text(per_outcome, encoding="utf-8")
    second = start(client, "post")
    answer(client, app, second, {"t-true": {"answer": "true"}})
    post(client, f"/quiz/attempt/{second}/submit")
    page = client.get(f"/quiz/attempt/{second}/result").get_data(as_text=True)
    block = result_rows(page)["Never enter "]
    assert "✓ Right" in block and "Well done: H2S can kill." in block
    assert "It is true" not in block
    # The first attempt keeps the version of the item it showed: its one-for-all text.
    page = client.get(f"/quiz/attempt/{first}/result").get_data(as_text=True)
    block = result_rows(page)["Never enter "]
    assert "H2S can kill." in block and "Well done" not in block and "True. H2S" not in block


def test_a_pass_says_the_certificate_is_ready(app: Flask, client: FlaskClient, make_user) -> None:  # noqa: ANN001
    login(client, make_user().email)
    read_everything(client)
    attempt_id = start(client, "post")
    answer(client, app, attempt_id, {k: v for k, v in RIGHT_FORM.items()})
    post(client, f"/quiz/attempt/{attempt_id}/submit")
    page = client.get(f"/quiz/attempt/{attempt_id}/result").get_data(as_text=True)
    score = page.split("Your answers")[0]
    assert "✓ Passed" in score and "Your certificate is ready" in score
    assert re.search(r'<a class="button big" href="/certificates">See your certificate</a>', score)
    assert "Tanning basics" in client.get("/certificates").get_data(as_text=True)


def test_a_pass_before_reading_says_what_the_certificate_still_needs(
    app: Flask, client: FlaskClient, make_user, content: Path
) -> None:  # noqa: ANN001
    yaml_file = content / "tanning" / "module.yaml"
    yaml_file.write_text(yaml_file.read_text() + "post_test_after_reading: false\n")
    login(client, make_user().email)
    attempt_id = start(client, "post")
    answer(client, app, attempt_id, dict(RIGHT_FORM))
    post(client, f"/quiz/attempt/{attempt_id}/submit")
    page = client.get(f"/quiz/attempt/{attempt_id}/result").get_data(as_text=True)
    assert "✓ Passed" in page and "Your certificate is ready" not in page
    assert "Read every section of the module to get your certificate." in page
