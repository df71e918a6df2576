"""Numbers people type or send: ids and counts in queries, forms and URLs. One reader
(lms/parsing.py) takes Latin and Bengali digits and nothing else (no ``²``, no other scripts'
digits, no signs), within bounds that fit the database; anything else is a 400 or 404 page or a
form message in the user's language, never a server error.

The route x role sweep reaches pages as tests/test_security_matrix.py does (same demo world);
the cases first reported are also sent to gunicorn.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask, url_for
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from lms.accounts.models import User
from lms.db import db
from lms.i18n import BENGALI_DIGITS, gettext_in
from lms.parsing import DIGITS_PATTERN, MAX_ID, IdConverter, record_id, whole_number
from lms.programme.models import Cluster, Enterprise, Programme, TrainingSession
from tests import test_properties  # noqa: F401  (its Hypothesis profiles: deterministic in CI)
from tests import test_security_matrix as matrix
from tests.conftest import PASSWORD, csrf_token
from tests.processes import ROOT, Browser, Gunicorn, server_env
from tests.security_rules import OK, PARAMS, RULES
from tests.test_security_matrix import World, lms_rules, routes

#: The security matrix's world (the demo data and a real value for every URL variable).
world = matrix.world

TO_BENGALI = str.maketrans("0123456789", BENGALI_DIGITS)
_TO_LATIN = str.maketrans(BENGALI_DIGITS, "0123456789")
HUGE = "99999999999999999999999"
#: Values that ``str.isdigit()``, ``int()`` or the database let through or choke on.
HOSTILE = ["²", HUGE, str(MAX_ID + 1), "-1", "+1", "1.0", "1e3", "0x1", "1_0", "٣", "１", "0"]
BAD_REQUEST = "The request could not be understood."
NOT_FOUND = "We could not find this page."


# The reader itself (Hypothesis).


@given(st.integers(min_value=0, max_value=MAX_ID), st.booleans(), st.sampled_from(["", " ", "\t"]))
@example(0, False, "")
@example(MAX_ID, True, " ")
def test_every_number_in_range_reads_back_in_latin_or_bengali_digits(
    number: int, in_bengali: bool, space: str
) -> None:
    typed = str(number).translate(TO_BENGALI) if in_bengali else str(number)
    assert whole_number(f"{space}{typed}{space}") == number
    assert record_id(typed) == (number if number >= 1 else None)


@given(st.text(max_size=30))
@example("²")
@example("٣")
@example("１２")
@example("1_000")
@example("+5")
@example("-5")
@example(" 1 2 ")
@example("০১২")
@example(HUGE)
def test_any_text_is_a_bounded_number_of_ascii_or_bengali_digits_or_none(text: str) -> None:
    found = whole_number(text, 1, 500)
    digits = text.strip()
    readable = bool(digits) and all(c in "0123456789" + BENGALI_DIGITS for c in digits)
    if found is None:
        assert not readable or not 1 <= int(digits.translate(_TO_LATIN)) <= 500
    else:
        assert readable and 1 <= found <= 500
        assert found == int(digits.translate(_TO_LATIN))


@given(st.text(max_size=25))
@example("²")
@example(HUGE)
@example("০")
@example("০১২")
def test_an_id_in_a_url_is_a_database_id_or_zero_which_is_none(text: str) -> None:
    if not re.fullmatch(DIGITS_PATTERN, text):
        return  # no route matches: 404
    value = IdConverter(None).to_python(text)  # type: ignore[arg-type]
    assert value == (record_id(text) or 0) and 0 <= value <= MAX_ID


# Every route, as every signed-in role, with hostile numbers in the query and in the path.


def _hit(client, method: str, url: str, data: dict | None = None) -> int | str:  # noqa: ANN001
    """The status, or the exception a 500 would have shown."""
    try:
        response = client.open(url, method=method, data=data)
    except Exception as exc:  # noqa: BLE001  (the test client raises what the app did not catch)
        return f"{type(exc).__name__}: {exc}"[:160]
    response.close()
    return response.status_code


SIGNED_IN = ("learner", "trainer", "author", "admin")
QUERY_KEYS = ("programme", "cluster", "trainer", "step", "as", "page")
#: The most telling hostile values, for the sweeps over every route.
SWEEP = ["²", HUGE, "-1", "٣"]


def _allowed(answers: dict[str, object]) -> list[str]:
    """The signed-in roles a route lets in (others are turned away before any number is read)."""
    return [role for role in SIGNED_IN if answers[role] == OK]


def test_hostile_numbers_in_queries_never_break_a_page(world: World) -> None:
    clients = {role: world.client(role) for role in SIGNED_IN}
    broken = []
    for endpoint, rule, url in routes(world, "GET"):
        for index, value in enumerate(SWEEP):
            query = "&".join(f"{key}={quote(value)}" for key in QUERY_KEYS)
            group = f"{('session', 'programme')[index % 2]}:{quote(value)}"
            for role in _allowed(rule.get):
                status = _hit(clients[role], "GET", f"{url}?{query}&group={group}")
                if not isinstance(status, int) or status >= 500:
                    broken.append(f"{endpoint} as {role} with {value!r}: {status}")
    assert not broken, "\n".join(sorted(set(broken)))


def test_a_programme_filter_that_is_not_an_id_is_a_400_in_the_users_language(
    world: World,
) -> None:
    admin = world.client("admin")
    with world.app.app_context():
        locale = db.session.scalar(select(User.locale).where(User.email == world.emails["admin"]))
        message = gettext_in(locale or "en", BAD_REQUEST)
    for path in (
        "/programme/dashboard",
        "/programme/dashboard/export/sessions.csv",
        "/programme/report.pdf",
        "/programme/sessions",
        "/programme/feedback/summary",
        "/programme/mentorship",
    ):
        for value in ("²", HUGE, "-1", "٣"):
            response = admin.get(f"{path}?programme={quote(value)}")
            assert response.status_code == 400, (path, value)
            assert message in html.unescape(response.get_data(as_text=True)), (path, value)
    assert admin.get("/programme/dashboard?programme=").status_code == 200  # every programme
    with world.app.app_context():
        first = db.session.scalar(select(func.min(Programme.id)))
    bengali = str(first).translate(TO_BENGALI)
    assert admin.get(f"/programme/dashboard?programme={bengali}").status_code == 200


def _path_urls(world: World) -> Iterator[tuple[str, str, str, str]]:
    """(endpoint, method, value, url) with ``value`` in place of each id of each route."""
    marker = 987_654_321
    for url_rule in lms_rules(world.app):
        ids = [
            name
            for name, converter in url_rule._converters.items()
            if isinstance(converter, IdConverter | IntegerConverter)  # (a new <int:...> too)
        ]
        rule = RULES[url_rule.endpoint]
        for name in ids:
            values = {
                arg: getattr(world, rule.params.get(arg) or PARAMS[arg])
                for arg in url_rule.arguments
            }
            values[name] = marker
            with world.app.test_request_context():
                url = url_for(url_rule.endpoint, **values)
            for method in sorted(url_rule.methods & {"GET", "POST"}):
                for value in HOSTILE:
                    yield url_rule.endpoint, method, value, url.replace(str(marker), quote(value))


def test_an_id_in_a_url_that_is_not_one_is_not_found(world: World) -> None:
    admin = world.client("admin")
    form = {"csrf_token": csrf_token(admin, "/")}  # (a POST reaches its view, if the URL is one)
    wrong = []
    for endpoint, method, value, url in _path_urls(world):
        status = _hit(admin, method, url, form if method == "POST" else None)
        if status not in (400, 404):  # 400: a form that is refused before the id matters
            wrong.append(f"{method} {endpoint} with {value!r}: {status}")
    assert not wrong, "\n".join(wrong)
    # Bengali digits are digits: the same page as with Latin ones.
    latin = f"/programme/sessions/{world.session}"
    bengali = f"/programme/sessions/{str(world.session).translate(TO_BENGALI)}"
    trainer = world.client("trainer")
    assert trainer.get(bengali).status_code == trainer.get(latin).status_code == 200


NUMBER_FIELDS = (
    "capacity",
    "employees",
    "programme",
    "cluster",
    "user",
    "beneficiary",
    "beneficiaries",
    "step",
    "to",
    "index",
    "countdown",
    "target_sessions",
    "target_per_session",
    "target_women_share",
    "target_marginalised_share",
)


def test_hostile_numbers_in_forms_never_break_a_page(world: World) -> None:
    """Every POST route with every number field hostile and the rest filled in (last in this
    module: some forms are saved where the hostile field is not theirs)."""
    clients = {role: world.client(role) for role in SIGNED_IN}
    tokens = {role: csrf_token(client, "/") for role, client in clients.items()}
    broken = []
    for endpoint, rule, url in routes(world, "POST"):
        if rule.signs_out:
            continue
        for value in SWEEP:
            form = {field: value for field in NUMBER_FIELDS}
            form.update(
                title="Hostile numbers",
                name="Hostile numbers",
                held_on="2026-11-20",
                starts_on="2026-01-01",
                ends_on="2026-12-31",
                segment="footwear",
                women_led="no",
                language="bn",
                country="IN",
                group=f"session:{value}",
            )
            for role in _allowed(rule.post):
                for action in ("enrol", "issue"):
                    data = {**form, "action": action, "csrf_token": tokens[role]}
                    status = _hit(clients[role], "POST", url, data)
                    if not isinstance(status, int) or status >= 500:
                        broken.append(f"{endpoint} as {role} with {value!r}: {status}")
    assert not broken, "\n".join(sorted(set(broken)))


# The cases first reported, over HTTP on gunicorn.


@pytest.fixture
def app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    """An app of its own, on the shipped content (the needs questionnaire with it)."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "modules_content", content)
    return make_app(LMS_CONTENT_DIR=str(content))


