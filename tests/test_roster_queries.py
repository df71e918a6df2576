"""The trainer's session page and enrolment ask the database a fixed number of times, whatever
the number of enterprises and people in the cluster (issue 14: one query per enterprise)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from lms.db import db
from lms.programme.models import Beneficiary, Cluster, Enrolment, Enterprise, TrainingSession
from lms.programme.sessions import training
from tests.conftest import csrf_token, login


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    """The SQL statements run inside the block."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.fixture
def roster(app: Flask, make_user) -> tuple[FlaskClient, int, Callable[[int], list[int]]]:  # noqa: ANN001
    """A trainer signed in, a session in Tangra, and a way to add enterprises (two people each,
    one of them enrolled) that returns the ids of the people not enrolled."""
    trainer = make_user("trainer", name="Lead")
    with app.app_context():
        db.session.add(Cluster(name="Tangra", country="IN"))
        db.session.commit()
        session, problems = training.save_session(
            {
                "title": "GST day 1",
                "held_on": "2026-01-01",
                "cluster": "Tangra",
                "capacity": "200",
                "trainers": [str(trainer.id)],
            },
        )
        assert problems == []
        session_id = session.id
    made = iter(range(1000))

    def add(enterprises: int) -> list[int]:
        with app.app_context():
            cluster = db.session.query(Cluster).filter_by(name="Tangra").one()
            session = db.session.get(TrainingSession, session_id)
            free = []
            for _ in range(enterprises):
                number = next(made)
                enterprise = Enterprise(
                    name=f"Enterprise {number}", segment="footwear", cluster=cluster
                )
                enterprise.beneficiaries = [
                    Beneficiary(name=f"Enrolled {number}"),
                    Beneficiary(name=f"Free {number}"),
                ]
                db.session.add(enterprise)
                db.session.flush()
                session.enrolments.append(
                    Enrolment(beneficiary_id=enterprise.beneficiaries[0].id, present=True)
                )
                free.append(enterprise.beneficiaries[1].id)
            db.session.commit()
            return free

    client = app.test_client()
    login(client, trainer.email)
    return client, session_id, add


def test_the_session_page_asks_as_often_for_many_enterprises(app: Flask, roster) -> None:  # noqa: ANN001
    client, session_id, add = roster
    url = f"/programme/sessions/{session_id}"
    counts = []
    for enterprises in (2, 10):
        add(enterprises)
        client.get(url)  # anything a first page view sets up once
        with statements(app) as seen:
            page = client.get(url).get_data(as_text=True)
        counts.append(len(seen))
        assert "Enterprise 1" in page and "Free 1 · Enterprise 1" in page
    assert counts[0] == counts[1], counts
    assert "Enrolled 11" in page and "Free 11 · Enterprise 11" in page


def test_enrolling_many_asks_as_often_as_enrolling_few(app: Flask, roster) -> None:  # noqa: ANN001
    client, session_id, add = roster
    url = f"/programme/sessions/{session_id}"
    counts = []
    for people in (add(2), add(12)):
        token = csrf_token(client, url)
        data = {"action": "enrol", "beneficiaries": [str(i) for i in people], "csrf_token": token}
        with statements(app) as seen:
            assert client.post(url, data=data).status_code == 302
        counts.append(len(seen))
    assert counts[0] == counts[1], counts
    with app.app_context():
        assert len(db.session.get(TrainingSession, session_id).enrolments) == 2 * (2 + 12)
