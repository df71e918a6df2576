"""Taking tests: drawing, saving every answer, resuming, submitting once, time limits, results."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lms import signals
from lms.accounts.models import User
from lms.content.library import ContentLibrary
from lms.db import db
from lms.quiz import services
from lms.quiz.bank import load_bank
from lms.quiz.models import Answer, Attempt
from lms.quiz.types import QuestionTypeRegistry
from tests.conftest import MODULE_YAML, csrf_token, login, post, write_module
from tests.quiz_bank import QUIZ_YAML, RIGHT, RIGHT_FORM


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    folder = write_module(root, "tanning", title="Tanning basics", bn="auto", bn_BD="auto")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    write_module(root, "plain", order=2, yaml_text=MODULE_YAML.format(slug="plain", order=2))
    return root


@pytest.fixture
def app(make_app: Callable[..., Flask], content: Path) -> Flask:
    return make_app(LMS_CONTENT_DIR=str(content))


@pytest.fixture
def learner(client: FlaskClient, make_user):  # noqa: ANN001, ANN201
    user = make_user("learner", name="Rekha")
    login(client, user.email)
    return user


def module(app: Flask):  # noqa: ANN201
    return app.extensions["lms"].content_library.get("tanning")


def read_the_module(client: FlaskClient) -> None:
    """Open every section, then finish: the post-test opens after the reading."""
    post(client, "/modules/tanning/1/go", {"to": "2"})
    post(client, "/modules/tanning/2/go", {"to": "3"})
    post(client, "/modules/tanning/3/go", {"finish": "1"})


def start(client: FlaskClient, kind: str) -> int:
    if kind == "post":
        read_the_module(client)
    response = post(client, f"/quiz/tanning/{kind}/start")
    match = re.match(r"/quiz/attempt/(\d+)/\d+", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def answer_all(client: FlaskClient, app: Flask, attempt_id: int, right: bool = True) -> None:
    with app.app_context():
        items = [e["id"] for e in db.session.get(Attempt, attempt_id).items]
    token = csrf_token(client, f"/quiz/attempt/{attempt_id}/1")
    for number, item_id in enumerate(items, 1):
        form = dict(RIGHT_FORM[item_id]) if right else {}
        client.post(f"/quiz/attempt/{attempt_id}/{number}", data={**form, "csrf_token": token})


def test_the_bank_loads_and_checks(app: Flask, content: Path) -> None:
    bank = load_bank(content / "tanning" / "quiz.yaml", QuestionTypeRegistry())
    assert [p.message for p in bank.problems] == [
        "no practice-only items (items in no form of the pre-, post- or retention test): "
        "practice is not offered"
    ]
    assert len(bank.items) == 7 and bank.rules["retention"].opens_after_days == 30
    assert {i.id for i in bank.eligible(bank.rules["pre"], "IN")} == {
        "t-single",
        "t-multiple",
        "t-gst-numeric",
    }
    assert {i.id for i in bank.eligible(bank.rules["pre"], "BD")} == {
        "t-single",
        "t-multiple",
        "t-vat-numeric",
    }


def test_draw_is_seeded_and_country_specific(app: Flask) -> None:
    with app.app_context():
        bank = services.bank_for(module(app))
        one = services.draw(bank, bank.rules["post"], "IN", 42)
        assert [i.id for i in one] == [
            i.id for i in services.draw(bank, bank.rules["post"], "IN", 42)
        ]
        orders = {
            tuple(i.id for i in services.draw(bank, bank.rules["post"], "IN", s)) for s in range(30)
        }
        assert len(orders) > 1  # item order is shuffled between attempts


def test_module_page_offers_the_tests(client: FlaskClient, learner) -> None:  # noqa: ANN001
    page = client.get("/modules/tanning").get_data(as_text=True)
    for label in ("Test what you know first", "Final test", "30-day test"):
        assert label in page
    assert "Opens after the final test." in page
    assert "Your steps" not in client.get("/modules/plain").get_data(as_text=True)


def test_taking_a_pre_test_end_to_end(app, client, learner) -> None:  # noqa: ANN001
    attempt_id = start(client, "pre")
    page = client.get(f"/quiz/attempt/{attempt_id}/1").get_data(as_text=True)
    assert "Question 1 of 3" in page
    answer_all(client, app, attempt_id)
    review = client.get(f"/quiz/attempt/{attempt_id}/review").get_data(as_text=True)
    assert "You answered 3 of 3 questions." in review
    result = post(client, f"/quiz/attempt/{attempt_id}/submit")
    assert result.headers["Location"] == f"/quiz/attempt/{attempt_id}/result"
    text = client.get(result.headers["Location"]).get_data(as_text=True)
    assert "100%" in text and "3 of 3 points" in text
    assert "Batch washing saves water." in text  # feedback in the learner's language
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.score == 3 and attempt.country == "IN"
        assert {a.fraction for a in attempt.answers} == {1.0}


def test_a_reload_resumes_the_same_attempt_with_its_answers(app, client, learner) -> None:  # noqa: ANN001
    attempt_id = start(client, "pre")
    with app.app_context():
        first = db.session.get(Attempt, attempt_id).items[0]
    token = csrf_token(client, f"/quiz/attempt/{attempt_id}/1")
    saved = client.post(
        f"/quiz/attempt/{attempt_id}/1",
        data={**RIGHT_FORM[first["id"]], "csrf_token": token},
        headers={"X-Requested-With": "fetch"},
    )
    assert saved.json == {"ok": True}
    # The tablet sleeps; later the learner taps Start again or reloads the page.
    again = post(client, "/quiz/tanning/pre/start")
    assert again.headers["Location"] == f"/quiz/attempt/{attempt_id}/2"  # the first unanswered
    page = client.get(f"/quiz/attempt/{attempt_id}/1").get_data(as_text=True)
    assert "checked" in page or 'value="600"' in page
    with app.app_context():
        assert db.session.query(Attempt).count() == 1
        assert db.session.get(Answer, (attempt_id, first["id"])).response == RIGHT[first["id"]]


#: The choices of a question screen, in the order shown: option ids of radio buttons and boxes,
#: ordering rows and matching lists.
CHOICE = re.compile(
    r'name="answer" value="([^"]+)"|name="position-([^"]+)"|<option value="([^"]+)"'
)


def shown_options(page: str) -> list[str]:
    return ["".join(ids) for ids in CHOICE.findall(page)]


def test_options_keep_their_order_after_a_reload(app, client, learner) -> None:  # noqa: ANN001
    attempt_id = start(client, "pre")

    def orders() -> list[list[str]]:
        return [
            shown_options(client.get(f"/quiz/attempt/{attempt_id}/{n}").get_data(as_text=True))
            for n in (1, 2, 3)
        ]

    first = orders()
    assert sorted(map(sorted, first)) == [
        [],
        ["a", "b"],
        ["a", "b", "c"],
    ]  # numeric, single, multiple
    assert orders() == first


def test_submitting_twice_counts_once(app, client, learner) -> None:  # noqa: ANN001
    seen = []
    receiver = lambda sender, attempt: seen.append(attempt.id)  # noqa: E731
    signals.attempt_submitted.connect(receiver, sender=app)
    try:
        attempt_id = start(client, "pre")
        answer_all(client, app, attempt_id)
        post(client, f"/quiz/attempt/{attempt_id}/submit")
        second = post(client, f"/quiz/attempt/{attempt_id}/submit")
    finally:
        signals.attempt_submitted.disconnect(receiver, sender=app)
    assert second.headers["Location"] == f"/quiz/attempt/{attempt_id}/result"
    assert seen == [attempt_id]
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert services.submit(attempt) is False
        assert attempt.score == 3


def test_answers_after_submitting_are_refused(app, client, learner) -> None:  # noqa: ANN001
    attempt_id = start(client, "pre")
    post(client, f"/quiz/attempt/{attempt_id}/submit")
    token = csrf_token(client, "/modules/tanning")
    late = client.post(
        f"/quiz/attempt/{attempt_id}/1",
        data={"answer": "a", "csrf_token": token},
        headers={"X-Requested-With": "fetch"},
    )
    assert late.status_code == 409
    assert "already submitted" in late.json["error"]
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).score == 0


def test_hostile_answers_are_refused(app, client, learner) -> None:  # noqa: ANN001
    attempt_id = start(client, "pre")
    token = csrf_token(client, f"/quiz/attempt/{attempt_id}/1")
    with app.app_context():
        items = db.session.get(Attempt, attempt_id).items
    number = 1 + next(i for i, e in enumerate(items) if e["type"] in ("single", "multiple"))
    bad = client.post(
        f"/quiz/attempt/{attempt_id}/{number}",
        data={"answer": "<script>", "csrf_token": token},
        headers={"X-Requested-With": "fetch"},
    )
    assert bad.status_code == 400
    assert client.get(f"/quiz/attempt/{attempt_id}/9").status_code == 404
    with app.app_context():
        assert db.session.query(Answer).count() == 0


def test_another_learners_attempt_is_not_found(app, client, make_user, learner) -> None:  # noqa: ANN001
    attempt_id = start(client, "pre")
    post(client, "/logout")
    intruder = make_user()
    login(client, intruder.email)
    assert client.get(f"/quiz/attempt/{attempt_id}/1").status_code == 404
    token = csrf_token(client, "/")
    assert (
        client.post(f"/quiz/attempt/{attempt_id}/submit", data={"csrf_token": token}).status_code
        == 404
    )


def test_bangladesh_learners_get_bangladesh_items(app, client, make_user) -> None:  # noqa: ANN001
    user = make_user(locale="bn_BD")
    with app.app_context():  # the learner's country decides the items, not the language
        db.session.get(User, user.id).country = "BD"
        db.session.commit()
    login(client, user.email)
    attempt_id = start(client, "pre")
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.country == "BD"
        assert "t-vat-numeric" in {e["id"] for e in attempt.items}
    page = "".join(
        client.get(f"/quiz/attempt/{attempt_id}/{n}").get_data(as_text=True) for n in (1, 2, 3)
    )
    assert "পানি" in page and "৳১০,০০০" in page


def test_the_pre_test_closes_once_the_post_test_starts(app, client, learner) -> None:  # noqa: ANN001
    start(client, "post")
    refused = post(client, "/quiz/tanning/pre/start")
    assert refused.status_code == 302
    assert "The first test closes" in client.get("/modules/tanning").get_data(as_text=True)


def test_retention_opens_30_days_after_the_post_test(app, client, learner) -> None:  # noqa: ANN001
    assert "not open yet" not in client.get("/").get_data(as_text=True)
    post(client, "/quiz/tanning/retention/start")
    assert "This test is not open yet." in client.get("/modules/tanning").get_data(as_text=True)
    post_id = start(client, "post")
    answer_all(client, app, post_id)
    post(client, f"/quiz/attempt/{post_id}/submit")
    page = client.get("/modules/tanning").get_data(as_text=True)
    assert "Opens on" in page
    with app.app_context():
        attempt = db.session.get(Attempt, post_id)
        attempt.submitted_at = datetime.now(UTC) - timedelta(days=31)
        db.session.commit()
    retention_id = start(client, "retention")
    assert retention_id != post_id


def test_time_limit_is_enforced_by_the_server(app, client, learner, content: Path) -> None:  # noqa: ANN001
    quiz = content / "tanning" / "quiz.yaml"
    quiz.write_text(
        quiz.read_text().replace(
            "post: {count: 3, form: B}", "post: {count: 3, form: B, time_limit_minutes: 5}"
        )
    )
    attempt_id = start(client, "post")
    assert "Time left: 5 min" in client.get(f"/quiz/attempt/{attempt_id}/1").get_data(as_text=True)
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempt.deadline_at = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
    token = csrf_token(client, "/modules/tanning")
    late = client.post(
        f"/quiz/attempt/{attempt_id}/1",
        data={"answer": "a", "csrf_token": token},
        headers={"X-Requested-With": "fetch"},
    )
    assert late.status_code == 409 and "Time is up" in late.json["error"]
    response = client.get(f"/quiz/attempt/{attempt_id}/1")
    assert response.headers["Location"] == f"/quiz/attempt/{attempt_id}/result"
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).submitted_at is not None


def test_wrong_answers_score_zero_and_show_feedback(app, client, learner) -> None:  # noqa: ANN001
    attempt_id = start(client, "post")
    post(client, f"/quiz/attempt/{attempt_id}/submit")
    text = client.get(f"/quiz/attempt/{attempt_id}/result").get_data(as_text=True)
    assert "0%" in text and "Not passed yet: the pass mark is 60%." in text
    assert "H2S can kill." in text


def test_results_in_bengali(app, client, make_user) -> None:  # noqa: ANN001
    user = make_user(locale="bn")
    login(client, user.email)
    attempt_id = start(client, "pre")
    answer_all(client, app, attempt_id)
    post(client, f"/quiz/attempt/{attempt_id}/submit")
    text = client.get(f"/quiz/attempt/{attempt_id}/result").get_data(as_text=True)
    assert "১০০%" in text and "ব্যাচ ধোয়ায় জল বাঁচে।" in text


def test_the_checker_reports_quiz_problems_with_lines(app, content: Path) -> None:
    quiz = content / "tanning" / "quiz.yaml"
    text = (
        quiz.read_text()
        .replace("type: matching", "type: hotspot")
        .replace("answer: a\n", "answer: z\n")
        .replace(
            'stem: {en: "Never enter a pit alone.", bn: "কখনও একা গর্তে নামবেন না।", '
            'bn_BD: "কখনো একা গর্তে নামবেন না।"}',
            'stem: {en: "Never enter a pit alone."}',
        )
    )
    quiz.write_text(text)
    from lms.content.checker import check_library

    with app.app_context():
        lines = [
            p.format(content)
            for p in check_library(ContentLibrary(content), app.extensions["lms"].content_checks)
        ]
    assert (
        "tanning/quiz.yaml:16: error: item t-single: answer must be one of the option ids: "
        "a, b" in lines
    )
    assert (
        "tanning/quiz.yaml:63: error: item t-match: question type hotspot is not installed" in lines
    )
    assert any(
        line.startswith("tanning/quiz.yaml:48: error: item t-true: stem has no bn, bn_BD")
        for line in lines
    ), lines
