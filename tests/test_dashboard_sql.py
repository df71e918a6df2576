"""The officials' dashboard counted by the database (issue 14) gives every figure the ORM-and-Python
dashboard gave (``tests/reference_dashboard.py``), on the programme demo plus awkward rows, under
several filters; and each download asks only for its own tables."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields, is_dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select

from lms.certificates.models import Certificate
from lms.db import db
from lms.programme import scope
from lms.programme.dashboard import reports
from lms.programme.dashboard.services import Dashboard
from lms.programme.models import (
    Beneficiary,
    Cluster,
    Enrolment,
    Enterprise,
    Feedback,
    Programme,
    SessionTrainer,
    TrainingSession,
)
from tests import reference_dashboard as reference
from tests.conftest import build_app

TODAY = date.today()


def plain(value: Any) -> Any:
    """Dataclasses, tuples and lists as nested lists, to compare whole figures at once."""
    if is_dataclass(value) and not isinstance(value, type):
        return [plain(getattr(value, f.name)) for f in fields(value)]
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def same(old: Any, new: Any, where: str = "") -> None:
    """Equal, floats to 1e-9."""
    if isinstance(old, float) or isinstance(new, float):
        assert old is not None and new is not None, where
        assert math.isclose(old, new, rel_tol=1e-9, abs_tol=1e-9), (where, old, new)
    elif isinstance(old, list) and isinstance(new, list):
        assert len(old) == len(new), (where, old, new)
        for index, (a, b) in enumerate(zip(old, new, strict=True)):
            same(a, b, f"{where}[{index}]")
    else:
        assert old == new, (where, old, new)


def figures_of_reference(dash: reference.Dashboard) -> dict[str, Any]:
    return {
        "held": [r.session.id for r in dash.held],
        "upcoming": dash.upcoming,
        "at_target": dash.at_target(dash.held),
        "mean_present": dash.mean_present,
        "outreach": plain(dash.outreach),
        "sessions": [
            [
                r.session.id,
                r.held,
                r.enrolled,
                len(r.present),
                plain(r.outreach),
                len(r.feedback),
                r.rating,
            ]
            for r in dash.sessions
        ],
        "clusters": plain(dash.clusters),
        "timeline": plain(dash.timeline),
        "milestones": plain(dash.milestones),
        "gaps": plain(dash.gaps),
        "trainers": plain(dash.trainers),
        # The reference ordered by kind alone: achievements of one kind came in the database's
        # order (the table's on SQLite, any on PostgreSQL). Now: by kind, then first issue.
        "certificates": sorted(plain(dash.certificates)),
        "certificates_issued": dash.certificates_issued,
    }


def figures_of(dash: Dashboard) -> dict[str, Any]:
    return {
        "held": [r.session.id for r in dash.held],
        "upcoming": dash.upcoming,
        "at_target": dash.held_at_target,
        "mean_present": dash.mean_present,
        "outreach": plain(dash.outreach),
        "sessions": [
            [r.session.id, r.held, r.enrolled, r.present, plain(r.outreach), r.responses, r.rating]
            for r in dash.sessions
        ],
        "clusters": plain(dash.clusters),
        "timeline": plain(dash.timeline),
        "milestones": plain(dash.milestones),
        "gaps": plain(dash.gaps),
        "trainers": plain(dash.trainers),
        "certificates": sorted(plain(dash.certificates)),
        "certificates_issued": dash.certificates_issued,
    }


def _awkward_rows(programme: Programme) -> None:
    """What the demo lacks: erased people counted as women or marginalised, categories that are
    almost marginalised, a session without a cluster, odd ratings, revoked certificates, and a
    person present in two clusters."""
    sessions = db.session.scalars(
        select(TrainingSession)
        .where(TrainingSession.programme_id == programme.id)
        .order_by(TrainingSession.held_on)
    ).all()
    held = [s for s in sessions if s.held_on <= TODAY and s.present]
    first, last = held[0], held[-1]
    enterprise = db.session.scalars(select(Enterprise).order_by(Enterprise.id)).first()
    people = [
        Beneficiary(
            enterprise=enterprise,
            name="",
            gender="not-said",
            counted_female=True,
            erased_at=datetime.now(UTC),
        ),
        Beneficiary(enterprise=enterprise, name="m", gender="male", counted_marginalised=True),
        Beneficiary(enterprise=enterprise, name="SC", gender="Female", social_category="SC"),
        Beneficiary(enterprise=enterprise, name="f", gender="female", social_category="st"),
    ]
    loose = TrainingSession(
        title="No cluster",
        held_on=first.held_on + timedelta(days=1),
        programme_id=programme.id,
        checkin_token="no-cluster",
    )
    loose.trainers = list(first.trainers)
    loose.enrolments = [Enrolment(beneficiary=p, present=True) for p in people[:3]]
    loose.enrolments.append(Enrolment(beneficiary=people[3], present=False))
    db.session.add(loose)
    last.enrolments.append(Enrolment(beneficiary=people[3], present=True))
    # Someone present in two clusters and on two days: counted once overall, once per cluster.
    other = next(s for s in held if s.cluster_id != first.cluster_id)
    traveller = next(e.beneficiary for e in first.enrolments if e.present)
    if traveller.id not in {e.beneficiary_id for e in other.enrolments}:
        other.enrolments.append(Enrolment(beneficiary=traveller, present=True))
    db.session.flush()
    odd = {"a": True, "b": 0, "c": 6, "d": 4.0, "e": "5", "f": 3, "g": None, "h": 1}
    db.session.add_all(
        [
            Feedback(session_id=loose.id, user_id=None, role="participant", ratings=odd),
            Feedback(session_id=loose.id, user_id=None, role="trainer", ratings={"a": 5}),
            Feedback(session_id=first.id, user_id=None, role="participant", ratings={}),
        ]
    )
    certificates = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
    for cert in certificates[::3]:
        cert.revoked_at = cert.issued_at + timedelta(days=1)
    db.session.commit()


def _filters(app: Flask) -> list[tuple[scope.Filters, date]]:
    with app.app_context():
        programme = db.session.scalar(select(Programme).order_by(Programme.id.desc()))
        clusters = db.session.scalars(select(Cluster.id).order_by(Cluster.id)).all()
        trainers = db.session.scalars(
            select(SessionTrainer.user_id).order_by(SessionTrainer.user_id).distinct()
        ).all()
        days = db.session.scalars(
            select(TrainingSession.held_on).order_by(TrainingSession.held_on)
        ).all()
    middle = days[len(days) // 2]
    p = programme.id
    return [
        (scope.Filters(), TODAY),
        (scope.Filters(programme_id=p), TODAY),
        (scope.Filters(programme_id=p), middle),
        (scope.Filters(programme_id=p, cluster_id=clusters[0]), TODAY),
        (scope.Filters(cluster_id=clusters[-1]), TODAY),
        (scope.Filters(programme_id=p, start=days[2], end=middle), TODAY),
        (scope.Filters(end=days[3]), TODAY),
        (scope.Filters(programme_id=p, trainer_id=trainers[0]), TODAY),
        (scope.Filters(cluster_id=clusters[1], trainer_id=trainers[-1], start=days[1]), TODAY),
        (scope.Filters(programme_id=p + 1000), TODAY),
    ]


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The programme demo and the awkward rows, made once for the module (about a minute)."""
    from lms.demo import load_demo

    app = build_app(tmp_path_factory.mktemp("dashboard-sql"))
    with app.app_context():
        load_demo("dakshata-demo")
        programme = db.session.scalar(select(Programme).order_by(Programme.id.desc()))
        _awkward_rows(programme)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("locale", ["en", "bn"])
