"""Alembic migrations of the LMS tables, in their own version table (``lms_alembic_version``).

A host app with its own Flask-Migrate keeps both apart: the LMS upgrades its tables with
``flask lms init``, and the host's ``migrations/env.py`` passes :func:`include_object` to
``context.configure(...)`` so that the host's autogenerate ignores the LMS tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from flask import current_app
from sqlalchemy import inspect

from ..db import TABLE_PREFIX, db, metadata

MIGRATIONS_DIR = Path(__file__).resolve().parent
VERSION_TABLE = "lms_alembic_version"


class MigrationError(RuntimeError):
    """The database cannot be brought to this version as it is (the message says why)."""


def is_lms_table(name: str | None) -> bool:
    return bool(name) and name.startswith(TABLE_PREFIX)


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """For a host app's Alembic ``env.py``: leave the LMS's tables to the LMS.

    A table found in the database but not in the metadata being compared is the LMS's when its
    name starts with ``lms_``: autogenerate neither drops it nor looks inside it. Tables in the
    metadata (the host's own, or the LMS's when the LMS compares itself) are compared as usual.
    """
    if type_ == "table":
        return name != VERSION_TABLE and not (reflected and is_lms_table(name))
    return True


def lms_tables_only(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """For the LMS's own ``env.py``: only its tables; a host's tables in the same database are
    none of its business."""
    if type_ == "table":
        return is_lms_table(name) and name != VERSION_TABLE
    return True


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["flask_app"] = current_app._get_current_object()
    return cfg


def upgrade(revision: str = "head") -> None:
    """Create or upgrade the LMS tables; running it again does nothing.

    Tables that ``db.create_all()`` made without migrations are adopted: when all of them are
    there as this version defines them, the database is stamped with this version.
    """
    if revision == "head":
        adopt_existing_tables()
    command.upgrade(alembic_config(), revision)


def revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    command.revision(alembic_config(), message=message, autogenerate=True)


def current_heads() -> set[str]:
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def adopt_existing_tables() -> bool:
    """Stamp the current version on LMS tables made without migrations (``create_all()``).

    Returns True when it stamped. Refuses (:class:`MigrationError`) a database with only some
    LMS tables, or with tables that differ from this version's models.
    """
    with db.engine.connect() as connection:
        names = set(inspect(connection).get_table_names())
        if VERSION_TABLE in names:
            return False
        present = {n for n in names if is_lms_table(n)}
        if not present:
            return False
        missing = sorted(set(metadata.tables) - present)
        if missing:
            raise MigrationError(
                "Some LMS tables exist without a recorded version, others are missing ("
                + ", ".join(missing)
                + "): this database was not made by this version of the LMS."
            )
        context = MigrationContext.configure(
            connection, opts={"include_object": lms_tables_only, "compare_type": True}
        )
        differences = compare_metadata(context, metadata)
    if differences:
        raise MigrationError(
            "The LMS tables in this database differ from this version's "
            f"({len(differences)} differences, first: {differences[0]!r}); "
            "they were not made by this version of the LMS."
        )
    command.stamp(alembic_config(), "head")
    return True
