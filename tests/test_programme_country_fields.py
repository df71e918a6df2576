"""An enterprise's records follow its cluster's country: Bangladesh's BIN, e-TIN and trade licence
number or India's Udyam number and GSTIN, each checked by its format; its people's social
category from that country's list; the migration that added Bangladesh's numbers."""

from __future__ import annotations

import random
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from lms.db import db
from lms.programme import demo, scale
from lms.programme.models import CATEGORIES, MARGINALISED, Beneficiary, Cluster, Enterprise
from lms.programme.records import country_fields, identifiers, services
from tests.conftest import PASSWORD, csrf_token, login

# The formats.


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("000123456-0101", "0001234560101"),
        ("0001234560101", "0001234560101"),
        (" 000 123 456 0101 ", "0001234560101"),
        ("০০০১২৩৪৫৬-০১০১", "0001234560101"),
    ],
)
def test_a_bin_is_13_digits_stored_without_spaces_or_hyphens(typed: str, stored: str) -> None:
    assert identifiers.bin_number(typed) == stored


@pytest.mark.parametrize(
    "bad", ["123456789", "12345678901", "00012345601011", "00012345A0101", "000123456/0101", ""]
)
def test_a_wrong_bin_is_refused_clearly(bad: str) -> None:
    with pytest.raises(identifiers.IdentifierError, match="A BIN has 13 digits"):
        identifiers.bin_number(bad)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("123456789012", "123456789012"),
        ("1234 5678 9012", "123456789012"),
        ("1234-5678-9012", "123456789012"),
        ("১২৩৪৫৬৭৮৯০১২", "123456789012"),
    ],
)
def test_an_etin_is_12_digits(typed: str, stored: str) -> None:
    assert identifiers.etin(typed) == stored


@pytest.mark.parametrize("bad", ["1234567890", "1234567890123", "12345678901A", "12.345678901"])
def test_a_wrong_etin_is_refused_clearly(bad: str) -> None:
    with pytest.raises(identifiers.IdentifierError, match="An e-TIN has 12 digits"):
        identifiers.etin(bad)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("TRAD/DNCC/012345/2022", "TRAD/DNCC/012345/2022"),
        ("  05/2024-25 ", "05/2024-25"),
        ("১২৩/২০২৪", "123/2024"),
        ("ট্রেড-১২৩", "ট্রেড-123"),
    ],
)
def test_a_trade_licence_number_is_kept_trimmed(typed: str, stored: str) -> None:
    assert identifiers.trade_licence(typed) == stored


@pytest.mark.parametrize("bad", ["12", "1" * 41, "TRAD DNCC 12", "12#34", "=1+2", ""])
def test_a_wrong_trade_licence_number_is_refused_clearly(bad: str) -> None:
    with pytest.raises(identifiers.IdentifierError, match="3 to 40 letters, digits, / or -"):
        identifiers.trade_licence(bad)


# The enterprise form.


