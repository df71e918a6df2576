"""Saving answers: 50 learners at once against gunicorn on SQLite (target: median under 20 ms)."""

from __future__ import annotations

import random
import re
import statistics
import tempfile
import threading
import time
from pathlib import Path

from common import CSRF, Gunicorn, Row, Tablet

LEARNERS = 50
SAVES_EACH = 20
#: Seconds a learner takes to read and answer (uniform range): a quick class answers a question
#: every few seconds; 0 hammers the server with no pause (saturation).
THINK = (1.0, 3.0)
PASSWORD = "bench password 1"


def learner(
    port: int, email: str, latencies: list[float], errors: list[str], think: tuple[float, float]
) -> None:
    try:
        answer_questions(port, email, latencies, errors, think)
    except Exception as exc:  # noqa: BLE001  (a failed learner is a counted error, not a crash)
        errors.append(f"{email}: {exc!r}")


def answer_questions(
    port: int, email: str, latencies: list[float], errors: list[str], think: tuple[float, float]
) -> None:
    tablet = Tablet(port)
    token = CSRF.search(tablet.request("GET", "/login")[2]).group(1)
    tablet.request("POST", "/login", {"email": email, "password": PASSWORD, "csrf_token": token})
    token = CSRF.search(tablet.request("GET", "/modules/gst-vat")[2]).group(1)
    _status, headers, _ = tablet.request(
        "POST", "/quiz/gst-vat/practice/start", {"csrf_token": token}
    )
    attempt = re.search(r"/quiz/attempt/(\d+)/", headers.get("Location", ""))
    if attempt is None:
        errors.append(f"{email}: no attempt")
        return
    path = f"/quiz/attempt/{attempt.group(1)}/1"
    page = tablet.request("GET", path)[2]
    field = "answer" if 'name="answer"' in page else None
    pause = random.Random(email)
    for n in range(SAVES_EACH):
        time.sleep(pause.uniform(*think))
        body = {field: str(1000 + n)} if field else {}
        start = time.perf_counter()
        status, _h, text = tablet.request(
            "POST", path, body, {"X-CSRFToken": token, "X-Requested-With": "fetch"}
        )
        latencies.append(time.perf_counter() - start)
        if status not in (200, 400):
            errors.append(f"{status}: {text[:80]}")


def measure(server: Gunicorn, first: int, think: tuple[float, float]) -> tuple[list, list]:
    latencies: list[float] = []
    errors: list[str] = []
    threads = [
        threading.Thread(
            target=learner, args=(server.port, f"l{n}@bench.example", latencies, errors, think)
        )
        for n in range(first, first + LEARNERS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors


def run() -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        server = Gunicorn(Path(tmp))
        try:
            server.create_users([f"l{n}@bench.example" for n in range(2 * LEARNERS)], PASSWORD)
            paced, paced_errors = measure(server, 0, THINK)
            busy, busy_errors = measure(server, LEARNERS, (0.0, 0.0))
        finally:
            server.stop()
    rows = []
    for label, latencies, errors, target in [
        (f"{THINK[0]:g}-{THINK[1]:g} s to answer", paced, paced_errors, 20.0),
        ("no pause (saturation)", busy, busy_errors, None),
    ]:
        cuts = statistics.quantiles(latencies, n=100)
        median = statistics.median(latencies) * 1000
        prefix = f"answer save, {LEARNERS} learners, {label}"
        rows += [
            Row(
                f"{prefix}, median",
                median,
                "ms",
                f"< {target:g} ms" if target else "",
                (median < target and not errors) if target else None,
                median / target if target else None,
            ),
            Row(f"{prefix}, p95", cuts[94] * 1000, "ms"),
            Row(f"{prefix}, errors", len(errors), "", "0", not errors),
        ]
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
