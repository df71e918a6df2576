"""Mounting the LMS in a host app: the host's database, users, session, migrations and languages.

The host here is the smallest realistic one: its own Flask-SQLAlchemy ``db`` with a ``User``
model, its own Flask-Login ``LoginManager`` and sign-in view, and a cart in the session. The
fuller example host (layout, Babel, CSRFProtect, Flask-Migrate) is ``examples/host_app``.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, session
from flask_login import LoginManager, UserMixin, login_user
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from lms import LMS, migrations, signals
from lms.accounts.models import User
from lms.db import db
from tests.conftest import PG_URL, build_app, csrf_token, login, write_module
from tests.quiz_bank import QUIZ_YAML

host_db = SQLAlchemy()


class Member(UserMixin, host_db.Model):
    __tablename__ = "member"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    email: Mapped[str | None]
    role: Mapped[str] = mapped_column(default="member")


ROLE_MAP = {"member": {"learner"}, "trainer": {"learner", "trainer"}, "admin": {"admin"}}


def empty_postgres_schema() -> None:
    """On PostgreSQL, start from an empty schema (the app's database is the shared test one)."""
    if PG_URL:
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))


def make_host(
    tmp_path: Path, *, login_first: bool = True, **options: Any
) -> tuple[Flask, LoginManager]:
    """A host app with its own db, users and sign-in, and the LMS under /learn."""
    app = Flask("host", instance_path=str(tmp_path / "instance"))
    url = PG_URL or f"sqlite:///{tmp_path / 'host.sqlite3'}"
    app.config.update(TESTING=True, SECRET_KEY="host-secret", SQLALCHEMY_DATABASE_URI=url)
    host_db.init_app(app)
    manager = LoginManager()
    if login_first:
        manager.init_app(app)
    LMS(
        app,
        db=host_db,
        url_prefix="/learn",
        user_roles=lambda member: ROLE_MAP[member.role],
        **options,
    )
    if not login_first:
        manager.init_app(app)  # the host adds its LoginManager after the LMS
    manager.login_view = "host_login"
    manager.user_loader(lambda ident: host_db.session.get(Member, int(ident)))

    @app.get("/")
    def host_home() -> str:
        return "host home"

    @app.route("/login", methods=["GET", "POST"])
    def host_login() -> str:
        from flask import request

        if request.method == "POST":
            member = host_db.session.get(Member, int(request.form["member"]))
            login_user(member)
            return "signed in"
        return "the host's sign-in page"

    @app.post("/cart/<item>")
    def add_to_cart(item: str) -> str:
        session["cart"] = [*session.get("cart", []), item]
        return "added"

    with app.app_context():
        empty_postgres_schema()
        host_db.create_all()
        migrations.upgrade()
    return app, manager


@pytest.fixture(autouse=True)
def _dispose_host_engines() -> Any:
    yield
    for engine in list(getattr(host_db, "_app_engines", {}).values()):
        for each in engine.values():
            each.dispose()


@pytest.fixture(autouse=True)
def _reset_postgres_after() -> Any:
    """The host tests drop the shared PostgreSQL schema: the next app migrates it again."""
    yield
    if PG_URL:
        import tests.conftest

        tests.conftest._pg_migrated = False


def add_member(app: Flask, name: str, role: str = "member", email: str | None = None) -> int:
    with app.app_context():
        member = Member(name=name, role=role, email=email)
        host_db.session.add(member)
        host_db.session.commit()
        return member.id


def lms_post(client, path: str, data: dict[str, str] | None = None):  # noqa: ANN001, ANN201
    """POST to an LMS page with the CSRF token an LMS page gives."""
    return client.post(path, data={"csrf_token": csrf_token(client, "/learn/"), **(data or {})})


def sign_in(app: Flask, member_id: int):  # noqa: ANN201
    client = app.test_client()
    assert client.post("/login", data={"member": member_id}).status_code == 200
    return client


def lms_records(app: Flask) -> list[User]:
    with app.app_context():
        return list(db.session.scalars(select(User).order_by(User.id)))


