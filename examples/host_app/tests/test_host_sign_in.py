"""The cooperative signs people in; the LMS follows: its record of each host user, and a pre-test
taken under /learn without a second sign-in."""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import CSRF_META, Member, add_member, sign_in
from flask import Flask, url_for
from flask.testing import FlaskClient
from host_app.models import User as HostUser
from host_app.models import db
from sqlalchemy import select

from lms.accounts.models import User as LMSUser
from lms.quiz.models import Attempt

SLUG = "export-readiness"  # ships with a quiz.yaml
CHOICE_TYPES = ("single", "true_false", "multiple")


def lms_record(app: Flask, who: Member) -> LMSUser | None:
    with app.app_context():
        record = db.session.scalar(select(LMSUser).where(LMSUser.external_id == str(who.id)))
        if record is not None:
            _ = record.role_rows  # loaded while the session is open
            db.session.expunge(record)
        return record


def _token(page: Any) -> str:
    match = CSRF_META.search(page.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1)


def _form_value(entry: dict[str, Any]) -> Any:
    """The right answer to a choice item, as its form would send it."""
    answer = entry["data"]["answer"]
    if entry["type"] == "true_false":
        return "true" if answer else "false"
    if entry["type"] == "multiple":
        return [str(option) for option in answer]
    return str(answer)


def test_a_host_user_takes_a_pre_test_without_signing_in_again(
    app: Flask, client: FlaskClient, member: Member
) -> None:
    # Anonymous: the host's sign-in page, which comes back here afterwards.
    response = client.get("/learn/my/record")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Flearn%2Fmy%2Frecord"

    signed_in = sign_in(client, member, next_url="%2Flearn%2Fmy%2Frecord")
    assert signed_in.headers["Location"] == "/learn/my/record"
    assert client.get("/learn/my/record").status_code == 200

    module = client.get(f"/learn/modules/{SLUG}")
    assert module.status_code == 200
    start = f"/learn/quiz/{SLUG}/pre/start"
    assert f'action="{start}"' in module.get_data(as_text=True)
    started = client.post(start, data={"csrf_token": _token(module)})
    assert started.status_code == 302
    found = re.fullmatch(r"/learn/quiz/attempt/(\d+)/(\d+)", started.headers["Location"])
    assert found, started.headers["Location"]
    attempt_id = int(found.group(1))

    with app.app_context():
        items = db.session.get(Attempt, attempt_id).items
    number, entry = next((n, e) for n, e in enumerate(items, 1) if e["type"] in CHOICE_TYPES)
    question_path = f"/learn/quiz/attempt/{attempt_id}/{number}"
    question = client.get(question_path)
    assert question.status_code == 200
    saved = client.post(
        question_path,
        data={"csrf_token": _token(question), "answer": _form_value(entry), "go": "review"},
    )
    assert saved.status_code == 302
    assert saved.headers["Location"] == f"/learn/quiz/attempt/{attempt_id}/review"

    review = client.get(f"/learn/quiz/attempt/{attempt_id}/review")
    submitted = client.post(
        f"/learn/quiz/attempt/{attempt_id}/submit", data={"csrf_token": _token(review)}
    )
    assert submitted.status_code == 302
    assert submitted.headers["Location"] == f"/learn/quiz/attempt/{attempt_id}/result"

    record = lms_record(app, member)
    assert record is not None
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.user_id == record.id
        assert (attempt.module_id, attempt.kind) == (SLUG, "pre")
        assert attempt.submitted_at is not None
        assert attempt.answer_for(entry["id"]).fraction == 1.0
        assert attempt.score == entry["points"]

    page = client.get("/learn/my/record").get_data(as_text=True)
    assert f'href="/learn/quiz/attempt/{attempt_id}/result"' in page


@pytest.mark.parametrize(
    ("role", "roles"),
    [("member", {"learner"}), ("trainer", {"learner", "trainer"}), ("admin", {"admin"})],
)
def test_the_lms_record_is_made_on_the_first_lms_visit_with_the_hosts_details(
    app: Flask, client: FlaskClient, role: str, roles: set[str]
) -> None:
    who = add_member(app, role, name="Md. Abdul Karim", email=f"karim.{role}@bantala.example.org")
    sign_in(client, who)
    assert client.get("/members").status_code == 200  # host pages make no LMS record
    assert lms_record(app, who) is None

    assert client.get("/learn/").status_code == 200
    record = lms_record(app, who)
    assert record is not None
    assert (record.name, record.email) == ("Md. Abdul Karim", who.email)
    assert record.roles == roles
    assert record.password_hash is None  # the host checks passwords

    with app.test_request_context():
        results = url_for("lms.quiz.results")
    assert client.get(results).status_code == (403 if role == "member" else 200)


def test_a_role_changed_by_the_host_applies_on_the_next_lms_visit(
    app: Flask, client: FlaskClient, member: Member
) -> None:
    sign_in(client, member)
    client.get("/learn/")
    assert lms_record(app, member).roles == {"learner"}
    with app.test_request_context():
        results = url_for("lms.quiz.results")
    assert client.get(results).status_code == 403

    with app.app_context():
        db.session.get(HostUser, member.id).role = "trainer"
        db.session.commit()

    assert client.get(results).status_code == 200
    assert lms_record(app, member).roles == {"learner", "trainer"}


def test_the_lms_password_pages_send_people_to_the_hosts_sign_in(client: FlaskClient) -> None:
    response = client.get("/learn/login")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_signing_in_from_the_lms_welcome_page_comes_back_to_the_lms(
    client: FlaskClient, member: Member
) -> None:
    welcome = client.get("/learn/").get_data(as_text=True)
    link = re.search(r'<a class="button big" href="([^"]+)"', welcome)
    assert link, "no sign-in button on the LMS welcome page"
    target = link.group(1)
    for _hop in range(3):  # the LMS may pass through its own URL first
        if target.startswith("/login"):
            break
        response = client.get(target)
        assert response.status_code == 302, target
        target = response.headers["Location"]
    assert target.startswith("/login?"), target  # the host's sign-in page
    next_url = target.partition("next=")[2]
    assert next_url, target

    location = sign_in(client, member, next_url=next_url).headers["Location"]
    for _hop in range(5):  # follow the redirects, as a browser would
        response = client.get(location)
        if response.status_code != 302:
            break
        location = response.headers["Location"]
        assert not location.startswith("/login"), "sent back to the sign-in page once signed in"
    assert response.status_code == 200
    assert location.startswith("/learn/")
