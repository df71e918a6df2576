"""Security headers on the answers the route matrix does not see, Secure cookies behind a TLS proxy,
sign-in limits by the real client address, and a new session and CSRF token at sign-in.

Covered elsewhere, so not repeated here:
- tests/test_security_matrix.py: the headers on every GET answer of every route to every role
  (pages, redirects, 403, 404, JSON, PDF, CSV, files) and no inline script or style in any page;
- tests/test_core.py: the headers on the sign-in page while host pages keep theirs; the forwarded
  scheme and host believed only with ``LMS_PROXY_FIX``; CSRF on ``/language`` and ``/logout``;
- tests/test_extension.py: production needs a secret key and sets Secure, HttpOnly and Lax cookies;
- tests/test_accounts.py: sign-in locks per account and per address (429), a success clears the
  account's failures, a new password signs other sessions out, sign-in drops what was in the
  session before, the idle timeout.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from lms.accounts import services
from lms.content import services as content
from lms.live import services as live
from lms.quiz import services as quiz
from lms.web import CSP
from tests.conftest import PASSWORD, csrf_token, login

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
#: What a TLS-terminating reverse proxy adds to every request it passes on.
PROXY = {"REMOTE_ADDR": "10.0.0.1"}
HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "lms.example.org"}


def behind_proxy(app: Flask) -> FlaskClient:
    """A client whose requests come through the proxy (the app sees the proxy's address)."""
    client = app.test_client()
    client.environ_base.update(PROXY)
    return client


def missing_headers(response: TestResponse) -> dict[str, str | None]:
    response.close()
    return {k: response.headers.get(k) for k, v in HEADERS.items() if response.headers.get(k) != v}


def live_participant(app: Flask, client: FlaskClient) -> str:
    """A live quiz in its lobby, joined by ``client``; returns the quiz's code."""
    with app.app_context():
        module = content.library().get("gst-vat")
        bank = quiz.bank_for(module)
        made = live.create(
            bank,
            module.slug,
            [bank.items[0].id],
            title="Headers",
            mode="correctness",
            countdown=0,
            session_label="",
            user_id=None,
        )
        live.start(made)
        code = made.code
    joined = client.post(f"/live/{code}", data={"name": "Asha", "csrf_token": csrf_token(client)})
    assert joined.status_code == 302
    return code


# Headers on every kind of answer.


def test_headers_on_not_modified_refusals_and_locks(app: Flask, make_user) -> None:  # noqa: ANN001
    app.config["LMS_LOGIN_MAX_FAILURES_PER_ACCOUNT"] = 1
    client = app.test_client()
    code = live_participant(app, client)
    first = client.get(f"/live/{code}/state")
    assert first.status_code == 200 and missing_headers(first) == {}
    again = client.get(f"/live/{code}/state", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and missing_headers(again) == {}
    refused = client.post("/language", data={"locale": "bn"})  # no CSRF token
    assert refused.status_code == 400 and missing_headers(refused) == {}
    head = client.head("/login")
    assert head.status_code == 200 and missing_headers(head) == {}
    user = make_user()
    assert login(client, user.email, "wrong password").status_code == 401
    locked = login(client, user.email)
    assert locked.status_code == 429 and missing_headers(locked) == {}


def test_headers_on_lms_pages_under_a_url_prefix(make_app: Callable[..., Flask]) -> None:
    client = make_app(LMS_URL_PREFIX="/learn").test_client()
    assert missing_headers(client.get("/learn/login")) == {}
    assert missing_headers(client.get("/learn/healthz")) == {}
    assert missing_headers(client.get("/learn/modules")) == {}  # the redirect to sign in


def test_the_lms_error_pages_of_the_whole_app_carry_the_headers(
    make_app: Callable[..., Flask],
) -> None:
    client = make_app(LMS_APP_ERROR_PAGES=True).test_client()
    unknown = client.get("/no-such-page")
    assert unknown.status_code == 404 and "lms-static" in unknown.get_data(as_text=True)
    assert missing_headers(unknown) == {}
    wrong_method = client.get("/logout")
    assert wrong_method.status_code == 405 and missing_headers(wrong_method) == {}


# Cookies behind a TLS-terminating proxy.


def cookie(response: TestResponse, name: str) -> str:
    """The Set-Cookie header of ``name``; every cookie the LMS sets is HttpOnly and Lax."""
    found = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{name}=")]
    assert len(found) == 1, f"{name}: {response.headers.getlist('Set-Cookie')}"
    assert "; HttpOnly" in found[0] and "; SameSite=Lax" in found[0], found[0]
    return found[0]


def test_production_behind_a_tls_proxy_sends_only_secure_cookies(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(LMS_ENV="production", LMS_PROXY_FIX=1, LMS_BASE_URL="https://example.org")
    account(app)
    client = behind_proxy(app)
    page = client.get("/login", headers=HTTPS)
    assert "; Secure" in cookie(page, "session")
    token = csrf_token(client)
    form = {"email": "owner@example.org", "password": PASSWORD, "csrf_token": token}
    signed_in = client.post("/login", data=form, headers=HTTPS)
    assert signed_in.status_code == 302
    assert "; Secure" in cookie(signed_in, "session")
    assert "; Secure" in cookie(signed_in, "lms_recent")
    form = {"locale": "bn", "csrf_token": csrf_token(client)}
    language = client.post("/language", data=form, headers=HTTPS)
    assert "; Secure" in cookie(language, "lms_locale")
    tablet = behind_proxy(app)
    tablet.get("/login", headers=HTTPS)
    code = live_participant(app, tablet)
    joined = tablet.post(
        f"/live/{code}", data={"name": "B", "csrf_token": csrf_token(tablet)}, headers=HTTPS
    )
    assert joined.status_code == 302  # already in: the cookie set at joining was Secure
    with app.app_context():
        quiz_id = live.find_by_code(code).id
    assert tablet.get_cookie(f"lms_live_{quiz_id}").secure


def test_development_over_plain_http_keeps_cookies_usable(app: Flask) -> None:
    page = app.test_client().get("/login")
    assert "; Secure" not in cookie(page, "session")


# Sign-in limits count the real client, not what a client claims.


def account(app: Flask) -> str:
    with app.app_context():
        return services.create_user("owner@example.org", "Owner", PASSWORD, ["learner"]).email


def failures(client: FlaskClient, count: int, **headers: str) -> None:
    for n in range(count):
        response = login(client, f"guess{n}@example.org", "wrong password", headers=headers)
        assert response.status_code == 401


def test_behind_a_proxy_each_client_address_has_its_own_limit(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(LMS_PROXY_FIX=1, LMS_LOGIN_MAX_ACCOUNTS_PER_IP=3)
    email = account(app)
    client = behind_proxy(app)
    failures(client, 3, **{"X-Forwarded-For": "203.0.113.7"})
    locked = login(client, email, headers={"X-Forwarded-For": "203.0.113.7"})
    assert locked.status_code == 429
    # A client's own X-Forwarded-For entry comes first; the proxy appends the real address.
    spoofed = {"X-Forwarded-For": "198.51.100.1, 203.0.113.7"}
    assert login(client, email, headers=spoofed).status_code == 429
    # Another tablet behind the same proxy is not locked out with the first.
    other = login(behind_proxy(app), email, headers={"X-Forwarded-For": "203.0.113.8"})
    assert other.status_code == 302


def test_without_proxy_fix_a_forwarded_address_does_not_escape_the_limit(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(LMS_LOGIN_MAX_ACCOUNTS_PER_IP=3)
    email = account(app)
    client = app.test_client()
    for n in range(3):  # three accounts, each from a "new" address
        claim = {"X-Forwarded-For": f"198.51.100.{n}"}
        assert login(client, f"guess{n}@example.org", "wrong", headers=claim).status_code == 401
    fresh_claim = {"X-Forwarded-For": "198.51.100.99"}
    assert login(client, email, headers=fresh_claim).status_code == 429


# A sign-in starts a new session: nothing from before it is worth anything after it.


def test_a_token_from_before_sign_in_is_refused_after_it(app: Flask, make_user) -> None:  # noqa: ANN001
    user = make_user()
    client = app.test_client()
    before = csrf_token(client, "/login")
    login(client, user.email)
    stale = client.post("/language", data={"locale": "bn", "csrf_token": before})
    assert stale.status_code == 400
    fresh = client.post("/language", data={"locale": "bn", "csrf_token": csrf_token(client)})
    assert fresh.status_code == 302


def test_a_session_cookie_planted_before_sign_in_does_not_sign_anyone_in(
    app: Flask, make_user
) -> None:  # noqa: ANN001
    user = make_user()
    tablet = app.test_client()
    tablet.get("/login")
    planted = tablet.get_cookie("session").value  # what someone else saw or set on the tablet
    login(tablet, user.email)
    assert tablet.get_cookie("session").value != planted
    attacker = app.test_client()
    attacker.set_cookie("session", planted)
    answer = attacker.get("/settings")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")


def test_a_token_from_before_sign_out_is_refused_after_it(app: Flask, make_user) -> None:  # noqa: ANN001
    user = make_user()
    client = app.test_client()
    login(client, user.email)
    signed_in_token = csrf_token(client, "/settings")
    out = client.post("/logout", data={"csrf_token": signed_in_token})
    assert out.status_code == 302
    replay = client.post("/language", data={"locale": "bn", "csrf_token": signed_in_token})
    assert replay.status_code == 400
