"""The programme record (dates, targets, milestones), beneficiaries imported from CSV or XLSX, and
privacy: who sees personal data, a beneficiary's own download, and erasure."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lms.certificates import codes
from lms.db import db
from lms.programme.models import Beneficiary, Cluster, Enterprise, Milestone, Programme
from lms.programme.records import programmes
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


def _xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client: FlaskClient, path: str, raw: bytes, name: str):  # noqa: ANN202
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import stream_encode_multipart

    token = csrf_token(client, path)
    values = {"csrf_token": token, "file": FileStorage(io.BytesIO(raw), name)}
    # In memory, not a temporary file (which the test client would leave open).
    stream, length, boundary = stream_encode_multipart(values, use_tempfile=False)
    return client.post(
        path,
        input_stream=stream,
        content_length=length,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


@pytest.fixture
def admin(app: Flask, client: FlaskClient, make_user) -> FlaskClient:  # noqa: ANN001
    with app.app_context():
        db.session.add_all(
            [Cluster(name="Tangra", country="IN"), Cluster(name="Savar", country="BD")]
        )
        db.session.commit()
    login(client, make_user("admin").email)
    return client


def test_enterprises_import_from_an_excel_workbook(app: Flask, admin: FlaskClient) -> None:
    header = ["Name", "Cluster", "Segment", "Udyam", "GSTIN", "Women_led", "Employees"]
    raw = _xlsx(
        [
            header,
            ["Alam Leather Craft", "Tangra", "footwear", "UDYAM-WB-10-0012345", None, "no", 14],
            [None] * 7,
            ["Savar Hides", "Savar", "tannery", None, None, "yes", 40.0],
        ]
    )
    response = _upload(admin, "/programme/enterprises/import", raw, "list.xlsx")
    assert response.status_code == 302
    with app.app_context():
        rows = {
            e.name: (e.cluster.name, e.employees, e.women_led) for e in db.session.query(Enterprise)
        }
        assert rows == {
            "Alam Leather Craft": ("Tangra", 14, False),
            "Savar Hides": ("Savar", 40, True),
        }


def test_unreadable_uploads_are_refused_clearly(app: Flask, admin: FlaskClient) -> None:
    path = "/programme/enterprises/import"
    cases = [
        (
            b"PK\x03\x04 not really a workbook",
            "x.xlsx",
            "could not be read as an Excel (XLSX) workbook",
        ),
        ("name\nশম্পা".encode("utf-16"), "x.csv", "CSV saved as UTF-8"),
        (b"", "x.csv", "Choose a CSV or Excel (XLSX) file."),
        (b"name\n" + b"x" * (2 * 1024 * 1024), "x.csv", "larger than 2 MB"),
        (b"title,city\nx,y\n", "x.csv", "The first row must name the columns"),
    ]
    for raw, name, message in cases:
        page = _upload(admin, path, raw, name).get_data(as_text=True)
        assert message in page, message
    with app.app_context():
        assert db.session.query(Enterprise).count() == 0


def test_beneficiaries_import_all_or_nothing(app: Flask, admin: FlaskClient) -> None:
    with app.app_context():
        tangra, savar = db.session.query(Cluster).order_by(Cluster.name.desc()).all()
        db.session.add_all(
            [
                Enterprise(
                    name="Shampa Bags",
                    segment="leather-goods",
                    cluster=tangra,
                    udyam="UDYAM-WB-10-0023456",
                ),
                Enterprise(name="Savar Hides", segment="tannery", cluster=savar),
            ]
        )
        db.session.commit()
    path = "/programme/beneficiaries/import"
    header = "enterprise,name,gender,phone,preferred_language,social_category,category_consent\n"
    bad = header + (
        "UDYAM-WB-10-0023456,শম্পা দাস,f,9830012345,bn,sc,yes\n"
        "Nowhere Ltd,Rina,f,,bn,,\n"
        "Savar Hides,আরিফ হোসেন,m,9830012345,bn_BD,,\n"
        "Shampa Bags,Babu,robot,,xx,st,no\n"
    )
    page = _upload(admin, path, bad.encode(), "people.csv").get_data(as_text=True)
    assert "Nothing was imported" in page
    assert "Unknown enterprise: Nowhere Ltd" in page
    assert "01" in page  # the Bangladesh number rule is named for the Savar row
    assert "Choose a gender from the list." in page and "Choose a language from the list." in page
    assert "recorded only with the person&#39;s consent" in page
    with app.app_context():
        assert db.session.query(Beneficiary).count() == 0
    good = header + (
        "UDYAM-WB-10-0023456,শম্পা দাস,f,9830012345,bn,sc,yes\n"
        "savar hides,আরিফ হোসেন,m,01712345678,bn_BD,,\n"
    )
    assert _upload(admin, path, good.encode(), "people.csv").status_code == 302
    with app.app_context():
        people = {b.name: b for b in db.session.query(Beneficiary)}
        assert people["শম্পা দাস"].social_category == "sc" and people["শম্পা দাস"].consent_at is not None
        assert people["শম্পা দাস"].enterprise.name == "Shampa Bags"
        assert (
            people["আরিফ হোসেন"].phone == "+8801712345678"
            and people["আরিফ হোসেন"].consent_at is None
        )


CODE = codes.new_code()


@pytest.fixture
def linked(app: Flask, make_user) -> dict:  # noqa: ANN001
    """A beneficiary with consent, a phone, an account, attendance and a certificate."""
    from lms.certificates.models import Certificate
    from lms.programme.models import Enrolment, TrainingSession

    owner = make_user(name="Shampa Das", email="shampa@example.org")
    with app.app_context():
        enterprise = Enterprise(name="Shampa Bags", segment="leather-goods")
        person = Beneficiary(
            name="Shampa Das",
            gender="female",
            social_category="sc",
            category_consent=True,
            consent_at=dt.datetime(2026, 9, 2, tzinfo=dt.UTC),
            phone="+919830012345",
            user_id=owner.id,
        )
        enterprise.beneficiaries = [person]
        session = TrainingSession(
            title="GST day 1",
            held_on=dt.date(2026, 10, 1),
            checkin_token="t1",
            enrolments=[Enrolment(beneficiary=person, present=True, marked_via="qr")],
        )
        db.session.add_all([enterprise, session])
        db.session.add(
            Certificate(
                code=CODE,
                user_id=owner.id,
                kind="module",
                achievement_id="gst-vat",
                titles={"en": "GST"},
                holder_name="Shampa Das",
                enterprise="Shampa Bags",
                score_band="pass",
                kid="k",
                credential_jwt="a.b.c",
            )
        )
        db.session.commit()
        return {"owner": owner, "person": person.id, "enterprise": enterprise.id}


def test_an_admin_links_a_beneficiary_to_an_account(app: Flask, admin: FlaskClient, linked) -> None:  # noqa: ANN001
    with app.app_context():
        other = Beneficiary(name="Babu", enterprise_id=linked["enterprise"])
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    url = f"/programme/enterprises/{linked['enterprise']}"
    token = csrf_token(admin, url)
    taken = admin.post(
        f"/programme/beneficiaries/{other_id}/account",
        data={"csrf_token": token, "email": "shampa@example.org"},
    )
    assert "already linked to Shampa Das" in admin.get(taken.headers["Location"]).get_data(
        as_text=True
    )
    unknown = admin.post(
        f"/programme/beneficiaries/{other_id}/account",
        data={"csrf_token": token, "email": "x@y.org"},
    )
    assert "No account has this e-mail address." in admin.get(unknown.headers["Location"]).get_data(
        as_text=True
    )
    page = admin.get(url).get_data(as_text=True)
    assert "shampa@example.org" in page and "+919830012345" in page
    assert "Consent given on" in page


def test_a_person_downloads_their_own_data(app: Flask, client: FlaskClient, linked) -> None:  # noqa: ANN001
    assert client.get("/programme/my-data.json").status_code == 302
    login(client, linked["owner"].email)
    response = client.get("/programme/my-data.json")
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_json()
    assert data["account"]["email"] == "shampa@example.org"
    person = data["beneficiary"]
    assert (person["phone"], person["social_category"], person["enterprise"]) == (
        "+919830012345",
        "sc",
        "Shampa Bags",
    )
    assert person["consent_given_at"].startswith("2026-09-02")
    assert person["sessions"] == [
        {"session": "GST day 1", "date": "2026-10-01", "present": True, "checked_in": "qr"}
    ]
    assert data["certificates"][0]["code"] == CODE
    record = client.get("/my/record").get_data(as_text=True)
    assert "GST day 1" in record and "/programme/my-data.json" in record


def test_erasure_keeps_only_anonymous_counts(app: Flask, admin: FlaskClient, linked) -> None:  # noqa: ANN001
    from lms.certificates.models import Certificate
    from lms.programme.models import TrainingSession

    url = f"/programme/beneficiaries/{linked['person']}/erase"
    token = csrf_token(admin, f"/programme/enterprises/{linked['enterprise']}")
    unconfirmed = admin.post(url, data={"csrf_token": token})
    assert "Tick the box" in admin.get(unconfirmed.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Beneficiary, linked["person"]).erased_at is None
    from lms import signals

    erased: list = []  # type: ignore[type-arg]
    receiver = lambda sender, beneficiary_id: erased.append(beneficiary_id)  # noqa: E731
    signals.beneficiary_erased.connect(receiver, sender=app)
    try:
        admin.post(url, data={"csrf_token": token, "confirm": "erase"})
    finally:
        signals.beneficiary_erased.disconnect(receiver, sender=app)
    assert erased == [linked["person"]]
    with app.app_context():
        person = db.session.get(Beneficiary, linked["person"])
        assert (
            person.name,
            person.phone,
            person.social_category,
            person.user_id,
            person.consent_at,
        ) == ("", None, None, None, None)
        assert person.is_female and person.is_marginalised  # still counted, anonymously
        assert db.session.query(TrainingSession).one().present == 1
        certificate = db.session.query(Certificate).one()
        assert certificate.status() == "revoked" and certificate.holder_name == ""
        assert certificate.credential_jwt == ""
    page = admin.get(f"/programme/enterprises/{linked['enterprise']}").get_data(as_text=True)
    assert "Shampa Das" not in page and "+919830012345" not in page and "(erased)" in page
    owner = app.test_client()
    login(owner, "shampa@example.org")  # the account cannot sign in any more
    assert owner.get("/programme/my-data.json").status_code == 302
    verify = app.test_client().get(f"/verify/{CODE}.json").get_json()
    assert verify["status"] == "revoked" and verify["credential"] is None
    assert app.test_client().get(f"/verify/{CODE}.jwt").status_code == 404


def test_only_admins_erase_or_link(app: Flask, linked, make_user) -> None:  # noqa: ANN001
    client = app.test_client()
    login(client, make_user("trainer").email)
    token = csrf_token(client, "/programme/sessions")
    for path in (
        f"/programme/beneficiaries/{linked['person']}/erase",
        f"/programme/beneficiaries/{linked['person']}/account",
    ):
        assert (
            client.post(
                path, data={"csrf_token": token, "confirm": "erase", "email": "a@b.org"}
            ).status_code
            == 403
        )
    with app.app_context():
        assert db.session.get(Beneficiary, linked["person"]).erased_at is None


def test_import_commands(app: Flask, runner, tmp_path) -> None:  # noqa: ANN001
    with app.app_context():
        db.session.add(Cluster(name="Tangra", country="IN"))
        db.session.commit()
    bad = tmp_path / "bad.csv"
    bad.write_text("name,cluster,segment\nX,Nowhere,tannery\n", encoding="utf-8")
    result = runner.invoke(args=["lms", "import-enterprises", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:2: Unknown cluster: Nowhere" in result.output
    good = tmp_path / "good.xlsx"
    good.write_bytes(
        _xlsx([["name", "cluster", "segment"], ["Shampa Bags", "Tangra", "leather-goods"]])
    )
    result = runner.invoke(args=["lms", "import-enterprises", str(good)])
    assert result.exit_code == 0 and "1 enterprises imported" in result.output
    people = tmp_path / "people.csv"
    people.write_text("enterprise,name,gender\nShampa Bags,Rina,female\n", encoding="utf-8")
    result = runner.invoke(args=["lms", "import-beneficiaries", str(people)])
    assert result.exit_code == 0 and "1 beneficiaries imported" in result.output
    with app.app_context():
        assert db.session.query(Beneficiary).one().enterprise.name == "Shampa Bags"


def test_admins_keep_the_clusters(app: Flask, client: FlaskClient, make_user) -> None:  # noqa: ANN001
    login(client, make_user("admin").email)
    token = csrf_token(client, "/programme/clusters")
    assert (
        post_form(client, {"csrf_token": token, "name": "  Jessore  ", "country": "BD"}).status_code
        == 302
    )
    refused = post_form(client, {"csrf_token": token, "name": "jessore", "country": "XX"})
    page = refused.get_data(as_text=True)
    assert (
        "There is already a cluster called Jessore." in page
        and "Choose a country from the list." in page
    )
    with app.app_context():
        cluster = db.session.query(Cluster).one()
        assert (cluster.name, cluster.country) == ("Jessore", "BD")
        cluster_id = cluster.id
    post_form(
        client,
        {"csrf_token": token, "cluster": str(cluster_id), "name": "Jashore", "country": "BD"},
    )
    with app.app_context():
        assert db.session.get(Cluster, cluster_id).name == "Jashore"
    trainer = app.test_client()
    login(trainer, make_user("trainer").email)
    assert trainer.get("/programme/clusters").status_code == 403


def post_form(client: FlaskClient, data: dict):  # noqa: ANN201
    return client.post("/programme/clusters", data=data)


def test_an_xlsx_that_unpacks_to_gigabytes_is_refused_unread(
    app: Flask, admin: FlaskClient
) -> None:
    import zipfile

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (80 * 1024 * 1024))
    assert len(bomb.getvalue()) < 2 * 1024 * 1024  # small to upload, 80 MB unpacked
    page = _upload(admin, "/programme/enterprises/import", bomb.getvalue(), "bomb.xlsx")
    assert "The Excel file would unpack to more than 20 MB" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Enterprise).count() == 0
