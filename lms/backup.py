"""Backups of the LMS database and certificate signing keys (``flask lms backup`` / ``restore``).

A backup is a folder:

- ``lms.sqlite3``: SQLite, a consistent copy made with SQLite's online backup API, so the app may
  keep running (WAL); or ``lms.pgdump``: PostgreSQL, ``pg_dump --format=custom``.
- ``keys/``: the certificate signing keys (``LMS_KEY_DIR``). Certificates carry signatures made with
  them; a database restored without its keys would show certificates no key of the site can vouch
  for once the instance folder is lost.
- ``backup.json``: what the backup holds (backend, schema revision, time), for people.

A restore replaces the whole database with the backup's, adds the backup's keys that the instance
lacks (keys are only ever added: a key never changes once made), then upgrades the schema.

Both work on a database of the LMS's own. Mounted with ``LMS(app, db=db)``, the LMS tables are in
the host's database and are backed up with the host's data; both commands then refuse and say so.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import current_app
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import URL, make_url

from . import __version__, migrations
from .db import db
from .state import state

SQLITE_FILE = "lms.sqlite3"
PG_FILE = "lms.pgdump"
KEYS_DIR = "keys"
MANIFEST = "backup.json"
#: The commands the README documents for PostgreSQL when the client tools are missing.
PG_BACKUP_HINT = "pg_dump --format=custom --file=DEST/lms.pgdump 'postgresql://USER@HOST/DBNAME'"
PG_RESTORE_HINT = (
    "pg_restore --clean --if-exists --no-owner --single-transaction "
    "--dbname='postgresql://USER@HOST/DBNAME' SRC/lms.pgdump, then: flask lms init"
)


class BackupError(Exception):
    """A refused or failed backup or restore, with a message for the operator."""


@dataclass(frozen=True)
class BackupInfo:
    """A backup's database file, backend and schema revision(s)."""

    database: Path
    backend: str
    revisions: tuple[str, ...]
    keys: int = 0


# The common steps.


def _key_dir() -> Path:
    folder = state().signing_key_dir
    return Path(folder()) if folder is not None else Path(current_app.instance_path) / "keys"


def require_own_database() -> None:
    """Backups and restores are of a database of the LMS's own: in a host's database the LMS
    tables are backed up with the host's data, by the host."""
    if not state().owns_engine:
        raise BackupError(
            "The LMS tables live in this app's own database (LMS(app, db=db)): back that database "
            "up with the app's other data (pg_dump, or a copy of the SQLite file), and keep a copy "
            f"of the signing keys in {_key_dir()}. flask lms backup and restore work on a database "
            "of the LMS's own only."
        )


def backend() -> str:
    """``sqlite`` or ``postgresql``: the live database's kind."""
    require_own_database()
    name = db.engine.dialect.name
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"backups of {name} databases are not supported")
    return name


def backup(dest: Path, *, force: bool = False) -> BackupInfo:
    """Copy the live database and the signing keys into the folder ``dest``."""
    kind = backend()
    dest = Path(dest)
    _prepare_folder(dest, force)
    target = dest / (SQLITE_FILE if kind == "sqlite" else PG_FILE)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    if kind == "sqlite":
        _sqlite_backup(_sqlite_path(), partial)
    else:
        _pg_dump(partial)
    os.chmod(partial, 0o600)  # password hashes and personal records: for the owner only
    os.replace(partial, target)  # with --force, the earlier backup stays until this one is whole
    (dest / (PG_FILE if kind == "sqlite" else SQLITE_FILE)).unlink(missing_ok=True)
    revisions = _revisions(target)
    shutil.rmtree(dest / KEYS_DIR, ignore_errors=True)
    copied = _copy_keys(_key_dir(), dest / KEYS_DIR, replace=True)
    info = BackupInfo(target, kind, revisions, copied)
    _write_manifest(dest, info)
    return info


