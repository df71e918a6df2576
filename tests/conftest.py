"""Fixtures: apps on a fresh database (SQLite per test, or LMS_TEST_DATABASE_URL's PostgreSQL)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from lms import LMS, migrations
from lms.accounts import services
from lms.accounts.models import User
from lms.db import db

PG_URL = os.environ.get("LMS_TEST_DATABASE_URL", "")
PASSWORD = "correct horse battery"
_pg_migrated = False
_built_apps: list[Flask] = []


def _at_head() -> bool:
    """Whether the database is at the latest migration (a migration test may leave it lower)."""
    with db.engine.connect() as conn:
        found = conn.execute(text(f"SELECT version_num FROM {migrations.VERSION_TABLE}"))
        return set(found.scalars()) == migrations.current_heads()


def _prepare_postgres(app: Flask) -> None:
    """First use in this run, or after a test migrated down: a clean schema at the latest
    migration; otherwise: empty tables."""
    global _pg_migrated
    with app.app_context():
        if not _pg_migrated or not _at_head():
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            migrations.upgrade()
            _pg_migrated = True
            return
        tables = ", ".join(t.name for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def build_app(instance: Path, *, migrate: bool = True, **config: Any) -> Flask:
    """A bare Flask app with the LMS on a fresh database, as a host app would build it."""
    app = Flask("lms_test_host", instance_path=str(instance))
    app.config.update(
        TESTING=True,
        SECRET_KEY="test-secret",
        LMS_DATABASE_URL=PG_URL or f"sqlite:///{instance / 'lms.sqlite3'}",
    )
    app.config.update(config)
    LMS(app)
    _built_apps.append(app)
    if migrate:
        if PG_URL and app.config["LMS_DATABASE_URL"] == PG_URL:
            _prepare_postgres(app)
        else:
            with app.app_context():
                migrations.upgrade()
    return app


@pytest.fixture(autouse=True)
def _close_databases() -> Iterator[None]:
    """Close every connection of the apps a test built, so none is left to the garbage collector."""
    yield
    while _built_apps:
        app = _built_apps.pop()
        with app.app_context():
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()


@pytest.fixture
def make_app(tmp_path: Path) -> Callable[..., Flask]:
    count = iter(range(1000))

    def factory(**config: Any) -> Flask:
        return build_app(tmp_path / f"instance{next(count)}", **config)

    return factory


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # noqa: ANN201
    return app.test_cli_runner()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def factory(role: str | list[str] = "learner", **fields: Any) -> User:
        roles = [role] if isinstance(role, str) else role
        n = next(counter)
        with app.app_context():
            user = services.create_user(
                fields.pop("email", f"user{n}@example.org"),
                fields.pop("name", f"User {n}"),
                fields.pop("password", PASSWORD),
                roles,
                **fields,
            )
            db.session.refresh(user)
            _ = user.role_rows  # loaded now, so tests can read roles after the session ends
            db.session.expunge(user)
            return user

    return factory


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token a page gives this client (as a browser would read it)."""
    page = client.get(path).get_data(as_text=True)
    match = CSRF_META.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, email: str, password: str = PASSWORD, prefix: str = "", **kw: Any):
    token = csrf_token(client, f"{prefix}/login")
    data = {"email": email, "password": password, "csrf_token": token}
    return client.post(f"{prefix}/login", data=data, **kw)


def post(client: FlaskClient, path: str, data: dict[str, Any] | None = None, **kw: Any):
    """POST with a valid CSRF token, as a form in the page would."""
    form = {"csrf_token": csrf_token(client, "/")}
    form.update(data or {})
    return client.post(path, data=form, **kw)


# Modules written on the fly for content tests.

MODULE_YAML = """\
id: {slug}
order: {order}
level: basic
estimated_minutes: 20
topics: [gst-vat-compliance]
prerequisites: []
pass_mark: 60
last_reviewed: 2026-11-01
sources:
  - title: "CBIC"
    url: "https://cbic-gst.gov.in/"
"""

EN_TEXT = """\
---
title: {title}
summary: A short module for tests.
objectives:
  - Learn one thing.
---

Intro text of {title}.

## First steps

Text of the first section with a [link](#second-steps).

!!! tip
    A useful tip.

## Second steps

Text of the second section.

## Third steps

The end.
"""


def write_module(
    root: Path,
    slug: str,
    *,
    order: int = 1,
    yaml_text: str | None = None,
    title: str = "Test module",
    **texts: str | None,
) -> Path:
    """A module folder under ``root``; ``texts`` maps locale -> Markdown (``None``: no file).

    Translations default to none; ``bn="auto"`` writes a Bengali file that follows en.md.
    """
    from lms.content.source import fingerprint

    folder = root / slug
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "module.yaml").write_text(
        yaml_text or MODULE_YAML.format(slug=slug, order=order), encoding="utf-8"
    )
    english = texts.pop("en", EN_TEXT.format(title=title))
    if english is not None:
        (folder / "en.md").write_text(english, encoding="utf-8")
    for locale, body in texts.items():
        if body == "auto":
            body = BENGALI_TEXT.format(fp=fingerprint(english or ""), locale=locale)
        if body is not None:
            (folder / f"{locale}.md").write_text(body, encoding="utf-8")
    return folder


BENGALI_TEXT = """\
---
title: পরীক্ষার মডিউল ({locale})
summary: পরীক্ষার জন্য ছোট মডিউল।
objectives:
  - একটি জিনিস শিখুন।
translated_from: {fp}
---

ভূমিকা।

## প্রথম ধাপ

প্রথম অংশের লেখা, [লিংক](#দ্বিতীয়-ধাপ)।

!!! tip
    একটি কাজের পরামর্শ।

## দ্বিতীয় ধাপ

দ্বিতীয় অংশ।

## তৃতীয় ধাপ

শেষ।
"""


@pytest.fixture(scope="module")
def shipped_library():  # noqa: ANN201
    """The modules shipped in ``modules_content/``, read once per test file."""
    from lms.content.library import ContentLibrary
    from tests.shipped import OTHER_FOLDERS, ROOT

    return ContentLibrary(ROOT, OTHER_FOLDERS)