@pytest.mark.parametrize("login_first", [True, False], ids=["login-before", "login-after"])
def test_host_users_are_the_lms_users(tmp_path: Path, login_first: bool) -> None:
    app, _ = make_host(tmp_path, login_first=login_first)
    # An LMS account of its own with id 1, as an older standalone install would have.
    with app.app_context():
        from lms.accounts.services import create_user

        create_user("old@example.org", "Old LMS account", "correct horse battery")
    member = add_member(app, "Rehana Khatun", email="rehana@example.org")
    anonymous = app.test_client()
    to_login = anonymous.get("/learn/my/record")
    assert to_login.status_code == 302
    assert to_login.headers["Location"].startswith("/login?next=")
    client = sign_in(app, member)
    home = client.get("/learn/")
    assert home.status_code == 200
    assert "Rehana Khatun" in home.get_data(as_text=True)
    assert "Old LMS account" not in client.get("/learn/my/record").get_data(as_text=True)
    records = [r for r in lms_records(app) if r.external_id is not None]
    assert [(r.external_id, r.name, r.email, r.roles) for r in records] == [
        (str(member), "Rehana Khatun", "rehana@example.org", {"learner"})
    ]
    assert records[0].password_hash is None
    # The LMS's own password pages are the host's now.
    assert anonymous.get("/learn/login").headers["Location"].startswith("/login?next=")
    assert lms_post(client, "/learn/logout").status_code == 404


def test_roles_name_and_email_follow_the_host(tmp_path: Path) -> None:
    app, _ = make_host(tmp_path)
    member = add_member(app, "Gopal Mondal")
    client = sign_in(app, member)
    assert client.get("/learn/quiz/results").status_code == 403  # a learner
    changes: list[dict[str, Any]] = []
    receiver = lambda sender, **kw: changes.append(kw)  # noqa: E731
    signals.roles_changed.connect(receiver, sender=app)
    try:
        with app.app_context():
            row = host_db.session.get(Member, member)
            row.role, row.name, row.email = "trainer", "Gopal Mondal (trainer)", "gopal@x.org"
            host_db.session.commit()
        assert client.get("/learn/quiz/results").status_code == 200
    finally:
        signals.roles_changed.disconnect(receiver, sender=app)
    record = next(r for r in lms_records(app) if r.external_id == str(member))
    assert record.roles == {"learner", "trainer"}
    assert (record.name, record.email) == ("Gopal Mondal (trainer)", "gopal@x.org")
    assert [c["roles"] for c in changes] == [{"learner", "trainer"}]


def test_a_taken_email_is_not_copied(tmp_path: Path) -> None:
    app, _ = make_host(tmp_path)
    with app.app_context():
        from lms.accounts.services import create_user

        create_user("same@example.org", "LMS account", "correct horse battery")
    member = add_member(app, "Host member", email="same@example.org")
    assert sign_in(app, member).get("/learn/").status_code == 200
    record = next(r for r in lms_records(app) if r.external_id == str(member))
    assert record.email is None


