"""The business resource centre's search (issue 20.3): p95 of a search with 5,000 entries, and
with 50,000 (ten times), on SQLite (FTS5) and, when ``make bench`` started one, PostgreSQL
(tsvector with GIN). Target: p95 under 50 ms at 5,000. The ratio compares each size with the 84
shipped entries, measured in the same run.

Entries are the shipped ones copied with new ids and a varied word each, so the index holds real
three-language text; queries are English and Bengali words people type in the hall.
"""

from __future__ import annotations

import dataclasses
import statistics
import tempfile
import time

import scale_data
from common import ROOT, Row

SIZES = (5_000, 50_000)
TARGET_MS = 50.0
QUERIES = (
    "VAT",
    "ভ্যাট",
    "LWG",
    "leather fair",
    "ঋণ",
    "export incentive",
    "রপ্তানি",
    "GST rate",
    "chrome test",
    "বাংলাদেশ ব্যাংক",
)
ROUNDS = 10


def _app(url: str):  # noqa: ANN202
    from wsgi import create_app

    return create_app(
        {
            "LMS_DATABASE_URL": url,
            "LMS_SECRET_KEY": "bench",
            "LMS_CONTENT_DIR": str(ROOT / "modules_content"),
            "LMS_ENV": "development",
        }
    )


def _entries(count: int) -> list:  # noqa: ANN001
    """``count`` entries: the shipped ones, then copies with new ids and one varied word."""
    from lms.resources import services

    shipped = services.catalogue().entries
    made = list(shipped)
    n = 0
    while len(made) < count:
        base = shipped[n % len(shipped)]
        made.append(
            dataclasses.replace(
                base,
                id=f"{base.id}-copy-{n}",
                keywords=(*base.keywords, f"lot{n % 997}"),
            )
        )
        n += 1
    return made[:count]


def _timed(countries: list[str]) -> list[float]:
    from lms.resources import search

    times = []
    for _round in range(ROUNDS):
        for query in QUERIES:
            start = time.perf_counter()
            search.search(query, countries)
            times.append((time.perf_counter() - start) * 1000)
    return times


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def _measure(url: str) -> dict[int, float]:
    """p95 in ms for the shipped entries (key 0) and each of :data:`SIZES`."""
    from lms import migrations
    from lms.resources import search, services

    app = _app(url)
    found: dict[int, float] = {}
    with app.app_context():
        migrations.upgrade()
        countries = services.countries_for("IN")
        for size in (0, *SIZES):
            entries = services.catalogue().entries if size == 0 else _entries(size)
            search.rebuild(entries, f"bench-{size}", force=True)
            _timed(countries)  # warm the caches
            found[size] = _p95(_timed(countries))
    return found


def _fresh_postgres(url: str) -> None:
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")


def run() -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        databases = [("SQLite", f"sqlite:///{tmp}/lms.sqlite3")]
        pg = scale_data.postgres_url()
        if pg:
            _fresh_postgres(pg)
            databases.append(("PostgreSQL", pg))
        for name, url in databases:
            found = _measure(url)
            for size in SIZES:
                rows.append(
                    Row(
                        f"Resource search p95, {size:,} entries ({name})",
                        found[size],
                        "ms",
                        f"< {TARGET_MS:.0f}" if size == SIZES[0] else "",
                        found[size] < TARGET_MS if size == SIZES[0] else None,
                        found[size] / found[0] if found[0] else None,
                    )
                )
    return rows


if __name__ == "__main__":
    from run import print_table

    print_table(run())
