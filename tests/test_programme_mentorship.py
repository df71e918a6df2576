"""The mentorship list: the top 10 % of a programme's ranking referred once, mentors and
meetings recorded (no meeting in the future), the list exported with phone numbers for admins."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lms.db import db, utcnow
from lms.programme.feedback.services import today
from lms.programme.mentorship import services as ms
from lms.programme.models import (
    Beneficiary,
    Cluster,
    Enrolment,
    Enterprise,
    MentorMeeting,
    Mentorship,
    Programme,
    SessionModule,
    TrainingSession,
)
from lms.quiz import results
from lms.quiz.models import Attempt
from tests.conftest import login, post, write_module
from tests.quiz_bank import QUIZ_YAML


@dataclass
class World:
    programme: int
    learners: list[int]  # ranked by post-test: learners[0] first
    absent: int  # enrolled, never present: not ranked
    admin: str
    emails: dict[str, str]


def attempt(user_id: int, kind: str, percent: float, module: str = "m-one") -> Attempt:
    return Attempt(
        user_id=user_id,
        module_id=module,
        kind=kind,
        number=1,
        country="IN",
        locale="en",
        seed=1,
        items=[],
        submitted_at=utcnow() - timedelta(days=3),
        score=percent,
        max_score=100,
    )


def _session(programme: Programme, modules: list[str], token: str) -> TrainingSession:
    session = TrainingSession(
        title=f"Session {token}", held_on=today(), checkin_token=token, programme=programme
    )
    session.module_rows = [SessionModule(module_slug=s, position=i) for i, s in enumerate(modules)]
    db.session.add(session)
    return session


@pytest.fixture
def world(app: Flask, make_user) -> World:  # noqa: ANN001
    """20 learners present at a programme's session, post-test 97, 94, ... 40: the top two are the
    top 10 %; a 21st enrolled but absent has 100 and is not ranked."""
    learners = [make_user("learner", name=f"Learner {n:02}") for n in range(20)]
    absent = make_user("learner", name="Absent Ace")
    admin = make_user("admin", name="Admin")
    trainer = make_user("trainer")
    with app.app_context():
        programme = Programme(
            name="Kolkata 2026", starts_on=today() - timedelta(60), ends_on=today() + timedelta(60)
        )
        enterprise = Enterprise(
            name="Alam Leather", segment="footwear", cluster=Cluster(name="Tangra", country="IN")
        )
        session = _session(programme, ["m-one"], "s1")
        db.session.add_all([programme, enterprise])
        for index, user in enumerate([*learners, absent]):
            person = Beneficiary(name=user.name, user_id=user.id, phone=f"+9198000000{index:02}")
            enterprise.beneficiaries.append(person)
            db.session.flush()
            session.enrolments.append(Enrolment(beneficiary_id=person.id, present=user != absent))
            db.session.add(attempt(user.id, "post", 100 if user == absent else 97 - 3 * index))
            db.session.add(attempt(user.id, "pre", 30))
            db.session.add(attempt(user.id, "retention", 80))
        db.session.commit()
        results.rebuild()  # attempts written directly, not through the quiz's submit
        programme_id = programme.id
    emails = {"learner": learners[0].email, "trainer": trainer.email, "admin": admin.email}
    return World(programme_id, [u.id for u in learners], absent.id, admin.email, emails)


def admin_client(app: Flask, world: World) -> FlaskClient:
    client = app.test_client()
    login(client, world.admin)
    return client


def test_the_top_ten_percent_are_known_and_referred_once(app: Flask, world: World) -> None:
    from lms import signals

    announced: list[list[int]] = []

    def heard(sender: Flask, **event: object) -> None:
        announced.append(list(event["user_ids"]))  # type: ignore[call-overload]

    signals.mentees_referred.connect(heard, sender=app)
    with app.app_context():
        rows = ms.programme_ranking(world.programme)
        assert len(rows) == 20 and world.absent not in {r.user.id for r in rows}
        assert [r.user.id for r in rows if r.top] == world.learners[:2]
        assert ms.refer_top(world.programme) == 2
        assert ms.refer_top(world.programme) == 0
        listed = ms.mentorships(world.programme)
        assert [(m.user_id, m.rank, m.status) for m in listed] == [
            (world.learners[0], 1, "proposed"),
            (world.learners[1], 2, "proposed"),
        ]
        fifth = ms.refer(world.programme, world.learners[4])
        assert fifth is not None and fifth.rank == 5
        assert ms.refer(world.programme, world.learners[4]).id == fifth.id  # no second row
        assert ms.refer(world.programme, world.absent) is None
        assert db.session.query(Mentorship).count() == 3
    # Each new referral is announced once (a course whose selection takes the list listens).
    assert announced == [world.learners[:2], [world.learners[4]]]


def test_the_page_refers_the_top_and_individuals(app: Flask, world: World) -> None:
    client = admin_client(app, world)
    page = client.get("/programme/mentorship").get_data(as_text=True)  # current programme
    assert "Kolkata 2026" in page and "Learner 00" in page and "Alam Leather" in page
    assert "Refer the top 10 per cent (2 not yet referred)" in page
    assert "Absent Ace" not in page and "97%" in page and "80%" in page
    form = {"programme": str(world.programme)}
    response = post(client, "/programme/mentorship/refer", form)
    assert response.status_code == 302
    assert "2 referred to mentorship." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    again = post(client, "/programme/mentorship/refer", form, follow_redirects=True)
    assert "already referred" in again.get_data(as_text=True)
    post(client, "/programme/mentorship/refer", {**form, "user": str(world.learners[9])})
    missing = post(client, "/programme/mentorship/refer", {**form, "user": str(world.absent)})
    assert missing.status_code == 404
    assert post(client, "/programme/mentorship/refer", {"programme": "999"}).status_code == 404
    with app.app_context():
        ranks = db.session.scalars(select(Mentorship.rank).order_by(Mentorship.rank)).all()
        assert ranks == [1, 2, 10]
    page = client.get(f"/programme/mentorship?programme={world.programme}").get_data(as_text=True)
    assert "Refer the top 10 per cent" not in page and page.count("referred: Proposed") == 3


def test_the_list_and_the_ranking_come_in_pages(
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A programme of 25,000 would list thousands of rows: both tables come in pages, each
    keeping the other's page."""
    from lms.programme.mentorship import views as mentorship_views

    monkeypatch.setattr(mentorship_views, "PAGE_SIZE", 3)
    with app.app_context():
        for learner in world.learners[:5]:
            ms.refer(world.programme, learner)
    client = admin_client(app, world)
    base = f"/programme/mentorship?programme={world.programme}"

    def names(page: str, part: int) -> list[str]:
        table = page.split("<h2>")[part]  # 1: the list, 2: the ranking
        return re.findall(r">(Learner \d\d)<", table)

    first = client.get(base).get_data(as_text=True)
    assert names(first, 1) == ["Learner 00", "Learner 01", "Learner 02"]
    assert names(first, 2) == ["Learner 00", "Learner 01", "Learner 02"]
    assert "1–3 of 5" in first and "1–3 of 20" in first
    later = client.get(f"{base}&page=2&ranks=7").get_data(as_text=True)
    assert names(later, 1) == ["Learner 03", "Learner 04"]
    assert names(later, 2) == ["Learner 18", "Learner 19"]  # the last page: 19-20 of 20
    assert "page=2&amp;ranks=6" in later or "ranks=6&amp;page=2" in later  # Previous keeps page 2
    assert "19–20 of 20" in later