class _Form(HTMLParser):
    """What the enterprise page offers: each country's group of numbers (shown or hidden, with
    its inputs), the clusters' countries and the beneficiary form's social categories."""

    def __init__(self) -> None:
        super().__init__()
        self.groups: dict[str, dict] = {}
        self.cluster_countries: dict[str, str] = {}
        self.categories: list[str] = []
        self._group: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:  # type: ignore[type-arg]
        found = dict(attrs)
        if "data-country-fields" in found:
            self._group = found["data-country-fields"]
            self.groups[self._group] = {"hidden": "hidden" in found, "inputs": []}
        elif tag == "input" and self._group is not None:
            self.groups[self._group]["inputs"].append(found["name"])
        elif tag == "select":
            self._select = found.get("id")
        elif tag == "option" and self._select == "cluster" and found.get("value"):
            self.cluster_countries[found["value"]] = found["data-country"]
        elif tag == "option" and self._select == "b-category" and found.get("value"):
            self.categories.append(found["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "fieldset":
            self._group = None
        elif tag == "select":
            self._select = None


def offered(page: str) -> _Form:
    parser = _Form()
    parser.feed(page)
    return parser


@pytest.fixture
def clusters(app: Flask) -> None:
    with app.app_context():
        db.session.add_all(
            [Cluster(name="Tangra", country="IN"), Cluster(name="Savar", country="BD")]
        )
        db.session.commit()


@pytest.fixture
def admin(app: Flask, client: FlaskClient, make_user, clusters) -> FlaskClient:  # noqa: ANN001
    login(client, make_user("admin").email)
    return client


def _enterprise(app: Flask, name: str, cluster: str | None, **numbers: str) -> int:
    with app.app_context():
        found = (
            db.session.scalar(select(Cluster).where(Cluster.name == cluster)) if cluster else None
        )
        enterprise = Enterprise(name=name, segment="tannery", cluster=found, **numbers)
        db.session.add(enterprise)
        db.session.commit()
        return enterprise.id


def test_a_savar_enterprise_is_offered_bangladeshs_numbers_and_categories(app, admin) -> None:  # noqa: ANN001
    enterprise_id = _enterprise(app, "Savar Hides", "Savar", bin="0001234560101")
    form = offered(admin.get(f"/programme/enterprises/{enterprise_id}").get_data(as_text=True))
    assert form.groups["BD"] == {"hidden": False, "inputs": ["bin", "etin", "trade_licence"]}
    assert form.groups["IN"] == {"hidden": True, "inputs": ["udyam", "gstin"]}
    assert form.cluster_countries == {"Savar": "BD", "Tangra": "IN"}
    assert form.categories == ["ethnic", "dalit", "religious", "general"]


def test_a_kolkata_enterprise_is_offered_indias(app, admin) -> None:  # noqa: ANN001
    enterprise_id = _enterprise(app, "Shampa Bags", "Tangra")
    page = admin.get(f"/programme/enterprises/{enterprise_id}").get_data(as_text=True)
    form = offered(page)
    assert (form.groups["IN"]["hidden"], form.groups["BD"]["hidden"]) == (False, True)
    assert form.categories == ["sc", "st", "obc", "minority", "general"]
    assert "GSTIN" in page and "country_fields.js" in page


def test_without_a_cluster_the_default_countrys_show(make_app: Callable[..., Flask]) -> None:
    from lms.accounts import services as accounts

    app = make_app(LMS_DEFAULT_COUNTRY="BD")
    with app.app_context():
        accounts.create_user("a@example.org", "Admin", PASSWORD, ["admin"])
    client = app.test_client()
    login(client, "a@example.org")
    form = offered(client.get("/programme/enterprises/new").get_data(as_text=True))
    assert (form.groups["BD"]["hidden"], form.groups["IN"]["hidden"]) == (False, True)
    enterprise_id = _enterprise(app, "No Cluster Yet", None)
    with app.app_context():
        assert db.session.get(Enterprise, enterprise_id).country == "BD"


def _post(client: FlaskClient, path: str, **fields: str):  # noqa: ANN202
    form = {"name": "Savar Hides", "segment": "tannery", "women_led": "no", **fields}
    return client.post(path, data={"csrf_token": csrf_token(client, path), **form})


def test_only_the_clusters_countrys_numbers_are_checked_and_kept(app, admin) -> None:  # noqa: ANN001
    path = "/programme/enterprises/new"
    bd = {"bin": "000123456-0101", "etin": "1234 5678 9012", "trade_licence": " 05/2024-25 "}
    bad = _post(admin, path, cluster="Savar", **{**bd, "bin": "123456789"})
    assert "A BIN has 13 digits" in bad.get_data(as_text=True)
    saved = _post(admin, path, cluster="Savar", udyam="not a udyam", gstin="x", **bd)
    assert saved.status_code == 302  # India's numbers are not checked for Savar: left out
    indian = _post(admin, path, cluster="Tangra", name="Alam", udyam="udyam-wb-10-0012345", **bd)
    assert indian.status_code == 302  # nor Bangladesh's for Tangra
    with app.app_context():
        rows = {
            e.name: (e.udyam, e.gstin, e.bin, e.etin, e.trade_licence)
            for e in db.session.scalars(select(Enterprise))
        }
    assert rows == {
        "Savar Hides": (None, None, "0001234560101", "123456789012", "05/2024-25"),
        "Alam": ("UDYAM-WB-10-0012345", None, None, None, None),
    }
    listing = admin.get("/programme/enterprises").get_data(as_text=True)
    assert "Business Identification Number (BIN): 0001234560101" in listing
    assert "Udyam registration number: UDYAM-WB-10-0012345" in listing


def test_moving_to_the_other_country_clears_the_old_numbers(app, admin) -> None:  # noqa: ANN001
    enterprise_id = _enterprise(app, "Savar Hides", "Tangra", udyam="UDYAM-WB-10-0012345")
    path = f"/programme/enterprises/{enterprise_id}"
    assert _post(admin, path, cluster="Savar", udyam="UDYAM-WB-10-0012345").status_code == 302
    with app.app_context():
        moved = db.session.get(Enterprise, enterprise_id)
        assert (moved.country, moved.udyam) == ("BD", None)


def test_bin_and_etin_are_unique_a_trade_licence_need_not_be(app, admin) -> None:  # noqa: ANN001
    _enterprise(app, "Savar Hides", "Savar", bin="0001234560101", etin="123456789012")
    path = "/programme/enterprises/new"
    for field, value in (("bin", "000123456-0101"), ("etin", "123456789012")):
        page = _post(admin, path, cluster="Savar", name="Other", **{field: value})
        assert "is already registered for Savar Hides" in page.get_data(as_text=True), field
    same_licence = _post(admin, path, cluster="Savar", name="Other", trade_licence="05/2024-25")
    repeat = _post(admin, path, cluster="Savar", name="Third", trade_licence="05/2024-25")
    assert (same_licence.status_code, repeat.status_code) == (302, 302)
    with app.app_context(), pytest.raises(IntegrityError):
        db.session.add(Enterprise(name="Copy", segment="tannery", bin="0001234560101"))
        db.session.commit()


def test_an_import_checks_each_rows_countrys_numbers(app: Flask, clusters) -> None:  # noqa: ANN001
    from lms.programme.records import tables

    header = ",".join(services.COLUMNS) + "\n"
    rows = (
        "Savar Hides,Savar,tannery,UDYAM-bad,,000123456-0101,123456789012,05/2024-25,no,40\n"
        "Savar Bags,Savar,leather-goods,,,0001234560101,,TL-1,yes,6\n"
        "Savar Shoes,Savar,footwear,,,12345,,,no,9\n"
    )
    with app.test_request_context():
        count, problems = services.import_enterprises(
            tables.read((header + rows).encode(), "x.csv")
        )
        assert count == 0
        messages = {p.row: " ".join(p.messages) for p in problems}
        assert set(messages) == {3, 4}
        assert "repeats row 2" in messages[3] and "A BIN has 13 digits" in messages[4]
        good = header + rows.splitlines(keepends=True)[0]
        assert services.import_enterprises(tables.read(good.encode(), "x.csv")) == (1, [])
        saved = db.session.scalar(select(Enterprise))
        assert (saved.udyam, saved.bin, saved.trade_licence) == (
            None,
            "0001234560101",
            "05/2024-25",
        )


# Social categories.


def test_each_country_has_its_own_categories_and_marginalised_codes() -> None:
    assert set(CATEGORIES) == {"IN", "BD"}
    assert sorted(MARGINALISED) == ["dalit", "ethnic", "minority", "obc", "religious", "sc", "st"]
    assert "general" not in MARGINALISED
    for codes in CATEGORIES.values():
        assert all(len(code) <= 10 for code in codes)  # Beneficiary.social_category's width
        assert all(code in country_fields.CATEGORY_LABELS for code in codes)


def test_a_bangladeshi_beneficiary_cannot_be_given_an_indian_category(app, admin) -> None:  # noqa: ANN001
    savar = _enterprise(app, "Savar Hides", "Savar")
    tangra = _enterprise(app, "Shampa Bags", "Tangra")
    base = {"gender": "female", "preferred_language": "bn_BD", "category_consent": "yes"}

    def add(enterprise_id: int, name: str, category: str) -> str:
        path = f"/programme/enterprises/{enterprise_id}"
        data = {"csrf_token": csrf_token(admin, path), **base, "name": name}
        response = admin.post(f"{path}/beneficiaries", data={**data, "social_category": category})
        return admin.get(response.headers["Location"]).get_data(as_text=True)

    page = add(savar, "রিনা দাস", "sc")
    assert "Scheduled Caste is a social category used in India, not in Bangladesh" in page
    assert "Small ethnic group is a social category used in Bangladesh" in add(
        tangra, "X", "ethnic"
    )
    assert "Choose a social category from the list." in add(savar, "Y", "martian")
    add(savar, "রিনা দাস", "dalit")
    with app.app_context():
        people = db.session.scalars(select(Beneficiary)).all()
        assert [(p.name, p.social_category, p.is_marginalised) for p in people] == [
            ("রিনা দাস", "dalit", True)
        ]
    page = admin.get(f"/programme/enterprises/{savar}").get_data(as_text=True)
    assert "Dalit, Harijan or Bede community" in page


def test_people_recorded_before_keep_their_category(app, admin) -> None:  # noqa: ANN001
    """A Bangladeshi person given an Indian category before the lists were split still shows
    it, and still counts as marginalised."""
    savar = _enterprise(app, "Savar Hides", "Savar")
    with app.app_context():
        person = Beneficiary(
            enterprise_id=savar, name="আগের", social_category="obc", category_consent=True
        )
        db.session.add(person)
        db.session.commit()
        assert person.is_marginalised
    page = admin.get(f"/programme/enterprises/{savar}").get_data(as_text=True)
    assert "Other Backward Class" in page


# Demo and scale data.


def test_demo_numbers_have_their_countrys_form_and_keep_the_draws() -> None:
    for number in range(1, 41):
        for country, series in (("IN", 17), ("BD", 19)):
            numbers = demo.registration(country, number, series, registered=bool(number % 4))
            assert set(numbers) <= set(country_fields.IDENTIFIERS[country])
            for key, value in numbers.items():
                assert country_fields.CHECKS[key](value) == value
    assert demo.registration("BD", 4, 17, registered=False) == {
        "trade_licence": "SAVAR/TL/170004/2025-26"
    }
    draws = {}
    for country in ("IN", "BD"):
        rng = random.Random(7)
        codes = [demo.category(rng, country) for _n in range(200)]
        assert set(codes) == set(CATEGORIES[country])
        draws[country] = rng.random()
    assert draws["IN"] == draws["BD"]  # one draw each: the rest of the demo is unchanged


def test_scale_rows_for_savar_carry_bangladeshs_numbers(app: Flask, clusters) -> None:  # noqa: ANN001
    rng = random.Random(1)
    savar_rows = [scale.enterprise_row(n, rng) for n in range(40, 50)]
    assert {row["cluster"] for row in savar_rows} == {"Savar (Tannery Estate)"}
    with app.app_context():
        db.session.add(Cluster(name="Savar (Tannery Estate)", country="BD"))
        db.session.commit()
        index = services.cluster_index()
        for row in savar_rows:
            values, problems = services.clean(row, index)
            assert problems == [] and values["udyam"] is None and values["trade_licence"]
        assert sum(1 for row in savar_rows if row.get("bin")) == 7


# The migration.


def test_the_migration_adds_and_removes_the_numbers(make_app: Callable[..., Flask]) -> None:
    from alembic import command

    from lms import migrations

    app = make_app()
    with app.app_context():
        db.session.add(
            Enterprise(
                name="Savar Hides", segment="tannery", udyam="UDYAM-WB-10-0012345", bin="1" * 13
            )
        )
        db.session.commit()
        db.session.remove()
        command.downgrade(migrations.alembic_config(), "0016")
        columns = {c["name"] for c in sa_inspect(db.engine).get_columns("lms_enterprise")}
        assert {"bin", "etin", "trade_licence"}.isdisjoint(columns) and "udyam" in columns
        command.upgrade(migrations.alembic_config(), "head")
        inspector = sa_inspect(db.engine)
        columns = {c["name"] for c in inspector.get_columns("lms_enterprise")}
        unique = {u["name"] for u in inspector.get_unique_constraints("lms_enterprise")}
        assert {"bin", "etin", "trade_licence"} <= columns
        assert {"uq_lms_enterprise_bin", "uq_lms_enterprise_etin"} <= unique
        row = db.session.execute(text("SELECT name, udyam, bin FROM lms_enterprise")).one()
        assert tuple(row) == ("Savar Hides", "UDYAM-WB-10-0012345", None)
