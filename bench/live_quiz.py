"""Live quiz: simulated tablets against gunicorn on SQLite, one session of 50 and ten sessions
of 50 at once. Tablets poll every 1.5 s with If-None-Match, as the page's script does, and answer
1-4 s after a question opens. Targets: p99 under 100 ms (50) and 300 ms (500) for answers and
polls; no answer lost or counted twice.

The tablets are coroutines on one event loop (not threads), so the load generator's own
scheduling adds as little as possible to the latencies it measures on this 2-core machine.
"""

from __future__ import annotations

import asyncio
import random
import re
import statistics
import tempfile
import time
import urllib.parse
from pathlib import Path

from common import CSRF, Gunicorn, Row

PER_SESSION = 50
QUESTIONS = 5
OPEN_SECONDS = 7
POLL = 1.5
INDEX = re.compile(r'name="index" value="(\d+)"')
OPTION = re.compile(r'name="answer" value="([^"]+)"')


class AsyncTablet:
    """One tablet's keep-alive HTTP/1.1 connection and cookies."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None) -> None:
        self.port = port
        self.cookies: dict[str, str] = cookies if cookies is not None else {}
        self.busy = False  # a request is on its way (one at a time per connection)
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, form: dict | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, str], str]:
        body = urllib.parse.urlencode(form).encode() if form is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        for key, value in (headers or {}).items():
            lines.append(f"{key}: {value}")
        if form is not None:
            lines += [
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(body)}",
            ]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        for attempt in range(2):
            try:
                if self.writer is None:
                    self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
                self.writer.write(raw)
                await self.writer.drain()
                return await self._response()
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()  # the server closed an idle connection: reconnect once
                if attempt:
                    raise
        raise AssertionError("unreachable")

    async def _response(self) -> tuple[int, dict[str, str], str]:
        assert self.reader is not None
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionResetError
        status = int(status_line.split()[1])
        found: dict[str, str] = {}
        while line := (await self.reader.readline()).decode().rstrip("\r\n"):
            key, _, value = line.partition(":")
            if key.lower() == "set-cookie":
                name, _, rest = value.strip().partition("=")
                self.cookies[name] = rest.split(";")[0]
            found[key.lower()] = value.strip()
        length = int(found.get("content-length", "0"))
        text = (await self.reader.readexactly(length)).decode() if length else ""
        if found.get("connection", "").lower() == "close":
            self.close()
        return status, found, text

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Stats:
    def __init__(self) -> None:
        self.polls: list[float] = []
        self.answers: list[float] = []
        self.sent = self.counted = self.stored = 0
        self.errors: list[str] = []


async def participant(port: int, code: str, name: str, stats: Stats, stop: asyncio.Event) -> None:
    rng = random.Random(name)
    tablet = AsyncTablet(port)
    try:
        token = CSRF.search((await tablet.request("GET", "/live"))[2]).group(1)
        await tablet.request("POST", f"/live/{code}", {"name": name, "csrf_token": token})
        etag, answered, due = None, set(), None
        await asyncio.sleep(rng.uniform(0, POLL))  # tablets do not poll in step
        while not stop.is_set():
            start = time.perf_counter()
            status, headers, text = await tablet.request(
                "GET", f"/live/{code}/state", headers={"If-None-Match": etag} if etag else {}
            )
            stats.polls.append(time.perf_counter() - start)
            if status == 200:
                etag = headers.get("etag")
                index = INDEX.search(text)
                if index and index.group(1) not in answered:
                    due = (
                        index.group(1),
                        time.monotonic() + rng.uniform(1, 4),
                        OPTION.findall(text),
                    )
            if due and time.monotonic() >= due[1] and due[2]:
                form = {"index": due[0], "answer": rng.choice(due[2]), "csrf_token": token}
                start = time.perf_counter()
                _status, _h, body = await tablet.request(
                    "POST",
                    f"/live/{code}/answer",
                    form,
                    {"X-CSRFToken": token, "X-Requested-With": "fetch"},
                )
                stats.answers.append(time.perf_counter() - start)
                stats.sent += 1
                stats.counted += '"counted":true' in body.replace(" ", "")
                answered.add(due[0])
                due, etag = None, None
            wait = POLL if due is None else min(POLL, max(0.05, due[1] - time.monotonic()))
            await asyncio.sleep(wait)
    except Exception as exc:  # noqa: BLE001  (a failed tablet is a counted error)
        stats.errors.append(f"{name}: {exc!r}")
    finally:
        tablet.close()


async def session(app, module, bank, item_ids, port: int, stats: Stats, label: str) -> None:  # noqa: ANN001
    from lms.db import db
    from lms.live import services
    from lms.live.models import LiveAnswer, LiveQuiz

    def trainer(step: str) -> tuple[int, str] | None:  # runs in a worker thread
        with app.app_context():
            if step == "create":
                quiz = services.create(
                    bank,
                    module.slug,
                    item_ids,
                    title=label,
                    mode="correctness",
                    countdown=0,
                    session_label=label,
                    user_id=None,
                )
                services.start(quiz)
                return quiz.id, quiz.code
            quiz = db.session.query(LiveQuiz).filter_by(title=label).one()
            if step == "count":
                return quiz.id, str(db.session.query(LiveAnswer).filter_by(quiz_id=quiz.id).count())
            for action in step.split("+"):
                services.act(quiz, action)
            return None

    _quiz_id, code = await asyncio.to_thread(trainer, "create")
    stop = asyncio.Event()
    tablets = [
        asyncio.create_task(participant(port, code, f"{label}-{n}", stats, stop))
        for n in range(PER_SESSION)
    ]
    await asyncio.sleep(4)  # everyone joins
    for _question in range(QUESTIONS):
        await asyncio.to_thread(trainer, "next")
        await asyncio.sleep(OPEN_SECONDS)
        await asyncio.to_thread(trainer, "close+reveal")
        await asyncio.sleep(1)
    await asyncio.to_thread(trainer, "end")
    stop.set()
    await asyncio.gather(*tablets)
    _quiz_id, stored = await asyncio.to_thread(trainer, "count")
    stats.stored += int(stored)  # on the event loop: no two sessions add at once


def scenario(server: Gunicorn, sessions: int) -> Stats:
    from lms.content import services as content
    from lms.quiz import services as quiz_services
    from wsgi import create_app

    app = create_app(
        {k: v for k, v in server.environ.items() if k.startswith("LMS_") and k != "LMS_ENV"}
    )
    with app.app_context():
        module = content.library().get("cleaner-production")
        bank = quiz_services.bank_for(module)
        item_ids = [
            i.id for i in bank.items if i.country == "any" and i.type in ("single", "true_false")
        ][:QUESTIONS]
    stats = Stats()

    async def main() -> None:
        await asyncio.gather(
            *(
                session(app, module, bank, item_ids, server.port, stats, f"{sessions}x-s{n}")
                for n in range(sessions)
            )
        )

    asyncio.run(main())
    return stats


def rows_for(label: str, stats: Stats, target_ms: float) -> list[Row]:
    def cut(values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100)[q - 1] * 1000

    intact = stats.sent == stats.counted == stats.stored and not stats.errors
    rows = []
    for kind, values in (("answer", stats.answers), ("poll", stats.polls)):
        p99 = cut(values, 99)
        rows += [
            Row(
                f"live {label}: {kind} p50 (p95)",
                cut(values, 50),
                "ms",
                f"({cut(values, 95):.0f} ms)",
            ),
            Row(
                f"live {label}: {kind} p99",
                p99,
                "ms",
                f"< {target_ms:g} ms",
                p99 < target_ms,
                p99 / target_ms,
            ),
        ]
    rows.append(
        Row(
            f"live {label}: answers sent = stored", stats.sent, "", f"{stats.stored} stored", intact
        )
    )
    return rows


def run() -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        server = Gunicorn(Path(tmp))
        try:
            rows += rows_for("1 x 50", scenario(server, 1), 100)
            rows += rows_for("10 x 50", scenario(server, 10), 300)
        finally:
            server.stop()
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
