"""The guided path (issue 16.1): one next step per module page, tests named for what they are,
the final test after the reading, the reading's end leading on, and the home page leading a
returning learner back."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lms.content.library import ContentLibrary
from lms.content.services import Reading
from lms.db import db
from lms.quiz.models import Attempt
from lms.quiz.path import Facts, build
from lms.quiz.services import Availability
from tests.conftest import MODULE_YAML, csrf_token, login, post, write_module
from tests.quiz_bank import QUIZ_YAML, RIGHT_FORM


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    folder = write_module(root, "tanning", title="Tanning basics", bn="auto", bn_BD="auto")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    write_module(root, "plain", order=2, title="Plain reading")
    return root


@pytest.fixture
def app(make_app: Callable[..., Flask], content: Path) -> Flask:
    return make_app(LMS_CONTENT_DIR=str(content), LMS_BASE_URL="https://dakshata.example.org")


@pytest.fixture
def learner(client: FlaskClient, make_user):  # noqa: ANN001, ANN201
    user = make_user("learner", name="Rekha")
    login(client, user.email)
    return user


def next_step(page: str) -> str:
    """The module page's next-step panel (which comes before the module's text)."""
    match = re.search(r'<section class="panel next-step".*?</section>', page, re.S)
    assert match, "no next step on the page"
    assert page.index(match.group(0)) < page.index('class="reader"')
    return match.group(0)


def read_everything(client: FlaskClient, slug: str = "tanning") -> None:
    post(client, f"/modules/{slug}/1/go", {"to": "2"})
    post(client, f"/modules/{slug}/2/go", {"to": "3"})
    post(client, f"/modules/{slug}/3/go", {"finish": "1"})


def take(client: FlaskClient, app: Flask, kind: str, right: bool = True) -> int:
    response = post(client, f"/quiz/tanning/{kind}/start")
    attempt_id = int(re.match(r"/quiz/attempt/(\d+)/", response.headers["Location"]).group(1))
    with app.app_context():
        items = [e["id"] for e in db.session.get(Attempt, attempt_id).items]
    token = csrf_token(client, f"/quiz/attempt/{attempt_id}/1")
    for number, item_id in enumerate(items, 1):
        form = dict(RIGHT_FORM[item_id]) if right else {}
        client.post(f"/quiz/attempt/{attempt_id}/{number}", data={**form, "csrf_token": token})
    post(client, f"/quiz/attempt/{attempt_id}/submit")
    return attempt_id


# The order of the steps, as a pure function.


@dataclass
class Scored:
    """Stands for a submitted attempt: the path reads only its score and id."""

    percent: float
    id: int = 1


def facts(**changes: object) -> Facts:
    reading = Reading(total=10, opened=frozenset(), position=1, started=False, completed=False)
    base = {
        "reading": reading,
        "tests": {kind: Availability(kind, "open") for kind in ("pre", "post", "practice")}
        | {"retention": Availability("retention", "not-yet")},
        "questions": {"pre": 8, "post": 8, "retention": 8, "practice": 5},
        "tries_left": {"pre": 1, "post": 3, "retention": 1, "practice": None},
        "pass_mark": 60,
    }
    base.update(changes)
    return Facts(**base)  # type: ignore[arg-type]


def reading(opened: int, completed: bool = False) -> Reading:
    return Reading(10, frozenset(range(1, opened + 1)), max(opened, 1), opened > 0, completed)


def test_the_next_step_follows_the_path() -> None:
    fresh = build(facts())
    assert fresh.next.key == "pre" and fresh.number == 1
    assert [s.key for s in fresh.steps] == ["pre", "read", "post", "certificate"]
    assert [s.key for s in fresh.extras] == ["retention", "practice"]
    assert fresh.step("post").state == "locked" and fresh.step("post").reason == "unread"
    pre_done = {"pre": Availability("pre", "done", best=Scored(40))}
    after_pre = build(facts(tests={**facts().tests, **pre_done}))
    assert after_pre.next.key == "read" and after_pre.number == 2
    # A learner who starts reading without the first test is not sent back to it.
    skipped = build(facts(reading=reading(3)))
    assert skipped.next.key == "read" and skipped.step("pre").state == "open"
    read = build(facts(reading=reading(10, completed=True), tests={**facts().tests, **pre_done}))
    assert read.next.key == "post" and read.step("post").state == "open" and read.number == 3


def test_a_test_left_open_comes_first_and_practice_never_leads() -> None:
    open_post = Availability("post", "in-progress", attempt=Scored(0))
    left_open = build(facts(reading=reading(10, True), tests={**facts().tests, "post": open_post}))
    assert left_open.next.key == "post" and left_open.next.in_progress
    practising = Availability("practice", "in-progress", attempt=Scored(0))
    step = build(facts(reading=reading(4), tests={**facts().tests, "practice": practising})).next
    assert step.key == "read"


def test_after_the_final_test_come_the_certificate_and_the_30_day_test() -> None:
    done = reading(10, completed=True)
    failed = {"post": Availability("post", "open", best=Scored(40))}
    retry = build(facts(reading=done, tests={**facts().tests, **failed}))
    assert retry.next.key == "post" and not retry.passed
    no_tries = {"post": Availability("post", "done", best=Scored(40))}
    out = build(facts(reading=done, tests={**facts().tests, **no_tries}))
    assert out.next.key == "post" and out.next.state == "failed"
    passed = {"post": Availability("post", "open", best=Scored(75))}
    certificate = object()
    ready = build(facts(reading=done, tests={**facts().tests, **passed}, certificate=certificate))
    assert ready.passed and ready.next.key == "certificate" and ready.number == 4
    assert ready.next.certificate is certificate and ready.step("post").state == "done"
    month = {"retention": Availability("retention", "open")}
    later = build(
        facts(reading=done, tests={**facts().tests, **passed, **month}, certificate=certificate)
    )
    assert later.next.key == "retention" and later.number == 0  # beside the path


def test_the_final_test_may_open_before_reading_when_the_module_says_so() -> None:
    free = build(facts(post_after_reading=False))
    assert free.step("post").state == "open"
    assert free.next.key == "pre"  # still the guided order


# The module page.


def test_a_new_learner_is_led_to_the_first_test_with_its_length(
    client: FlaskClient, learner
) -> None:  # noqa: ANN001
    page = client.get("/modules/tanning").get_data(as_text=True)
    step = next_step(page)
    assert "Step 1 of 4" in step and "Test what you know first" in step
    assert "3 questions" in step and "Start the first test" in step
    assert 'action="/quiz/tanning/pre/start"' in step
    # The other steps are there, named, but secondary; one start button per test.
    assert "Final test" in page and "Opens after you have read every section." in page
    assert page.count("Start the first test") == 1
    assert 'class="button secondary" href="/modules/tanning/1">Start reading' in page


def test_reading_then_the_final_test_then_the_certificate(
    app: Flask, client: FlaskClient, learner
) -> None:  # noqa: ANN001
    take(client, app, "pre")
    step = next_step(client.get("/modules/tanning").get_data(as_text=True))
    assert "Step 2 of 4" in step and "Start reading" in step and "3 sections" in step
    post(client, "/modules/tanning/1/go", {"to": "2"})
    step = next_step(client.get("/modules/tanning").get_data(as_text=True))
    assert "Section 2 of 3" in step and "2 of 3 sections read" in step
    assert 'href="/modules/tanning/2">Continue reading' in step
    post(client, "/modules/tanning/2/go", {"to": "3"})
    last = client.get("/modules/tanning/3").get_data(as_text=True)
    assert "You have finished reading" in last and "Next: the final test, 3 questions." in last
    assert "Finish reading and go to the final test" in last
    response = post(client, "/modules/tanning/3/go", {"finish": "1"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    step = next_step(page)
    assert "Step 3 of 4" in step and "Final test" in step and "Pass mark: 60%" in step
    assert 'action="/quiz/tanning/post/start"' in step and "Start the final test" in step
    take(client, app, "post")
    step = next_step(client.get("/modules/tanning").get_data(as_text=True))
    assert "Step 4 of 4" in step and "Your certificate is ready" in step
    assert 'href="/certificates"' in step


def test_a_crafted_final_test_before_reading_is_refused_in_the_learners_language(
    app: Flask, client: FlaskClient, make_user
) -> None:  # noqa: ANN001
    user = make_user(locale="bn")
    login(client, user.email)
    response = post(client, "/quiz/tanning/post/start")
    assert response.status_code == 302 and response.headers["Location"] == "/modules/tanning"
    page = client.get("/modules/tanning").get_data(as_text=True)
    assert 'class="flash flash-error"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0
    read_everything(client)
    assert post(client, "/quiz/tanning/post/start").headers["Location"].startswith("/quiz/attempt/")


def test_the_final_test_refusal_says_why(client: FlaskClient, learner) -> None:  # noqa: ANN001
    post(client, "/quiz/tanning/post/start")
    page = client.get("/modules/tanning").get_data(as_text=True)
    assert "The final test opens after you have read every section of the module." in page


def test_a_module_may_open_its_final_test_before_the_reading(
    app: Flask, client: FlaskClient, learner, content: Path
) -> None:  # noqa: ANN001
    yaml_file = content / "tanning" / "module.yaml"
    yaml_file.write_text(yaml_file.read_text() + "post_test_after_reading: false\n")
    response = post(client, "/quiz/tanning/post/start")
    assert response.headers["Location"].startswith("/quiz/attempt/")


def test_the_checker_validates_post_test_after_reading(app: Flask, content: Path) -> None:
    yaml_file = content / "tanning" / "module.yaml"
    yaml_file.write_text(yaml_file.read_text() + "post_test_after_reading: false\n")
    problems = ContentLibrary(content).get("tanning").problems
    assert problems == []  # a known field
    yaml_file.write_text(
        MODULE_YAML.format(slug="tanning", order=1) + "post_test_after_reading: 1\n"
    )
    found = [str(p.message) for p in ContentLibrary(content).get("tanning").problems]
    assert found == ["post_test_after_reading must be true or false"]
    with app.app_context():
        module = ContentLibrary(content).get("tanning")
        assert module.post_test_after_reading is True  # a wrong value keeps the default


def test_a_module_without_tests_leads_to_its_reading(client: FlaskClient, learner) -> None:  # noqa: ANN001
    step = next_step(client.get("/modules/plain").get_data(as_text=True))
    assert "Step" not in step and "Start reading" in step
    read_everything(client, "plain")
    step = next_step(client.get("/modules/plain").get_data(as_text=True))
    assert "You have finished reading" in step and "Read again" in step


def test_the_30_day_test_leads_when_it_opens(app: Flask, client: FlaskClient, learner) -> None:  # noqa: ANN001
    read_everything(client)
    post_id = take(client, app, "post")
    page = client.get("/modules/tanning").get_data(as_text=True)
    assert "30-day test" in page and "Opens on" in page
    with app.app_context():
        attempt = db.session.get(Attempt, post_id)
        attempt.submitted_at = datetime.now(UTC) - timedelta(days=31)
        db.session.commit()
    step = next_step(client.get("/modules/tanning").get_data(as_text=True))
    assert "30-day test" in step and "Start the 30-day test" in step


# The home page.


def test_the_home_page_leads_a_returning_learner_back(
    app: Flask, client: FlaskClient, learner
) -> None:  # noqa: ANN001
    assert "Continue:" not in client.get("/").get_data(as_text=True)
    post(client, "/modules/tanning/1/go", {"to": "2"})
    home = client.get("/").get_data(as_text=True)
    lead = re.search(r'<section class="panel continue".*?</section>', home, re.S).group(0)
    assert "Continue: Tanning basics" in lead and "Section 2 of 3" in lead
    assert 'href="/modules/tanning/2"' in lead
    assert home.index(lead) < home.index('class="tiles"')
    read_everything(client)
    assert "Continue:" not in client.get("/").get_data(as_text=True)  # nothing left half-read


def test_the_home_page_continues_in_bengali_with_bengali_digits(
    client: FlaskClient, make_user
) -> None:  # noqa: ANN001
    user = make_user(locale="bn")
    login(client, user.email)
    post(client, "/modules/tanning/1/go", {"to": "2"})
    home = client.get("/").get_data(as_text=True)
    assert "পরীক্ষার মডিউল (bn)" in home  # the module's Bengali title
    assert "৩টির মধ্যে ২ নম্বর অংশ" in home  # "Section 2 of 3", translated already
