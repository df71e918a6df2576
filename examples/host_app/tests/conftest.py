"""Fixtures: the cooperative's app with the LMS mounted, on a fresh database for each test.

On SQLite each test gets a file of its own. With ``LMS_TEST_DATABASE_URL`` set (PostgreSQL, see
``scripts/with-postgres``) these tests make a throw-away database of their own on the same server
(``lms_host_<random>``), empty it before each test and drop it at the end, so the main suite's
database is never touched.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url
from werkzeug.test import TestResponse

EXAMPLE = Path(__file__).resolve().parents[1]
REPOSITORY = EXAMPLE.parents[1]
sys.path.insert(0, str(EXAMPLE))  # the host_app package, as `flask --app wsgi` finds it

from host_app import create_app  # noqa: E402
from host_app.models import create_user, db  # noqa: E402

PG_URL = os.environ.get("LMS_TEST_DATABASE_URL", "")
PASSWORD = "tannery-2026"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def compile_catalogs(directory: Path, domain: str) -> None:
    """Compile ``<locale>/LC_MESSAGES/<domain>.po`` where the ``.mo`` is missing or older
    (``make translations-compile`` does the same; ``.mo`` files are not committed)."""
    for po in sorted(directory.glob(f"*/LC_MESSAGES/{domain}.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parents[1].name, domain=domain)
        with mo.open("wb") as fh:
            write_mo(fh, catalog)


compile_catalogs(EXAMPLE / "translations", "messages")  # the cooperative's own catalog
compile_catalogs(REPOSITORY / "translations", "lms")  # the LMS's, for `pytest examples` alone


def _psycopg_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str | None]:
    """A PostgreSQL database of these tests' own on LMS_TEST_DATABASE_URL's server, or None."""
    if not PG_URL:
        yield None
        return
    import psycopg
    from psycopg import sql

    name = f"lms_host_{secrets.token_hex(4)}"
    with psycopg.connect(_psycopg_url(PG_URL), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_psycopg_url(PG_URL), autocommit=True) as conn:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            conn.execute(drop.format(sql.Identifier(name)))


@pytest.fixture
def database_url(tmp_path: Path, pg_database: str | None) -> str:
    """An empty database: a new SQLite file, or the PostgreSQL database with a new schema."""
    if pg_database is None:
        return f"sqlite:///{tmp_path / 'bantala.sqlite3'}"
    import psycopg

    with psycopg.connect(_psycopg_url(pg_database), autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return pg_database


@pytest.fixture(autouse=True)
def _keep_logging() -> Iterator[None]:
    """Flask-Migrate's env.py runs ``logging.config.fileConfig``, which replaces the root
    handlers and disables other loggers: put them back for the tests that follow."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    disabled = {
        name: logger.disabled
        for name, logger in logging.Logger.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, logger in logging.Logger.manager.loggerDict.items():
        if isinstance(logger, logging.Logger):
            logger.disabled = disabled.get(name, False)


def run_cli(app: Flask, *args: str) -> str:
    """Run ``flask <args>`` on ``app``; fail the test unless it succeeds. Returns its output."""
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, (args, result.output, result.exception)
    return result.output


def migrate_all(app: Flask) -> None:
    """What the README tells the host to run: its own migrations, then the LMS's."""
    run_cli(app, "db", "upgrade")
    run_cli(app, "lms", "init")


@pytest.fixture
def make_host(database_url: str) -> Iterator[Callable[..., Flask]]:
    """``make_host(**config)``: the cooperative's app (``create_app``) on the test database,
    migrated unless ``migrate=False``."""
    apps: list[Flask] = []

    def factory(*, migrate: bool = True, **config: Any) -> Flask:
        settings = {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
        }
        settings.update(config)
        app = create_app(settings)
        apps.append(app)
        if migrate:
            migrate_all(app)
        return app

    yield factory
    for app in apps:  # no connection left open for the garbage collector (or DROP SCHEMA)
        with app.app_context():
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()


@pytest.fixture
def app(make_host: Callable[..., Flask]) -> Flask:
    return make_host()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@dataclass(frozen=True)
class Member:
    id: int
    email: str
    name: str
    role: str


def add_member(app: Flask, role: str = "member", **fields: str) -> Member:
    """A host user, made the way the cooperative makes them (``flask add-member``)."""
    n = secrets.token_hex(3)
    email = fields.get("email", f"{role}-{n}@bantala.example.org")
    name = fields.get("name", f"Rahima Khatun {n}")
    with app.app_context():
        user = create_user(email, name, PASSWORD, role)
        return Member(user.id, user.email, user.name, user.role)


@pytest.fixture
def member(app: Flask) -> Member:
    return add_member(app)


def csrf_token(client: FlaskClient, path: str = "/") -> str:
    """The CSRF token a page gives this client (host and LMS pages share one)."""
    page = client.get(path)
    match = CSRF_META.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path} ({page.status_code})"
    return match.group(1)


def post(
    client: FlaskClient, path: str, data: dict[str, Any] | None = None, *, token_from: str = "/"
) -> TestResponse:
    """POST as a form on ``token_from`` would (with that page's CSRF token)."""
    form = {"csrf_token": csrf_token(client, token_from)}
    form.update(data or {})
    return client.post(path, data=form)


def sign_in(client: FlaskClient, who: Member, *, next_url: str | None = None) -> TestResponse:
    """Sign in on the cooperative's own sign-in page."""
    path = "/login" if next_url is None else f"/login?next={next_url}"
    form = {"email": who.email, "password": PASSWORD}
    response = post(client, path, form, token_from=path)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response
