"""``flask lms backup`` / ``restore``: a round trip gives back every table row by row and the
signing keys; what is not a Dakshata backup, or is newer than the code, is refused."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from lms import backup
from lms.accounts import services as accounts
from lms.certificates import keys
from lms.content import services as content
from lms.db import db
from lms.demo import load_demo
from lms.live import services as live
from lms.migrations import VERSION_TABLE
from lms.quiz import services as quiz_services
from tests.conftest import PASSWORD, PG_URL, login

SQLITE_ONLY = pytest.mark.skipif(
    bool(PG_URL), reason="SQLite only: LMS_TEST_DATABASE_URL points the suite at PostgreSQL"
)


def snapshot(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table in the database, in primary-key order."""
    with app.app_context(), db.engine.connect() as connection:
        metadata = sa.MetaData()
        rows = {}
        for name in sorted(sa.inspect(connection).get_table_names()):
            table = sa.Table(name, metadata, autoload_with=connection)
            order = list(table.primary_key.columns) or list(table.columns)
            rows[name] = [tuple(r) for r in connection.execute(sa.select(table).order_by(*order))]
    return rows


def key_files(app: Flask) -> dict[str, bytes]:
    with app.app_context():
        folder = keys.key_dir()
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.is_dir() else {}


def run(runner: FlaskCliRunner, *args: str, **kw: Any):  # noqa: ANN201
    return runner.invoke(args=["lms", *args], **kw)


def fill_the_rest(app: Flask) -> None:
    """Rows in the tables the demo leaves empty: a live quiz with an answer, a failed sign-in,
    a signed-in session."""
    with app.app_context():
        banks = ((m, quiz_services.bank_for(m)) for m in content.library().modules())
        module, bank = next((m, b) for m, b in banks if b is not None and b.usable)
        quiz = live.create(
            bank,
            module.slug,
            [bank.items[0].id],
            title="Backup check",
            mode="speed",
            countdown=0,
            session_label="Hall A",
            user_id=None,
        )
        live.act(live.start(quiz), "next")
        who = live.join(quiz, name="Asha", locale="bn")
        live.answer(quiz, who, 0, None)
        accounts.authenticate("nobody@example.org", "wrong password", "10.0.0.9")
    assert login(app.test_client(), "learner@demo.dakshata.org", "demo-password").status_code == 302


def change_everything(app: Flask) -> None:
    """What happens after a backup: rows deleted, changed and added, and a newer table."""
    with app.app_context():
        db.session.execute(sa.text("DELETE FROM lms_live_answer"))
        db.session.execute(sa.text("DELETE FROM lms_feedback"))
        db.session.execute(sa.text("UPDATE lms_user SET name = 'Changed'"))
        db.session.execute(sa.text("UPDATE lms_attempt SET score = 0"))
        db.session.execute(sa.text("CREATE TABLE lms_zz_later (id INTEGER PRIMARY KEY)"))
        db.session.commit()
        accounts.create_user("new@example.org", "New", PASSWORD, ["learner"])


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def test_round_trip_gives_back_every_table_and_the_keys(
    app: Flask, runner: FlaskCliRunner, client: FlaskClient, tmp_path: Path
) -> None:
    with app.app_context():
        load_demo("demo-password")
    fill_the_rest(app)
    before = snapshot(app)
    empty = [name for name, rows in before.items() if not rows]
    assert empty == [] and len(before) >= 24, empty  # every table takes part in the comparison
    signing = key_files(app)
    assert any(name.endswith(".pem") for name in signing) and "current" in signing

    dest = tmp_path / "backup-1"
    made = run(runner, "backup", str(dest))
    assert made.exit_code == 0, made.output
    manifest = json.loads((dest / backup.MANIFEST).read_text())
    database = backup.SQLITE_FILE if manifest["backend"] == "sqlite" else backup.PG_FILE
    assert (dest / database).is_file() and manifest["database"] == database
    assert manifest["schema_revisions"] == [r[0] for r in before[VERSION_TABLE]]
    assert {p.name: p.read_bytes() for p in (dest / "keys").iterdir()} == signing

    change_everything(app)
    with app.app_context():
        shutil.rmtree(keys.key_dir())  # the instance folder was lost too
    assert snapshot(app) != before
    done = run(runner, "restore", str(dest), "--yes")
    assert done.exit_code == 0, done.output
    assert "signing key(s) added" in done.output

    assert snapshot(app) == before
    assert key_files(app) == signing
    with app.app_context():  # ids go on after the restored ones (PostgreSQL's sequences too)
        newer = accounts.create_user("after@example.org", "After", PASSWORD, ["learner"])
        assert newer.id == max(row[0] for row in before["lms_user"]) + 1
    response = login(client, "trainer@demo.dakshata.org", "demo-password")
    assert response.status_code == 302  # the restored database serves the app