def _prepare_folder(dest: Path, force: bool) -> None:
    if dest.exists() and not dest.is_dir():
        raise BackupError(f"{dest} is a file; a backup is a folder: give a new folder's name")
    if dest.is_dir() and any(dest.iterdir()) and not force:
        raise BackupError(f"{dest} is not empty; give a new folder, or --force to replace it")
    dest.mkdir(parents=True, exist_ok=True, mode=0o700)


def _write_manifest(dest: Path, info: BackupInfo) -> None:
    manifest = {
        "format": 1,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "dakshata_version": __version__,
        "backend": info.backend,
        "database": info.database.name,
        "schema_revisions": list(info.revisions),
        "signing_keys": info.keys,
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def locate(src: Path) -> Path:
    """The database file of the backup ``src`` (a backup folder, or the file itself)."""
    src = Path(src)
    if src.is_dir():
        for name in (SQLITE_FILE, PG_FILE):
            if (src / name).is_file():
                return src / name
        raise BackupError(f"{src} holds no {SQLITE_FILE} or {PG_FILE}: not a Dakshata backup")
    if not src.is_file():
        raise BackupError(f"{src} does not exist")
    return src


def inspect_backup(src: Path) -> BackupInfo:
    """Check ``src`` is a Dakshata database this code can restore; its backend and revisions."""
    require_own_database()
    database = locate(src)
    revisions = _revisions(database)
    _check_known(database, revisions)
    return BackupInfo(database, backend(), revisions)


def _revisions(database: Path) -> tuple[str, ...]:
    kind = backend()
    revisions = _sqlite_revisions(database) if kind == "sqlite" else _pg_revisions(database)
    if not revisions:
        raise BackupError(f"{database}: no schema revision in lms_alembic_version")
    return revisions


def _check_known(database: Path, revisions: tuple[str, ...]) -> None:
    scripts = ScriptDirectory.from_config(migrations.alembic_config())
    for revision in revisions:
        try:
            known = scripts.get_revision(revision)
        except CommandError:
            known = None
        if known is None:
            heads = ", ".join(sorted(scripts.get_heads()))
            raise BackupError(
                f"{database}: its schema (revision {revision}) is newer than this version of "
                f"Dakshata knows (latest: {heads}). Install the Dakshata version that made the "
                "backup, then restore."
            )


def restore(src: Path) -> BackupInfo:
    """Replace the live database with the backup ``src``, add its keys, upgrade the schema."""
    info = inspect_backup(src)
    db.session.remove()
    db.engine.dispose()  # no pooled connection of ours keeps a lock or an old schema
    if info.backend == "sqlite":
        _sqlite_restore(info.database, _sqlite_path())
    else:
        _pg_restore(info.database)
    db.engine.dispose()
    migrations.upgrade()
    folder = info.database.parent / KEYS_DIR
    added = _copy_keys(folder, _key_dir(), replace=False) if folder.is_dir() else 0
    return BackupInfo(info.database, info.backend, info.revisions, added)


def _copy_keys(source: Path, target: Path, *, replace: bool) -> int:
    """Copy the ``*.pem`` keys and the ``current`` pointer; existing ones kept unless ``replace``.

    Returns how many keys were copied.
    """
    if not source.is_dir():
        return 0
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    copied = 0
    for path in sorted(source.iterdir()):
        if not (path.suffix == ".pem" or path.name == "current") or not path.is_file():
            continue
        if (target / path.name).exists() and not replace:
            continue
        shutil.copyfile(path, target / path.name)
        os.chmod(target / path.name, 0o600)
        copied += path.suffix == ".pem"
    return copied


# SQLite.


def _sqlite_path() -> Path:
    database = db.engine.url.database
    if database in (None, "", ":memory:"):
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    from flask import current_app

    timeout = current_app.config["LMS_SQLITE_BUSY_TIMEOUT"]
    if readonly:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=timeout)
    return sqlite3.connect(path, timeout=timeout)


