"""Accounts, sign-in and its limits, roles, shared-tablet sessions, user administration."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from lms.accounts import services
from lms.accounts.models import User
from lms.db import db, utcnow
from lms.sessions import SignInSession
from tests.conftest import PASSWORD, csrf_token, login, post


def _user(app: Flask, email: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.expunge(user)
        return user


@pytest.mark.parametrize(
    ("email", "name", "password", "roles", "message"),
    [
        ("not-an-email", "A", PASSWORD, ["learner"], "does not look like an e-mail"),
        ("a@example.org", "  ", PASSWORD, ["learner"], "enter a name"),
        ("a@example.org", "A", "short", ["learner"], "at least 8 characters"),
        ("a@example.org", "A", PASSWORD, ["wizard"], "Unknown role: wizard"),
        ("a@example.org", "A", PASSWORD, [], "at least one role"),
    ],
)
def test_create_user_refuses_bad_input(app, email, name, password, roles, message) -> None:  # noqa: ANN001
    with app.app_context():
        with pytest.raises(services.AccountError, match=message):
            services.create_user(email, name, password, roles)
        assert db.session.scalar(select(User)) is None


def test_create_user_normalises_email_and_refuses_duplicates(app: Flask) -> None:
    with app.app_context():
        user = services.create_user(" Rina@Example.ORG ", "Rina", PASSWORD, ["trainer"])
        assert user.email == "rina@example.org"
        assert user.roles == {"trainer"}
        assert user.password_hash != PASSWORD and user.password_hash.startswith("scrypt")
        with pytest.raises(services.AccountError, match="already exists"):
            services.create_user("rina@example.org", "Other", PASSWORD, ["learner"])


def test_admin_holds_every_role(make_user) -> None:  # noqa: ANN001
    admin = make_user("admin")
    trainer = make_user("trainer")
    assert admin.has_role("trainer") and admin.has_role("author")
    assert trainer.has_role("trainer") and not trainer.has_role("author", "admin")


def test_sign_in_and_out(client: FlaskClient, make_user) -> None:  # noqa: ANN001
    user = make_user(name="Rahim Uddin")
    response = login(client, user.email)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Rahim Uddin" in client.get("/").get_data(as_text=True)
    response = post(client, "/logout")
    assert response.status_code == 302
    page = client.get("/login").get_data(as_text=True)
    assert "You are signed out." in page
    assert client.get("/settings").status_code == 302


def test_wrong_password_is_refused_without_saying_which_part(client, make_user) -> None:  # noqa: ANN001
    user = make_user()
    wrong_password = login(client, user.email, "wrong password")
    unknown_email = login(client, "nobody@example.org", "wrong password")
    for response in (wrong_password, unknown_email):
        assert response.status_code == 401
        assert "The e-mail or password is wrong." in response.get_data(as_text=True)


def test_sign_in_is_locked_after_repeated_failures_per_account(app, client, make_user) -> None:  # noqa: ANN001
    app.config["LMS_LOGIN_MAX_FAILURES_PER_ACCOUNT"] = 3
    user = make_user()
    for _ in range(3):
        assert login(client, user.email, "bad guess!").status_code == 401
    locked = login(client, user.email)  # even the right password, while locked
    assert locked.status_code == 429
    assert "wait ১৫ minutes" not in locked.get_data(as_text=True)
    assert "Please wait 15 minutes" in locked.get_data(as_text=True)
    other = make_user()
    assert login(client, other.email).status_code == 302  # other accounts are unaffected


def test_an_address_failing_on_many_accounts_is_refused_others(app, client, make_user) -> None:  # noqa: ANN001
    app.config["LMS_LOGIN_MAX_ACCOUNTS_PER_IP"] = 4
    user = make_user()
    for n in range(4):
        login(client, f"guess{n}@example.org", "bad guess!")
    assert login(client, user.email).status_code == 429
    other_address = app.test_client()
    resp = login(other_address, user.email, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert resp.status_code == 302


def test_success_clears_account_failures(app, client, make_user) -> None:  # noqa: ANN001
    app.config["LMS_LOGIN_MAX_FAILURES_PER_ACCOUNT"] = 3
    user = make_user()
    login(client, user.email, "bad guess!")
    login(client, user.email, "bad guess!")
    assert login(client, user.email).status_code == 302
    post(client, "/logout")
    login(client, user.email, "bad guess!")
    login(client, user.email, "bad guess!")
    assert login(client, user.email).status_code == 302


def test_switched_off_account_cannot_sign_in(app, client, make_user) -> None:  # noqa: ANN001
    user = make_user()
    make_user("admin")
    with app.app_context():
        services.set_active(db.session.get(User, user.id), False)
    response = login(client, user.email)
    assert response.status_code == 401
    assert "switched off" in response.get_data(as_text=True)


def test_sign_in_starts_a_fresh_session(app, client, make_user) -> None:  # noqa: ANN001
    user = make_user()
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    login(client, user.email)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == f"{user.id}.1"


def test_password_change_signs_out_other_sessions(app, make_user) -> None:  # noqa: ANN001
    user = make_user()
    tablet, phone = app.test_client(), app.test_client()
    login(tablet, user.email)
    login(phone, user.email)
    token = csrf_token(tablet, "/settings")
    response = tablet.post(
        "/settings",
        data={
            "csrf_token": token,
            "which": "password",
            "password-csrf_token": token,
            "password-current_password": PASSWORD,
            "password-new_password": "a new long password",
            "password-confirm": "a new long password",
        },
    )
    assert response.status_code == 302
    assert tablet.get("/settings").status_code == 200  # this tablet stays signed in
    assert phone.get("/settings").status_code == 302  # the other session is gone
    assert login(app.test_client(), user.email, "a new long password").status_code == 302


def test_password_change_needs_the_current_password(app, client, make_user) -> None:  # noqa: ANN001
    user = make_user()
    login(client, user.email)
    token = csrf_token(client, "/settings")
    page = client.post(
        "/settings",
        data={
            "csrf_token": token,
            "which": "password",
            "password-csrf_token": token,
            "password-current_password": "not it at all",
            "password-new_password": "a new long password",
            "password-confirm": "a new long password",
        },
    ).get_data(as_text=True)
    assert "The current password is wrong." in page
    assert login(app.test_client(), user.email).status_code == 302


def test_settings_save_name_language_and_digits(app, client, make_user) -> None:  # noqa: ANN001
    user = make_user()
    login(client, user.email)
    token = csrf_token(client, "/settings")
    response = client.post(
        "/settings",
        data={
            "csrf_token": token,
            "which": "settings",
            "settings-csrf_token": token,
            "settings-name": "মোহাম্মদ আলম",
            "settings-locale": "bn_BD",
            "settings-latin_digits": "y",
        },
    )
    assert response.status_code == 302
    saved = _user(app, user.email)
    assert (saved.name, saved.locale, saved.latin_digits) == ("মোহাম্মদ আলম", "bn_BD", True)
    page = client.get("/settings").get_data(as_text=True)
    assert '<html lang="bn-BD">' in page


def test_roles_protect_pages(client: FlaskClient, make_user) -> None:  # noqa: ANN001
    anonymous = client.get("/admin/users")
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/login?next=")
    learner = make_user("learner", locale="bn")
    login(client, learner.email)
    forbidden = client.get("/admin/users")
    assert forbidden.status_code == 403
    assert "এই পাতা খোলার অনুমতি আপনার নেই।" in forbidden.get_data(as_text=True)
    post(client, "/logout")
    admin = make_user("admin")
    login(client, admin.email)
    assert client.get("/admin/users").status_code == 200


def test_next_only_redirects_within_the_site(client: FlaskClient, make_user) -> None:  # noqa: ANN001
    user = make_user()
    for target, expected in [
        ("/settings", "/settings"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
    ]:
        token = csrf_token(client, "/login")
        response = client.post(
            "/login",
            query_string={"next": target},
            data={"email": user.email, "password": PASSWORD, "csrf_token": token},
        )
        assert response.headers["Location"] == expected, target
        post(client, "/logout")


def idle_since(app: Flask, seconds: int) -> None:
    """Move every session's last activity ``seconds`` into the past (as if nobody touched it)."""
    with app.app_context():
        db.session.execute(
            update(SignInSession).values(last_seen_at=utcnow() - timedelta(seconds=seconds))
        )
        db.session.commit()