def test_backup_refuses_to_overwrite_without_force(
    app: Flask, runner: FlaskCliRunner, make_user, tmp_path: Path
) -> None:
    make_user("learner", email="first@example.org")
    dest = tmp_path / "nightly"
    assert run(runner, "backup", str(dest)).exit_code == 0
    make_user("learner", email="second@example.org")
    again = run(runner, "backup", str(dest))
    assert again.exit_code == 1 and "is not empty" in again.output and "--force" in again.output
    forced = run(runner, "backup", str(dest), "--force")
    assert forced.exit_code == 0, forced.output
    make_user("learner", email="third@example.org")
    assert run(runner, "restore", str(dest), "--yes").exit_code == 0
    assert emails(app) == ["first@example.org", "second@example.org"]
    a_file = tmp_path / "notes.txt"
    a_file.write_text("keep me")
    refused = run(runner, "backup", str(a_file), "--force")
    assert refused.exit_code == 1 and "is a file" in refused.output
    assert a_file.read_text() == "keep me"


def emails(app: Flask) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(sa.text("SELECT email FROM lms_user")))


def test_restore_refuses_what_is_not_a_dakshata_database(
    app: Flask, runner: FlaskCliRunner, make_user, tmp_path: Path
) -> None:
    make_user("learner", email="stays@example.org")
    before = snapshot(app)
    text_file = tmp_path / "lms.sqlite3"
    text_file.write_text("not a database", encoding="utf-8")
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
    connection.close()
    empty_folder = tmp_path / "empty"
    empty_folder.mkdir()
    for src, says in ((text_file, "not a Dakshata database"), (empty_folder, "holds no")):
        refused = run(runner, "restore", str(src), "--yes")
        assert refused.exit_code == 1 and says in refused.output, refused.output
    if not PG_URL:
        refused = run(runner, "restore", str(other), "--yes")
        assert refused.exit_code == 1 and "no lms_alembic_version" in refused.output
    assert snapshot(app) == before


def test_restore_refuses_a_backup_newer_than_the_code(
    app: Flask, runner: FlaskCliRunner, make_user, tmp_path: Path
) -> None:
    make_user("learner", email="stays@example.org")
    with app.app_context():
        head = db.session.scalar(sa.text(f"SELECT version_num FROM {VERSION_TABLE}"))
        db.session.execute(sa.text(f"UPDATE {VERSION_TABLE} SET version_num = '9999_future'"))
        db.session.commit()
    made = run(runner, "backup", str(tmp_path / "future"))
    assert made.exit_code == 0, made.output  # a backup is always possible
    with app.app_context():
        db.session.execute(sa.text(f"UPDATE {VERSION_TABLE} SET version_num = :v"), {"v": head})
        db.session.commit()
    before = snapshot(app)
    refused = run(runner, "restore", str(tmp_path / "future"), "--yes")
    assert refused.exit_code == 1
    assert "9999_future" in refused.output and "newer than this version" in refused.output
    assert snapshot(app) == before


def test_restore_asks_first(app: Flask, runner: FlaskCliRunner, make_user, tmp_path: Path) -> None:
    make_user("learner", email="old@example.org")
    assert run(runner, "backup", str(tmp_path / "b")).exit_code == 0
    make_user("learner", email="kept@example.org")
    before = snapshot(app)
    answer = run(runner, "restore", str(tmp_path / "b"), input="n\n")
    assert answer.exit_code == 1 and "Replace EVERY table" in answer.output
    assert snapshot(app) == before


def test_postgresql_without_its_client_tools_names_the_command(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup, "backend", lambda: "postgresql")
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with app.app_context(), pytest.raises(backup.BackupError) as refused:
        backup.backup(tmp_path / "pg")
    assert "pg_dump is not installed" in str(refused.value)
    assert backup.PG_BACKUP_HINT in str(refused.value)
    assert not (tmp_path / "pg" / backup.PG_FILE).exists()


@SQLITE_ONLY
def test_sqlite_backup_runs_while_another_process_writes(
    app: Flask, make_user, tmp_path: Path
) -> None:
    make_user("learner", email="committed@example.org")
    with app.app_context():
        live_file = Path(db.engine.url.database)
    writer = sqlite3.connect(live_file, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # holds the write lock during the whole backup
        writer.execute("UPDATE lms_user SET name = 'uncommitted'")
        with app.app_context():
            info = backup.backup(tmp_path / "online")
        writer.execute("COMMIT")
    finally:
        writer.close()
    copy = sqlite3.connect(info.database)
    try:
        names = [row[0] for row in copy.execute("SELECT name FROM lms_user")]
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        copy.close()
    assert names == ["User 1"]  # the last committed state, not the writer's half-done change
