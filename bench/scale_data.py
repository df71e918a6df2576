"""The programme-scale databases of the officials' benchmark: generated once per code version by
``flask lms demo --scale N`` into ``bench/.cache/`` (SQLite), then copied for each run; loaded
into PostgreSQL table by table (COPY) when the bench has one.

The cache is keyed by a hash of everything that decides what the generator stores: the
generator, the migrations, and every module of ``lms/`` except those that only read (views,
the dashboard, reports, exports, charts), plus the shipped content. Set BENCH_REGENERATE=1 to
make the databases again anyway.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT

from lms.programme.scale import ADMIN_EMAIL as ADMIN  # noqa: F401  (the officials sign in)

CACHE = ROOT / "bench" / ".cache"
BASE_URL = "https://dakshata.example.org"
PASSWORD = "bench password 1"
#: Modules that only read what the generator stored: changing them keeps the cache.
READ_ONLY = ("views", "dashboard", "reports", "exports", "charts")


def _hashed_files() -> list[Path]:
    files = [
        p
        for p in sorted((ROOT / "lms").rglob("*.py"))
        if not any(word in p.stem for word in READ_ONLY)
    ]
    content = ROOT / "modules_content"
    files += sorted(p for p in content.rglob("*") if p.is_file() and p.suffix in (".yaml", ".md"))
    return files


def code_hash() -> str:
    digest = hashlib.sha256()
    for path in _hashed_files():
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def environ(database_url: str, key_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "LMS_DATABASE_URL": database_url,
        "LMS_SECRET_KEY": "bench",
        "LMS_BASE_URL": BASE_URL,
        "LMS_KEY_DIR": str(key_dir),
        "LMS_IDLE_TIMEOUT": "0",
    }


def cached(scale: float) -> Path:
    """The SQLite database of ``scale`` for this code version, generated when missing."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"scale-{scale:g}-{code_hash()}.sqlite3"
    if path.exists() and not os.environ.get("BENCH_REGENERATE"):
        return path
    for old in CACHE.glob(f"scale-{scale:g}-*"):  # an older code version's
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    making = path.with_suffix(".making")
    making.unlink(missing_ok=True)
    keys = path.with_suffix(".keys")
    began = time.perf_counter()
    print(f"Generating the scale-{scale:g} database (cached in {path.relative_to(ROOT)})...")
    subprocess.run(
        [sys.executable, "-m", "flask", "lms", "demo", "--scale", f"{scale:g}"]
        + ["--password", PASSWORD],
        cwd=ROOT,
        env=environ(f"sqlite:///{making}", keys),
        check=True,
        stdout=sys.stderr,  # progress lines, away from the table on stdout
    )
    with sqlite3.connect(making) as connection:  # one self-contained file, no -wal beside it
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
    seconds = time.perf_counter() - began
    path.with_suffix(".seconds").write_text(f"{seconds:.1f}\n")
    making.rename(path)
    print(f"  generated in {seconds:,.0f} s", file=sys.stderr)
    return path


def generation_seconds(path: Path) -> float | None:
    """How long the cached database took to make."""
    seconds = path.with_suffix(".seconds")
    return float(seconds.read_text()) if seconds.exists() else None


def counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as connection:
        return {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in ("lms_beneficiary", "lms_training_session", "lms_attempt")
            + ("lms_certificate", "lms_cluster")
        }


def first_cluster(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute(
            "SELECT c.id FROM lms_cluster c JOIN lms_training_session s ON s.cluster_id = c.id "
            "ORDER BY c.id LIMIT 1"
        ).fetchone()[0]


def working_copy(path: Path, folder: Path) -> Path:
    """A copy to serve (sign-ins write to it; the cache stays as generated)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "lms.sqlite3"
    shutil.copyfile(path, target)
    return target


# PostgreSQL.


def postgres_url() -> str | None:
    """The throw-away server of ``scripts/with-postgres`` (``make bench`` starts one)."""
    return os.environ.get("LMS_TEST_DATABASE_URL") or None


def load_postgres(path: Path, url: str) -> None:
    """An empty schema at the latest migration, then every table copied from ``path``."""
    import psycopg

    from lms.resources.search import TABLE as SEARCH_INDEX  # each database's own kind

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")
    subprocess.run(
        [sys.executable, "-m", "flask", "lms", "init"],
        cwd=ROOT,
        env=environ(url, path.with_suffix(".keys")),
        check=True,
        capture_output=True,
    )
    source = sqlite3.connect(path)
    try:
        with psycopg.connect(plain) as connection:
            connection.execute("SET TIME ZONE 'UTC'")
            for table in _tables_in_order(connection):
                if table != SEARCH_INDEX:  # SQLite's is FTS5; built again from the files
                    _copy_table(source, connection, table)
            connection.commit()
        with psycopg.connect(plain, autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE")
    finally:
        source.close()


def _tables_in_order(connection) -> list[str]:  # noqa: ANN001
    """The LMS tables, each after those its foreign keys point to."""
    names = [
        row[0]
        for row in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'lms%'"
        )
    ]
    needs = {name: set() for name in names}
    for child, parent in connection.execute(
        "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint "
        "WHERE contype = 'f' AND connamespace = 'public'::regnamespace"
    ):
        if child in needs and parent != child:
            needs[child].add(parent)
    ordered: list[str] = []
    while needs:
        ready = sorted(name for name, parents in needs.items() if not parents - set(ordered))
        if not ready:
            raise RuntimeError(f"foreign keys in a circle: {sorted(needs)}")
        ordered += ready
        for name in ready:
            del needs[name]
    return [name for name in ordered if "alembic" not in name and "version" not in name]


def _copy_table(source: sqlite3.Connection, connection, table: str) -> None:  # noqa: ANN001
    columns = [row[1] for row in source.execute(f'PRAGMA table_info("{table}")')]
    if not columns:
        return
    quoted = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        with cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
            for row in source.execute(f'SELECT {quoted} FROM "{table}"'):  # noqa: S608
                copy.write_row(row)
        sequence = cursor.execute(
            f"SELECT pg_get_serial_sequence('\"{table}\"', 'id')"
            if "id" in columns
            else "SELECT NULL"
        ).fetchone()[0]
        if sequence is not None:  # the next id after the copied ones
            cursor.execute(
                f'SELECT setval(%s, coalesce((SELECT max(id) FROM "{table}"), 0) + 1, false)',
                (sequence,),
            )


def postgres_size(url: str) -> int:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        return connection.execute("SELECT pg_database_size(current_database())").fetchone()[0]
