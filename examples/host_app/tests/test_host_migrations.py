"""The host's Flask-Migrate and the LMS's migrations share one database and keep apart: with
``include_object=lms.migrations.include_object`` in the host's env.py, autogenerate never
touches an LMS table."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from conftest import run_cli
from flask import Flask
from host_app import MIGRATIONS
from host_app.models import db
from sqlalchemy import inspect

from lms.migrations import include_object


def _lms_tables(app: Flask) -> set[str]:
    with app.app_context():
        return {n for n in inspect(db.engine).get_table_names() if n.startswith("lms_")}


def test_autogenerate_with_the_exported_filter_finds_no_difference(app: Flask) -> None:
    lms_tables = _lms_tables(app)
    assert {"lms_user", "lms_attempt", "lms_alembic_version"} <= lms_tables
    with app.app_context(), db.engine.connect() as connection:
        # The host's env.py settings: its metadata, the LMS's filter.
        context = MigrationContext.configure(
            connection, opts={"include_object": include_object, "compare_type": True}
        )
        assert compare_metadata(context, db.metadata) == []

        # Without the filter, autogenerate would drop every LMS table.
        unfiltered = compare_metadata(MigrationContext.configure(connection), db.metadata)
        dropped = {diff[1].name for diff in unfiltered if diff[0] == "remove_table"}
        assert dropped == lms_tables


def _migrations_copy(tmp_path: Path, *, with_versions: bool) -> Path:
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    if not with_versions:
        for script in (folder / "versions").glob("*.py"):
            script.unlink()
    return folder


def _new_scripts(folder: Path, before: set[Path]) -> list[Path]:
    return sorted(set((folder / "versions").glob("*.py")) - before)


def test_flask_db_migrate_after_lms_init_writes_nothing(
    app: Flask, make_host: Callable[..., Flask], tmp_path: Path
) -> None:
    assert _lms_tables(app)  # `flask db upgrade` and `flask lms init` have run
    # A new app on the same database, as `flask db migrate` is a new process (Flask-Migrate's
    # env.py keeps its "skip empty revisions" hook of the first command run on an app object).
    later = make_host(migrate=False)
    folder = _migrations_copy(tmp_path, with_versions=True)
    before = set((folder / "versions").glob("*.py"))
    with later.app_context():
        flask_migrate.migrate(directory=str(folder), message="after lms init")
    assert _new_scripts(folder, before) == []  # "No changes in schema detected."


def test_the_hosts_first_migration_has_its_tables_and_nothing_of_the_lms(
    make_host: Callable[..., Flask], tmp_path: Path
) -> None:
    app = make_host(migrate=False)
    run_cli(app, "lms", "init")  # the LMS first, so its tables are there to be ignored
    folder = _migrations_copy(tmp_path, with_versions=False)
    with app.app_context():
        flask_migrate.migrate(directory=str(folder), message="host tables")
    [script] = _new_scripts(folder, set())
    source = script.read_text(encoding="utf-8")
    operations = source[source.index("def upgrade") :]
    assert "op.create_table('users'" in operations
    assert "op.create_table('orders'" in operations
    assert "lms_" not in operations


def test_the_shipped_host_migration_has_no_lms_table() -> None:
    for script in (MIGRATIONS / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        assert "lms_" not in source[source.index("def upgrade") :], script.name
    env = (MIGRATIONS / "env.py").read_text(encoding="utf-8")
    assert env.count("include_object=include_object") == 2  # offline and online