def test_every_figure_equals_the_reference(demo_app: Flask, locale: str) -> None:
    checked = set()
    for filters, today in _filters(demo_app):
        with demo_app.test_request_context(headers={"Accept-Language": locale}):
            old = figures_of_reference(reference.Dashboard(filters, today=today))
            db.session.expunge_all()  # the new figures must not use the reference's objects
            new = figures_of_(filters, today)
        for name in old:
            same(old[name], new[name], f"{filters} {today} {name}")
        checked.update(name for name, value in old.items() if value not in ([], 0, None))
    # The filters above reach every figure with something in it.
    assert {"held", "clusters", "trainers", "certificates", "gaps", "sessions"} <= checked


def figures_of_(filters: scope.Filters, today: date) -> dict[str, Any]:
    return figures_of(Dashboard(filters, today=today))


@contextmanager
def tables_queried() -> Iterator[set[str]]:
    """The ``lms_*`` tables named by the statements run inside the block."""
    found: set[str] = set()

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        found.update(re.findall(r"\blms_[a-z]+(?:_[a-z]+)*", statement))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        yield found
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)


#: The counts of the chosen sessions (who was enrolled and present, and who they are).
COUNTS = {"lms_enrolment", "lms_beneficiary", "lms_enterprise"}
#: What each download may read, beyond the programme and the filters' sessions.
NEEDS = {
    "headline": COUNTS | {"lms_certificate"},
    "clusters": COUNTS,
    "timeline": COUNTS,
    "milestones": COUNTS,
    "gaps": {"lms_assessment", "lms_enterprise"},
    "feedback": {"lms_enrolment", "lms_feedback", "lms_user"},
    "certificates": {"lms_enrolment", "lms_beneficiary", "lms_certificate"},
}
#: Always allowed: the programme, its milestones, the sessions and the trainer filter, and the
#: quiz's results for the scores.
BASE = {
    "lms_programme",
    "lms_milestone",
    "lms_training_session",
    "lms_session_trainer",
    "lms_cluster",
}
SCORES = {"lms_enrolment", "lms_beneficiary", "lms_session_module", "lms_module_result"}


