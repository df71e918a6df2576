"""The officials' pages at programme scale: the dashboard (all programmes, one cluster), its CSV
exports (headline, scores, distributions), the report PDF, the ranking (page and CSV), the
mentorship list, the results of one module and the advanced course's selection (every learner's
eligibility: page and XLSX), on the data of ``flask lms demo --scale N``
(S=1: 2,500 beneficiaries, 50 sessions, ~7,500 attempts; S=10: 25,000), served by
``gunicorn -w 2`` (sync workers) to a signed-in admin, on SQLite and, when the bench has one,
PostgreSQL (``make bench`` starts a throw-away server with ``scripts/with-postgres``).

Each figure is the median of sequential requests after a warm-up, beside ``/healthz`` measured
the same way in the same run (the ratio column: the page's time over /healthz's). Then the
workers' peak RSS (VmHWM, read before they stop) and the database's size per attempt.
Targets: every page and export under 300 ms at S=1 and 1.5 s at S=10; the report PDF under 1 s
at S=1; a worker's peak RSS under 250 MB at S=10; SQLite under 20 KB per attempt.

BENCH_SCALES="1 10" chooses the scales, BENCH_BACKENDS="SQLite PostgreSQL" the databases;
BENCH_REQUESTS (15) the requests per page, fewer for a slow page (about BUDGET seconds' worth,
at least 3).
"""

from __future__ import annotations

import http.client
import os
import re
import statistics
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import scale_data
from common import CSRF, Gunicorn, Row

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "15"))
BUDGET = 20.0
HEALTHZ_REQUESTS = 50
PAGES = (
    ("dashboard, all programmes", "/programme/dashboard?programme="),
    ("dashboard, one cluster", "/programme/dashboard?cluster={cluster}"),
    ("export headline (CSV)", "/programme/dashboard/export/headline.csv"),
    ("export scores (CSV)", "/programme/dashboard/export/scores.csv"),
    ("export distributions (CSV)", "/programme/dashboard/export/distributions.csv"),
    ("report (PDF)", "/programme/report.pdf"),
    ("ranking page", "/quiz/ranking"),
    ("ranking CSV", "/quiz/ranking?format=csv"),
    ("mentorship list", "/programme/mentorship"),
    ("results of one module", "/quiz/results?module=gst-vat"),
    ("advanced course: who may take it", "/courses/export-advanced/eligible?show=all"),
    ("advanced course: selection (XLSX)", "/courses/export-advanced/eligible.xlsx?show=all"),
)
#: Targets in milliseconds by scale; the report's own at S=1.
PAGE_TARGET = {1.0: 300.0, 10.0: 1500.0}
REPORT_TARGET = {1.0: 1000.0, 10.0: 1500.0}
RSS_TARGET_MB = {10.0: 250.0}
KB_PER_ATTEMPT = 20.0


def scales() -> list[float]:
    return [float(s) for s in os.environ.get("BENCH_SCALES", "1 10").split()]


def backends() -> list[str]:
    """SQLite, and PostgreSQL when the bench has a server (BENCH_BACKENDS chooses)."""
    found = ["SQLite"] + (["PostgreSQL"] if scale_data.postgres_url() else [])
    chosen = os.environ.get("BENCH_BACKENDS", "").split()
    return [b for b in found if not chosen or b in chosen]