def test_idle_session_is_signed_out(app, client, make_user) -> None:  # noqa: ANN001
    app.config["LMS_IDLE_TIMEOUT"] = 60
    user = make_user()
    login(client, user.email)
    assert client.get("/settings").status_code == 200
    idle_since(app, 61)
    response = client.get("/settings")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert "was not used for a while" in client.get("/login").get_data(as_text=True)
    assert client.get("/settings").status_code == 302


def test_idle_timeout_zero_keeps_the_session(app, client, make_user) -> None:  # noqa: ANN001
    app.config["LMS_IDLE_TIMEOUT"] = 0
    user = make_user()
    login(client, user.email)
    idle_since(app, 100_000)
    assert client.get("/settings").status_code == 200


def test_switch_learner_offers_this_tablets_recent_learners(app, client, make_user) -> None:  # noqa: ANN001
    first = make_user(name="Shirin Akhter")
    second = make_user(name="Gopal Mondal")
    login(client, first.email)
    post(client, "/switch")
    login(client, second.email)
    post(client, "/switch")
    page = client.get("/login").get_data(as_text=True)
    assert page.index("Gopal Mondal") < page.index("Shirin Akhter")  # most recent first
    picked = client.get(f"/login?as={first.id}").get_data(as_text=True)
    assert f'value="{first.email}"' in picked
    other_tablet = app.test_client().get("/login").get_data(as_text=True)
    assert "Shirin Akhter" not in other_tablet
    assert f'value="{first.email}"' not in app.test_client().get(f"/login?as={first.id}").get_data(
        as_text=True
    )
    post(client, "/login/forget-tablet")
    assert "Shirin Akhter" not in client.get("/login").get_data(as_text=True)


