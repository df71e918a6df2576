"""The database: the LMS's tables on the host's Flask-SQLAlchemy, or on one of its own.

The LMS models are declared on their own :data:`metadata` (tables prefixed ``lms_``), not on any
Flask-SQLAlchemy instance, so the same models work on whichever instance an app uses:

- ``LMS(app, db=host_db)``: the host's instance, session and engine (``SQLALCHEMY_DATABASE_URI``);
  the LMS never changes that engine's options or pragmas.
- ``LMS(app)``: the LMS's own instance on ``LMS_DATABASE_URL`` (SQLite in the instance folder by
  default, tuned for a tablet hall: WAL, foreign keys, a busy timeout), or PostgreSQL.

Code reaches the current app's instance through :data:`db` (``db.session``, ``db.engine``).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.dialects import postgresql as postgresql_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, scoped_session
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
#: Every LMS table's name starts with this.
TABLE_PREFIX = "lms_"

#: The LMS tables, whichever database they live in.
metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Base(DeclarativeBase):
    """Base class of the LMS models."""

    metadata = metadata


#: The Flask-SQLAlchemy instance of apps that do not bring their own (``LMS(app)`` without
#: ``db=``). An extension object: it keeps each app's engines on that app.
own_db = SQLAlchemy()


class Database:
    """The current app's Flask-SQLAlchemy instance as the LMS uses it.

    ``session``, ``engine`` and ``engines`` are the instance's; ``metadata`` is always the LMS's
    own tables (a host's ``db.metadata`` holds the host's).
    """

    metadata = metadata

    @staticmethod
    def instance() -> SQLAlchemy:
        return current_app.extensions["lms"].db

    @property
    def session(self) -> scoped_session[Any]:
        return self.instance().session

    @property
    def engine(self) -> Engine:
        return self.instance().engine

    @property
    def engines(self) -> Any:
        return self.instance().engines

    def create_all(self) -> None:
        """Create the LMS tables that are missing (tests; ``flask lms init`` adopts them)."""
        metadata.create_all(self.engine)

    def drop_all(self) -> None:
        metadata.drop_all(self.engine)


db = Database()


def utcnow() -> datetime:
    return datetime.now(UTC)


#: The ``INSERT ... ON CONFLICT`` constructs of the databases that have one.
UPSERTS = {"sqlite": sqlite_dialect.insert, "postgresql": postgresql_dialect.insert}


def upsert_insert(model: Any, session: Any = None) -> Any:
    """The ``insert`` with ``on_conflict_do_nothing`` / ``on_conflict_do_update`` for the
    database ``model`` lives in (SQLite, PostgreSQL), or ``None`` on others: there, insert in a
    savepoint and catch the ``IntegrityError``."""
    return UPSERTS.get((session or db.session).get_bind(model).dialect.name)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite stores none of the zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def database_url(config: dict[str, Any]) -> str:
    """The SQLAlchemy URL from ``LMS_DATABASE_URL`` (plain ``postgresql://`` means psycopg 3)."""
    url = make_url(config["LMS_DATABASE_URL"])
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def json_serializer(value: Any) -> str:
    """JSON columns as text without ``\\uXXXX`` escapes: Bengali takes 3 bytes a character."""
    return json.dumps(value, ensure_ascii=False)


def engine_options(config: dict[str, Any]) -> dict[str, Any]:
    """The options of the engine the LMS makes for itself (never a host's engine)."""
    url = make_url(database_url(config))
    if url.get_backend_name() == "sqlite":
        return {
            "connect_args": {"timeout": config["LMS_SQLITE_BUSY_TIMEOUT"]},
            "json_serializer": json_serializer,
        }
    return {"pool_pre_ping": True, "json_serializer": json_serializer}


def check(app: Flask, host_db: SQLAlchemy | None) -> None:
    """Refuse, before anything changes, a database set-up the LMS cannot work with."""
    registered = app.extensions.get("sqlalchemy")
    if host_db is None and registered is not None and registered is not own_db:
        raise RuntimeError(
            "This app already has its own Flask-SQLAlchemy instance: pass it to the LMS as "
            "LMS(app, db=db), and the LMS keeps its tables (lms_*) in that database."
        )
    if host_db is not None and not isinstance(host_db, SQLAlchemy):
        raise TypeError("LMS(db=...) takes a Flask-SQLAlchemy SQLAlchemy instance")
    if host_db is not None and registered is not None and registered is not host_db:
        raise RuntimeError("LMS(db=...) is not the Flask-SQLAlchemy instance of this app")


def init_db(app: Flask, host_db: SQLAlchemy | None) -> tuple[SQLAlchemy, bool]:
    """Register the database for ``app``: ``(instance, whether the LMS owns its engine)``."""
    if host_db is not None:
        if app.extensions.get("sqlalchemy") is None:
            host_db.init_app(app)  # the host asked the LMS to set its db up on this app
        return host_db, False
    if app.extensions.get("sqlalchemy") is None:
        url = database_url(app.config)
        backend = make_url(url)
        file = backend.database if backend.get_backend_name() == "sqlite" else None
        if file not in (None, "", ":memory:"):
            Path(file).parent.mkdir(parents=True, exist_ok=True)
        app.config.setdefault("SQLALCHEMY_DATABASE_URI", url)
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config))
        own_db.init_app(app)
    with app.app_context():
        engine = own_db.engine
        if engine.dialect.name == "sqlite":
            _create_private(engine)
            _tune_sqlite(engine, app.config["LMS_SQLITE_BUSY_TIMEOUT"])
    return own_db, True


def _create_private(engine: Engine) -> None:
    """Create the LMS's own SQLite file, before anything connects, readable by its owner only
    (password hashes, personal records). SQLite gives the ``-wal`` and ``-shm`` files the mode of
    the database file, so they are private too. An existing file keeps the mode it has."""
    database = engine.url.database
    if database in (None, "", ":memory:") or database.startswith("file:"):
        return  # in memory, or a URI filename (``?uri=true``) whose options SQLite reads itself
    # Already there: left as it is. A missing or read-only folder: SQLite reports it on connecting.
    with contextlib.suppress(OSError):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _tune_sqlite(engine: Engine, busy_timeout: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")  # erased personal data leaves no trace
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
