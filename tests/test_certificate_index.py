"""Each certificate's place in the status list is its own, even when issued at the same moment
by concurrent requests or after a certificate was deleted (issue 14: the index was a count of
all certificates, read before the insert); revoking one lists that one alone."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from lms.certificates import services
from lms.certificates.models import Certificate
from lms.db import db

ABOUT = {"description": "d", "criteria": "c", "level": "beginner", "tags": []}


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app(LMS_BASE_URL="https://dakshata.example.org")


def issue(app: Flask, user_id: int, achievement: str) -> tuple[int, int]:
    with app.app_context():
        made = services.issue(
            user_id, "module", achievement, {"en": achievement}, 80.0, "pass", ABOUT
        )
        assert made is not None
        return made.id, made.status_index


def test_concurrent_issues_get_their_own_index(app: Flask, make_user) -> None:  # noqa: ANN001
    count = 6
    users = [make_user(name=f"Learner {n}").id for n in range(count)]
    issue(app, users[0], "warm-up")  # the signing key is made once, before the rush
    ready = threading.Barrier(count, timeout=30)

    def all_at_once(session: Session, *_args: Any) -> None:
        """Every request has prepared its certificate before any writes it."""
        if any(isinstance(o, Certificate) for o in session.new):
            ready.wait()

    event.listen(Session, "before_flush", all_at_once)
    try:
        with ThreadPoolExecutor(max_workers=count) as pool:
            made = list(pool.map(lambda n: issue(app, users[n], "gst-vat"), range(count)))
    finally:
        event.remove(Session, "before_flush", all_at_once)
    indices = [index for _id, index in made]
    assert len(set(indices)) == count, indices
    with app.app_context():
        stored = db.session.scalars(select(Certificate.status_index)).all()
        assert len(set(stored)) == len(stored) == count + 1
        revoked: set[str] = set()
        for certificate_id, _index in made:
            certificate = db.session.get(Certificate, certificate_id)
            services.revoke(certificate, "issued in error")
            revoked.add(services.absolute("lms.certificates.verify_json", code=certificate.code))
            listed = {c["id"] for c in services.revocation_list()["revokedCredentials"]}
            assert listed == revoked


def test_an_index_is_not_given_again_after_a_deletion(app: Flask, make_user) -> None:  # noqa: ANN001
    users = [make_user(name=f"Learner {n}").id for n in range(4)]
    first = [issue(app, user, "gst-vat") for user in users[:3]]
    with app.app_context():
        db.session.delete(db.session.get(Certificate, first[0][0]))
        db.session.commit()
    later = issue(app, users[3], "gst-vat")
    with app.app_context():
        stored = db.session.scalars(select(Certificate.status_index)).all()
    assert len(set(stored)) == len(stored) == 3, stored
    assert later[1] not in {index for _id, index in first[1:]}