@pytest.fixture
def records(app: Flask) -> dict[str, int]:
    with app.app_context():
        cluster = Cluster(name="Tangra", country="IN")
        enterprise = Enterprise(name="Alam Leather", segment="footwear", cluster=cluster)
        programme = Programme(
            name="Leather MSME skills", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31)
        )
        db.session.add_all([cluster, enterprise, programme])
        db.session.commit()
        return {"enterprise": enterprise.id, "programme": programme.id}


@pytest.fixture
def server(app: Flask, records: dict[str, int], tmp_path: Path) -> Iterator[Gunicorn]:
    gunicorn = Gunicorn(server_env(app), tmp_path / "gunicorn.log", workers=1)
    try:
        yield gunicorn
    finally:
        gunicorn.stop()


def _signed_in(port: int, email: str) -> Browser:
    browser = Browser(port)
    form = {"email": email, "password": PASSWORD, "csrf_token": browser.token("/login")}
    assert browser.request("POST", "/login", form)[0] == 302
    return browser


def test_the_reported_numbers_get_a_page_in_the_users_language_over_http(
    app: Flask, records: dict[str, int], server: Gunicorn, make_user
) -> None:
    ids = records
    admin = _signed_in(server.port, make_user("admin", locale="bn").email)
    trainer = _signed_in(server.port, make_user("trainer", locale="bn").email)
    with app.app_context():
        bad_request = gettext_in("bn", BAD_REQUEST)
        not_found = gettext_in("bn", NOT_FOUND)
        capacity = gettext_in("bn", "Capacity must be a whole number from 1 to 500.")
        no_programme = gettext_in("bn", "Choose a programme from the list.")
        employees = gettext_in(
            "bn", "Employees must be a whole number from %(low)s to %(high)s."
        ) % {"low": "০", "high": "১০,০০,০০০"}

    for query in (f"programme={quote('²')}", f"programme={HUGE}"):
        status, _headers, page = admin.request("GET", f"/programme/dashboard?{query}")
        assert status == 400 and bad_request in html.unescape(page), query
    status, _headers, page = admin.request("GET", f"/programme/enterprises/{HUGE}")
    assert status == 404 and not_found in html.unescape(page)

    needs = f"/programme/enterprises/{ids['enterprise']}/needs"
    status, _headers, page = trainer.request("GET", f"{needs}?step={quote('²')}")
    assert status == 200 and 'name="step" value="1"' in page  # the first screen

    session = {
        "csrf_token": trainer.token("/programme/sessions/new"),
        "title": "Cutting patterns",
        "held_on": "2026-11-20",
        "language": "bn",
        "capacity": "²",
        "programme": str(ids["programme"]),
    }
    status, _headers, page = trainer.request("POST", "/programme/sessions/new", session)
    assert status == 200 and capacity in html.unescape(page)
    session.update(capacity="৩০", programme="²")  # Bengali digits are fine; ² is no programme
    status, _headers, page = trainer.request("POST", "/programme/sessions/new", session)
    assert status == 200 and no_programme in html.unescape(page)
    assert capacity not in html.unescape(page)

    enterprise = {
        "csrf_token": admin.token("/programme/enterprises/new"),
        "name": "Shampa Bags",
        "segment": "leather-goods",
        "women_led": "yes",
        "employees": "²",
    }
    status, _headers, page = admin.request("POST", "/programme/enterprises/new", enterprise)
    assert status == 200 and employees in html.unescape(page)
    with app.app_context():
        assert db.session.scalar(select(func.count(TrainingSession.id))) == 0
        assert db.session.scalar(select(func.count(Enterprise.id))) == 1  # the fixture's