def test_only_admins_see_the_mentorship_list(app: Flask, world: World) -> None:
    with app.app_context():
        ms.refer_top(world.programme)
        mentorship_id = ms.mentorships(world.programme)[0].id
    paths = [
        "/programme/mentorship",
        "/programme/mentorship?format=csv",
        f"/programme/mentorship/{mentorship_id}",
    ]
    anonymous = app.test_client()
    for path in paths:
        response = anonymous.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    refer = post(anonymous, "/programme/mentorship/refer", {"programme": str(world.programme)})
    assert refer.status_code == 302 and "/login" in refer.headers["Location"]
    for who in ("learner", "trainer"):
        client = app.test_client()
        login(client, world.emails[who])
        for path in paths:
            assert client.get(path).status_code == 403, (who, path)
        refer = post(client, "/programme/mentorship/refer", {"programme": str(world.programme)})
        assert refer.status_code == 403
        detail = post(client, paths[2], {"action": "mentor", "status": "active"})
        assert detail.status_code == 403
    with app.app_context():
        assert ms.mentorships(world.programme)[0].status == "proposed"


def test_a_mentor_is_assigned_and_meetings_recorded(app: Flask, world: World) -> None:
    with app.app_context():
        ms.refer_top(world.programme)
        mentorship_id = ms.mentorships(world.programme)[0].id
        on = today()
    client = admin_client(app, world)
    path = f"/programme/mentorship/{mentorship_id}"
    page = client.get(path).get_data(as_text=True)
    assert "Learner 00" in page and "+919800000000" in page and "Tangra" in page
    page = post(client, path, {"action": "mentor", "status": "active", "mentor_name": ""})
    assert "An active mentorship needs the mentor" in page.get_data(as_text=True)
    page = post(client, path, {"action": "mentor", "status": "sleeping", "mentor_name": "R"})
    assert "Choose a status from the list." in page.get_data(as_text=True)
    form = {"action": "mentor", "status": "active", "mentor_name": " Ritu  Banerjee "}
    response = post(client, path, {**form, "mentor_organisation": "SIDBI"})
    assert response.status_code == 302

    future = (on + timedelta(days=1)).isoformat()
    meeting = {"action": "meeting", "held_on": future, "notes": "Loan papers", "outcome": ""}
    page = post(client, path, meeting).get_data(as_text=True)
    assert "is in the future" in page and "Loan papers" in page and f'value="{future}"' in page
    page = post(client, path, {**meeting, "held_on": "15/03/2026"}).get_data(as_text=True)
    assert "Write the date as year-month-day" in page
    page = post(client, path, {**meeting, "held_on": "", "notes": ""}).get_data(as_text=True)
    assert "Enter the date of the meeting." in page and "Write what was discussed" in page
    held = (on - timedelta(days=2)).isoformat()
    response = post(client, path, {**meeting, "held_on": held, "outcome": "Applied for a loan"})
    assert response.status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert "Applied for a loan" in page and 'value="Ritu Banerjee"' in page
    with app.app_context():
        saved = db.session.get(Mentorship, mentorship_id)
        assert (saved.mentor_name, saved.mentor_organisation, saved.status) == (
            "Ritu Banerjee",
            "SIDBI",
            "active",
        )
        assert [(m.held_on.isoformat(), m.notes, m.outcome) for m in saved.meetings] == [
            (held, "Loan papers", "Applied for a loan")
        ]


