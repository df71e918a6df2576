"""Erasing a beneficiary leaves no trace of their name, e-mail or phone: not in any table (live
quizzes, certificates, failed sign-ins, feedback, mentorship...), not in the kept certificate
PDFs, and on SQLite not in the database file's free pages nor in its write-ahead log. Erasure
never removes the last admin, staff accounts are never linked to a beneficiary, and kept
certificate documents are the owner's only."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
import os
import shutil
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lms.accounts import limits
from lms.accounts.models import User
from lms.certificates import documents
from lms.db import db
from lms.live.models import LiveQuiz
from lms.programme.models import (
    Assessment,
    Beneficiary,
    Enrolment,
    Enterprise,
    Feedback,
    MentorMeeting,
    Mentorship,
    TrainingSession,
)
from lms.programme.records import services as records
from tests.conftest import PG_URL, csrf_token, login, post, write_module
from tests.quiz_bank import QUIZ_YAML, RIGHT_FORM
from tests.test_certificates import earn

NAME = "Roksana Quillfeather"  # the beneficiary record's name
BENGALI_NAME = "রোকসানা কুইলফেদার"  # the account's name, printed on the certificate
EMAIL = "roksana.quillfeather@example.org"
PHONE = "+919830077777"
#: What must be found nowhere after the erasure (compared case-insensitively).
TRACES = ("quillfeather", "কুইলফেদার", "রোকসানা", EMAIL, "9830077777")


@pytest.fixture
def app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    root = tmp_path / "content"
    folder = write_module(root, "tanning", title="Tanning basics", bn="auto", bn_BD="auto")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    return make_app(LMS_CONTENT_DIR=str(root), LMS_BASE_URL="https://dakshata.example.org")


def signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def beneficiary(app: Flask, **fields: object) -> int:
    with app.app_context():
        person = Beneficiary(name=NAME, phone=PHONE, gender="female", **fields)
        enterprise = Enterprise(name="Tangra Tannery Works", segment="tannery")
        enterprise.beneficiaries.append(person)
        db.session.add(enterprise)
        db.session.commit()
        return person.id


def erase(admin: FlaskClient, person_id: int) -> str:
    """The admin's erasure, as the enterprise page sends it; the flashed message page."""
    token = csrf_token(admin, "/")
    response = admin.post(
        f"/programme/beneficiaries/{person_id}/erase",
        data={"csrf_token": token, "confirm": "erase"},
    )
    assert response.status_code == 302
    return admin.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)


# What the person did: every place their name, e-mail or phone can reach.


def live_quiz(app: Flask, trainer: FlaskClient, learner: FlaskClient) -> int:
    """A live quiz the learner plays signed in, and someone plays on a tablet under the
    beneficiary's name (no account)."""
    token = csrf_token(trainer, "/live/host/new/tanning")
    created = trainer.post(
        "/live/host/new/tanning",
        data={"csrf_token": token, "items": ["t-single"], "title": "Check", "mode": "correctness"},
    )
    quiz_id = int(created.headers["Location"].rsplit("/", 1)[1])
    post(trainer, f"/live/host/{quiz_id}/start")
    with app.app_context():
        code = db.session.get(LiveQuiz, quiz_id).code
    tablet = app.test_client()
    token = csrf_token(tablet, "/live")
    tablet.post(f"/live/{code}", data={"name": f"  {NAME.upper()} ", "csrf_token": token})
    assert post(learner, f"/live/{code}").headers["Location"] == f"/live/{code}/play"
    post(trainer, f"/live/host/{quiz_id}/next")
    for player in (learner, tablet):
        token = csrf_token(player, f"/live/{code}/play")
        answered = player.post(
            f"/live/{code}/answer",
            data={**RIGHT_FORM["t-single"], "index": 0, "csrf_token": token},
            headers={"X-Requested-With": "fetch"},
        )
        assert answered.json["counted"]
    post(trainer, f"/live/host/{quiz_id}/end")
    return quiz_id


