"""An enterprise's competitive-analysis worksheet (issue 20): the owner fills it in, each answer
saved as typed (one field per save, so two tablets never undo each other), a trainer may fill
in any enterprise's, the mentor sees it, and the programme's report exports it."""

from __future__ import annotations

import threading

from flask import Flask
from flask.testing import FlaskClient

from lms.db import db
from lms.programme.competition import services as competition
from lms.programme.models import CompetitiveAnalysis, Enterprise, Mentorship
from tests.conftest import csrf_token, login, post
from tests.test_programme_sessions import people  # noqa: F401 (a fixture)

OWN = "/programme/competition"


def _enterprise_id(app: Flask) -> int:
    with app.app_context():
        return db.session.query(Enterprise).filter_by(name="Shampa Bags").one().id


def test_the_owner_fills_in_their_enterprises_worksheet(
    app: Flask,
    client: FlaskClient,
    people: dict,  # noqa: F811
) -> None:
    login(client, people["owner"].email)
    page = client.get(OWN).get_data(as_text=True)
    assert "Shampa Bags" in page and 'name="competitors"' in page
    saved = post(client, OWN, {"products": "Tote bags, 300 a month", "gaps": "  Finishing  "})
    assert saved.status_code == 302
    # As typed: one answer, by script; the others stay as they were.
    token = csrf_token(client, OWN)
    typed = client.post(
        OWN,
        data={"csrf_token": token, "markets": "Kolkata shops; online"},
        headers={"X-Requested-With": "fetch"},
    )
    assert typed.status_code == 200 and typed.get_json() == {"saved": ["markets"]}
    with app.app_context():
        answers = competition.answers(_enterprise_id(app))
    assert answers["products"] == "Tote bags, 300 a month"
    assert answers["gaps"] == "Finishing" and answers["markets"] == "Kolkata shops; online"
    assert "Kolkata shops; online" in client.get(OWN).get_data(as_text=True)


def test_an_account_without_an_enterprise_is_told_why(
    client: FlaskClient,
    people: dict,  # noqa: F811
) -> None:
    login(client, people["stranger"].email)
    page = client.get(OWN).get_data(as_text=True)
    assert "not linked to an enterprise" in page and 'name="products"' not in page
    assert post(client, OWN, {"products": "x"}).status_code == 200
    assert "not linked to an enterprise" in client.get(OWN).get_data(as_text=True)


def test_a_trainer_fills_in_any_enterprise_and_a_learner_cannot(
    app: Flask,
    client: FlaskClient,
    people: dict,  # noqa: F811
) -> None:
    url = f"/programme/enterprises/{_enterprise_id(app)}/competition"
    login(client, people["stranger"].email)
    assert client.get(url).status_code == 403
    trainer = app.test_client()
    login(trainer, people["lead"].email)
    assert post(trainer, url, {"strengths": "Quick samples"}).status_code == 302
    with app.app_context():
        row = db.session.get(CompetitiveAnalysis, _enterprise_id(app))
        assert row.strengths == "Quick samples" and row.updated_by_id == people["lead"].id


def test_two_tablets_typing_different_answers_at_once_keep_both(
    app: Flask,
    people: dict,  # noqa: F811
) -> None:
    enterprise_id = _enterprise_id(app)
    meeting = threading.Barrier(2, timeout=20)
    errors: list[BaseException] = []

    def type_(field: str, text: str) -> None:
        with app.app_context():
            try:
                enterprise = db.session.get(Enterprise, enterprise_id)
                meeting.wait()
                competition.save(enterprise, None, {field: text})
            except BaseException as exc:  # noqa: BLE001  (reported below)
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=type_, args=("products", "Wallets")),
        threading.Thread(target=type_, args=("markets", "Dhaka")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    with app.app_context():
        answers = competition.answers(enterprise_id)
        assert db.session.query(CompetitiveAnalysis).count() == 1
    assert answers["products"] == "Wallets" and answers["markets"] == "Dhaka"


def test_the_mentor_sees_it_and_the_report_exports_it(
    app: Flask,
    client: FlaskClient,
    people: dict,  # noqa: F811
    make_user,  # noqa: ANN001
) -> None:
    login(client, people["owner"].email)
    post(client, OWN, {"competitors": "Two units in Topsia", "products": "Belts"})
    with app.app_context():
        mentorship = Mentorship(user_id=people["owner"].id)
        db.session.add(mentorship)
        db.session.commit()
        mentorship_id = mentorship.id
    admin = app.test_client()
    login(admin, make_user("admin").email)
    page = admin.get(f"/programme/mentorship/{mentorship_id}").get_data(as_text=True)
    assert "<dd>Two units in Topsia</dd>" in page
    assert "Download my data" not in page  # the official's page, not the learner's own
    export = admin.get("/programme/dashboard/export/competition.csv")
    assert export.status_code == 200
    lines = export.get_data(as_text=True).splitlines()
    assert lines[0].lstrip("\ufeff").startswith("Enterprise,Cluster,Your products")
    assert lines[1].startswith("Shampa Bags,Tangra,Belts") and "Two units in Topsia" in lines[1]
    dashboard = admin.get("/programme/dashboard").get_data(as_text=True)
    assert "1 enterprise has filled in its competitive analysis." in dashboard