def _sqlite_backup(live: Path, target: Path) -> None:
    """A consistent snapshot through the online backup API: writers go on meanwhile (WAL)."""
    source, copy = _connect(live), _connect(target)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        if copy.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError(f"{target}: the copy failed SQLite's integrity check")
    finally:
        source.close()
        copy.close()


def _sqlite_revisions(path: Path) -> tuple[str, ...]:
    try:
        connection = _connect(path, readonly=True)
        try:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
            if migrations.VERSION_TABLE not in tables:
                raise BackupError(f"{path}: not a Dakshata database (no lms_alembic_version)")
            rows = connection.execute(f"SELECT version_num FROM {migrations.VERSION_TABLE}")
            return tuple(sorted(row[0] for row in rows))
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: not a Dakshata database ({exc})") from exc


def _sqlite_restore(backup_file: Path, live: Path) -> None:
    """Copy the backup into the live file through the backup API: other processes that hold the
    database open see the restored data at once, and the live WAL files stay consistent."""
    source, target = _connect(backup_file, readonly=True), _connect(live)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


# PostgreSQL: its own client tools, pg_dump and pg_restore (with psql to run the restore as one
# transaction). They must be installed, and no older than the server (Debian: postgresql-client).


def _pg_tool(name: str, hint: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed (Debian: apt-get install postgresql-client). "
            f"Install it, or run by hand: {hint}"
        )
    return found


def _pg_target() -> tuple[str, dict[str, str]]:
    """The libpq address of the live database, and the environment carrying its password
    (so it never shows in the process list)."""
    url: URL = make_url(db.engine.url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], stdin: bytes | None = None) -> bytes:
    done = subprocess.run(command, input=stdin, capture_output=True, env=env, check=False)
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip()
        raise BackupError(f"{Path(command[0]).name} failed: {message}")
    return done.stdout


def _pg_dump(target: Path) -> None:
    dsn, env = _pg_target()
    tool = _pg_tool("pg_dump", PG_BACKUP_HINT)
    _run([tool, "--format=custom", f"--file={target}", f"--dbname={dsn}"], env)


_TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ", re.MULTILINE)


def _pg_revisions(dump: Path) -> tuple[str, ...]:
    tool = _pg_tool("pg_restore", PG_RESTORE_HINT)
    try:
        toc = _run([tool, "--list", str(dump)], dict(os.environ)).decode()
    except BackupError as exc:
        raise BackupError(f"{dump}: not a Dakshata database ({exc})") from exc
    if migrations.VERSION_TABLE not in {name for _schema, name in _TOC_TABLE.findall(toc)}:
        raise BackupError(f"{dump}: not a Dakshata database (no lms_alembic_version)")
    data = _run(
        [tool, "--data-only", f"--table={migrations.VERSION_TABLE}", "--file=-", str(dump)],
        dict(os.environ),
    ).decode()
    copy = re.search(r"^COPY [^\n]+ FROM stdin;\n(.*?)^\\\.$", data, re.MULTILINE | re.DOTALL)
    return tuple(sorted(copy.group(1).split())) if copy else ()


def _pg_restore(dump: Path) -> None:
    """In one transaction: drop every LMS table (also those of migrations newer than the backup),
    then recreate the backup's objects and data. On any error nothing changes."""
    dsn, env = _pg_target()
    script = _run(
        [
            _pg_tool("pg_restore", PG_RESTORE_HINT),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--file=-",
            str(dump),
        ],
        env,
    )
    with db.engine.connect() as connection:
        live = [t for t in sa_inspect(connection).get_table_names() if t.startswith("lms_")]
    db.engine.dispose()
    prelude = "".join(f'DROP TABLE IF EXISTS "{t}" CASCADE;\n' for t in live)
    psql = _pg_tool("psql", PG_RESTORE_HINT)
    command = [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-d", dsn]
    _run(command, env, stdin=prelude.encode() + script)