def programme_activity(app: Flask, user_id: int, person_id: int) -> None:
    """Attendance, feedback with a comment, a needs assessment, mentorship with meetings."""
    with app.app_context():
        person = db.session.get(Beneficiary, person_id)
        session = TrainingSession(
            title="Tangra day 1",
            held_on=dt.date(2026, 10, 1),
            checkin_token="t1",
            enrolments=[Enrolment(beneficiary=person, present=True, marked_via="qr")],
        )
        db.session.add(session)
        db.session.flush()
        db.session.add_all(
            [
                Feedback(
                    session_id=session.id,
                    user_id=user_id,
                    role="participant",
                    ratings={"overall": 5},
                    comment=f"{NAME} ({PHONE}) found it useful",
                ),
                Assessment(
                    enterprise_id=person.enterprise_id,
                    user_id=user_id,
                    version="1",
                    answers={"export-1": "b"},
                    gaps={"export": 0.5},
                ),
                Mentorship(
                    user_id=user_id,
                    mentor_name="Mentor Mitra",
                    meetings=[MentorMeeting(held_on=dt.date(2026, 10, 5), notes=f"Met {NAME}")],
                ),
            ]
        )
        db.session.commit()


# Where traces are looked for.


def _forms(text: str) -> set[bytes]:
    """``text`` as it may be stored: UTF-8, JSON-escaped, without white space (as pdftotext
    gives shaped Bengali), and inside base64 at any alignment (a JWT's payload)."""
    data = text.lower().encode()
    found = {data, json.dumps(text.lower())[1:-1].encode(), b"".join(data.split())}
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + data)
        start, end = (shift * 8 + 5) // 6, (shift + len(data)) * 8 // 6
        found.add(encoded[start:end].lower())
        found.add(encoded[start:end].translate(bytes.maketrans(b"+/", b"-_")).lower())
    return found