def test_first_visits_at_once_make_one_record(tmp_path: Path) -> None:
    app, _ = make_host(tmp_path)
    member = add_member(app, "Nasrin Begum")
    clients = [sign_in(app, member) for _ in range(6)]
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def visit(client) -> None:  # noqa: ANN001
        barrier.wait()
        statuses.append(client.get("/learn/").status_code)

    threads = [threading.Thread(target=visit, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 6
    assert len([r for r in lms_records(app) if r.external_id == str(member)]) == 1


def test_host_session_keys_survive_lms_pages_and_sign_outs(tmp_path: Path) -> None:
    app, _ = make_host(tmp_path, switch_learner=True, idle_timeout=60)
    member = add_member(app, "Shirin Akhter")
    client = sign_in(app, member)
    client.post("/cart/leather-belt")
    for path in ("/learn/", "/learn/my/record", "/learn/settings"):
        assert client.get(path).status_code == 200
    with client.session_transaction() as saved:
        assert saved["cart"] == ["leather-belt"] and saved["_user_id"] == str(member)
    # Idle on the LMS: signed out of the host (the host turned it on), the cart stays.
    with client.session_transaction() as saved:
        saved["lms_seen"] = 1
    assert client.get("/learn/").status_code == 302
    with client.session_transaction() as saved:
        assert saved["cart"] == ["leather-belt"] and "_user_id" not in saved
    # Switch learner: the same.
    client.post("/login", data={"member": member})
    switched = lms_post(client, "/learn/switch")
    assert switched.headers["Location"] == "/login"
    with client.session_transaction() as saved:
        assert saved["cart"] == ["leather-belt"] and "_user_id" not in saved


def test_host_pages_never_sign_out_unless_the_host_asks(tmp_path: Path) -> None:
    app, _ = make_host(tmp_path)
    member = add_member(app, "Priya Sharma")
    client = sign_in(app, member)
    with client.session_transaction() as saved:
        saved["lms_seen"] = 1  # hours ago
    assert client.get("/learn/my/record").status_code == 200
    assert client.get("/").status_code == 200
    page = client.get("/learn/").get_data(as_text=True)
    assert "Switch learner" not in page and "/learn/logout" not in page
    assert 'data-idle-timeout="0"' in page


@pytest.mark.skipif(bool(PG_URL), reason="SQLite pragmas")
def test_the_hosts_sqlite_engine_is_left_alone(tmp_path: Path) -> None:
    app, _ = make_host(tmp_path)
    with app.app_context(), host_db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 0
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "delete"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("host.sqlite3")
    assert "SQLALCHEMY_ENGINE_OPTIONS" not in app.config or not app.config[
        "SQLALCHEMY_ENGINE_OPTIONS"
    ].get("connect_args")


def test_a_refused_init_changes_nothing(tmp_path: Path) -> None:
    app = Flask("own_db", instance_path=str(tmp_path))
    app.config.update(SECRET_KEY="x", SQLALCHEMY_DATABASE_URI="sqlite://")
    SQLAlchemy(app)
    before = copy.deepcopy(dict(app.config))
    with pytest.raises(RuntimeError, match=r"LMS\(app, db=db\)"):
        LMS(app, url_prefix="/learn")
    assert dict(app.config) == before
    assert "lms" not in app.extensions
    production = Flask("prod", instance_path=str(tmp_path / "p"))
    before = copy.deepcopy(dict(production.config))
    with pytest.raises(RuntimeError, match="needs a secret key"):
        LMS(production, env="production", database_url="sqlite://")
    assert dict(production.config) == before
    with pytest.raises(TypeError, match="unknown option"):
        LMS(production, colour="red")
    assert dict(production.config) == before
    for days in (0, "7", 2.5):
        with pytest.raises(RuntimeError, match="LMS_OFFLINE_SYNC_DAYS must be a whole number"):
            LMS(production, env="development", database_url="sqlite://", offline_sync_days=days)
        assert dict(production.config) == before


def test_create_all_then_init_adopts_the_tables(tmp_path: Path) -> None:
    app = build_app(tmp_path / "a", migrate=False)
    runner = app.test_cli_runner()
    with app.app_context():
        empty_postgres_schema()
        db.create_all()
    result = runner.invoke(args=["lms", "init"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        version = db.session.scalar(text("SELECT version_num FROM lms_alembic_version"))
        assert {version} == migrations.current_heads()
    assert runner.invoke(args=["lms", "init"]).exit_code == 0


def test_init_refuses_a_half_made_database(tmp_path: Path) -> None:
    app = build_app(tmp_path / "a", migrate=False)
    with app.app_context():
        empty_postgres_schema()
        db.metadata.tables["lms_user"].create(db.engine)
    result = app.test_cli_runner().invoke(args=["lms", "init"])
    assert result.exit_code != 0
    assert "others are missing" in str(result.exception)
    with app.app_context():
        assert "lms_alembic_version" not in inspect(db.engine).get_table_names()


def test_the_exported_filter_leaves_lms_tables_to_the_lms() -> None:
    class Reflected:
        pass

    lms_table, host_table = db.metadata.tables["lms_user"], host_db.metadata.tables["member"]
    include = migrations.include_object
    # The host's autogenerate: LMS tables only in the database are neither dropped nor read.
    assert not include(Reflected(), "lms_user", "table", True, None)
    assert not include(Reflected(), "lms_alembic_version", "table", True, None)
    assert include(host_table, "member", "table", False, None)
    assert include(Reflected(), "old_host_table", "table", True, None)
    # The LMS comparing its own models still compares its tables.
    assert include(lms_table, "lms_user", "table", False, Reflected())


def test_two_apps_in_one_process_do_not_leak(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    from tests.plugins.lms_estimate import Estimate

    content = tmp_path / "content"
    folder = write_module(content, "tanning", title="Tanning basics")
    estimate_item = """\
  - id: t-estimate
    type: estimate
    country: any
    forms: [A]
    stem: {en: "Cost of one pair?", bn: "এক জোড়ার খরচ?", bn_BD: "এক জোড়ার খরচ?"}
    answer: {value: 850, tolerance: 50}
    feedback: {en: "About 850.", bn: "প্রায় ৮৫০।", bn_BD: "প্রায় ৮৫০।"}
"""
    (folder / "quiz.yaml").write_text(QUIZ_YAML + estimate_item, encoding="utf-8")
    bengali = make_app(LMS_CONTENT_DIR=str(content), LMS_DEFAULT_LOCALE="bn", LMS_URL_PREFIX="/b")
    english = make_app(LMS_CONTENT_DIR=str(content), LMS_URL_PREFIX="/e")
    english.extensions["lms"].question_types.register(Estimate)

    from lms.content import services as content_services
    from lms.quiz.services import bank_for

    def problems(app: Flask) -> list[str]:
        with app.test_request_context():
            bank = bank_for(content_services.library().get("tanning"))
            return [str(p.message) for p in bank.problems if p.severity == "error"]

    bengali_problems = problems(bengali)  # read first, in Bengali
    assert len(bengali_problems) == 1 and "estimate" in bengali_problems[0]
    assert "is not installed" not in bengali_problems[0]  # Bengali words
    assert problems(english) == []  # its own bank, with its own types
    with english.test_request_context():
        assert bank_for(content_services.library().get("tanning")).item("t-estimate")
    assert english.extensions["lms"].cache("quiz.banks") is not bengali.extensions["lms"].cache(
        "quiz.banks"
    )


def test_two_lms_apps_under_one_domain_keep_their_sign_ins(tmp_path: Path, make_user) -> None:  # noqa: ANN001
    first = build_app(tmp_path / "a", SESSION_COOKIE_NAME="a_session", LMS_COOKIE_PREFIX="a_")
    second = build_app(tmp_path / "b", SESSION_COOKIE_NAME="b_session", LMS_COOKIE_PREFIX="b_")
    for app in (first, second):  # on PostgreSQL both use the one test database
        with app.app_context():
            from lms.accounts.services import create_user, find_user

            if find_user("both@example.org") is None:
                create_user("both@example.org", "Both", "correct horse battery")
    site = Flask("site")
    site.wsgi_app = DispatcherMiddleware(site.wsgi_app, {"/a": first, "/b": second})
    browser = site.test_client()
    assert login(browser, "both@example.org", prefix="/a").status_code == 302
    assert login(browser, "both@example.org", prefix="/b").status_code == 302
    assert browser.get("/a/settings").status_code == 200
    assert browser.get("/b/settings").status_code == 200
    for name in ("a_session", "b_session", "a_recent", "b_recent"):
        assert browser.get_cookie(name) is not None, name


def test_languages_can_be_added_and_chosen_by_the_host(tmp_path: Path) -> None:
    from lms.i18n import LocaleInfo

    hindi = LocaleInfo("hi", "हिन्दी", "hi", "hi_IN", "INR", "Asia/Kolkata", "०१२३४५६७८९")
    app = build_app(
        tmp_path / "a",
        LMS_LOCALES=("en", "bn", "bn_BD", "hi"),
        LMS_LANGUAGES={"hi": hindi},
    )
    client = app.test_client()
    client.set_cookie("lms_locale", "hi")
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="hi">' in page and "हिन्दी" in page
    with app.test_request_context(headers={"Cookie": "lms_locale=hi"}):
        from lms.i18n import format_number

        assert format_number(1234) == "१,२३४"
    chosen: list[str | None] = ["bn_BD"]
    picky = build_app(tmp_path / "b")
    picky.extensions["lms"].locale_selector = lambda: chosen[0]
    assert '<html lang="bn-BD">' in picky.test_client().get("/login").get_data(as_text=True)
    chosen[0] = "fr"  # not an LMS language: the LMS chooses
    assert '<html lang="en">' in picky.test_client().get("/login").get_data(as_text=True)


def test_the_host_users_migration_keeps_every_row(tmp_path: Path) -> None:
    """0012 rebuilds lms_user on SQLite: rows that refer to it (ON DELETE CASCADE) must stay."""
    app = build_app(tmp_path / "m", migrate=False)
    with app.app_context():
        empty_postgres_schema()
        migrations.upgrade("0011")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO lms_user (id, email, name, password_hash, latin_digits, active,"
                    " auth_version, created_at) VALUES (7, 'a@example.org', 'Asha', 'x', false,"
                    " true, 1, '2026-11-01 10:00:00')"
                )
            )
            conn.execute(text("INSERT INTO lms_user_role (user_id, role) VALUES (7, 'learner')"))
            conn.execute(
                text(
                    "INSERT INTO lms_reading_progress (user_id, module_id, current_section,"
                    " furthest_section, sections_total, updated_at)"
                    " VALUES (7, 'gst-vat', 2, 3, 9, '2026-11-01 10:00:00')"
                )
            )
        migrations.upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM lms_reading_progress")).scalar() == 1
            assert conn.execute(text("SELECT count(*) FROM lms_user_role")).scalar() == 1
            row = conn.execute(text("SELECT email, external_id FROM lms_user")).one()
        assert tuple(row) == ("a@example.org", None)
        if not PG_URL:
            with db.engine.connect() as conn:
                assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_a_signed_in_host_user_at_the_lms_sign_in_goes_on(tmp_path: Path) -> None:
    app, _ = make_host(tmp_path)
    client = sign_in(app, add_member(app, "Asha Das"))
    response = client.get("/learn/login?next=/learn/my/record")
    assert response.headers["Location"] == "/learn/my/record"
    assert client.get("/learn/login").headers["Location"] == "/learn/"


def test_the_lms_record_can_be_keyed_by_a_stable_id(tmp_path: Path) -> None:
    app, _ = make_host(tmp_path, user_id=lambda member: f"member-{member.id}")
    member = add_member(app, "Bilal Hossain")
    assert sign_in(app, member).get("/learn/").status_code == 200
    assert [r.external_id for r in lms_records(app)] == [f"member-{member}"]


def test_idle_on_a_host_page_signs_out_and_the_page_carries_on(tmp_path: Path) -> None:
    app, _ = make_host(tmp_path, idle_timeout=60)
    client = sign_in(app, add_member(app, "Chandan Roy"))
    assert 'id="sign-out-form" hidden' in client.get("/learn/").get_data(as_text=True)
    with client.session_transaction() as saved:
        saved["lms_seen"] = 1
    page = client.get("/")
    assert page.status_code == 200 and page.get_data(as_text=True) == "host home"
    with client.session_transaction() as saved:
        assert "_user_id" not in saved


def test_backup_and_restore_leave_the_hosts_database_to_the_host(tmp_path: Path) -> None:
    app, _ = make_host(tmp_path)
    runner = app.test_cli_runner()
    for args in (["lms", "backup", str(tmp_path / "bk")], ["lms", "restore", str(tmp_path)]):
        result = runner.invoke(args=[*args, "--yes"] if args[1] == "restore" else args)
        assert result.exit_code == 1, result.output
        assert "back that database up with the app's other data" in result.output
    assert not (tmp_path / "bk").exists()
    with app.app_context():
        assert host_db.session.scalar(text("SELECT count(*) FROM member")) == 0  # still there
