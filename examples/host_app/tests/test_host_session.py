"""The host's session is the host's: LMS pages, switch learner and idle sign-out remove only the
LMS's keys and Flask-Login's; the cart (and any other key of the host) stays."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from conftest import Member, add_member, post, sign_in
from flask import Flask
from flask.testing import FlaskClient

LMS_PAGES = ("/learn/", "/learn/modules", "/learn/modules/export-readiness", "/learn/my/record")


def session_of(client: FlaskClient) -> dict[str, Any]:
    with client.session_transaction() as session:
        return dict(session)


def fill_cart(client: FlaskClient) -> None:
    for item in ("gloves", "apron"):
        assert post(client, f"/cart/add/{item}", token_from="/shop").status_code == 302
    assert session_of(client)["cart"] == ["gloves", "apron"]


def set_idle_since(client: FlaskClient, seconds: int) -> None:
    with client.session_transaction() as session:
        session["lms_seen"] = int(time.time()) - seconds


def assert_signed_out_with_cart(client: FlaskClient) -> None:
    kept = session_of(client)
    assert kept["cart"] == ["gloves", "apron"]
    assert kept["lang"] == "en"
    assert "_user_id" not in kept
    assert not [key for key in kept if key.startswith("lms_")]
    response = client.get("/learn/my/record")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?")


def test_lms_pages_keep_the_hosts_session(client: FlaskClient, member: Member) -> None:
    sign_in(client, member)
    fill_cart(client)
    post(client, "/language", {"lang": "en"})
    for path in LMS_PAGES:
        assert client.get(path).status_code == 200, path
    kept = session_of(client)
    assert kept["cart"] == ["gloves", "apron"]
    assert kept["lang"] == "en"
    assert kept["_user_id"] == str(member.id)

    # One CSRF token for both: a form on an LMS page passes the host's CSRFProtect.
    assert post(client, "/cart/add/extract", token_from="/learn/").status_code == 302
    assert session_of(client)["cart"] == ["gloves", "apron", "extract"]


def test_switch_learner_turned_on_by_the_host_keeps_the_cart(
    make_host: Callable[..., Flask],
) -> None:
    app = make_host(LMS_SWITCH_LEARNER=True)
    client = app.test_client()
    sign_in(client, add_member(app))
    fill_cart(client)
    post(client, "/language", {"lang": "en"})
    page = client.get("/learn/").get_data(as_text=True)
    assert 'action="/learn/switch"' in page

    response = post(client, "/learn/switch", token_from="/learn/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"  # the host's sign-in page
    assert_signed_out_with_cart(client)


def test_the_idle_timeout_turned_on_by_the_host_keeps_the_cart(
    make_host: Callable[..., Flask],
) -> None:
    app = make_host(LMS_IDLE_TIMEOUT=600)
    client = app.test_client()
    who = add_member(app)
    sign_in(client, who)
    fill_cart(client)
    post(client, "/language", {"lang": "en"})
    assert client.get("/learn/").status_code == 200

    set_idle_since(client, 3600)
    response = client.get("/learn/modules")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert_signed_out_with_cart(client)

    # The tablet's own idle sign-out (its script posts to /learn/logout): the same.
    sign_in(client, who)
    response = post(client, "/learn/logout", {"reason": "idle"}, token_from="/learn/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert_signed_out_with_cart(client)


def test_without_the_hosts_say_so_nobody_is_signed_out_by_the_lms(
    client: FlaskClient, member: Member
) -> None:
    sign_in(client, member)
    fill_cart(client)
    assert client.get("/learn/").status_code == 200
    set_idle_since(client, 24 * 3600)  # a day on the host's pages since the last LMS page

    assert client.get("/cart").status_code == 200
    for path in LMS_PAGES:
        assert client.get(path).status_code == 200, path
    kept = session_of(client)
    assert kept["_user_id"] == str(member.id)
    assert kept["cart"] == ["gloves", "apron"]

    # Switch learner and the LMS's sign-out are off: the host's sign-out is the one.
    page = client.get("/learn/").get_data(as_text=True)
    assert 'action="/learn/switch"' not in page
    assert post(client, "/learn/switch", token_from="/learn/").status_code == 404
    assert post(client, "/learn/logout", token_from="/learn/").status_code == 404
    assert session_of(client)["_user_id"] == str(member.id)
