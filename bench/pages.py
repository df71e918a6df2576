"""Pages: LMS pages against a minimal Flask page served the same way in the same run.

In-process (Werkzeug test client), so it measures the app's own cost per request, and the bytes
each page sends (target under 60 KB before images and fonts).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import Row
from flask import Flask

from lms import LMS, migrations
from lms.accounts import services

ROUNDS = 5
REQUESTS = 200
PASSWORD = "bench password 1"


def rate(call: Callable[[], object]) -> float:
    """Requests per second: the median of ROUNDS rounds of REQUESTS requests."""
    rates = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(REQUESTS):
            call()
        rates.append(REQUESTS / (time.perf_counter() - start))
    return statistics.median(rates)


def build(instance: Path) -> Flask:
    app = Flask("bench", instance_path=str(instance))
    app.config.update(SECRET_KEY="bench", LMS_IDLE_TIMEOUT=0)
    LMS(app)
    with app.app_context():
        migrations.upgrade()
        services.create_user("bench@example.org", "বেঞ্চ", PASSWORD, ["admin"], locale="bn")

    @app.get("/minimal")
    def minimal() -> str:
        return "ok"

    return app


def run() -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        app = build(Path(tmp))
        anonymous = app.test_client()
        signed_in = app.test_client()
        token_page = signed_in.get("/login").get_data(as_text=True)
        token = token_page.split('name="csrf-token" content="')[1].split('"')[0]
        signed_in.post(
            "/login",
            data={"email": "bench@example.org", "password": PASSWORD, "csrf_token": token},
        )
        baseline = rate(lambda: anonymous.get("/minimal"))
        rows = [Row("minimal Flask page, in-process (baseline)", baseline, "req/s")]
        for label, client, path in [
            ("sign-in page", anonymous, "/login"),
            ("home page, signed in (bn)", signed_in, "/"),
            ("module catalog (bn)", signed_in, "/modules"),
            ("module section (bn)", signed_in, "/modules/gst-vat/2"),
        ]:
            size = len(client.get(path).data)
            rps = rate(lambda c=client, p=path: c.get(p))
            rows.append(Row(f"{label}, in-process", rps, "req/s", ratio=rps / baseline))
            rows.append(Row(f"{label}, bytes", size, "B", "< 60000 B", size < 60_000))
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