def test_admin_creates_and_edits_accounts(app, client, make_user) -> None:  # noqa: ANN001
    admin = make_user("admin")
    login(client, admin.email)
    token = csrf_token(client, "/admin/users/new")
    response = client.post(
        "/admin/users/new",
        data={
            "csrf_token": token,
            "name": "Bina Paul",
            "email": "bina@example.org",
            "roles": ["trainer", "author"],
            "password": "trainer password",
        },
    )
    assert response.status_code == 302
    bina = _user(app, "bina@example.org")
    assert bina.roles == {"trainer", "author"}
    assert "Bina Paul" in client.get("/admin/users").get_data(as_text=True)
    token = csrf_token(client, f"/admin/users/{bina.id}")
    response = client.post(
        f"/admin/users/{bina.id}",
        data={
            "csrf_token": token,
            "name": "Bina Paul",
            "email": "bina@example.org",
            "roles": ["learner"],
            "password": "",
        },
    )
    assert response.status_code == 302
    bina_now = _user(app, "bina@example.org")
    assert bina_now.roles == {"learner"} and bina_now.active is False  # box left unticked
    assert bina_now.password_hash == bina.password_hash


def test_admin_form_refuses_bad_input_and_keeps_data(app, client, make_user) -> None:  # noqa: ANN001
    admin = make_user("admin")
    existing = make_user(email="taken@example.org")
    login(client, admin.email)
    token = csrf_token(client, "/admin/users/new")
    page = client.post(
        "/admin/users/new",
        data={
            "csrf_token": token,
            "name": "X",
            "email": "taken@example.org",
            "roles": ["learner"],
            "password": "long enough pw",
        },
    ).get_data(as_text=True)
    assert "already exists" in page
    token = csrf_token(client, f"/admin/users/{admin.id}")
    page = client.post(
        f"/admin/users/{admin.id}",
        data={
            "csrf_token": token,
            "name": "Me",
            "email": admin.email,
            "roles": ["learner"],
            "active": "y",
        },
    ).get_data(as_text=True)
    assert "last active administrator" in page
    assert _user(app, admin.email).roles == {"admin"}
    assert _user(app, existing.email).name == existing.name
    assert client.get("/admin/users/9999").status_code == 404


def test_create_user_cli_prompts_for_the_password(app, runner) -> None:  # noqa: ANN001
    result = runner.invoke(
        args=[
            "lms",
            "create-user",
            "Trainer@Example.org",
            "--role",
            "trainer",
            "--name",
            "Sujata Roy",
        ],
        input="a long password\na long password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created trainer@example.org (trainer)" in result.output
    assert _user(app, "trainer@example.org").name == "Sujata Roy"
    again = runner.invoke(
        args=[
            "lms",
            "create-user",
            "trainer@example.org",
            "--name",
            "X",
            "--password",
            "a long password",
        ],
    )
    assert again.exit_code == 1
    assert "already exists" in again.output
