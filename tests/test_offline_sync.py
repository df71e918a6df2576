"""Tests offline (issue 21): queued answers and submits sent later, each applied once, by their
signed attempt token alone (no cookie, no CSRF token), also after "Switch learner"."""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from lms import signals
from lms.db import db
from lms.offline import learner_key
from lms.quiz import sync
from lms.quiz.models import Answer, Attempt, SyncKey
from tests.conftest import login, post, write_module
from tests.quiz_bank import QUIZ_YAML, RIGHT, RIGHT_FORM

SYNC = "/quiz/sync"


@pytest.fixture
def app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    root = tmp_path / "content"
    folder = write_module(root, "tanning", title="Tanning basics")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    return make_app(LMS_CONTENT_DIR=str(root))


def start_pre(client: FlaskClient) -> int:
    response = post(client, "/quiz/tanning/pre/start")
    match = re.match(r"/quiz/attempt/(\d+)/\d+", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def page_data(client: FlaskClient, path: str) -> dict[str, str]:
    """The data- attributes of the page's queue form, as quiz.js reads them."""
    page = client.get(path).get_data(as_text=True)
    form = re.search(r"<form[^>]*data-token=[^>]*>", page, re.S)
    assert form, path
    return {k: unescape(v) for k, v in re.findall(r'data-([a-z-]+)="([^"]*)"', form.group(0))}


def items_of(app: Flask, attempt_id: int) -> list[str]:
    with app.app_context():
        return [e["id"] for e in db.session.get(Attempt, attempt_id).items]


def pairs(item_id: str) -> list[list[str]]:
    out = []
    for name, value in RIGHT_FORM[item_id].items():
        out += [[name, v] for v in (value if isinstance(value, list) else [value])]
    return out


def change(token: str, item: str | None = None, key: str | None = None, **kw: Any) -> dict:
    kind = "answer" if item else "submit"
    fields = kw.pop("fields") if "fields" in kw else (pairs(item) if item else [])
    return {"key": key or secrets.token_urlsafe(18), "token": token, "kind": kind,
            "item": item, "fields": fields, **kw}  # fmt: skip


def send(app: Flask, *changes: dict) -> list[dict]:
    """POST the changes as queue.js does: JSON, no cookie, no CSRF token."""
    response = app.test_client(use_cookies=False).post(SYNC, json={"changes": list(changes)})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["results"]


@pytest.fixture
def rekha(app: Flask, client: FlaskClient, make_user) -> dict[str, Any]:  # noqa: ANN001
    user = make_user("learner", name="Rekha")
    login(client, user.email)
    attempt_id = start_pre(client)
    data = page_data(client, f"/quiz/attempt/{attempt_id}/1")
    return {"user": user, "attempt": attempt_id, "token": data["token"], "data": data}


def count(app: Flask, model: Any, **where: Any) -> int:
    with app.app_context():
        query = select(func.count()).select_from(model).filter_by(**where)
        return db.session.scalar(query)


def test_queued_answers_are_saved_once_each_without_cookie_or_csrf(app: Flask, rekha) -> None:  # noqa: ANN001
    items = items_of(app, rekha["attempt"])
    changes = [change(rekha["token"], item) for item in items]
    assert [r["status"] for r in send(app, *changes)] == ["saved"] * len(items)
    # The reply was lost: the tablet sends the same changes again; nothing counts twice.
    assert [r["status"] for r in send(app, *changes)] == ["duplicate"] * len(items)
    assert count(app, Answer, attempt_id=rekha["attempt"]) == len(items)
    assert count(app, SyncKey, attempt_id=rekha["attempt"]) == len(items)
    with app.app_context():
        saved = {a.item_id: a.response for a in db.session.get(Attempt, rekha["attempt"]).answers}
    assert saved == {item: RIGHT[item] for item in items}


def test_changes_apply_in_order_and_an_old_one_sent_again_never_overwrites(
    app: Flask,
    rekha,  # noqa: ANN001
) -> None:
    item = "t-single"
    first = change(rekha["token"], item, fields=[["answer", "b"]])
    second = change(rekha["token"], item, fields=[["answer", "a"]])
    assert [r["status"] for r in send(app, first, second)] == ["saved", "saved"]
    assert [r["status"] for r in send(app, first)] == ["duplicate"]  # a second tab, late
    with app.app_context():
        assert db.session.get(Answer, (rekha["attempt"], item)).response == "a"


def test_the_question_and_review_pages_are_kept_offline_for_their_learner(
    app: Flask,
    client: FlaskClient,
    rekha,  # noqa: ANN001
) -> None:
    attempt = rekha["attempt"]
    with app.app_context():
        key = learner_key(rekha["user"].id)
    for path in (f"/quiz/attempt/{attempt}/1", f"/quiz/attempt/{attempt}/review"):
        response = client.get(path)
        assert response.headers["X-LMS-Offline"] == "page", path
        assert response.headers["X-LMS-Learner"] == key, path
    data = rekha["data"]
    assert data["learner"] == key and data["attempt"] == str(attempt)
    assert data["pages"] == (
        "[" + ", ".join(f'"/quiz/attempt/{attempt}/{n}"' for n in range(1, 4)) + "]"
    )
    assert data["review"] == f"/quiz/attempt/{attempt}/review"
    post(client, f"/quiz/attempt/{attempt}/submit")
    result = client.get(f"/quiz/attempt/{attempt}/result")
    assert result.status_code == 200 and "X-LMS-Offline" not in result.headers


def test_a_submit_made_offline_counts_once(app: Flask, rekha) -> None:  # noqa: ANN001
    items = items_of(app, rekha["attempt"])
    sent: list[Any] = []
    signals.attempt_submitted.connect(lambda _app, attempt: sent.append(attempt.id), weak=False)
    try:
        answers = [change(rekha["token"], item) for item in items]
        submit, again = change(rekha["token"]), change(rekha["token"])
        results = send(app, *answers, submit, submit)
        assert [r["status"] for r in results] == ["saved"] * len(items) + ["saved", "duplicate"]
        assert send(app, again)[0]["status"] == "duplicate"  # a second submit: still once
    finally:
        signals.attempt_submitted.receivers.clear()
    assert sent == [rekha["attempt"]]
    with app.app_context():
        attempt = db.session.get(Attempt, rekha["attempt"])
        assert attempt.submitted_at is not None and attempt.score == len(items)


def test_an_answer_to_a_submitted_attempt_is_refused_clearly(app: Flask, rekha) -> None:  # noqa: ANN001
    send(app, change(rekha["token"]))
    result = send(app, change(rekha["token"], "t-single"))[0]
    assert result["status"] == "refused" and result["code"] == "submitted"
    assert result["error"] == "This test is already submitted; your answers can no longer change."
    assert count(app, Answer, attempt_id=rekha["attempt"], item_id="t-single") == 1  # at submit
    with app.app_context():
        assert db.session.get(Answer, (rekha["attempt"], "t-single")).response is None


def test_forged_and_expired_tokens_are_refused(
    app: Flask,
    rekha,  # noqa: ANN001
    make_user,  # noqa: ANN001
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other = make_user("learner", name="Sima")
    with app.app_context():
        serializer = sync._serializer()
        as_other = serializer.dumps([rekha["attempt"], other.id])  # signed, but not her attempt
    forged = rekha["token"][:-4] + ("AAAA" if not rekha["token"].endswith("AAAA") else "BBBB")
    results = send(app, change(forged, "t-single"), change(as_other, "t-single"))
    assert [r["code"] for r in results] == ["forged", "forged"]
    assert results[0]["error"] == "This answer could not be checked, so it was not counted."
    eight_days_ago = int(time.time()) - 8 * 24 * 3600
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: eight_days_ago)
    with app.app_context():
        old_token = sync._serializer().dumps([rekha["attempt"], rekha["user"].id])
    monkeypatch.undo()
    expired = send(app, change(old_token, "t-single"))[0]
    assert (expired["status"], expired["code"]) == ("refused", "expired")
    assert count(app, Answer, attempt_id=rekha["attempt"]) == 0
    app.config["LMS_OFFLINE_SYNC_DAYS"] = 10  # a programme whose halls stay offline longer
    assert send(app, change(old_token, "t-single"))[0]["status"] == "saved"


def test_bad_changes_are_refused_with_a_message(app: Flask, rekha) -> None:  # noqa: ANN001
    client = app.test_client(use_cookies=False)
    bad = client.post(SYNC, json={"changes": []})
    assert bad.status_code == 400 and bad.get_json()["error"] == "That answer could not be read."
    assert client.post(SYNC, data="changes=1").status_code == 400
    results = send(
        app,
        change(rekha["token"], "t-single", key="short"),
        change(rekha["token"], "t-single", fields="answer=a"),
        change(rekha["token"], "not-in-the-test", fields=[["answer", "a"]]),
    )
    assert [(r["status"], r["code"]) for r in results] == [
        ("refused", "bad-change"),
        ("refused", "bad-change"),
        ("refused", "unknown-item"),
    ]
    assert count(app, Answer, attempt_id=rekha["attempt"]) == 0


def test_the_session_cookie_counts_for_nothing(app: Flask, client: FlaskClient, rekha) -> None:  # noqa: ANN001
    """Signed in as the attempt's learner, without a token: refused (no CSRF risk either)."""
    response = client.post(SYNC, json={"changes": [change("", "t-single")]})
    assert response.get_json()["results"][0]["code"] == "forged"
    answer = client.post(f"/quiz/attempt/{rekha['attempt']}/1", data={"answer": "a"})
    assert answer.status_code == 400  # the other views still want their CSRF token


def test_after_switch_learner_the_queue_still_counts_for_the_first(
    app: Flask,
    client: FlaskClient,
    rekha,  # noqa: ANN001
    make_user,  # noqa: ANN001
) -> None:
    other = make_user("learner", name="Sima")
    post(client, "/switch")
    login(client, other.email)
    queued = change(rekha["token"], "t-single")
    # The tablet's queue sends with B signed in (its own request has no cookie, but even one
    # that carried B's cookie counts for A only, by the token).
    response = client.post(SYNC, json={"changes": [queued]})
    assert response.get_json()["results"][0]["status"] == "saved"
    with app.app_context():
        saved = db.session.get(Answer, (rekha["attempt"], "t-single"))
        assert saved.response == "a" and saved.attempt.user_id == rekha["user"].id
    assert client.get(f"/quiz/attempt/{rekha['attempt']}/1").status_code == 404  # B sees nothing


# Concurrency: the same queue sent from two tabs at once, and a submit racing the answers.


def all_at_once(app: Flask, jobs: list[list[dict]]) -> list[list[dict]]:
    ready = threading.Barrier(len(jobs), timeout=30)

    def run(changes: list[dict]) -> list[dict]:
        client = app.test_client(use_cookies=False)
        ready.wait()
        return client.post(SYNC, json={"changes": changes}).get_json()["results"]

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def test_the_same_change_sent_at_once_counts_once(app: Flask, rekha) -> None:  # noqa: ANN001
    items = items_of(app, rekha["attempt"])
    changes = [change(rekha["token"], item) for item in items]
    results = all_at_once(app, [changes] * 6)
    for item_index in range(len(items)):
        statuses = sorted(r[item_index]["status"] for r in results)
        assert statuses == ["duplicate"] * 5 + ["saved"], statuses
    assert count(app, SyncKey, attempt_id=rekha["attempt"]) == len(items)
    assert count(app, Answer, attempt_id=rekha["attempt"]) == len(items)


def test_a_submit_racing_answers_scores_exactly_what_was_saved(app: Flask, rekha) -> None:  # noqa: ANN001
    items = items_of(app, rekha["attempt"])
    jobs = [[change(rekha["token"], item)] for item in items]
    jobs += [[change(rekha["token"])], [change(rekha["token"])]]
    results = [r[0] for r in all_at_once(app, jobs)]
    submits = sorted(r["status"] for r in results[len(items) :])
    assert submits == ["duplicate", "saved"]
    saved = {items[n] for n, r in enumerate(results[: len(items)]) if r["status"] == "saved"}
    refused = [r["code"] for r in results[: len(items)] if r["status"] == "refused"]
    assert set(refused) <= {"submitted"} and len(saved) + len(refused) == len(items)
    with app.app_context():
        attempt = db.session.get(Attempt, rekha["attempt"])
        scored = {a.item_id for a in attempt.answers if a.response is not None}
        assert scored == saved  # every saved answer was there before the submit, none after
        assert all(a.fraction is not None for a in attempt.answers)
        assert attempt.score == len(saved)
