"""The database: one Flask-SQLAlchemy instance; SQLite tuned for a tablet hall, or PostgreSQL."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


#: The one SQLAlchemy extension object. A host app that uses Flask-SQLAlchemy itself defines its
#: models on this ``db`` too (Flask-SQLAlchemy allows one instance per app).
db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    return datetime.now(UTC)


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


def database_url(app: Flask) -> str:
    """The SQLAlchemy URL from ``LMS_DATABASE_URL``, creating the SQLite folder when needed."""
    url = make_url(app.config["LMS_DATABASE_URL"])
    if url.drivername == "postgresql":  # plain postgresql:// means psycopg 3 here
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    return url.render_as_string(hide_password=False)


def engine_options(app: Flask) -> dict[str, Any]:
    url = make_url(database_url(app))
    if url.get_backend_name() == "sqlite":
        return {"connect_args": {"timeout": app.config["LMS_SQLITE_BUSY_TIMEOUT"]}}
    return {"pool_pre_ping": True}


def init_db(app: Flask) -> None:
    """Configure and register ``db`` on ``app`` (or accept the host's registration of it)."""
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", database_url(app))
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app))
    registered = app.extensions.get("sqlalchemy")
    if registered is None:
        db.init_app(app)
    elif registered is not db:
        raise RuntimeError(
            "This app already has its own Flask-SQLAlchemy instance. Define your models on "
            "lms.db.db instead: Flask-SQLAlchemy allows one instance per app."
        )
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _tune_sqlite(db.engine, app.config["LMS_SQLITE_BUSY_TIMEOUT"])


def _tune_sqlite(engine: Engine, busy_timeout: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
