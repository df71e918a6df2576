"""Programme records: enterprises with Udyam numbers and GSTINs checked by their real formats,
entered by hand or imported from CSV all at once or not at all."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lms.db import db
from lms.programme.models import Cluster, Enterprise
from lms.programme.records import identifiers, services
from tests.conftest import csrf_token, login


@pytest.mark.parametrize("good", ["27AAPFU0939F1ZV", "27aapfu0939f1zv", " 27AAPFU 0939F1ZV "])
def test_a_valid_gstin(good: str) -> None:
    assert identifiers.gstin(good) == "27AAPFU0939F1ZV"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("27AAPFU0939F1ZW", "last character does not match"),
        ("27AAPFU0939F1ZV1", "15 characters"),
        ("27AAPF10939F1ZV", "15 characters"),
        ("45AAPFU0939F1ZV", "not a state code"),
        ("27AAPFU0939F0ZV", "15 characters"),
    ],
)
def test_gstin_mistakes_are_caught(bad: str, message: str) -> None:
    with pytest.raises(identifiers.IdentifierError, match=message):
        identifiers.gstin(bad)


def test_every_single_character_typo_in_a_gstin_is_caught() -> None:
    good = "27AAPFU0939F1ZV"
    for position in range(2, 14):
        for char in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ":
            typo = good[:position] + char + good[position + 1 :]
            if typo == good:
                continue
            with pytest.raises(identifiers.IdentifierError):
                identifiers.gstin(typo)


def test_udyam_numbers() -> None:
    assert identifiers.udyam("udyam-wb-10-0012345") == "UDYAM-WB-10-0012345"
    for bad in ("UDYAM-WB-10-001234", "UDYAM-W1-10-0012345", "WB-10-0012345"):
        with pytest.raises(identifiers.IdentifierError, match="UDYAM-WB-10-0012345"):
            identifiers.udyam(bad)


@pytest.fixture
def admin(app: Flask, client: FlaskClient, make_user) -> FlaskClient:  # noqa: ANN001
    with app.app_context():
        db.session.add_all([Cluster(name="Tangra"), Cluster(name="Tiljala")])
        db.session.commit()
    login(client, make_user("admin").email)
    return client


def test_an_admin_adds_and_corrects_an_enterprise(app, admin) -> None:  # noqa: ANN001
    token = csrf_token(admin, "/programme/enterprises/new")
    form = {
        "csrf_token": token,
        "name": "Alam Leather Craft",
        "cluster": "Tangra",
        "segment": "footwear",
        "udyam": "UDYAM-WB-10-0012345",
        "gstin": "27AAPFU0939F1ZW",
        "women_led": "yes",
        "employees": "14",
    }
    page = admin.post("/programme/enterprises/new", data=form).get_data(as_text=True)
    assert "last character does not match" in page and 'value="Alam Leather Craft"' in page
    with app.app_context():
        assert db.session.query(Enterprise).count() == 0
    response = admin.post("/programme/enterprises/new", data={**form, "gstin": "27aapfu0939f1zv"})
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.query(Enterprise).one()
        assert (saved.gstin, saved.cluster.name, saved.women_led, saved.employees) == (
            "27AAPFU0939F1ZV",
            "Tangra",
            True,
            14,
        )
        enterprise_id = saved.id
    assert "Alam Leather Craft" in admin.get("/programme/enterprises").get_data(as_text=True)
    token = csrf_token(admin, f"/programme/enterprises/{enterprise_id}")
    admin.post(
        f"/programme/enterprises/{enterprise_id}",
        data={**form, "csrf_token": token, "gstin": "", "employees": "15"},
    )
    with app.app_context():
        assert db.session.get(Enterprise, enterprise_id).employees == 15


CSV = (
    "name,cluster,segment,udyam,gstin,women_led,employees\n"
    "Alam Leather Craft,Tangra,footwear,UDYAM-WB-10-0012345,27AAPFU0939F1ZV,no,14\n"
    "Shampa Bags,Tiljala,leather-goods,,,yes,6\n"
)


def _upload(client: FlaskClient, text: str):  # noqa: ANN202
    token = csrf_token(client, "/programme/enterprises/import")
    return client.post(
        "/programme/enterprises/import",
        data={"csrf_token": token, "file": (io.BytesIO(text.encode()), "enterprises.csv")},
        content_type="multipart/form-data",
    )


def test_import_reports_every_bad_row_and_saves_nothing(app, admin) -> None:  # noqa: ANN001
    bad = CSV + (
        "Ghost Tannery,Nowhere,tannery,UDYAM-WB-10-0012345,,maybe,many\n"
        "=HYPERLINK(1),Tangra,spaceships,,27AAPFU0939F1ZW,no,\n"
    )
    page = _upload(admin, bad).get_data(as_text=True)
    assert "Nothing was imported" in page
    assert "Unknown cluster: Nowhere" in page and "repeats row 2" in page
    assert "Women-led must be yes or no." in page
    assert "Employees must be a whole number from 0 to 10,00,000." in page
    assert "Segment must be one of" in page and "last character does not match" in page
    with app.app_context():
        assert db.session.query(Enterprise).count() == 0


def test_import_saves_every_row_when_all_are_right(app, admin) -> None:  # noqa: ANN001
    response = _upload(admin, CSV)
    assert response.status_code == 302
    with app.app_context():
        assert {e.name for e in db.session.query(Enterprise)} == {
            "Alam Leather Craft",
            "Shampa Bags",
        }
    again = _upload(admin, CSV).get_data(as_text=True)  # the same file twice: refused
    assert "already registered for Alam Leather Craft" in again


def test_only_admins_keep_the_records(client: FlaskClient, make_user) -> None:  # noqa: ANN001
    login(client, make_user("trainer").email)
    for path in (
        "/programme/enterprises",
        "/programme/enterprises/new",
        "/programme/enterprises/import",
    ):
        assert client.get(path).status_code == 403


def test_demo_has_the_kolkata_clusters(app: Flask) -> None:
    with app.app_context():
        services.load_demo("x")
        services.load_demo("x")
        names = {c.name for c in db.session.query(Cluster)}
        assert {"Tangra", "Tiljala", "Bantala (Kolkata Leather Complex)"} <= names
        assert db.session.query(Enterprise).count() == 3


@pytest.mark.parametrize(
    ("typed", "country", "expected"),
    [
        ("98300 12345", "IN", "+919830012345"),
        ("+91-98300-12345", "IN", "+919830012345"),
        ("৯৮৩০০১২৩৪৫", "IN", "+919830012345"),
        ("01712 345678", "BD", "+8801712345678"),
        ("+880 1712 345678", "BD", "+8801712345678"),
    ],
)
def test_mobile_numbers(typed: str, country: str, expected: str) -> None:
    assert identifiers.phone(typed, country) == expected


@pytest.mark.parametrize(
    ("typed", "country"),
    [("12345", "IN"), ("58300 12345", "IN"), ("98300 12345", "BD"), ("01212 345678", "BD")],
)
def test_wrong_mobile_numbers(typed: str, country: str) -> None:
    with pytest.raises(identifiers.IdentifierError, match="10 digits in India"):
        identifiers.phone(typed, country)


def test_beneficiaries_and_consent_for_social_category(app, admin) -> None:  # noqa: ANN001
    from lms.programme.models import Beneficiary

    with app.app_context():
        enterprise = Enterprise(
            name="Shampa Bags",
            segment="leather-goods",
            cluster=db.session.query(Cluster).filter_by(name="Tangra").one(),
        )
        db.session.add(enterprise)
        db.session.commit()
        enterprise_id = enterprise.id
    url = f"/programme/enterprises/{enterprise_id}"
    token = csrf_token(admin, url)
    base = {
        "csrf_token": token,
        "name": "শম্পা দাস",
        "gender": "female",
        "phone": "98300 12345",
        "preferred_language": "bn",
    }
    refused = admin.post(url + "/beneficiaries", data={**base, "social_category": "sc"})
    page = admin.get(refused.headers["Location"]).get_data(as_text=True)
    assert "recorded only with the person&#39;s consent" in page
    admin.post(
        url + "/beneficiaries", data={**base, "social_category": "sc", "category_consent": "yes"}
    )
    admin.post(url + "/beneficiaries", data={**base, "name": "Rina", "phone": "123"})
    with app.app_context():
        people = db.session.query(Beneficiary).all()
        assert [(p.name, p.social_category, p.phone) for p in people] == [
            ("শম্পা দাস", "sc", "+919830012345")
        ]
    page = admin.get(url).get_data(as_text=True)
    assert "শম্পা দাস" in page and "Scheduled Caste" in page


def test_sessions_enrolment_and_roster_attendance(app, client, make_user) -> None:  # noqa: ANN001
    from lms.programme.models import Beneficiary, TrainingSession

    with app.app_context():
        enterprise = Enterprise(name="Shampa Bags", segment="leather-goods")
        enterprise.beneficiaries = [Beneficiary(name=n) for n in ("Asha", "Babu", "Chandni")]
        db.session.add(enterprise)
        db.session.commit()
        ids = [b.id for b in enterprise.beneficiaries]
    login(client, make_user("trainer").email)
    token = csrf_token(client, "/programme/sessions/new")
    bad = client.post(
        "/programme/sessions/new",
        data={"csrf_token": token, "title": "Day 1", "held_on": "soon", "capacity": "2"},
    )
    assert "Give the date as YYYY-MM-DD." in bad.get_data(as_text=True)
    made = client.post(
        "/programme/sessions/new",
        data={
            "csrf_token": token,
            "title": "GST, Tangra, day 1",
            "held_on": "2026-12-02",
            "venue": "Tangra community hall",
            "capacity": "2",
            "language": "bn",
        },
    )
    url = made.headers["Location"]
    full = client.post(
        url, data={"csrf_token": token, "action": "enrol", "beneficiaries": [str(i) for i in ids]}
    )
    assert "The session has 2 places; 0 are taken." in client.get(
        full.headers["Location"]
    ).get_data(as_text=True)
    client.post(
        url,
        data={"csrf_token": token, "action": "enrol", "beneficiaries": [str(ids[0]), str(ids[1])]},
    )
    client.post(url, data={"csrf_token": token, "beneficiary": str(ids[0]), "present": "1"})
    page = client.get(url).get_data(as_text=True)
    assert "1 present of 2 enrolled (2 places)" in page
    assert (
        client.post(
            url, data={"csrf_token": token, "beneficiary": str(ids[2]), "present": "1"}
        ).status_code
        == 404
    )  # not enrolled
    client.post(url, data={"csrf_token": token, "beneficiary": str(ids[0]), "present": "0"})
    with app.app_context():
        session = db.session.query(TrainingSession).one()
        assert session.present == 0 and len(session.enrolments) == 2
    learner = app.test_client()
    login(learner, make_user().email)
    assert learner.get("/programme/sessions").status_code == 403
