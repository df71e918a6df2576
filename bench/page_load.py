"""A module section on emulated 3G, as a hall's tablet loads it (issue 16.11).

Chromium (Playwright, /usr/bin/chromium) with the network throttled to 300 ms round trip and
750 kbit/s each way, against the documented production server (``gunicorn -k gevent``), signed
in, in Bengali. "First load" is a section with an empty browser cache; "repeat load" is the
next section, with the stylesheet and scripts cached. The baseline, measured in the same run,
is that repeat load with the browser's cache turned off (every static file fetched again), so
the ratio shows what the cache saves. Each figure is the median of five loads, from the start
of navigation to the page's load event. Targets: first < 1 s, repeat < 0.7 s.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path
from typing import Any

from common import Gunicorn, Row
from live_push import GEVENT

PASSWORD = "bench password 1"
EMAIL = "reader@example.org"
LOADS = 5
#: Chromium's throttling: 300 ms round trip, 750 kbit/s down and up (bytes per second).
THREE_G = {
    "offline": False,
    "latency": 300,
    "downloadThroughput": 750_000 / 8,
    "uploadThroughput": 750_000 / 8,
}
SECTIONS = [f"/modules/gst-vat/{n}" for n in range(1, 11)]


def _sign_in(page: Any, base: str) -> None:
    page.goto(base + "/login")
    page.locator("input[name=email]").fill(EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(base + "/")
    page.locator('.lang-switch button[value="bn"]').click()
    page.wait_for_load_state()


def _load_ms(page: Any, url: str) -> float:
    page.goto(url, wait_until="load")
    return page.evaluate(
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " return n.loadEventEnd - n.startTime; }"
    )


def _measure(page: Any, cdp: Any, base: str, *, cached: bool) -> tuple[float, float]:
    """Median first and repeat load (ms) of LOADS pairs of sections."""
    first: list[float] = []
    repeat: list[float] = []
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": not cached})
    for n in range(LOADS):
        cdp.send("Network.clearBrowserCache")
        first.append(_load_ms(page, base + SECTIONS[(2 * n) % len(SECTIONS)]))
        repeat.append(_load_ms(page, base + SECTIONS[(2 * n + 1) % len(SECTIONS)]))
    return statistics.median(first), statistics.median(repeat)


def run() -> list[Row]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        server = Gunicorn(Path(tmp), workers=2, threads=0, extra=GEVENT)
        try:
            server.create_users([EMAIL], PASSWORD)
            with sync_playwright() as play:
                browser = play.chromium.launch(executable_path="/usr/bin/chromium")
                page = browser.new_context(viewport={"width": 800, "height": 1280}).new_page()
                _sign_in(page, server.base)
                cdp = page.context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.emulateNetworkConditions", THREE_G)
                first, repeat = _measure(page, cdp, server.base, cached=True)
                _, uncached = _measure(page, cdp, server.base, cached=False)
                browser.close()
        finally:
            server.stop()
    return [
        Row(
            "3G: module section, first load (empty cache, bn)", first, "ms", "< 1000", first < 1000
        ),
        Row(
            "3G: module section, repeat load (static files cached)",
            repeat,
            "ms",
            "< 700",
            repeat < 700,
            ratio=repeat / uncached,
        ),
        Row("3G: module section, repeat load, cache off (baseline)", uncached, "ms"),
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