def traces_in_files(folder: Path) -> list[str]:
    """Every file under ``folder`` (database, its -wal, kept PDFs, keys) with a trace."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        content = path.read_bytes().lower()
        if content.startswith(b"%pdf"):  # its text is compressed: read it as text
            text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
            content += b"".join(text.stdout.lower().split())
        found += [
            f"{path.name}: {trace}" for trace in TRACES if any(f in content for f in _forms(trace))
        ]
    return found


def traces_in_rows(app: Flask) -> list[str]:
    """Every table's rows with a trace (signed credentials decoded; the keyed hash the sign-in
    limits keep of the e-mail address counts as one)."""
    found = []
    with app.app_context():
        traces = (*TRACES, limits.account_key(EMAIL))
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(select(table)).mappings():
                text = " ".join(_readable(value) for value in row.values()).lower()
                found += [f"{table.name}: {t}" for t in traces if t.lower() in text]
    return found


def _readable(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    if isinstance(value, str) and value.count(".") == 2 and len(value) > 100:  # a VC-JWT
        payload = value.split(".")[1]
        text += base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    return text


def test_erasure_leaves_no_trace_of_the_person(app: Flask, make_user) -> None:  # noqa: ANN001
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext missing: run `make system-deps` (poppler-utils)")
    make_user("admin", email="second.admin@example.org")
    admin = signed_in(app, make_user("admin").email)
    trainer_user = make_user("trainer")
    trainer = signed_in(app, trainer_user.email)
    learner_user = make_user(name=BENGALI_NAME, email=EMAIL, locale="bn")
    person_id = beneficiary(app)
    with app.app_context():
        assert records.link_account(db.session.get(Beneficiary, person_id), EMAIL) is None
    certificate = earn(app, learner_user.id)
    learner = signed_in(app, EMAIL)
    quiz_id = live_quiz(app, trainer, learner)
    programme_activity(app, learner_user.id, person_id)
    for client, lang in ((learner, "bn"), (admin, "en")):  # the PDFs downloaded, and kept
        with client.get(f"/certificates/{certificate.code}.pdf?lang={lang}") as response:
            assert response.status_code == 200
    for _attempt in range(2):  # someone tried their address with wrong passwords
        login(app.test_client(), EMAIL, "not the password")
    instance = Path(app.instance_path)
    before = traces_in_rows(app)
    with app.app_context():
        hashed = limits.account_key(EMAIL)
    assert any(hashed in found for found in before)  # the failed sign-ins
    assert before and traces_in_files(instance)  # the search finds what is there

    assert "Erased." in erase(admin, person_id)

    assert traces_in_rows(app) == []
    csv_text = trainer.get(f"/live/host/{quiz_id}/results?format=csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))))
    assert [row[1] for row in rows[1:]] == ["—", "—"]  # both played, unnamed
    assert not any(trace in csv_text.lower() for trace in TRACES)
    with admin.get(f"/certificates/{certificate.code}.pdf?lang=en") as response:
        assert response.status_code == 404
    with app.app_context():
        assert not list(documents.folder().glob(f"*{certificate.code}*"))
        assert db.session.get(User, learner_user.id).active is False
    if not PG_URL:  # SQLite: the files themselves (on PostgreSQL they are the server's)
        assert (instance / "lms.sqlite3-wal").stat().st_size == 0
    assert traces_in_files(instance) == []


def test_a_host_user_erased_comes_back_as_a_new_record(app: Flask, make_user) -> None:  # noqa: ANN001
    """The LMS record of a host app's user loses its link to them: a later visit makes a new,
    empty record instead of renaming the erased one."""
    admin = signed_in(app, make_user("admin").email)
    learner = make_user(email=EMAIL)
    with app.app_context():
        db.session.get(User, learner.id).external_id = "host-user-7"
        db.session.commit()
    person_id = beneficiary(app, user_id=learner.id)
    erase(admin, person_id)
    with app.app_context():
        assert db.session.get(User, learner.id).external_id is None


# Staff accounts and the last admin.


def test_staff_accounts_are_not_linked_to_beneficiaries(app: Flask, make_user) -> None:  # noqa: ANN001
    admin_user = make_user("admin")
    admin = signed_in(app, admin_user.email)
    person_id = beneficiary(app)
    token = csrf_token(admin, "/")
    staff = [admin_user.email, make_user("trainer").email, make_user(["learner", "author"]).email]
    for email in staff:
        response = admin.post(
            f"/programme/beneficiaries/{person_id}/account",
            data={"csrf_token": token, "email": email},
        )
        page = admin.get(response.headers["Location"]).get_data(as_text=True)
        assert "cannot be linked to a beneficiary" in page, email
        with app.app_context():
            assert db.session.get(Beneficiary, person_id).user_id is None
    learner = make_user()
    with app.app_context():
        person = db.session.get(Beneficiary, person_id)
        assert "cannot be linked" in records.link_account(person, staff[1])
        assert records.link_account(person, learner.email) is None
        assert db.session.get(Beneficiary, person_id).user_id == learner.id


def test_erasure_never_removes_the_last_admin(app: Flask, make_user) -> None:  # noqa: ANN001
    only_admin = make_user("admin")
    admin = signed_in(app, only_admin.email)
    person_id = beneficiary(app, user_id=only_admin.id)  # linked before links were checked
    page = erase(admin, person_id)
    assert "This is the last active administrator; keep at least one." in page
    with app.app_context():
        assert db.session.get(User, only_admin.id).active is True
        person = db.session.get(Beneficiary, person_id)
        assert (person.name, person.erased_at, person.user_id) == (NAME, None, only_admin.id)
    assert signed_in(app, only_admin.email).get("/").status_code == 200
    make_user("admin")  # with another admin, the erasure goes ahead
    assert "Erased." in erase(admin, person_id)
    with app.app_context():
        assert db.session.get(User, only_admin.id).active is False


def test_kept_certificate_documents_are_the_owners_only(app: Flask, make_user) -> None:  # noqa: ANN001
    learner = make_user(email=EMAIL)
    certificate = earn(app, learner.id)
    client = signed_in(app, EMAIL)
    with client.get(f"/certificates/{certificate.code}.pdf") as response:
        assert response.status_code == 200
    folder = Path(app.instance_path) / "certificates"
    kept = list(folder.iterdir())
    assert [p.suffix for p in kept] == [".pdf"]  # and no temporary file left
    assert stat.S_IMODE(os.stat(kept[0]).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
