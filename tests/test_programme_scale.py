"""The programme-scale generator (``flask lms demo --scale N``) at tiny scales: counts grow in
proportion, the data keeps the library's invariants (scores are the sum of the marks, every
certificate was earned and verifies, each learner took the tests in order), it is deterministic
and idempotent, and the officials' pages load on it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.certificates import credential, keys
from lms.certificates.models import Certificate
from lms.db import db
from lms.programme import scale
from lms.programme.models import (
    Assessment,
    Beneficiary,
    Enrolment,
    Enterprise,
    Feedback,
    Mentorship,
    TrainingSession,
)
from lms.quiz.models import Attempt
from tests.conftest import login

TINY = 0.02  # one session of 50
MODELS = (Enterprise, Beneficiary, TrainingSession, Enrolment, Attempt, Certificate, Assessment)


def counts() -> dict[str, int]:
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in MODELS}


def generated(make_app: Callable[..., Flask], size: float) -> tuple[Flask, dict[str, int]]:
    app = make_app()
    result = app.test_cli_runner().invoke(
        args=["lms", "demo", "--scale", str(size), "--password", "scale password 1"]
    )
    assert result.exit_code == 0, result.output
    assert "done in" in result.output and scale.ADMIN_EMAIL in result.output
    with app.app_context():
        return app, counts()


def test_counts_grow_in_proportion(make_app: Callable[..., Flask]) -> None:
    _app, one = generated(make_app, TINY)
    _app, two = generated(make_app, 2 * TINY)
    plan = scale.Plan(TINY)
    assert one["TrainingSession"] == plan.sessions == 1
    assert one["Beneficiary"] == scale.PER_SESSION and one["Enterprise"] == 10
    assert one["Enrolment"] == one["Beneficiary"] and one["Assessment"] == one["Enterprise"]
    for name in ("TrainingSession", "Beneficiary", "Enterprise", "Enrolment", "Assessment"):
        assert two[name] == 2 * one[name], name
    # Per unit of scale: ~7,500 attempts and ~2,300 certificates (two sessions, two modules).
    for name, per_unit in (("Attempt", 7500), ("Certificate", 2300)):
        assert 0.7 * per_unit * 2 * TINY < two[name] < 1.35 * per_unit * 2 * TINY, (name, two)


def test_the_library_invariants_hold(make_app: Callable[..., Flask]) -> None:
    app, found = generated(make_app, TINY)
    with app.app_context():
        attempts = db.session.scalars(select(Attempt)).all()
        assert attempts and all(a.submitted_at is not None for a in attempts)
        for attempt in attempts:
            assert attempt.score == pytest.approx(sum(a.mark for a in attempt.answers))
            assert len(attempt.answers) == len(attempt.items) == 8
        kinds = {(a.user_id, a.module_id, a.kind) for a in attempts}
        for user_id, module_id, kind in kinds:
            if kind != "pre":
                assert (user_id, module_id, "pre") in kinds
        present = db.session.scalars(select(Enrolment).where(Enrolment.present)).all()
        linked = {e.beneficiary.user_id for e in present}
        assert None not in linked and {a.user_id for a in attempts} == linked
        jwks = keys.jwks()
        certificates = db.session.scalars(select(Certificate)).all()
        assert len(certificates) == found["Certificate"] > 0
        for certificate in certificates:
            best = max(
                a.percent
                for a in attempts
                if (a.user_id, a.module_id, a.kind)
                == (certificate.user_id, certificate.achievement_id, "post")
            )
            assert certificate.score_percent == pytest.approx(best) and best >= 50
            verified = credential.verify(certificate.credential_jwt, jwks)
            assert certificate.code in str(verified.claims)
        assert db.session.scalar(select(func.count()).select_from(Feedback)) > 30
        referred = db.session.scalars(select(Mentorship)).all()
        assert referred and any(m.meetings for m in referred)


def test_deterministic_and_made_once(make_app: Callable[..., Flask]) -> None:
    def scores(app: Flask) -> list[tuple]:
        with app.app_context():
            query = select(User.email, Attempt.kind, Attempt.score).join(User).order_by(Attempt.id)
            return list(db.session.execute(query))

    first, before = generated(make_app, TINY)
    second, _ = generated(make_app, TINY)
    assert scores(first) == scores(second)
    result = first.test_cli_runner().invoke(args=["lms", "demo", "--scale", str(TINY)])
    assert result.exit_code == 0
    with first.app_context():
        assert counts() == before


def test_the_officials_pages_load(make_app: Callable[..., Flask]) -> None:
    app, _found = generated(make_app, TINY)
    client = app.test_client()
    login(client, scale.ADMIN_EMAIL, "scale password 1")
    with app.app_context():
        cluster = db.session.scalar(select(TrainingSession.cluster_id))
        name = db.session.scalar(select(User.name).join(Attempt).order_by(Attempt.score.desc()))
    pages = {
        "/programme/dashboard?programme=": "50",
        f"/programme/dashboard?cluster={cluster}": "50",
        "/programme/dashboard/export/scores.csv": "GST",
        "/quiz/ranking": name,
        "/quiz/ranking?format=csv": name,
        "/programme/mentorship": name,
        "/quiz/results?module=gst-vat": name,
    }
    for path, expected in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert expected in response.get_data(as_text=True), path
    report = client.get("/programme/report.pdf")
    assert report.status_code == 200 and report.data.startswith(b"%PDF")
