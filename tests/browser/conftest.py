"""Browser fixtures: the LMS on a real HTTP server, driven by Playwright in Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import build_app

CHROMIUM = os.environ.get("LMS_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
# Flags for a machine with no outside network: no background fetches, no first-run work.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

TABLET_PORTRAIT = {"width": 800, "height": 1280}
TABLET_LANDSCAPE = {"width": 1280, "height": 800}


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:  # type: ignore[type-arg]
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make system-deps` (never skipped)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """``start(**config)`` serves a fresh LMS app on 127.0.0.1 and returns its base URL."""
    servers: list[Any] = []

    def start(**config: Any) -> str:
        app: Flask = build_app(tmp_path / f"live{len(servers)}", **config)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        server.lms_app = app  # type: ignore[attr-defined]
        return f"http://127.0.0.1:{server.server_port}"

    start.servers = servers  # type: ignore[attr-defined]
    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
        _close(server.lms_app)


def _close(app: Flask) -> None:
    """Stop the app's live-quiz watcher and close its database connections, so none is left
    to be collected open (PostgreSQL) while later tests run."""
    from lms.db import db

    hub = app.extensions.get("lms.live.push")
    if hub is not None:
        hub.stop()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A tablet-sized page; on failure a screenshot is saved in tests/artifacts/."""
    context = browser.new_context(viewport=TABLET_PORTRAIT, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
