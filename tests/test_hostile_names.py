"""Hostile names and texts: script, quotes and spreadsheet formulas in user, enterprise, cluster,
beneficiary and live-participant names and in feedback comments are escaped on every page that
shows them and neutralised in every CSV and Excel download; imports keep such text as text.

Already covered elsewhere, not repeated here:
- tests/test_programme_mentorship.py::test_the_list_is_exported_with_phone_numbers (a formula
  in a meeting outcome, CSV and XLSX)
- tests/test_programme_feedback.py::
  test_summary_page_escapes_comments_and_limits_trainers_to_their_sessions
- tests/test_programme_feedback.py::test_table_response_writes_csv_and_a_safe_xlsx
- tests/test_content_web.py::test_checker_messages_quoting_author_text_are_escaped
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select

from lms.db import db
from lms.programme.exports import table_response
from lms.programme.feedback.services import today
from lms.programme.mentorship import services as mentorship
from lms.programme.models import (
    Beneficiary,
    Cluster,
    Enrolment,
    Enterprise,
    Feedback,
    Programme,
    SessionModule,
    TrainingSession,
)
from tests.conftest import csrf_token, login, write_module
from tests.quiz_bank import QUIZ_YAML
from tests.test_certificates import earn
from tests.test_live import code_of, create_quiz, join

#: Each starts like a spreadsheet formula and carries markup with quotes.
NAMES = {
    "learner": '=HYPERLINK("https://evil.example","x")<script>alert(\'learner\')</script>',
    "trainer": "+1+1<img src=x onerror=\"alert('trainer')\">",
    "admin": "@SUM(1)<svg onload=alert('admin')>",
    "cluster": "-2+3<iframe src='javascript:alert(1)'>",
    "enterprise": "=1+2\"><script>alert('enterprise')</script>",
    "session": "=cmd|' /C calc'!A0<b onmouseover=alert('session')>",
    "comment": "=HYPERLINK(\"https://evil.example\")<script>alert('comment')</script>",
    "participant": "@cmd<script>alert('participant')</script>",
}
RAW = ["<script>alert(", "<img src=x", "<svg onload", "<iframe src=", "<b onmouseover"]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class World:
    code: str
    clients: dict[str, FlaskClient]
    ids: dict[str, int]


@pytest.fixture
def app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    root = tmp_path / "content"
    folder = write_module(root, "tanning", title="Tanning basics", bn="auto", bn_BD="auto")
    (folder / "quiz.yaml").write_text(QUIZ_YAML, encoding="utf-8")
    return make_app(LMS_CONTENT_DIR=str(root), LMS_BASE_URL="https://dakshata.example.org")


@pytest.fixture
def world(app: Flask, make_user) -> World:  # noqa: ANN001
    users = {role: make_user(role, name=NAMES[role]) for role in ("learner", "trainer", "admin")}
    with app.app_context():
        programme = Programme(
            name="P", starts_on=today() - timedelta(30), ends_on=today() + timedelta(30)
        )
        cluster = Cluster(name=NAMES["cluster"], country="IN")
        enterprise = Enterprise(name=NAMES["enterprise"], segment="footwear", cluster=cluster)
        person = Beneficiary(name=NAMES["learner"], user_id=users["learner"].id, gender="female")
        enterprise.beneficiaries.append(person)
        session = TrainingSession(
            title=NAMES["session"],
            held_on=today() - timedelta(1),
            checkin_token="hostile",
            programme=programme,
            cluster=cluster,
        )
        session.module_rows = [SessionModule(module_slug="tanning", position=0)]
        session.trainers = [db.session.merge(users["trainer"])]
        db.session.add_all([programme, enterprise, session])
        db.session.flush()
        session.enrolments.append(Enrolment(beneficiary_id=person.id, present=True))
        ratings = {q: 4 for q in ("overall", "useful", "clear", "pace", "language")}
        db.session.add(
            Feedback(
                session_id=session.id,
                user_id=users["learner"].id,
                role="participant",
                ratings=ratings,
                comment=NAMES["comment"],
            )
        )
        db.session.commit()
        programme_id, session_id, enterprise_id = programme.id, session.id, enterprise.id
    certificate = earn(app, users["learner"].id)  # names the enterprise linked above
    with app.app_context():
        mentorship.refer_top(programme_id)
        ids = {
            "programme": programme_id,
            "session": session_id,
            "enterprise": enterprise_id,
            "mentorship": mentorship.mentorships(programme_id)[0].id,
        }
    clients = {}
    for role, user in users.items():
        clients[role] = app.test_client()
        login(clients[role], user.email)
    quiz_id = create_quiz(clients["trainer"])
    join(app, code_of(app, quiz_id), NAMES["participant"])
    ids["quiz"] = quiz_id
    return World(certificate.code, clients, ids)


def assert_escaped(page: str, *shown: str, where: str = "") -> None:
    for raw in RAW:
        assert raw not in page, (where, raw)
    for name in shown:
        assert str(escape(name)) in page, (where, name)


def test_names_are_escaped_on_every_page_that_shows_them(app: Flask, world: World) -> None:
    ids = world.ids
    pages = {
        "learner": [
            ("/", ["learner"]),
            ("/certificates", ["learner"]),
            ("/my/record", ["learner"]),
        ],
        "trainer": [
            ("/", ["trainer"]),
            ("/programme/sessions", ["session"]),
            (f"/programme/sessions/{ids['session']}", ["learner", "session"]),
            ("/quiz/results?module=tanning", ["learner"]),
            ("/quiz/ranking", ["learner"]),
            (f"/live/host/{ids['quiz']}", ["participant"]),
        ],
        "admin": [
            ("/admin/users", ["learner", "trainer", "admin"]),
            ("/programme/enterprises", ["enterprise"]),
            (f"/programme/enterprises/{ids['enterprise']}", ["enterprise", "learner"]),
            ("/programme/clusters", ["cluster"]),
            ("/programme/dashboard?programme=", ["session", "trainer"]),
            ("/programme/feedback/summary", ["session", "comment"]),
            ("/programme/feedback/summary?tab=trainer", ["trainer"]),
            (f"/programme/mentorship?programme={ids['programme']}", ["learner", "enterprise"]),
            (f"/programme/mentorship/{ids['mentorship']}", ["learner"]),
            ("/certificates/admin", []),
        ],
    }
    for role, listed in pages.items():
        for path, shown in listed:
            response = world.clients[role].get(path)
            assert response.status_code == 200, (role, path)
            assert_escaped(response.get_data(as_text=True), *(NAMES[s] for s in shown), where=path)
    public = app.test_client().get(f"/verify/{world.code}").get_data(as_text=True)
    assert_escaped(public, NAMES["learner"], NAMES["enterprise"], where="verify")


def _csv_cells(response) -> list[list[str]]:  # noqa: ANN001
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def _xlsx_cells(response) -> list[list[object]]:  # noqa: ANN001
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    sheet = book.active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)  # no formula
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def assert_neutral(cells: list[list[object]], *names: str, where: str = "") -> None:
    texts = [c for row in cells for c in row if isinstance(c, str)]
    for text in texts:
        assert not text.startswith(TRIGGERS), (where, text)
    for name in names:
        assert any(t.startswith("'" + name[:20]) for t in texts), (where, name)


EXPORTS = [
    ("trainer", "/quiz/results?module=tanning&format=csv", ["learner"]),
    ("trainer", "/quiz/ranking?format=csv", ["learner"]),
    ("trainer", "/live/host/{quiz}/results?format=csv", ["participant"]),
    ("admin", "/programme/feedback/summary?format={fmt}", ["session", "comment"]),
    ("admin", "/programme/feedback/summary?tab=trainer&format={fmt}", ["trainer"]),
    ("admin", "/programme/mentorship?programme={programme}&format={fmt}", ["learner"]),
    ("admin", "/programme/dashboard/export/sessions.{fmt}?programme=", ["session", "cluster"]),
    ("admin", "/programme/dashboard/export/clusters.{fmt}?programme=", ["cluster"]),
    ("admin", "/programme/dashboard/export/feedback.{fmt}?programme=", ["trainer"]),
]


@pytest.mark.parametrize(("role", "path", "shown"), EXPORTS)
def test_every_export_neutralises_formulas(world: World, role: str, path: str, shown) -> None:  # noqa: ANN001
    formats = ["csv", "xlsx"] if "{fmt}" in path else ["csv"]
    for fmt in formats:
        url = path.format(fmt=fmt, **world.ids)
        response = world.clients[role].get(url)
        cells = _csv_cells(response) if fmt == "csv" else _xlsx_cells(response)
        assert_neutral(cells, *(NAMES[s] for s in shown), where=url)


# Imports keep formula-looking text as text; every download neutralises it.

IMPORT_CSV = (
    "name,cluster,segment,udyam,gstin,women_led,employees\r\n"
    '"=HYPERLINK(""https://evil.example"",""x"")",Tangra,footwear,,,no,5\r\n'
    "+91 Leather,Tangra,footwear,,,yes,\r\n"
    "@SUM(A1:A9),Tangra,tannery,,,no,\r\n"
    "-1+1 Bags,Tangra,leather-goods,,,no,\r\n"
    "Nul\x00Bell\x07 Crafts\x1b,Tangra,other,,,no,\r\n"
)


def test_imported_formula_text_is_kept_and_neutralised_on_the_way_out(
    app: Flask, world: World
) -> None:
    admin = world.clients["admin"]
    with app.app_context():
        db.session.add(Cluster(name="Tangra", country="IN"))
        db.session.commit()
    token = csrf_token(admin, "/programme/enterprises/import")
    response = admin.post(
        "/programme/enterprises/import",
        data={"csrf_token": token, "file": (io.BytesIO(IMPORT_CSV.encode()), "e.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    expected = [
        '=HYPERLINK("https://evil.example","x")',
        "+91 Leather",
        "@SUM(A1:A9)",
        "-1+1 Bags",
        "NulBell Crafts",  # control characters are left out (PostgreSQL cannot store NUL)
    ]
    with app.app_context():
        stored = db.session.scalars(
            select(Enterprise.name).where(Enterprise.id != world.ids["enterprise"])
        ).all()
        assert sorted(stored) == sorted(expected)
        with app.test_request_context():
            for fmt in ("csv", "xlsx"):
                out = table_response(fmt, "enterprises", ["name"], [[n] for n in stored])
                out.direct_passthrough = False
                cells = _csv_cells(out) if fmt == "csv" else _xlsx_cells(out)
                assert_neutral(cells, *(n for n in expected if n[0] in "=+-@"), where=fmt)
    page = admin.get("/programme/enterprises").get_data(as_text=True)
    assert "=HYPERLINK(&#34;https://evil.example&#34;,&#34;x&#34;)" in page


def test_a_too_long_csv_cell_is_a_clear_refusal(app: Flask, world: World) -> None:
    admin = world.clients["admin"]
    raw = ("name,cluster,segment\r\n" + "A" * 200_000 + ",Tangra,footwear\r\n").encode()
    token = csrf_token(admin, "/programme/enterprises/import")
    response = admin.post(
        "/programme/enterprises/import",
        data={"csrf_token": token, "file": (io.BytesIO(raw), "long.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "Line 2 of the file cannot be read: a cell is too long." in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.query(Enterprise).count() == 1  # only the world's own


def test_control_characters_in_a_name_do_not_break_excel_downloads(app: Flask) -> None:
    with app.test_request_context():
        out = table_response("xlsx", "t", ["name\x01"], [["\x01=1+1 Alam\x0b Leather"]])
        cells = _xlsx_cells(out)
    assert cells == [["name"], ["'=1+1 Alam Leather"]]
