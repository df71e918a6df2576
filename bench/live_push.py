"""Live quiz, pushed: tablets hold one Server-Sent Events stream each and are told the next
question, against the documented production server (``gunicorn -k gevent``).

- 500 tablets on one host (SQLite, loopback): how long after the trainer's Next each tablet has
  the question (target p99 < 250 ms), answer p99 (< 300 ms), bytes per tablet per minute while
  the quiz is idle (< 2 KB), and no answer lost or counted twice.
- 1,000 and 2,000 tablets on two hosts sharing one PostgreSQL (when ``make bench`` has started
  one): the same figures, answer p99 < 1 s; the hosts learn of the trainer's steps through
  LISTEN/NOTIFY. Here both hosts, PostgreSQL and the simulated tablets share one machine.

Beside each latency is ``/healthz`` (a trivial request) measured during the same run against the
same server, so a slow machine shows as a slow baseline, not as a slow quiz. The tablets are
coroutines on one event loop of this process; the trainer acts through the app in a thread.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from common import CSRF, Gunicorn, Row
from live_quiz import AsyncTablet
from scale_data import postgres_url

QUESTIONS = 3
OPEN_SECONDS = 6
IDLE_SECONDS = 32  # two heartbeats
JOINING_AT_ONCE = 40
OPTION = re.compile(r'name="answer" value="([^"]+)"')
LANGUAGES = ("en", "bn", "bn-BD")
GEVENT = ("-k", "gevent", "--worker-connections", "3000", "--graceful-timeout", "3")
#: The tablets join by name from one address (a hall signs in; here they are guests).
HALL = {"LMS_LIVE_MAX_JOINS_PER_IP": "5000"}


@dataclass
class Stats:
    shown: list[float] = field(default_factory=list)  # seconds from Next to the question
    answers: list[float] = field(default_factory=list)
    baseline: list[float] = field(default_factory=list)
    idle_bytes: list[int] = field(default_factory=list)
    sent: int = 0
    counted: int = 0
    refused: int = 0  # came after the question closed: told so, not counted
    other: Counter = field(default_factory=Counter)  # any other reply, by status
    stored: int = 0
    errors: list[str] = field(default_factory=list)


class Clock:
    """When the trainer tapped Next; the tablets' running tasks (asyncio keeps only weak
    references to tasks, so one nobody holds may vanish mid-flight)."""

    def __init__(self) -> None:
        self.next_at = 0.0
        self.tasks: set[asyncio.Task] = set()

    def spawn(self, coroutine) -> None:  # noqa: ANN001
        task = asyncio.create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


class Stream:
    """One tablet's long-lived ``GET /live/<code>/events``: chunked SSE, parsed by hand."""

    def __init__(self, port: int, path: str, cookies: dict[str, str]) -> None:
        self.port, self.path, self.cookies = port, path, cookies
        self.bytes = 0
        self.opened = asyncio.Event()

    async def events(self):  # noqa: ANN201  (an async generator of (event, data))
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        writer.write(
            (
                f"GET {self.path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                f"Accept: text/event-stream\r\nCookie: {cookie}\r\n\r\n"
            ).encode()
        )
        await writer.drain()
        try:
            while line := await reader.readline():
                self.bytes += len(line)
                if line == b"\r\n":
                    break
            self.opened.set()
            buffer, kind, data = b"", "message", []
            while True:
                size_line = await reader.readline()
                if not size_line:
                    return
                self.bytes += len(size_line)
                size = int(size_line.strip() or b"0", 16)
                if size == 0:
                    return
                chunk = await reader.readexactly(size + 2)
                self.bytes += len(chunk)
                buffer += chunk[:-2]
                while b"\n" in buffer:
                    raw, buffer = buffer.split(b"\n", 1)
                    text = raw.decode()
                    if text == "":
                        if data:
                            yield kind, "\n".join(data)
                        kind, data = "message", []
                    elif text.startswith("event:"):
                        kind = text[6:].strip()
                    elif text.startswith("data:"):
                        data.append(text[5:].lstrip())
        finally:
            writer.close()


async def tablet(
    port: int, code: str, n: int, stats: Stats, clock: Clock, joins: asyncio.Semaphore
) -> Stream | None:
    """Join, then follow the stream: note when each question arrives, answer it 1-4 s later."""
    rng = random.Random(n)
    client = AsyncTablet(port)
    language = {"Accept-Language": LANGUAGES[n % len(LANGUAGES)]}
    try:
        async with joins:
            page = (await client.request("GET", "/live", headers=language))[2]
            token = CSRF.search(page).group(1)
            form = {"name": f"Tablet {n}", "csrf_token": token}
            await client.request("POST", f"/live/{code}", form, language)
        stream = Stream(port, f"/live/{code}/events", client.cookies)
        clock.spawn(_follow(stream, client, code, token, rng, stats, clock))
        return stream
    except Exception as exc:  # noqa: BLE001  (a failed tablet is a counted error)
        stats.errors.append(f"join {n}: {exc!r}")
        client.close()
        return None


