"""End-of-session feedback: who may answer, saving and updating one answer, refusals that keep
the form, summaries per session / trainer / module checked by hand, escaping and downloads."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lms.db import db
from lms.programme.exports import XLSX_MIMETYPE, table_response
from lms.programme.feedback import services as fb
from lms.programme.models import (
    Beneficiary,
    Enrolment,
    Enterprise,
    Feedback,
    Programme,
    SessionModule,
    TrainingSession,
)
from lms.programme.scope import Filters
from tests.conftest import login, post

L1_A = {"overall": 5, "useful": 3, "clear": 5, "pace": 4, "language": 5}  # sum 22
L2_A = {"overall": 4, "useful": 4, "clear": 3, "pace": 4, "language": 2}  # sum 17
L3_B = {"overall": 2, "useful": 2, "clear": 2, "pace": 2, "language": 2}  # sum 10
T1_A = {"engaged": 4, "venue": 3, "time": 2, "materials": 5, "overall": 4}


@dataclass
class World:
    a: int  # held 2 days ago, trainer T1, modules m-one and m-two; L1 present, L2 enrolled
    b: int  # held 5 days ago, trainers T1 and T2, module m-two; L3 present, L1 enrolled
    future: int  # in 3 days, trainer T1; L1 enrolled
    old: int  # 40 days ago; L1 present
    emails: dict[str, str]
    ids: dict[str, int]


def _session(title: str, held_on: date, trainers: list, modules: list[str], **extra) -> int:  # noqa: ANN001, ANN003
    session = TrainingSession(title=title, held_on=held_on, checkin_token=title, **extra)
    session.trainers = trainers
    session.module_rows = [SessionModule(module_slug=s, position=i) for i, s in enumerate(modules)]
    db.session.add(session)
    db.session.flush()
    return session.id


@pytest.fixture
def world(app: Flask, make_user) -> World:  # noqa: ANN001
    users = {
        "T1": make_user("trainer", name="Trainer One"),
        "T2": make_user("trainer", name="Trainer Two"),
        "L1": make_user("learner", name="Learner One"),
        "L2": make_user("learner", name="Learner Two"),
        "L3": make_user("learner", name="Learner Three"),
        "L4": make_user("learner", name="Not Enrolled"),
        "admin": make_user("admin", name="Admin"),
    }
    with app.app_context():
        today = fb.today()
        programme = Programme(
            name="P", starts_on=today - timedelta(90), ends_on=today + timedelta(90)
        )
        enterprise = Enterprise(name="Alam Leather", segment="footwear")
        db.session.add_all([programme, enterprise])
        people = {}
        for key in ("L1", "L2", "L3", "L4"):
            people[key] = Beneficiary(name=key, user_id=users[key].id, phone="+919800000001")
            enterprise.beneficiaries.append(people[key])
        db.session.flush()
        t1, t2 = (db.session.merge(users[k]) for k in ("T1", "T2"))
        a = _session(
            "Session A", today - timedelta(2), [t1], ["m-one", "m-two"], programme=programme
        )
        b = _session("Session B", today - timedelta(5), [t1, t2], ["m-two"], programme=programme)
        future = _session("Session Later", today + timedelta(3), [t1], ["m-one"])
        old = _session("Session Old", today - timedelta(40), [t1], ["m-one"])
        for session_id, key, present in (
            (a, "L1", True),
            (a, "L2", False),
            (b, "L3", True),
            (b, "L1", False),
            (future, "L1", False),
            (old, "L1", True),
        ):
            db.session.add(
                Enrolment(session_id=session_id, beneficiary_id=people[key].id, present=present)
            )
        db.session.commit()
    return World(
        a,
        b,
        future,
        old,
        {k: u.email for k, u in users.items()},
        {k: u.id for k, u in users.items()},
    )


def client_for(app: Flask, world: World, who: str) -> FlaskClient:
    client = app.test_client()
    login(client, world.emails[who])
    return client


def add_feedback(app: Flask, world: World) -> None:
    with app.app_context():
        for session_id, who, role, ratings, comment in (
            (world.a, "L1", "participant", L1_A, "Very useful <script>alert(1)</script>"),
            (world.a, "L2", "participant", L2_A, ""),
            (world.b, "L3", "participant", L3_B, "=cmd|' /C calc'!A0"),
            (world.a, "T1", "trainer", T1_A, "The projector failed."),
        ):
            db.session.add(
                Feedback(
                    session_id=session_id,
                    user_id=world.ids[who],
                    role=role,
                    ratings=ratings,
                    comment=comment,
                )
            )
        db.session.commit()


FULL = {"overall": "5", "useful": "4", "clear": "5", "pace": "3", "language": "4"}


def test_a_participant_sends_then_updates_one_answer(app: Flask, world: World) -> None:
    client = client_for(app, world, "L1")
    path = f"/programme/sessions/{world.a}/feedback"
    page = client.get(path).get_data(as_text=True)
    assert "Was it useful for my business?" in page and "Very poor" in page and "Very good" in page
    response = post(client, path, {**FULL, "comment": "Good trainer"})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/programme/feedback"
    )
    assert "Thank you, your feedback is saved." in client.get("/programme/feedback").get_data(
        as_text=True
    )
    post(client, path, {**FULL, "overall": "2", "comment": "On second thoughts"})
    with app.app_context():
        rows = db.session.scalars(select(Feedback).where(Feedback.session_id == world.a)).all()
        assert len(rows) == 1
        assert rows[0].role == "participant" and rows[0].user_id == world.ids["L1"]
        assert rows[0].ratings == {**{k: int(v) for k, v in FULL.items()}, "overall": 2}
        assert rows[0].comment == "On second thoughts"
    page = client.get(path).get_data(as_text=True)  # the saved answers are shown again
    assert 'name="overall" value="2" checked' in page and "On second thoughts" in page


def test_missing_and_out_of_range_ratings_are_refused_and_the_form_kept(
    app: Flask, world: World
) -> None:
    client = client_for(app, world, "L1")
    path = f"/programme/sessions/{world.a}/feedback"
    page = post(client, path, {"overall": "4", "comment": "Keep this text"}).get_data(as_text=True)
    assert page.count("Please choose one answer.") == 4
    assert 'name="overall" value="4" checked' in page and "Keep this text" in page
    page = post(client, path, {**FULL, "useful": "7", "comment": "x"}).get_data(as_text=True)
    assert "Choose one of the five answers" in page and 'name="pace" value="3" checked' in page
    page = post(client, path, {**FULL, "clear": "0"}).get_data(as_text=True)
    assert "Choose one of the five answers" in page
    page = post(client, path, {**FULL, "comment": "x" * 2001}).get_data(as_text=True)
    assert "at most 2,000 characters" in page
    with app.app_context():
        assert db.session.query(Feedback).count() == 0


def test_ratings_are_cleaned_by_plain_rules() -> None:
    ratings, comment, problems = fb.clean(
        "trainer", {"engaged": "৪", "venue": "5", "comment": " ok "}
    )
    assert ratings == {"engaged": 4, "venue": 5} and comment == "ok"
    assert set(problems) == {"time", "materials", "overall"}
    _r, _c, problems = fb.clean("participant", {**FULL, "pace": "4.5"})
    assert set(problems) == {"pace"}


def test_who_may_answer(app: Flask, world: World, client: FlaskClient) -> None:
    path = f"/programme/sessions/{world.a}/feedback"
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client_for(app, world, "L4").get(path).status_code == 403  # not enrolled
    assert post(client_for(app, world, "L4"), path, FULL).status_code == 403
    assert client_for(app, world, "T2").get(path).status_code == 403  # not this session's trainer
    assert client_for(app, world, "admin").get(path).status_code == 403
    # Enrolled but not marked present: still asked (attendance is sometimes taken late).
    assert client_for(app, world, "L2").get(path).status_code == 200
    trainer = client_for(app, world, "T1")
    assert "Were the participants engaged?" in trainer.get(path).get_data(as_text=True)
    post(trainer, path, {k: "4" for k, _label in fb.QUESTIONS["trainer"]})
    with app.app_context():
        assert db.session.scalars(select(Feedback.role)).all() == ["trainer"]
    assert client.get("/programme/sessions/9999/feedback").status_code == 302  # anonymous first


def test_feedback_opens_on_the_day_of_the_session(app: Flask, world: World) -> None:
    client = client_for(app, world, "L1")
    path = f"/programme/sessions/{world.future}/feedback"
    assert "Feedback opens on the day" in client.get(path).get_data(as_text=True)
    post(client, path, FULL)
    with app.app_context():
        assert db.session.query(Feedback).count() == 0


def test_the_list_shows_recent_sessions_awaiting_feedback(app: Flask, world: World) -> None:
    client = client_for(app, world, "L1")
    page = client.get("/programme/feedback").get_data(as_text=True)
    assert "Session A" in page and "Session B" in page
    assert "Session Later" not in page and "Session Old" not in page
    assert page.count("Give feedback") == 2
    post(client, f"/programme/sessions/{world.a}/feedback", FULL)
    page = client.get("/programme/feedback").get_data(as_text=True)
    assert page.count("Give feedback") == 1 and "Change my answers" in page
    assert "Session A" in client_for(app, world, "T1").get("/programme/feedback").get_data(
        as_text=True
    )
    assert "No session to give feedback on" in client_for(app, world, "L4").get(
        "/programme/feedback"
    ).get_data(as_text=True)
    assert app.test_client().get("/programme/feedback").status_code == 302


def test_summaries_by_session_trainer_and_module(app: Flask, world: World) -> None:
    add_feedback(app, world)
    with app.app_context():
        by_session = {r.label: r for r in fb.summary_by_session(Filters())}
        a, b = by_session["Session A"], by_session["Session B"]
        assert (a.count, b.count, by_session["Session Old"].count) == (2, 1, 0)
        assert a.mean("overall") == 4.5 and a.mean("useful") == 3.5 and a.mean("language") == 3.5
        assert a.overall == pytest.approx(39 / 10) and b.overall == 2.0
        assert by_session["Session Old"].overall is None
        assert a.comments == ["Very useful <script>alert(1)</script>"]

        by_trainer = {r.label: r for r in fb.summary_by_trainer(Filters())}
        one, two = by_trainer["Trainer One"], by_trainer["Trainer Two"]
        assert (one.count, two.count) == (3, 1)
        assert one.mean("overall") == pytest.approx(11 / 3) and one.overall == pytest.approx(
            49 / 15
        )
        assert two.mean("overall") == 2.0

        by_module = {r.key: r for r in fb.summary_by_module(Filters())}
        assert list(by_module) == ["m-one", "m-two"]
        assert by_module["m-one"].count == 2 and by_module["m-one"].mean("overall") == 4.5
        assert by_module["m-two"].count == 3 and by_module["m-two"].overall == pytest.approx(
            49 / 15
        )

        trainers = fb.summary_by_session(Filters(), role="trainer")
        assert [(r.label, r.count) for r in trainers if r.count] == [("Session A", 1)]
        assert next(r for r in trainers if r.count).mean("time") == 2.0
        only_two = fb.summary_by_trainer(Filters(trainer_id=world.ids["T2"]))
        assert [r.label for r in only_two] == ["Trainer Two"]
        assert [r.label for r in fb.summary_by_session(Filters(trainer_id=world.ids["T2"]))] == [
            "Session B"
        ]


def test_means_have_one_decimal_in_the_readers_digits(app: Flask) -> None:
    with app.test_request_context("/", headers={"Accept-Language": "bn"}):
        assert fb.format_mean(3.9) == "৩.৯" and fb.format_mean(4) == "৪.০"
        assert fb.format_mean(None) == "—"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert fb.format_mean(49 / 15) == "3.3"


def test_summary_page_escapes_comments_and_limits_trainers_to_their_sessions(
    app: Flask, world: World
) -> None:
    add_feedback(app, world)
    path = "/programme/feedback/summary"
    anonymous = app.test_client().get(path)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert client_for(app, world, "L1").get(path).status_code == 403
    admin = client_for(app, world, "admin").get(path).get_data(as_text=True)
    assert "Session A" in admin and "Session B" in admin and ">3.9<" in admin
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in admin and "<script>alert(1)" not in admin
    assert "Learner One" not in admin  # comments are anonymous
    two = client_for(app, world, "T2")
    page = two.get(path).get_data(as_text=True)
    assert "Session B" in page and "Session A" not in page
    page = two.get(f"{path}?trainer={world.ids['T1']}").get_data(as_text=True)
    assert "Session A" not in page  # a trainer cannot look at another trainer's sessions
    page = client_for(app, world, "admin").get(f"{path}?tab=trainer").get_data(as_text=True)
    assert "Trainer One" in page and "Trainer Two" in page
    page = client_for(app, world, "admin").get(f"{path}?tab=module&role=trainer")
    assert "m-one" in page.get_data(as_text=True) and ">4.0<" in page.get_data(as_text=True)


def test_summary_downloads(app: Flask, world: World) -> None:
    add_feedback(app, world)
    admin = client_for(app, world, "admin")
    path = "/programme/feedback/summary"
    csv_text = admin.get(f"{path}?format=csv").get_data(as_text=True).lstrip("\ufeff")
    lines = csv_text.splitlines()
    assert lines[0] == "session,date,responses,overall,useful,clear,pace,language,mean,comments"
    assert any(
        line.startswith("Session A,") and ",2,4.5,3.5,4.0,4.0,3.5,3.9," in line for line in lines
    )
    assert "'=cmd" in csv_text
    response = admin.get(f"{path}?format=xlsx")
    assert response.mimetype == XLSX_MIMETYPE
    assert "feedback-participant-by-session.xlsx" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.values)
    assert rows[0][:4] == ("session", "date", "responses", "overall")
    b = next(r for r in rows if r[0] == "Session B")
    assert b[2] == 1 and b[3] == 2 and b[-1] == "'=cmd|' /C calc'!A0"  # neutralised
    trainer = admin.get(f"{path}?format=csv&tab=trainer").get_data(as_text=True)
    assert "Trainer One,3,3.67," in trainer
    assert admin.get(f"{path}?format=pdf").status_code == 404
    assert client_for(app, world, "L1").get(f"{path}?format=csv").status_code == 403


def test_table_response_writes_csv_and_a_safe_xlsx(app: Flask) -> None:
    with app.test_request_context("/"):
        header = ["name", "score", "when"]
        rows = [
            ['=HYPERLINK("x")', 4.5, date(2026, 3, 1)],
            ["@sum", None, None],
            ["+SUM(A1)", None, None],
            ["+919800000000", None, None],
            ["Ok", 3, None],
        ]
        response = table_response("xlsx", "a/b:report", header, rows)
        book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
        sheet = book.active
        assert sheet.title == "a-b-report" and sheet["A1"].font.bold
        assert sheet["A2"].value == '\'=HYPERLINK("x")' and sheet["A3"].value == "'@sum"
        assert sheet["A4"].value == "'+SUM(A1)" and sheet["A5"].value == "+919800000000"
        assert sheet["B2"].value == 4.5 and sheet["C2"].value.date() == date(2026, 3, 1)
        assert sheet.column_dimensions["A"].width > len("name")
        assert 'filename="a/b:report.xlsx"' in response.headers["Content-Disposition"]
        csv_response = table_response("csv", "report", header, rows)
        assert csv_response.mimetype == "text/csv"
        assert "'=HYPERLINK" in csv_response.get_data(as_text=True)
        with pytest.raises(Exception) as raised:
            table_response("ods", "report", header, rows)
        assert getattr(raised.value, "code", None) == 404


def test_demo_feedback_is_idempotent(app: Flask, world: World) -> None:
    with app.app_context():
        fb.load_demo("x")
        fb.load_demo("x")
        rows = db.session.scalars(select(Feedback)).all()
        # present at A (L1) and B (L3) and Old (L1); trainers of A, B (T1, T2) and Old (T1)
        assert sorted((r.session_id, r.role) for r in rows) == sorted(
            [
                (world.a, "participant"),
                (world.a, "trainer"),
                (world.b, "participant"),
                (world.b, "trainer"),
                (world.b, "trainer"),
                (world.old, "participant"),
                (world.old, "trainer"),
            ]
        )
        assert all(set(r.ratings.values()) <= {3, 4, 5} for r in rows)