@pytest.mark.parametrize("name", sorted(NEEDS))
def test_a_download_reads_only_its_own_tables(demo_app: Flask, name: str) -> None:
    with demo_app.app_context():
        programme = db.session.scalar(select(Programme).order_by(Programme.id.desc()))
        filters = scope.Filters(programme_id=programme.id)
    with demo_app.test_request_context(), tables_queried() as found:
        response = reports.export(Dashboard(filters), name, "csv")
        assert response.status_code == 200 and response.get_data()
    extra = found - BASE - NEEDS[name] - (SCORES if name == "headline" else set())
    assert not extra, f"{name} also read {sorted(extra)}"
    assert name == "milestones" or found & NEEDS[name]


def test_the_headline_reads_no_feedback_nor_assessments(demo_app: Flask) -> None:
    with demo_app.app_context():
        programme = db.session.scalar(select(Programme).order_by(Programme.id.desc()))
    for filters in (scope.Filters(), scope.Filters(programme_id=programme.id)):
        with demo_app.test_request_context(), tables_queried() as found:
            reports.export(Dashboard(filters), "headline", "xlsx")
        assert "lms_certificate" in found
        assert not found & {"lms_feedback", "lms_assessment"}, found


def test_the_whole_dashboard_loads_no_person_as_an_object(demo_app: Flask) -> None:
    """Every table, chart and the report are counted by the database: not one enrolment,
    beneficiary, feedback or certificate is loaded as an ORM object (the sessions are, for
    their table)."""
    loaded: list[str] = []

    def seen(target: Any, context: Any) -> None:
        loaded.append(type(target).__name__)

    models = (Enrolment, Beneficiary, Feedback, Certificate, Enterprise)
    for model in models:
        event.listen(model, "load", seen)
    try:
        with demo_app.app_context():
            programme_id = db.session.scalar(select(Programme.id).order_by(Programme.id.desc()))
        for filters in (scope.Filters(), scope.Filters(programme_id=programme_id)):
            with demo_app.test_request_context():
                dash = Dashboard(filters, today=TODAY)
                for name in NEEDS:
                    reports.export(dash, name, "csv")
                reports.export(dash, "sessions", "csv")
                reports.figures(dash)
                assert reports.report_pdf(dash, "en").startswith(b"%PDF")
                assert dash.held and dash.outreach.people
    finally:
        for model in models:
            event.remove(model, "load", seen)
    assert not loaded, sorted(set(loaded))
