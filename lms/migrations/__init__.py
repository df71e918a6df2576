"""Alembic migrations of the LMS tables (version table ``lms_alembic_version``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from flask import current_app

MIGRATIONS_DIR = Path(__file__).resolve().parent
VERSION_TABLE = "lms_alembic_version"


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Only the LMS's own tables: a host app's tables in the same database are none of ours."""
    if type_ == "table":
        return bool(name) and name.startswith("lms_") and name != VERSION_TABLE
    return True


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["flask_app"] = current_app._get_current_object()
    return cfg


def upgrade(revision: str = "head") -> None:
    """Create or upgrade the LMS tables; running it again does nothing."""
    command.upgrade(alembic_config(), revision)


def revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    command.revision(alembic_config(), message=message, autogenerate=True)


def current_heads() -> set[str]:
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(alembic_config()).get_heads())