async def _follow(
    stream: Stream,
    client: AsyncTablet,
    code: str,
    token: str,
    rng: random.Random,
    stats: Stats,
    clock: Clock,
) -> None:
    try:
        async for kind, data in stream.events():
            if kind != "state":
                continue
            state = json.loads(data)
            options = OPTION.findall(state.get("h") or "")
            if state.get("s") == "question" and options:
                stats.shown.append(time.perf_counter() - clock.next_at)
                shown = time.perf_counter()
                clock.spawn(_answer(client, code, token, state["i"], options, rng, shown, stats))
            if state.get("s") == "ended":
                return
    except Exception as exc:  # noqa: BLE001
        stats.errors.append(f"stream: {exc!r}")


async def _answer(
    client: AsyncTablet,
    code: str,
    token: str,
    index: int,
    options: list[str],
    rng: random.Random,
    shown: float,
    stats: Stats,
) -> None:
    await asyncio.sleep(rng.uniform(1, 4))
    form = {
        "index": str(index),
        "answer": rng.choice(options),
        "csrf_token": token,
        "shown_ms": str(int((time.perf_counter() - shown) * 1000)),
    }
    if client.busy:  # the last answer is still on its way: a browser opens another connection
        client = AsyncTablet(client.port, cookies=client.cookies)
    start = time.perf_counter()
    client.busy = True
    try:
        status, _h, body = await client.request(
            "POST",
            f"/live/{code}/answer",
            form,
            {"X-CSRFToken": token, "X-Requested-With": "fetch"},
        )
    except Exception as exc:  # noqa: BLE001
        stats.errors.append(f"answer: {exc!r}")
        return
    finally:
        client.busy = False
    stats.answers.append(time.perf_counter() - start)
    stats.sent += 1
    counted, refused = '"counted":true' in body.replace(" ", ""), status == 409
    stats.counted += counted
    stats.refused += refused
    if not (counted or refused):
        stats.other[status] += 1


async def baseline(port: int, stats: Stats, stop: asyncio.Event) -> None:
    """``/healthz`` ten times a second on its own connection, while the quiz runs."""
    client = AsyncTablet(port)
    while not stop.is_set():
        start = time.perf_counter()
        await client.request("GET", "/healthz")
        stats.baseline.append(time.perf_counter() - start)
        await asyncio.sleep(0.1)
    client.close()


def trainer(app, quiz_id: int | None, step: str, item_ids: list[str] | None = None):  # noqa: ANN001, ANN201
    """The trainer's steps, through the app (in a worker thread)."""
    from lms.content import services as content
    from lms.db import db
    from lms.live import services
    from lms.live.models import LiveAnswer, LiveQuiz
    from lms.quiz import services as quiz_services

    with app.app_context():
        if step == "create":
            bank = quiz_services.bank_for(content.library().get("cleaner-production"))
            quiz = services.create(
                bank, "cleaner-production", item_ids, title="Pushed", mode="speed",
                countdown=0, session_label="bench", user_id=None,
            )  # fmt: skip
            services.start(quiz)
            return quiz.id, quiz.code
        if step == "count":
            return db.session.query(LiveAnswer).filter_by(quiz_id=quiz_id).count()
        quiz = db.session.get(LiveQuiz, quiz_id)
        for action in step.split("+"):
            services.act(quiz, action)
        return None


def item_ids(app) -> list[str]:  # noqa: ANN001
    from lms.content import services as content
    from lms.quiz import services as quiz_services

    with app.app_context():
        bank = quiz_services.bank_for(content.library().get("cleaner-production"))
        return [
            i.id for i in bank.items if i.country == "any" and i.type in ("single", "true_false")
        ][:QUESTIONS]


