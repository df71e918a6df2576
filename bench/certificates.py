"""Certificates: issuing 2,500 with their signed credentials (target under 10 s), rendering a
PDF (under 150 ms), and the public verify page under gunicorn (at least 300 requests/s)."""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from common import Gunicorn, Row
from live_quiz import AsyncTablet

CERTIFICATES = 2500


def _app(instance: Path):  # noqa: ANN202
    from wsgi import create_app

    return create_app(
        {
            "LMS_DATABASE_URL": f"sqlite:///{instance}/lms.sqlite3",
            "LMS_SECRET_KEY": "bench",
            "LMS_BASE_URL": "https://dakshata.example.org",
        }
    )


def _learners(app, count: int) -> list[int]:  # noqa: ANN001
    """Accounts inserted directly (one shared password hash): the benchmark times issuing."""
    from sqlalchemy import insert, select
    from werkzeug.security import generate_password_hash

    from lms.accounts.models import User
    from lms.db import db, utcnow

    password = generate_password_hash("bench password 1")
    with app.app_context():
        db.session.execute(
            insert(User),
            [
                {
                    "email": f"c{n}@bench.example",
                    "name": f"শিক্ষার্থী {n}",
                    "password_hash": password,
                    "latin_digits": False,
                    "active": True,
                    "auth_version": 1,
                    "created_at": utcnow(),
                }
                for n in range(count)
            ],
        )
        db.session.commit()
        return list(db.session.scalars(select(User.id).order_by(User.id)))


def issue_many(app, user_ids: list[int]) -> float:  # noqa: ANN001
    from lms.certificates import services

    # A module of the basic course: each certificate also asks whether it completes the course.
    about = {
        "description": "GST and VAT for leather businesses.",
        "criteria": "Read the module and passed its post-test.",
        "level": "basic",
        "tags": ["gst-vat-compliance"],
    }
    titles = {
        "en": "GST / VAT for leather businesses",
        "bn": "চামড়া ব্যবসার জন্য GST / ভ্যাট",
        "bn_BD": "চামড়া ব্যবসার জন্য ভ্যাট (মূসক) / GST",
    }
    with app.app_context():
        services.keys.current_key()  # the first key is made before timing
        start = time.perf_counter()
        for user_id in user_ids:
            services.issue(user_id, "module", "gst-vat", titles, 82.5, "merit", about)
        return time.perf_counter() - start


def pdf_time(app) -> float:  # noqa: ANN001
    from sqlalchemy import select

    from lms.certificates.models import Certificate
    from lms.certificates.pdf import render_pdf
    from lms.db import db

    with app.app_context():
        certificate = db.session.scalar(select(Certificate))
        timings = []
        for _ in range(5):
            start = time.perf_counter()
            render_pdf(certificate, "bn", f"https://dakshata.example.org/verify/{certificate.code}")
            timings.append(time.perf_counter() - start)
        return statistics.median(timings[1:])  # the first one loads the fonts


async def _hammer(port: int, path: str, seconds: float, clients: int) -> tuple[int, int]:
    done = errors = 0
    stop = time.monotonic() + seconds

    async def one() -> None:
        nonlocal done, errors
        tablet = AsyncTablet(port)
        while time.monotonic() < stop:
            status, _h, _t = await tablet.request("GET", path)
            done += 1
            errors += status != 200
        tablet.close()

    await asyncio.gather(*(one() for _ in range(clients)))
    return done, errors


def run() -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        server = Gunicorn(Path(tmp), LMS_BASE_URL="https://dakshata.example.org")
        try:
            app = _app(Path(tmp))
            seconds = issue_many(app, _learners(app, CERTIFICATES))
            pdf = pdf_time(app)
            from sqlalchemy import select

            from lms.certificates.models import Certificate
            from lms.db import db

            with app.app_context():
                code = db.session.scalar(select(Certificate.code))
            asyncio.run(_hammer(server.port, f"/verify/{code}", 1, 8))  # warm up
            done, errors = asyncio.run(_hammer(server.port, f"/verify/{code}", 5, 16))
        finally:
            server.stop()
    rate = done / 5
    return [
        Row(
            f"issue {CERTIFICATES:,} certificates with signed credentials",
            seconds,
            "s",
            "< 10 s",
            seconds < 10,
            seconds / 10,
        ),
        Row(
            "render one certificate PDF (Bengali)",
            pdf * 1000,
            "ms",
            "< 150 ms",
            pdf < 0.150,
            pdf / 0.150,
        ),
        Row(
            "verify page under gunicorn",
            rate,
            "req/s",
            ">= 300",
            rate >= 300 and not errors,
            rate / 300,
        ),
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
