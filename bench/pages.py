"""Pages served by gunicorn, as the tablets get them: the module catalog and a module section
(signed in, Bengali) against a minimal Flask page served the same way (same gunicorn settings,
same load, same run). Target: at least half the baseline's requests per second, and under 60 KB
per page before images and fonts.

The load is 16 keep-alive connections on one asyncio event loop in this process, for a few
seconds per page; on a 2-core machine the load generator shares the CPU with the server, as it
does for the baseline.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from common import CSRF, Gunicorn, Row
from live_quiz import AsyncTablet

CONNECTIONS = 16
SECONDS = 4.0
PASSWORD = "bench password 1"
PAGES = [
    ("module catalog, signed in (bn)", "/modules"),
    ("module section, signed in (bn)", "/modules/gst-vat/2"),
]


async def _signed_in(port: int, email: str) -> AsyncTablet:
    tablet = AsyncTablet(port)
    _, _, page = await tablet.request("GET", "/login")
    token = CSRF.search(page).group(1)  # type: ignore[union-attr]
    form = {"email": email, "password": PASSWORD, "csrf_token": token}
    status, _, _ = await tablet.request("POST", "/login", form)
    assert status == 302, status
    _, _, page = await tablet.request("GET", "/")  # signing in starts a new session and token
    token = CSRF.search(page).group(1)  # type: ignore[union-attr]
    form = {"locale": "bn", "csrf_token": token, "next": "/"}
    status, _, _ = await tablet.request("POST", "/language", form)
    _, _, page = await tablet.request("GET", "/")
    assert status == 302 and 'lang="bn-IN"' in page, status
    return tablet


async def _load(tablets: list[AsyncTablet], path: str) -> tuple[float, float, int]:
    """Requests per second over SECONDS, the median latency (ms), and the page's bytes."""
    stop = time.perf_counter() + SECONDS
    latencies: list[float] = []
    sizes: list[int] = []

    async def client(tablet: AsyncTablet) -> None:
        while time.perf_counter() < stop:
            start = time.perf_counter()
            status, _, text = await tablet.request("GET", path)
            assert status == 200, (path, status)
            latencies.append(time.perf_counter() - start)
            sizes.append(len(text.encode()))

    began = time.perf_counter()
    await asyncio.gather(*(client(t) for t in tablets))
    elapsed = time.perf_counter() - began
    return len(latencies) / elapsed, statistics.median(latencies) * 1000, max(sizes)


def _measure(
    server: Gunicorn, paths: list[str], email: str | None
) -> list[tuple[float, float, int]]:
    async def main() -> list[tuple[float, float, int]]:
        if email:
            tablets = [await _signed_in(server.port, email) for _ in range(CONNECTIONS)]
        else:
            tablets = [AsyncTablet(server.port) for _ in range(CONNECTIONS)]
        await _load(tablets, paths[0])  # warm-up: caches, connections, imports
        results = [await _load(tablets, path) for path in paths]
        for tablet in tablets:
            tablet.close()
        return results

    return asyncio.run(main())


def run() -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        minimal = Gunicorn(Path(tmp) / "minimal", app="bench.minimal_app:app")
        try:
            ((baseline, base_ms, _),) = _measure(minimal, ["/"], None)
        finally:
            minimal.stop()
        (Path(tmp) / "lms").mkdir()
        server = Gunicorn(Path(tmp) / "lms")
        try:
            server.create_users(["reader@example.org"], PASSWORD)
            measured = _measure(server, [p for _, p in PAGES], "reader@example.org")
        finally:
            server.stop()
    rows = [Row("minimal Flask page, gunicorn (baseline)", baseline, "req/s")]
    for (label, _), (rps, median_ms, size) in zip(PAGES, measured, strict=True):
        rows.append(
            Row(
                f"{label}, gunicorn",
                rps,
                "req/s",
                ">= 0.5 x",
                rps / baseline >= 0.5,
                rps / baseline,
            )
        )
        rows.append(Row(f"{label}, median latency", median_ms, "ms"))
        rows.append(Row(f"{label}, bytes", size, "B", "< 60000 B", size < 60_000))
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