def test_meeting_rules_as_plain_functions(app: Flask, world: World) -> None:
    with app.app_context():
        ms.refer_top(world.programme)
        mentorship = ms.mentorships(world.programme)[0]
        on = today()
        problems = ms.add_meeting(mentorship, {"held_on": "২০২৬-০১-০৫", "notes": "x"}, on)
        assert problems == {} and mentorship.meetings[0].held_on.isoformat() == "2026-01-05"
        problems = ms.add_meeting(mentorship, {"held_on": on.isoformat(), "notes": "y" * 5001}, on)
        assert set(problems) == {"notes"}
        assert ms.latest_outcome(mentorship) == ""
        assert db.session.query(MentorMeeting).count() == 1


def test_the_list_is_exported_with_phone_numbers(app: Flask, world: World) -> None:
    with app.app_context():
        ms.refer_top(world.programme)
        first = ms.mentorships(world.programme)[0]
        first.mentor_name, first.mentor_organisation, first.status = "Ritu", "SIDBI", "active"
        first.meetings = [
            MentorMeeting(held_on=today() - timedelta(9), notes="a", outcome="=cmd|' /C calc'!A0"),
            MentorMeeting(held_on=today() - timedelta(2), notes="b", outcome=""),
        ]
        db.session.commit()
    client = admin_client(app, world)
    base = f"/programme/mentorship?programme={world.programme}"
    response = client.get(f"{base}&format=csv")
    assert 'filename="mentorship-' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ms.EXPORT_HEADER
    assert rows[1] == [
        "1",
        "Learner 00",
        "Alam Leather",
        "Tangra",
        "'+919800000000",  # csv_response quotes every cell starting with +
        "97.0",
        "80.0",
        "Ritu",
        "SIDBI",
        "active",
        "2",
        "'=cmd|' /C calc'!A0",
    ]
    assert rows[2][:2] == ["2", "Learner 01"] and rows[2][-3:] == ["proposed", "0", ""]
    response = client.get(f"{base}&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    values = list(sheet.values)
    assert values[0] == tuple(ms.EXPORT_HEADER) and sheet["A1"].font.bold
    assert values[1][:6] == (1, "Learner 00", "Alam Leather", "Tangra", "+919800000000", 97)
    assert values[1][-1] == "'=cmd|' /C calc'!A0" and len(values) == 3
    assert client.get(f"{base}&format=doc").status_code == 404


def test_without_a_programme(app: Flask, make_user) -> None:  # noqa: ANN001
    client = app.test_client()
    login(client, make_user("admin").email)
    page = client.get("/programme/mentorship").get_data(as_text=True)
    assert "There is no programme yet" in page
    assert client.get("/programme/mentorship?format=csv").status_code == 404
    assert client.get("/programme/mentorship?programme=5").status_code == 404
    with app.app_context():
        assert ms.load_demo("x") == [] and db.session.query(Mentorship).count() == 0


def test_demo_refers_and_gives_mentors_once(app: Flask, world: World) -> None:
    with app.app_context():
        ms.load_demo("x")
        ms.load_demo("x")
        listed = ms.mentorships(world.programme)
        assert [m.user_id for m in listed] == world.learners[:2]
        assert all(m.status == "active" and m.mentor_name for m in listed)
        assert listed[0].mentor_organisation == "SIDBI, Kolkata"  # an Indian cluster
        assert [len(m.meetings) for m in listed] == [1, 1]


@pytest.fixture
def quiz_app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    root = tmp_path / "content"
    (write_module(root, "with-quiz", order=1) / "quiz.yaml").write_text(QUIZ_YAML, "utf-8")
    write_module(root, "no-quiz", order=2)
    return make_app(LMS_CONTENT_DIR=str(root))


def test_without_session_modules_the_ranking_uses_modules_with_a_quiz(quiz_app: Flask) -> None:
    with quiz_app.app_context():
        programme = Programme(name="P", starts_on=today(), ends_on=today())
        _session(programme, [], "t")
        db.session.commit()
        assert ms.module_ids(programme.id) == ["with-quiz"]
        _session(programme, ["no-quiz"], "u")
        db.session.commit()
        assert ms.module_ids(programme.id) == ["no-quiz"]
