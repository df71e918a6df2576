"""Training sessions: several trainers and modules, who may run a session, and attendance by the
session's QR code (a participant checks in on their own tablet)."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lms.db import db
from lms.programme.models import Beneficiary, Cluster, Enterprise, TrainingSession
from lms.programme.sessions import training
from tests.conftest import csrf_token, login


@pytest.fixture
def people(app: Flask, make_user) -> dict:  # noqa: ANN001
    """Two trainers, a learner linked to a beneficiary, a learner without one, a session today."""
    lead, second = make_user("trainer", name="Lead"), make_user("trainer", name="Second")
    owner, stranger = make_user(name="Asha"), make_user(name="Stranger")
    with app.app_context():
        cluster = Cluster(name="Tangra", country="IN")
        enterprise = Enterprise(name="Shampa Bags", segment="leather-goods", cluster=cluster)
        enterprise.beneficiaries = [
            Beneficiary(name="Asha", user_id=owner.id),
            Beneficiary(name="Babu"),
        ]
        db.session.add(enterprise)
        db.session.commit()
        session, problems = training.save_session(
            {
                "title": "GST day 1",
                "held_on": "2026-01-01",
                "cluster": "Tangra",
                "capacity": "2",
                "trainers": [str(lead.id)],
                "modules": ["gst-vat"],
            },
        )
        assert problems == []
        session.held_on = training.session_today(session)
        db.session.commit()
        ids = {
            "session": session.id,
            "token": session.checkin_token,
            "asha": enterprise.beneficiaries[0].id,
            "babu": enterprise.beneficiaries[1].id,
        }
    return {"lead": lead, "second": second, "owner": owner, "stranger": stranger, **ids}


def test_a_session_has_several_trainers_and_modules(
    app: Flask, client: FlaskClient, people
) -> None:  # noqa: ANN001
    login(client, people["lead"].email)
    url = f"/programme/sessions/{people['session']}/edit"
    token = csrf_token(client, url)
    form = {
        "csrf_token": token,
        "title": "GST and e-commerce",
        "held_on": "2026-12-02",
        "capacity": "40",
        "language": "bn_BD",
        "cluster": "Tangra",
        "trainers": [str(people["lead"].id), str(people["second"].id)],
        "modules": ["gst-vat", "e-commerce"],
    }
    assert client.post(url, data=form).status_code == 302
    with app.app_context():
        session = db.session.get(TrainingSession, people["session"])
        assert [t.name for t in session.trainers] == ["Lead", "Second"]
        assert session.module_slugs == ["gst-vat", "e-commerce"]
        assert (session.capacity, session.language) == (40, "bn_BD")
    page = client.get(f"/programme/sessions/{people['session']}").get_data(as_text=True)
    assert "Lead, Second" in page
    refused = client.post(url, data={**form, "modules": ["../etc/passwd"], "trainers": ["999"]})
    page = refused.get_data(as_text=True)
    assert "Choose modules from the list." in page and "Choose trainers from the list." in page
    with app.app_context():  # nothing saved from the refused form
        assert db.session.get(TrainingSession, people["session"]).module_slugs == [
            "gst-vat",
            "e-commerce",
        ]


def test_capacity_cannot_drop_below_the_enrolled(app: Flask, people) -> None:  # noqa: ANN001
    with app.app_context():
        session = db.session.get(TrainingSession, people["session"])
        assert training.enrol(session, [people["asha"], people["babu"]]) == []
        saved, problems = training.save_session(
            {"title": "x", "held_on": "2026-12-02", "capacity": "1"}, session
        )
        assert saved is None and problems == [
            "2 people are enrolled: the capacity cannot be smaller."
        ]


def test_only_the_sessions_trainers_and_admins_run_it(
    app: Flask, client: FlaskClient, people, make_user
) -> None:  # noqa: ANN001
    login(client, people["second"].email)
    url = f"/programme/sessions/{people['session']}"
    token = csrf_token(client, url)
    assert client.get(url + "/edit").status_code == 403
    assert client.get(url + "/qr").status_code == 403
    data = {"csrf_token": token, "action": "enrol", "beneficiaries": [str(people["asha"])]}
    assert client.post(url, data=data).status_code == 403
    admin = app.test_client()
    login(admin, make_user("admin").email)
    assert admin.get(url + "/qr").status_code == 200
    assert admin.post(url, data={**data, "csrf_token": csrf_token(admin, url)}).status_code == 302
    with app.app_context():
        assert len(db.session.get(TrainingSession, people["session"]).enrolments) == 1


def test_a_participant_checks_in_by_the_qr_code(app: Flask, client: FlaskClient, people) -> None:  # noqa: ANN001
    trainer = app.test_client()
    login(trainer, people["lead"].email)
    qr_page = trainer.get(f"/programme/sessions/{people['session']}/qr").get_data(as_text=True)
    checkin = f"/programme/checkin/{people['token']}"
    assert checkin in qr_page and "<svg" in qr_page
    assert client.get(checkin).status_code == 302  # sign in first
    login(client, people["owner"].email)
    page = client.get(checkin).get_data(as_text=True)
    assert "I am here" in page
    with app.app_context():  # looking at the page changes nothing
        assert db.session.get(TrainingSession, people["session"]).present == 0
    done = client.post(checkin, data={"csrf_token": csrf_token(client, checkin)})
    assert "You are checked in" in done.get_data(as_text=True)
    with app.app_context():
        session = db.session.get(TrainingSession, people["session"])
        (enrolment,) = session.enrolments  # a walk-in is enrolled as they check in
        assert (enrolment.beneficiary_id, enrolment.present, enrolment.marked_via) == (
            people["asha"],
            True,
            "qr",
        )
    assert "You are checked in" in client.get(checkin).get_data(as_text=True)
    assert client.get("/programme/checkin/not-a-token").status_code == 404


def test_check_in_refusals(app: Flask, client: FlaskClient, people) -> None:  # noqa: ANN001
    checkin = f"/programme/checkin/{people['token']}"
    login(client, people["stranger"].email)
    page = client.post(checkin, data={"csrf_token": csrf_token(client, checkin)}).get_data(
        as_text=True
    )
    assert "not linked to a participant record" in page
    with app.app_context():
        session = db.session.get(TrainingSession, people["session"])
        session.capacity = 1
        training.enrol(session, [people["babu"]])
    owner = app.test_client()
    login(owner, people["owner"].email)
    page = owner.post(checkin, data={"csrf_token": csrf_token(owner, checkin)}).get_data(
        as_text=True
    )
    assert "The session is full" in page
    with app.app_context():
        session = db.session.get(TrainingSession, people["session"])
        session.capacity = 5
        session.held_on = training.session_today(session) - dt.timedelta(days=1)
        db.session.commit()
    page = owner.post(checkin, data={"csrf_token": csrf_token(owner, checkin)}).get_data(
        as_text=True
    )
    assert "only on the day of the session" in page
    with app.app_context():
        assert db.session.get(TrainingSession, people["session"]).present == 0


def test_session_today_follows_the_clusters_country(app: Flask) -> None:
    with app.app_context():
        session = TrainingSession(cluster=Cluster(name="Savar", country="BD"))
        now = dt.datetime.now(dt.UTC)
        assert training.session_today(session) == (now + dt.timedelta(hours=6)).date()


def test_attendance_is_signalled(app: Flask, people) -> None:  # noqa: ANN001
    from lms import signals

    seen: list = []  # type: ignore[type-arg]
    receiver = lambda sender, **extra: seen.append((extra["beneficiary_id"], extra["via"]))  # noqa: E731
    signals.attendance_marked.connect(receiver, sender=app)
    try:
        with app.app_context():
            session = db.session.get(TrainingSession, people["session"])
            training.enrol(session, [people["babu"]])
            training.mark(session, people["babu"], True)
            training.check_in(session, people["owner"].id)
    finally:
        signals.attendance_marked.disconnect(receiver, sender=app)
    assert seen == [(people["babu"], "roster"), (people["asha"], "qr")]


def test_enrolment_offers_the_sessions_cluster_first(
    app: Flask, client: FlaskClient, people
) -> None:  # noqa: ANN001
    with app.app_context():
        savar = Cluster(name="Savar", country="BD")
        db.session.add(
            Enterprise(
                name="Savar Hides",
                segment="tannery",
                cluster=savar,
                beneficiaries=[Beneficiary(name="Arif")],
            )
        )
        db.session.commit()
    login(client, people["lead"].email)
    url = f"/programme/sessions/{people['session']}"
    page = client.get(url).get_data(as_text=True)
    assert "Babu · Shampa Bags" in page and "Arif" not in page
    assert "Arif · Savar Hides" in client.get(url + "?all=1").get_data(as_text=True)
