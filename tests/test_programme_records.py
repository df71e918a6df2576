"""The programme record (dates, targets, milestones), beneficiaries imported from CSV or XLSX, and
privacy: who sees personal data, a beneficiary's own download, and erasure."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.testing import FlaskClient

from lms.db import db
from lms.programme import programmes
from lms.programme.models import Milestone, Programme
from tests.conftest import csrf_token, login

PROGRAMME = {
    "name": "Leather MSME skills 2026",
    "starts_on": "2026-09-01",
    "ends_on": "2026-12-31",
    "target_sessions": "50",
    "target_per_session": "50",
    "target_women_share": "30",
    "target_marginalised_share": "25",
    "assessment_starts_on": "2026-09-01",
    "assessment_due_on": "2026-09-30",
    "assessment_done_on": "2026-09-28",
    "delivery_due_on": "2026-12-15",
}


def test_an_admin_records_a_programme_with_targets_and_milestones(
    app: Flask,
    client: FlaskClient,
    make_user,  # noqa: ANN001
) -> None:
    login(client, make_user("admin").email)
    token = csrf_token(client, "/programme/programmes/new")
    bad = {
        **PROGRAMME,
        "csrf_token": token,
        "ends_on": "2026-08-01",
        "content_done_on": "2026-10-01",
    }
    page = client.post("/programme/programmes/new", data=bad).get_data(as_text=True)
    assert "The programme cannot end before it starts." in page
    assert "Content development: give its due date." in page
    assert 'value="Leather MSME skills 2026"' in page  # what was typed is kept
    with app.app_context():
        assert db.session.query(Programme).count() == 0
    assert (
        client.post(
            "/programme/programmes/new", data={**PROGRAMME, "csrf_token": token}
        ).status_code
        == 302
    )
    with app.app_context():
        programme = db.session.query(Programme).one()
        assert (programme.target_sessions, programme.target_marginalised_share) == (50, 0.25)
        kinds = {m.kind: (m.due_on, m.done_on) for m in programme.milestones}
        assert kinds == {
            "assessment": (dt.date(2026, 9, 30), dt.date(2026, 9, 28)),
            "delivery": (dt.date(2026, 12, 15), None),
        }
        programme_id = programme.id
    page = client.get("/programme/programmes").get_data(as_text=True)
    assert "Leather MSME skills 2026" in page and "Needs assessment" in page
    edit = f"/programme/programmes/{programme_id}"
    assert 'value="2026-09-28"' in client.get(edit).get_data(as_text=True)
    client.post(edit, data={**PROGRAMME, "csrf_token": token, "delivery_done_on": "2026-12-10"})
    with app.app_context():
        done = db.session.query(Milestone).filter_by(kind="delivery").one().done_on
        assert done == dt.date(2026, 12, 10) and db.session.query(Milestone).count() == 2


def test_milestone_status() -> None:
    milestone = Milestone(kind="delivery", due_on=dt.date(2026, 12, 15))
    assert programmes.milestone_status(milestone, dt.date(2026, 12, 1)) == "open"
    assert programmes.milestone_status(milestone, dt.date(2026, 12, 16)) == "late"
    milestone.done_on = dt.date(2026, 12, 20)
    assert programmes.milestone_status(milestone, dt.date(2026, 12, 30)) == "done"


def test_only_admins_keep_the_programme(app: Flask, make_user) -> None:  # noqa: ANN001
    anonymous = app.test_client()
    assert anonymous.get("/programme/programmes").status_code == 302
    for role in ("learner", "trainer", "author"):
        client = app.test_client()
        login(client, make_user(role).email)
        assert client.get("/programme/programmes").status_code == 403
        assert client.get("/programme/programmes/new").status_code == 403
