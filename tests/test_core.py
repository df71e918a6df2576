"""Home pages per role, health check, CSRF, signals, the database set-up and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, inspect, select, text

from lms import migrations, signals
from lms.accounts.models import User
from lms.db import db
from tests.conftest import PG_URL, build_app, csrf_token, login, post


def test_anonymous_home_invites_to_sign_in(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert 'href="/login"' in page and "Sign in" in page


@pytest.mark.parametrize(
    ("role", "sees_users"),
    [("learner", False), ("trainer", False), ("author", False), ("admin", True)],
)
def test_home_lists_what_the_role_can_do(client, make_user, role, sees_users) -> None:  # noqa: ANN001
    user = make_user(role)
    login(client, user.email)
    page = client.get("/").get_data(as_text=True)
    assert 'href="/settings"' in page
    assert ('href="/admin/users"' in page) is sees_users


def test_healthz_reports_the_database(client: FlaskClient, tmp_path: Path) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["database"] == "ok"
    down = build_app(
        tmp_path / "down",
        migrate=False,
        LMS_DATABASE_URL="postgresql://nobody@127.0.0.1:9/none?connect_timeout=2",
    )
    response = down.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "error" and response.json["database"] == "unreachable"


def test_state_changing_requests_need_a_csrf_token(app, client, make_user) -> None:  # noqa: ANN001
    user = make_user()
    login(client, user.email)
    refused = client.post("/language", data={"locale": "bn"})
    assert refused.status_code == 400
    assert "nothing was saved" in refused.get_data(as_text=True)
    assert client.post("/logout").status_code == 400
    assert client.get("/settings").status_code == 200  # still signed in
    with app.app_context():
        assert db.session.get(User, user.id).locale is None
    forged = client.post("/language", data={"locale": "bn", "csrf_token": "forged"})
    assert forged.status_code == 400
    assert client.post("/login", data={"email": user.email, "password": "x"}).status_code == 400


def test_signals_announce_the_main_events(app, client, make_user) -> None:  # noqa: ANN001
    seen: list[tuple[str, dict]] = []  # type: ignore[type-arg]

    def recorder(name: str):  # noqa: ANN202
        def receive(sender: Flask, **extra: object) -> None:
            assert sender is app
            seen.append((name, extra))

        return receive

    receivers = {
        name: recorder(name)
        for name in (
            "user_created",
            "user_signed_in",
            "user_signed_out",
            "sign_in_failed",
            "roles_changed",
            "locale_changed",
        )
    }
    for name, receiver in receivers.items():
        getattr(signals, name).connect(receiver, sender=app)
    try:
        admin = make_user("admin")
        learner = make_user()
        login(client, learner.email, "wrong password")
        login(client, learner.email)
        post(client, "/language", {"locale": "bn"})
        post(client, "/switch")
        login(client, admin.email)
        token = csrf_token(client, f"/admin/users/{learner.id}")
        client.post(
            f"/admin/users/{learner.id}",
            data={
                "csrf_token": token,
                "name": learner.name,
                "email": learner.email,
                "roles": ["trainer"],
                "active": "y",
            },
        )
    finally:
        for name, receiver in receivers.items():
            getattr(signals, name).disconnect(receiver, sender=app)
    names = [name for name, _ in seen]
    assert names == [
        "user_created",
        "user_created",
        "sign_in_failed",
        "user_signed_in",
        "locale_changed",
        "user_signed_out",
        "user_signed_in",
        "roles_changed",
    ]
    assert seen[2][1]["reason"] == "bad-credentials"
    assert seen[3][1]["user"].email == learner.email
    assert seen[4][1]["locale"] == "bn"
    assert seen[5][1]["reason"] == "switch"
    assert seen[7][1]["roles"] == {"trainer"}
    assert seen[7][1]["changed_by"].email == admin.email


@pytest.mark.skipif(bool(PG_URL), reason="SQLite settings")
def test_sqlite_runs_in_wal_mode_with_foreign_keys(app: Flask) -> None:
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30_000
        assert db.engine.url.database.endswith("lms.sqlite3")


def test_default_database_lives_in_the_instance_folder(tmp_path: Path) -> None:
    app = Flask("defaults", instance_path=str(tmp_path / "inst"))
    app.config["SECRET_KEY"] = "x"
    from lms import LMS

    LMS(app)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/inst/lms.sqlite3"


def test_migrations_match_the_models(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": migrations.include_object, "compare_type": True}
        )
        assert compare_metadata(context, db.metadata) == []
        tables = set(inspect(conn).get_table_names())
    assert {"lms_user", "lms_user_role", "lms_throttle", "lms_alembic_version"} <= tables


def test_init_is_safe_to_run_twice(app: Flask, runner) -> None:  # noqa: ANN001
    first = runner.invoke(args=["lms", "init"])
    second = runner.invoke(args=["lms", "init"])
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    assert "Database ready" in second.output
    with app.app_context():
        heads = migrations.current_heads()
        version = db.session.scalar(text("SELECT version_num FROM lms_alembic_version"))
    assert {version} == heads


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def test_demo_loads_every_role_and_can_run_again(app: Flask, runner) -> None:  # noqa: ANN001
    loaded: list = []  # type: ignore[type-arg]
    receiver = lambda sender, accounts: loaded.append(accounts)  # noqa: E731
    signals.demo_loaded.connect(receiver, sender=app)
    try:
        result = runner.invoke(args=["lms", "demo"])
        with app.app_context():
            counts = _row_counts()
        again = runner.invoke(args=["lms", "demo", "--password", "another demo pw"])
    finally:
        signals.demo_loaded.disconnect(receiver, sender=app)
    assert result.exit_code == 0 and again.exit_code == 0, again.output
    assert "admin@demo.dakshata.org" in result.output and "dakshata-demo" in result.output
    with app.app_context():
        assert _row_counts() == counts  # nothing made twice
        users = db.session.scalars(select(User)).all()
        assert set().union(*(u.roles for u in users)) == {"learner", "trainer", "author", "admin"}
    assert len(loaded) == 2
    with app.app_context():
        from lms.quiz.models import Attempt

        kinds = {a.kind for a in db.session.scalars(select(Attempt))}
        assert kinds == {"pre", "post", "retention"}
    client = app.test_client()
    assert login(client, "learner@demo.dakshata.org", "another demo pw").status_code == 302


def test_demo_refuses_production(make_app) -> None:  # noqa: ANN001
    app = make_app(LMS_ENV="production", LMS_BASE_URL="https://dakshata.example.org")
    result = app.test_cli_runner().invoke(args=["lms", "demo"])
    assert result.exit_code == 1 and "LMS_ENV=production" in result.output


def test_lms_pages_send_security_headers_but_host_pages_keep_theirs(make_app) -> None:  # noqa: ANN001
    app = make_app()

    @app.get("/host-page")
    def host_page() -> str:
        return "the host's"

    client = app.test_client()
    page = client.get("/login")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert "Content-Security-Policy" not in client.get("/host-page").headers


def test_behind_a_tls_proxy_the_forwarded_scheme_is_believed_when_configured(make_app) -> None:  # noqa: ANN001
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "lms.example.org"}
    plain = make_app()
    with plain.test_request_context("/", headers=forwarded):
        from flask import request

        assert request.url.startswith("http://localhost")
    proxied = make_app(LMS_PROXY_FIX=1)
    seen = {}

    @proxied.get("/where")
    def where() -> str:
        from flask import request

        seen["url"] = request.url
        return "ok"

    proxied.test_client().get("/where", headers=forwarded)
    assert seen["url"] == "https://lms.example.org/where"