async def scenario(app, ports: list[int], tablets: int) -> Stats:  # noqa: ANN001
    stats, clock = Stats(), Clock()
    quiz_id, code = await asyncio.to_thread(trainer, app, None, "create", item_ids(app))
    joins = asyncio.Semaphore(JOINING_AT_ONCE)
    streams = [
        s
        for s in await asyncio.gather(
            *(tablet(ports[n % len(ports)], code, n, stats, clock, joins) for n in range(tablets))
        )
        if s is not None
    ]
    await asyncio.wait_for(asyncio.gather(*(s.opened.wait() for s in streams)), 120)
    stop = asyncio.Event()
    checks = [asyncio.create_task(baseline(port, stats, stop)) for port in ports]
    before = [s.bytes for s in streams]
    await asyncio.sleep(IDLE_SECONDS)  # the lobby, quiet: heartbeats only
    stats.idle_bytes = [s.bytes - b for s, b in zip(streams, before, strict=True)]
    for _question in range(QUESTIONS):
        clock.next_at = time.perf_counter()
        await asyncio.to_thread(trainer, app, quiz_id, "next")
        await asyncio.sleep(OPEN_SECONDS)
        await asyncio.to_thread(trainer, app, quiz_id, "close+reveal")
        await asyncio.sleep(1)
    await asyncio.to_thread(trainer, app, quiz_id, "end")
    stop.set()
    await asyncio.gather(*checks)
    await asyncio.wait_for(asyncio.gather(*list(clock.tasks)), 30)  # every stream has ended
    stats.stored = await asyncio.to_thread(trainer, app, quiz_id, "count")
    return stats


def cut(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else 0.0


def rows_for(
    label: str, stats: Stats, tablets: int, shown_ms: float | None, answer_ms: float
) -> list[Row]:
    base = f"(/healthz p99 {cut(stats.baseline, 99):.0f} ms)"
    rows = []
    if shown_ms is not None:
        rows += [
            Row(f"push {label}: question shown after Next, p50", cut(stats.shown, 50), "ms", base),
            Row(
                f"push {label}: question shown after Next, p99",
                cut(stats.shown, 99),
                "ms",
                f"< {shown_ms:g} ms",
                cut(stats.shown, 99) < shown_ms,
                cut(stats.shown, 99) / shown_ms,
            ),
        ]
    per_minute = statistics.mean(stats.idle_bytes) * 60 / IDLE_SECONDS if stats.idle_bytes else 0
    whole = len(stats.shown) == tablets * QUESTIONS
    answered = stats.sent == stats.counted + stats.refused
    intact = whole and answered and stats.counted == stats.stored and not stats.errors
    rows += [
        Row(f"push {label}: answer p50", cut(stats.answers, 50), "ms", base),
        Row(
            f"push {label}: answer p99",
            cut(stats.answers, 99),
            "ms",
            f"< {answer_ms:g} ms",
            cut(stats.answers, 99) < answer_ms,
            cut(stats.answers, 99) / answer_ms,
        ),
        Row(
            f"push {label}: bytes per tablet per minute, idle",
            per_minute,
            "B",
            "< 2 KB",
            per_minute < 2048,
            per_minute / 2048,
        ),
        Row(
            f"push {label}: answers counted = stored, 0 lost/doubled",
            stats.counted,
            "",
            f"{stats.stored} stored",
            intact,
        ),
        Row(
            f"push {label}: answers refused as late (409, after close)",
            stats.refused,
            "",
            f"of {stats.sent}",
        ),
    ]
    if stats.other:
        print(f"  {label}: other replies by status: {dict(stats.other)}")
    for error in stats.errors[:5]:
        print("  error:", error)
    return rows


def app_for(server: Gunicorn):  # noqa: ANN201
    from wsgi import create_app

    return create_app(
        {k: v for k, v in server.environ.items() if k.startswith("LMS_") and k != "LMS_ENV"}
    )


def run() -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        server = Gunicorn(Path(tmp), workers=2, threads=0, extra=GEVENT, **HALL)
        try:
            stats = asyncio.run(scenario(app_for(server), [server.port], 500))
            rows += rows_for("500, 1 host, SQLite", stats, 500, 250, 300)
        finally:
            server.stop()
    url = postgres_url()
    for tablets in (1000, 2000) if url else ():
        with tempfile.TemporaryDirectory() as tmp:
            hosts = [
                Gunicorn(
                    Path(tmp) / str(n),
                    workers=2,
                    threads=0,
                    extra=GEVENT,
                    LMS_DATABASE_URL=url,
                    **HALL,
                )
                for n in (1, 2)
            ]
            try:
                ports = [h.port for h in hosts]
                stats = asyncio.run(scenario(app_for(hosts[0]), ports, tablets))
                label = f"{tablets:,}, 2 hosts, PostgreSQL"
                rows += rows_for(label, stats, tablets, None, 1000)
            finally:
                for host in hosts:
                    host.stop()
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
