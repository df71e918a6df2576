"""Hostile answers: forged or malformed quiz autosaves, forged or replayed live-quiz answers,
tampered certificate codes and credentials. Each is refused clearly; what is stored stays.

Already covered elsewhere, not repeated here:
- tests/test_quiz_flow.py::test_hostile_answers_are_refused (an unknown option id, item 9 of 3)
- tests/test_quiz_flow.py::test_answers_after_submitting_are_refused (409 once submitted)
- tests/test_quiz_flow.py::test_another_learners_attempt_is_not_found (GET and submit: 404)
- tests/test_quiz_flow.py::test_submitting_twice_counts_once
- tests/test_live.py::test_an_answer_counts_once (a replayed answer, even with another choice)
- tests/test_live.py::test_answers_after_the_question_closes_are_refused
- tests/test_live.py::test_wrong_codes_and_strangers (polling without joining: 403)
- tests/test_certificates.py::test_codes_are_short_and_catch_typos (every single typo)
- tests/test_certificates.py::test_a_mistyped_code_gets_a_clear_page
- tests/test_certificates.py::test_offline_verification_and_tampering (a changed claim, a key
  missing from the JWKS)
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask
from flask.testing import FlaskClient
from joserfc import jwt
from joserfc.jwk import RSAKey

from lms.certificates import codes, credential
from lms.db import db
from lms.live.models import LiveAnswer, LiveParticipant, LiveQuiz
from lms.quiz import services as quiz
from lms.quiz.models import Answer, Attempt
from tests.conftest import csrf_token, login, post, write_module
from tests.quiz_bank import QUIZ_YAML, RIGHT_FORM
from tests.test_certificates import earn
from tests.test_live import act, code_of, create_quiz, join
from tests.test_live import answer as live_answer


@pytest.fixture
def app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    root = tmp_path / "content"
    folder = write_module(root, "tanning", title="Tanning basics", bn="auto", bn_BD="auto")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    return make_app(LMS_CONTENT_DIR=str(root), LMS_BASE_URL="https://dakshata.example.org")


# Quiz autosave.


def _start(app: Flask, client: FlaskClient, kind: str = "pre") -> tuple[int, list[dict[str, Any]]]:
    if kind == "post":  # the post-test opens once every section has been read
        for number in (1, 2, 3):
            post(client, f"/modules/tanning/{number}/seen")
        post(client, "/modules/tanning/3/go", {"finish": "1"})
    response = post(client, f"/quiz/tanning/{kind}/start")
    attempt_id = int(response.headers["Location"].split("/")[3])
    with app.app_context():
        return attempt_id, db.session.get(Attempt, attempt_id).items


def _number_of(items: list[dict[str, Any]], item_type: str) -> int:
    return 1 + next(i for i, e in enumerate(items) if e["type"] == item_type)


def _stored(app: Flask, attempt_id: int) -> dict[str, Any]:
    with app.app_context():
        return {a.item_id: a.response for a in db.session.get(Attempt, attempt_id).answers}


@pytest.fixture
def learner(app: Flask, make_user) -> FlaskClient:  # noqa: ANN001
    client = app.test_client()
    login(client, make_user("learner", name="Rekha").email)
    return client


def _autosave(client: FlaskClient, attempt_id: int, number: int, **kw: Any):  # noqa: ANN202
    headers = {"X-Requested-With": "fetch", "X-CSRFToken": csrf_token(client, "/")}
    return client.post(f"/quiz/attempt/{attempt_id}/{number}", headers=headers, **kw)


def test_malformed_autosaves_are_refused_and_the_saved_answers_kept(app, learner) -> None:  # noqa: ANN001
    attempt_id, items = _start(app, learner)
    single, numeric = _number_of(items, "single"), _number_of(items, "numeric")
    by_number = {n: items[n - 1]["id"] for n in (single, numeric)}
    for number in (single, numeric):
        saved = _autosave(learner, attempt_id, number, data=RIGHT_FORM[by_number[number]])
        assert saved.json == {"ok": True}
    before = _stored(app, attempt_id)
    hostile = [
        (single, {"answer": "x" * 100_000}),  # a huge string
        (single, {"answer": "1"}),  # a number as a string, not an option id
        (single, {"answer": ["a", "b"]}),  # two answers to a single choice
        (single, {"answer": '{"$ne": null}'}),
        (numeric, {"answer": "9" * 100_000}),
        (numeric, {"answer": "1e999999999"}),  # once accepted, then broke scoring (overflow)
        (numeric, {"answer": "[600]"}),
        (numeric, {"answer": "600; DROP TABLE lms_answer"}),
    ]
    for number, form in hostile:
        response = _autosave(learner, attempt_id, number, data=form)
        assert response.status_code == 400, form
        assert response.json == {"ok": False, "error": "That answer could not be read."}
    assert _stored(app, attempt_id) == before


@pytest.mark.parametrize(
    "body",
    [
        {"answer": {"$gt": ""}},
        {"answer": [["a"], {"b": 1}]},
        {"answer": "a"},
        [1, 2, 3],
    ],
)
def test_json_bodies_are_refused_and_never_clear_an_answer(app, learner, body) -> None:  # noqa: ANN001
    attempt_id, items = _start(app, learner)
    number = _number_of(items, "single")
    _autosave(learner, attempt_id, number, data=RIGHT_FORM[items[number - 1]["id"]])
    before = _stored(app, attempt_id)
    response = _autosave(learner, attempt_id, number, json=body)
    assert response.status_code == 400
    assert response.json["error"] == "That answer could not be read."
    assert _stored(app, attempt_id) == before


def test_a_too_large_autosave_is_refused_and_nothing_stored(app, learner) -> None:  # noqa: ANN001
    attempt_id, items = _start(app, learner)
    number = _number_of(items, "single")
    _autosave(learner, attempt_id, number, data=RIGHT_FORM[items[number - 1]["id"]])
    before = _stored(app, attempt_id)
    huge = {"answer": "b", "padding": "x" * (4 * 1024 * 1024)}
    as_json = _autosave(learner, attempt_id, number, json=huge)
    as_form = _autosave(learner, attempt_id, number, data=huge)
    assert (as_json.status_code, as_form.status_code) == (413, 413)
    assert "What you sent is too large." in as_json.get_data(as_text=True)
    assert _stored(app, attempt_id) == before


def test_an_ordering_position_too_large_for_any_list_is_refused_at_once(app, make_user) -> None:  # noqa: ANN001
    client = app.test_client()
    login(client, make_user().email)
    attempt_id, items = _start(app, client, "post")
    number = _number_of(items, "ordering")
    started = time.monotonic()
    form = {"position-soak": "1e50000000", "position-lime": "2", "position-tan": "3"}
    response = _autosave(client, attempt_id, number, data=form)
    assert response.status_code == 400
    assert time.monotonic() - started < 5  # int(Decimal("1e50000000")) took minutes before
    assert _stored(app, attempt_id) == {}


def test_a_stored_absurd_number_no_longer_breaks_submitting(app, learner) -> None:  # noqa: ANN001
    """An answer saved before the fix (or by hand) scores 0 instead of a server error."""
    attempt_id, items = _start(app, learner)
    entry = items[_number_of(items, "numeric") - 1]
    with app.app_context():
        db.session.add(Answer(attempt_id=attempt_id, item_id=entry["id"], response="1e999999999"))
        db.session.commit()
    response = post(learner, f"/quiz/attempt/{attempt_id}/submit")
    assert response.status_code == 302 and response.headers["Location"].endswith("/result")
    with app.app_context():
        assert db.session.get(Answer, (attempt_id, entry["id"])).fraction == 0.0


def test_items_and_attempts_that_are_not_yours(app, learner, make_user) -> None:  # noqa: ANN001
    attempt_id, items = _start(app, learner)
    number = _number_of(items, "single")
    _autosave(learner, attempt_id, number, data=RIGHT_FORM[items[number - 1]["id"]])
    before = _stored(app, attempt_id)
    for bad in (0, len(items) + 1, 10**12):
        assert _autosave(learner, attempt_id, bad, data={"answer": "a"}).status_code == 404
    assert _autosave(learner, attempt_id, -1, data={"answer": "a"}).status_code == 404
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        with pytest.raises(quiz.QuizError) as refused:
            quiz.save_answer(attempt, "t-not-in-this-attempt", "a")
        assert refused.value.code == "unknown-item"
    intruder = app.test_client()
    login(intruder, make_user().email)
    stolen = _autosave(intruder, attempt_id, number, data={"answer": "b"})
    assert stolen.status_code == 404
    assert intruder.get(f"/quiz/attempt/{attempt_id}/result").status_code == 404
    assert _stored(app, attempt_id) == before


def test_a_submitted_attempt_keeps_its_answers_and_score(app, learner) -> None:  # noqa: ANN001
    attempt_id, items = _start(app, learner)
    number = _number_of(items, "single")
    _autosave(learner, attempt_id, number, data=RIGHT_FORM[items[number - 1]["id"]])
    post(learner, f"/quiz/attempt/{attempt_id}/submit")
    before = _stored(app, attempt_id)
    with app.app_context():
        score = db.session.get(Attempt, attempt_id).score
    late = _autosave(learner, attempt_id, number, data={"answer": "b"})
    assert late.status_code == 409 and "already submitted" in late.json["error"]
    form = post(learner, f"/quiz/attempt/{attempt_id}/{number}", {"answer": "b"})
    assert form.status_code == 302 and form.headers["Location"].endswith("/result")
    assert _stored(app, attempt_id) == before
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).score == score


# Live quizzes.


@pytest.fixture
def trainer(app: Flask, make_user) -> FlaskClient:  # noqa: ANN001
    client = app.test_client()
    login(client, make_user("trainer").email)
    return client


def _counts(app: Flask) -> tuple[int, list[float]]:
    with app.app_context():
        answers = db.session.query(LiveAnswer).count()
        scores = [p.score for p in db.session.query(LiveParticipant).order_by(LiveParticipant.id)]
        return answers, scores


def test_answers_to_a_question_that_is_not_open_are_refused(app, trainer) -> None:  # noqa: ANN001
    quiz_id = create_quiz(trainer)
    code = code_of(app, quiz_id)
    tablet = join(app, code, "Asha")
    status, body = live_answer(tablet, code, 0, RIGHT_FORM["t-single"])  # still in the lobby
    assert status == 409 and "This question is closed" in body["error"]
    act(trainer, quiz_id, "next")
    for index in (1, 2, -1, 99):  # the next questions, before they open, and none at all
        assert live_answer(tablet, code, index, {"answer": "true"})[0] == 409, index
    for index in ("0.0", "", "zero", "1e9"):
        token = csrf_token(tablet, f"/live/{code}/play")
        response = tablet.post(
            f"/live/{code}/answer",
            data={"answer": "a", "index": index, "csrf_token": token},
            headers={"X-Requested-With": "fetch"},
        )
        assert response.status_code == 409, index
    assert _counts(app) == (0, [0.0])


def test_a_malformed_live_answer_is_refused_and_does_not_use_up_the_question(app, trainer) -> None:  # noqa: ANN001
    quiz_id = create_quiz(trainer)
    code = code_of(app, quiz_id)
    tablet = join(app, code, "Asha")
    act(trainer, quiz_id, "next")
    for form in ({"answer": "z"}, {"answer": "x" * 100_000}, {"answer": ["a", "b", "c"]}):
        status, body = live_answer(tablet, code, 0, form)
        assert status == 409 and body["error"] == "That answer could not be read.", form
    assert _counts(app) == (0, [0.0])
    assert live_answer(tablet, code, 0, RIGHT_FORM["t-single"])[1]["counted"] is True
    assert _counts(app) == (1, [100.0])


def test_another_quiz_or_a_forged_participant_cannot_answer(app, trainer) -> None:  # noqa: ANN001
    first, second = create_quiz(trainer), create_quiz(trainer)
    code_a, code_b = code_of(app, first), code_of(app, second)
    asha = join(app, code_a, "Asha")
    babu = join(app, code_b, "Babu")
    act(trainer, first, "next")
    act(trainer, second, "next")
    # Asha's cookie belongs to quiz A: sent to quiz B under B's cookie name it finds nobody.
    with app.app_context():
        asha_token = db.session.query(LiveParticipant).filter_by(name="Asha").one().token
        babu_id = db.session.query(LiveParticipant).filter_by(name="Babu").one().id
    forger = app.test_client()
    forger.set_cookie(f"lms_live_{second}", asha_token)
    token = csrf_token(forger, "/live")
    form = {**RIGHT_FORM["t-single"], "index": "0", "csrf_token": token}
    assert forger.post(f"/live/{code_b}/answer", data=form).status_code == 403
    forger.set_cookie(f"lms_live_{second}", "forged-token")
    assert forger.post(f"/live/{code_b}/answer", data=form).status_code == 403
    stranger = app.test_client()
    token = csrf_token(stranger, "/live")
    for field in ("participant", "participant_id", "user_id"):  # ignored: the cookie decides
        forged = {**form, "csrf_token": token, field: str(babu_id)}
        assert stranger.post(f"/live/{code_b}/answer", data=forged).status_code == 403
    # Asha answering with a field naming Babu answers as Asha, in her own quiz only.
    status, body = live_answer(asha, code_a, 0, {**RIGHT_FORM["t-single"], "participant": babu_id})
    assert status == 200 and body["counted"] is True
    assert babu.get(f"/live/{code_a}/state").status_code == 403
    with app.app_context():
        rows = db.session.query(LiveAnswer).all()
        assert [(r.participant_id != babu_id, r.quiz_id) for r in rows] == [(True, first)]
        assert db.session.get(LiveParticipant, babu_id).score == 0
        assert db.session.get(LiveQuiz, second).status == "question"


def test_a_live_participant_name_cannot_run_script(app, trainer) -> None:  # noqa: ANN001
    quiz_id = create_quiz(trainer)
    code = code_of(app, quiz_id)
    name = "<script>alert('x')</script>\"'"
    join(app, code, name)
    page = trainer.get(f"/live/host/{quiz_id}").get_data(as_text=True)
    assert "<script>alert(" not in page and "&lt;script&gt;alert(" in page


# Certificates.


def _flip(token: str, part: int, position: int = 10) -> str:
    pieces = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(pieces[part] + "=" * (-len(pieces[part]) % 4)))
    raw[position] ^= 0x01
    pieces[part] = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    return ".".join(pieces)


def test_a_wrong_check_character_finds_no_certificate(app, client, make_user) -> None:  # noqa: ANN001
    certificate = earn(app, make_user(name="Rina Das").id)
    raw = certificate.code.replace("-", "")
    wrong = next(c for c in codes.ALPHABET if c != raw[-1])
    typo = codes.format_code(raw[:-1] + wrong)
    page = client.get(f"/verify/{typo}")
    assert page.status_code == 404
    text = page.get_data(as_text=True)
    assert "No certificate has this code" in text and "Rina Das" not in text
    assert client.get(f"/verify/{typo}.json").json == {"status": "unknown"}
    assert client.get(f"/verify/{typo}.jwt").status_code == 404
    assert client.get(f"/certificates/{typo}.pdf").status_code in (302, 404)


def test_tampered_or_foreign_credentials_do_not_verify(app, client, make_user) -> None:  # noqa: ANN001
    certificate = earn(app, make_user().id)
    token = client.get(f"/verify/{certificate.code}.jwt").get_data(as_text=True)
    jwks = client.get("/.well-known/jwks.json").json
    assert credential.verify(token, jwks).claims["id"].endswith(certificate.code + ".json")
    for position in (5, 40, 200):  # one flipped bit in the payload
        with pytest.raises(
            credential.VerificationError, match="Bad signature|not a signed credential"
        ):
            credential.verify(_flip(token, 1, position), jwks)
    with pytest.raises(credential.VerificationError, match="Bad signature"):
        credential.verify(_flip(token, 2, 3), jwks)  # and in the signature
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    claims = credential.payload(token)
    stranger = RSAKey.import_key(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    forged = jwt.encode(header, claims, stranger)  # the issuer's kid, another key
    with pytest.raises(credential.VerificationError, match="Bad signature"):
        credential.verify(forged, jwks)
    for alg in ("none", "HS256"):
        unsigned = _b64({**header, "alg": alg}) + "." + token.split(".")[1] + "."
        with pytest.raises(credential.VerificationError, match="only RS256 is accepted"):
            credential.verify(unsigned, jwks)
    with pytest.raises(credential.VerificationError, match="not a signed credential"):
        credential.verify("<script>alert(1)</script>", jwks)


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_offline_verification_never_fetches_keys_from_a_file_url(
    app, client, make_user, tmp_path
) -> None:  # noqa: ANN001
    certificate = earn(app, make_user().id)
    token = client.get(f"/verify/{certificate.code}.jwt").get_data(as_text=True)
    head, body, signature = token.split(".")
    claims = credential.payload(token)
    keys_file = tmp_path / ".well-known" / "jwks.json"
    keys_file.parent.mkdir()
    keys_file.write_text(json.dumps(client.get("/.well-known/jwks.json").json))
    claims["issuer"]["id"] = f"file://{tmp_path}/issuer"
    forged = tmp_path / "forged.jwt"
    forged.write_text(f"{head}.{_b64(claims)}.{signature}")
    result = app.test_cli_runner().invoke(args=["lms", "verify-certificate", str(forged)])
    assert result.exit_code == 1
    assert "NOT VALID: The issuer file://" in result.output  # not trusted: nothing fetched
    assert "not one this site trusts" in result.output
