"""Offline reading on a tablet (issue 21): what "Save for offline" keeps, and how fast a kept
section shows with the network gone.

Chromium (Playwright, /usr/bin/chromium) against the documented production server
(``gunicorn -k gevent``), signed in, in Bengali. Every shipped module is saved with its "Save for
offline" button; its size is the bytes of its kept pages and pictures, read back from the
tablet's caches (the largest module is the figure). Then the server stops and the browser goes
offline, and saved sections are opened: first paint (first contentful paint) from the start of
navigation, median of five. Targets: < 300 KB per module, < 300 ms first paint.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path
from typing import Any

from common import ROOT, Gunicorn, Row
from live_push import GEVENT

PASSWORD = "bench password 1"
EMAIL = "offline@example.org"
LOADS = 5

#: The bytes a module's kept URLs take in the tablet's caches (pages and pictures).
KEPT_BYTES = """async (urls) => {
  let total = 0;
  for (const url of urls) {
    const found = await caches.match(new URL(url, location.href).href);
    if (!found) { throw new Error("not kept: " + url); }
    total += (await found.arrayBuffer()).byteLength;
  }
  return total;
}"""
FIRST_PAINT = """() => new Promise(resolve => new PerformanceObserver((list, observer) => {
  const paint = list.getEntries().find(e => e.name === "first-contentful-paint");
  if (paint) { observer.disconnect(); resolve(paint.startTime); }
}).observe({type: "paint", buffered: true}))"""


def _modules() -> list[str]:
    from lms.content.library import ContentLibrary
    from lms.courses.definitions import FOLDER as COURSES
    from lms.resources.entries import FOLDER as RESOURCES

    library = ContentLibrary(ROOT / "modules_content", (COURSES, RESOURCES))
    return [m.slug for m in library.modules() if m.usable]


def _sign_in(page: Any, base: str) -> None:
    page.goto(base + "/login")
    page.locator("input[name=email]").fill(EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(base + "/")
    page.locator('.lang-switch button[value="bn"]').click()
    page.wait_for_load_state()
    page.wait_for_function("!!navigator.serviceWorker.controller")


def _save(page: Any, base: str, slug: str) -> int:
    """Save module ``slug`` for offline; the bytes it takes in the caches."""
    page.goto(f"{base}/modules/{slug}")
    panel = page.locator("[data-offline-save]")
    saved = panel.get_attribute("data-saved")
    panel.locator("[data-offline-save-button]").click()
    page.wait_for_function(
        "text => document.querySelector('[data-offline-state]').textContent === text",
        arg=saved,
        timeout=60_000,
    )
    return page.evaluate(
        KEPT_BYTES,
        page.evaluate("JSON.parse(document.querySelector('[data-offline-save]').dataset.urls)"),
    )


def _first_paint(page: Any, url: str) -> float:
    page.goto(url, wait_until="load")
    assert page.locator("html[data-lms-saved-at]").count() == 1, "not from the tablet's copy"
    return page.evaluate(FIRST_PAINT)


def run() -> list[Row]:
    from playwright.sync_api import sync_playwright

    slugs = _modules()
    with tempfile.TemporaryDirectory() as tmp:
        server = Gunicorn(Path(tmp), workers=2, threads=0, extra=GEVENT)
        try:
            server.create_users([EMAIL], PASSWORD)
            with sync_playwright() as play:
                browser = play.chromium.launch(executable_path="/usr/bin/chromium")
                context = browser.new_context(viewport={"width": 800, "height": 1280})
                page = context.new_page()
                _sign_in(page, server.base)
                sizes = {slug: _save(page, server.base, slug) for slug in slugs}
                server.stop()  # the wifi drops: no server, and the browser offline
                context.set_offline(True)
                paints = [
                    _first_paint(page, f"{server.base}/modules/{slugs[0]}/{n}")
                    for n in range(1, LOADS + 1)
                ]
                browser.close()
        finally:
            if server.process.poll() is None:
                server.stop()
    largest = max(sizes, key=sizes.__getitem__)
    kilobytes = sizes[largest] / 1024
    paint = statistics.median(paints)
    return [
        Row(
            f"Offline: cache per module, largest ({largest}, bn)",
            kilobytes,
            "KB",
            "< 300",
            kilobytes < 300,
        ),
        Row(
            f"Offline: cache per module, mean of {len(sizes)} (bn)",
            statistics.mean(sizes.values()) / 1024,
            "KB",
        ),
        Row("Offline: first paint of a saved section (bn)", paint, "ms", "< 300", paint < 300),
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