class Official:
    """An admin's browser: cookies and a connection, bytes back (the report is a PDF)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def get(self, path: str, form: dict | None = None) -> tuple[int, bytes]:
        head = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = urllib.parse.urlencode(form) if form is not None else None
        if body is not None:
            head["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            try:
                self.conn.request("POST" if form else "GET", path, body=body, headers=head)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
                self.conn.close()  # a sync worker closes after each answer: connect again
                if attempt:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";")[0]
        return response.status, data

    def sign_in(self, email: str, password: str) -> None:
        token = CSRF.search(self.get("/login")[1].decode()).group(1)  # type: ignore[union-attr]
        status, _ = self.get("/login", {"email": email, "password": password, "csrf_token": token})
        assert status == 302, status

    def timed(self, path: str) -> tuple[float, int]:
        start = time.perf_counter()
        status, data = self.get(path)
        elapsed = time.perf_counter() - start
        assert status == 200, (path, status, data[:200])
        return elapsed, len(data)

    def median_ms(self, path: str, requests: int) -> tuple[float, int]:
        """Median of ``requests`` sequential GETs after a warm-up of each worker; a slow page
        gets fewer (about BUDGET seconds' worth, at least 3) and one warm-up."""
        first, _size = self.timed(path)
        if first < BUDGET / 10:
            self.timed(path)
        else:
            requests = max(min(3, requests), min(requests, int(BUDGET / first)))
        timings = [self.timed(path) for _ in range(requests)]
        return statistics.median(t for t, _ in timings) * 1000, timings[-1][1]


@dataclass
class Measured:
    healthz_ms: float
    pages: list[tuple[str, float, int]]
    rss_mb: float
    db_bytes: int
    attempts: int


def measure(scale: float, backend: str, cached: Path, tmp: Path) -> Measured:
    cluster = scale_data.first_cluster(cached)
    attempts = scale_data.counts(cached)["lms_attempt"]
    if backend == "SQLite":
        url = f"sqlite:///{scale_data.working_copy(cached, tmp)}"
        db_bytes = cached.stat().st_size
    else:
        url = scale_data.postgres_url() or ""
        scale_data.load_postgres(cached, url)
        db_bytes = scale_data.postgres_size(url)
    env = scale_data.environ(url, cached.with_suffix(".keys"))
    env = {key: value for key, value in env.items() if key.startswith("LMS_")}
    server = Gunicorn(tmp, workers=2, threads=0, extra=("--timeout", "600"), **env)
    try:
        official = Official(server.port)
        official.sign_in(scale_data.ADMIN, scale_data.PASSWORD)
        healthz, _ = official.median_ms("/healthz", HEALTHZ_REQUESTS)
        pages = []
        for label, path in PAGES:
            ms, size = official.median_ms(path.format(cluster=cluster), REQUESTS)
            pages.append((label, ms, size))
        rss = max(_peak_rss_mb(pid) for pid in server.worker_pids())
    finally:
        server.stop()
    return Measured(healthz, pages, rss, db_bytes, attempts)


def _peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]


def rows_for(scale: float, backend: str, found: Measured) -> list[Row]:
    where = f"S={scale:g} {backend}"
    rows = [Row(f"{where}: /healthz (baseline)", found.healthz_ms, "ms")]
    for label, ms, _size in found.pages:
        limit = (REPORT_TARGET if "PDF" in label else PAGE_TARGET).get(scale)
        rows.append(
            Row(
                f"{where}: {label}",
                ms,
                "ms",
                f"< {limit:,.0f} ms" if limit else "",
                ms < limit if limit else None,
                ms / found.healthz_ms,
            )
        )
    rss_limit = RSS_TARGET_MB.get(scale)
    rows.append(
        Row(
            f"{where}: worker peak RSS (VmHWM)",
            found.rss_mb,
            "MB",
            f"< {rss_limit:.0f} MB" if rss_limit else "",
            found.rss_mb < rss_limit if rss_limit else None,
        )
    )
    rows.append(Row(f"{where}: database size", found.db_bytes / 1e6, "MB"))
    per_attempt = found.db_bytes / max(1, found.attempts) / 1024
    sqlite = backend == "SQLite"
    rows.append(
        Row(
            f"{where}: database per attempt ({found.attempts:,} attempts)",
            per_attempt,
            "KB",
            f"< {KB_PER_ATTEMPT:.0f} KB" if sqlite else "",
            per_attempt < KB_PER_ATTEMPT if sqlite else None,
        )
    )
    return rows


def data_rows(scale: float, cached: Path) -> list[Row]:
    found = scale_data.counts(cached)
    seconds = scale_data.generation_seconds(cached)
    label = (
        f"S={scale:g} data: {found['lms_beneficiary']:,} beneficiaries, "
        f"{found['lms_training_session']:,} sessions, {found['lms_certificate']:,} cert."
    )
    return [Row(label, seconds or 0.0, "s gen")]


def run() -> list[Row]:
    rows: list[Row] = []
    for scale in scales():
        cached = scale_data.cached(scale)
        rows += data_rows(scale, cached)
        for backend in backends():
            with tempfile.TemporaryDirectory() as tmp:
                found = rows_for(scale, backend, measure(scale, backend, cached, Path(tmp)))
            for row in found:  # as they come, on stderr: a long run shows where it is
                print(f"{row.figure}: {row.value:,.1f} {row.unit}", file=sys.stderr)
            rows += found
    return rows


if __name__ == "__main__":
    from run import print_table

    print_table(run())
