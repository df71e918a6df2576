"""Push for live quizzes: streams (Server-Sent Events) that tell tablets and the trainer's screen
the moment a quiz changes, instead of their asking every 1.5 s.

Each worker process keeps one :class:`Hub` per app (``app.extensions["lms.live.push"]``), made
lazily by the first stream. Its watcher (a thread; a greenlet under gunicorn's gevent worker)
learns of changes and wakes the streams of the quiz that changed:

- on PostgreSQL it ``LISTEN``\\ s on :data:`CHANNEL` on a connection of its own; every step of
  a live quiz (its version, status, question) sends ``NOTIFY lms_live, '<quiz id>'`` in the same
  transaction (the session events below), so every worker on every host hears it at commit;
  the counts (joined, answered) it reads every :data:`LOOK_WHILE_OPEN` seconds while they can
  change;
- on SQLite (one host) it reads the watched quizzes' versions and counts every
  :data:`POLL_SQLITE` seconds while streams are open: one small query, and it sees the changes
  of every worker process.

It also closes a question whose countdown ran out (:func:`services.expire`): tablets that are
told no longer ask, and asking was what closed it before.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from ..db import db, utcnow
from . import services
from .models import LiveAnswer, LiveParticipant, LiveQuiz

log = logging.getLogger(__name__)

#: The PostgreSQL channel; the payload is a quiz id, or ``*`` for "some quizzes".
CHANNEL = "lms_live"
#: Seconds between two looks at the database on SQLite while streams are open.
POLL_SQLITE = 0.1
#: Seconds between the PostgreSQL watcher's own looks, should a notification be missed.
POLL_POSTGRES = 5.0
#: Seconds between its looks at the counts (joined, answered) while a quiz is in its lobby or
#: a question is open: joins and answers send no notification.
LOOK_WHILE_OPEN = 0.5
#: Seconds over which the PostgreSQL watcher gathers the notifications of a burst (answers
#: arriving together) into one look, after acting on the first one at once.
COALESCE = 0.1
#: Seconds of silence after which a stream sends an empty message, so proxies keep it and the
#: tablet's script can tell a dead stream from a quiet quiz.
HEARTBEAT = 15.0
#: Seconds between a tablet's looks at the number who joined, while the lobby fills.
COUNT_EVERY = 2.0
#: Seconds a stream stays open at most; the browser then reconnects and the sign-in is checked.
MAX_LIFETIME = 600.0
#: Milliseconds the browser waits before reconnecting a dropped stream (``retry:``).
RETRY_MS = 3000
#: Seconds the watcher lingers without streams before it stops.
LINGER = 10.0
HEARTBEAT_EVENT = "data:\n\n"


@dataclass(frozen=True)
class Snapshot:
    """What the streams of one quiz need to know about it."""

    version: int
    status: str
    index: int
    joined: int
    answered: int
    deadline: datetime | None = None


def snapshots(quiz_ids: list[int]) -> dict[int, Snapshot]:
    """The quizzes' versions and counts, in one query."""
    joined = (
        select(func.count())
        .select_from(LiveParticipant)
        .where(LiveParticipant.quiz_id == LiveQuiz.id)
        .correlate(LiveQuiz)
        .scalar_subquery()
    )
    answered = (
        select(func.count())
        .select_from(LiveAnswer)
        .where(LiveAnswer.quiz_id == LiveQuiz.id, LiveAnswer.item_index == LiveQuiz.current_index)
        .correlate(LiveQuiz)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(
            LiveQuiz.id,
            LiveQuiz.version,
            LiveQuiz.status,
            LiveQuiz.current_index,
            joined,
            answered,
            LiveQuiz.question_deadline,
        ).where(LiveQuiz.id.in_(quiz_ids))
    )
    return {row[0]: Snapshot(*row[1:]) for row in rows}


class Watched:
    """One quiz's latest snapshot in this process, and the streams waiting for the next.

    Two kinds of waiting: the trainer's screen wants every change (answers counted included);
    a tablet only a change of what it shows (:func:`tablet_view`), so an answer does not wake
    every tablet of the room. A tablet learns the number who joined when it next wakes (at
    most every :data:`COUNT_EVERY` seconds in the lobby)."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.seq = 0
        self.tablet_seq = 0
        self.streams = 0
        lock = threading.Lock()
        self.cond = threading.Condition(lock)
        self.tablet_cond = threading.Condition(lock)

    def publish(self, snapshot: Snapshot) -> None:
        with self.cond:
            if snapshot == self.snapshot:
                return
            if tablet_view(snapshot) != tablet_view(self.snapshot):
                self.tablet_seq += 1
                self.tablet_cond.notify_all()
            self.snapshot, self.seq = snapshot, self.seq + 1
            self.cond.notify_all()

    def wait(self, seq: int, timeout: float, *, tablet: bool = False) -> tuple[int, Snapshot]:
        """The snapshot after ``seq`` (of the tablets' changes with ``tablet``), or the same one
        after ``timeout`` seconds."""
        cond = self.tablet_cond if tablet else self.cond
        with cond:
            current = self.tablet_seq if tablet else self.seq
            if current == seq and timeout > 0:
                cond.wait(timeout)
            return (self.tablet_seq if tablet else self.seq), self.snapshot


def tablet_view(snapshot: Snapshot) -> tuple[Any, ...]:
    """What a tablet's screen shows of a quiz (the joined count apart)."""
    return snapshot.version, snapshot.status, snapshot.index, snapshot.deadline


class Hub:
    """This worker's streams, by quiz, and the watcher that wakes them."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.quizzes: dict[int, Watched] = {}
        self.thread: threading.Thread | None = None
        self.pid = os.getpid()
        self.stopping = False
        self.fragments: dict[tuple[Any, ...], str] = {}

    def watch(self, quiz_id: int) -> Watched:
        with self.lock:
            if self.pid != os.getpid():  # a forked worker: the parent's watcher is not here
                self.quizzes, self.thread, self.pid = {}, None, os.getpid()
            watched = self.quizzes.get(quiz_id)
        if watched is None:
            first = snapshots([quiz_id])[quiz_id]
            with self.lock:
                watched = self.quizzes.setdefault(quiz_id, Watched(first))
        with self.lock:
            watched.streams += 1
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="lms-live-push", daemon=True)
                self.thread.start()
        return watched

    def unwatch(self, quiz_id: int) -> None:
        with self.lock:
            watched = self.quizzes.get(quiz_id)
            if watched is not None:
                watched.streams -= 1
                if watched.streams <= 0:
                    del self.quizzes[quiz_id]

    def fragment(self, key: tuple[Any, ...], build: Callable[[], str]) -> str:
        """``build()`` once per key in this worker (a question rendered once per language)."""
        found = self.fragments.get(key)
        if found is None:
            found = self.fragments[key] = build()
            if len(self.fragments) > 64:
                self.fragments = {key: found}
        return found

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the watcher (and close its connection) now, streams or not: for an app that is
        going away, such as a test's server."""
        with self.lock:
            self.stopping, thread = True, self.thread
        if thread is not None and thread.is_alive():
            thread.join(timeout)

    def _busy(self, quiet_since: list[float]) -> bool:
        """Whether to go on watching; the watcher stops after :data:`LINGER` without streams."""
        with self.lock:
            if self.stopping:
                self.thread = None
                return False
            if self.quizzes:
                quiet_since[0] = time.monotonic()
                return True
            if time.monotonic() - quiet_since[0] < LINGER:
                return True
            self.thread = None
            return False

    def _run(self) -> None:
        with self.app.app_context():
            quiet = [time.monotonic()]
            while self._busy(quiet):
                try:
                    if db.engine.dialect.name == "postgresql":
                        self._listen(quiet)
                    else:
                        self.refresh()
                        time.sleep(POLL_SQLITE)
                except Exception:  # noqa: BLE001  (a lost database: try again, streams wait)
                    log.exception("live quiz watcher")
                    db.session.rollback()
                    time.sleep(1)

    def _listen(self, quiet: list[float]) -> None:
        raw = db.engine.raw_connection()
        conn = raw.driver_connection
        raw.detach()  # its own connection for good, not one of the pool's
        try:
            conn.rollback()
            conn.autocommit = True
            conn.execute(f"LISTEN {CHANNEL}")
            self.refresh()
            looked = time.monotonic()
            while self._busy(quiet):
                every = LOOK_WHILE_OPEN if self._open() else POLL_POSTGRES
                wait = max(0.0, min(1.0, every - (time.monotonic() - looked)))
                ids = {n.payload for n in conn.notifies(timeout=wait, stop_after=1)}
                # The first change at once (the trainer's Next); then, while a burst lasts, what
                # came in each COALESCE seconds together: one look per worker, not one per step.
                while ids:
                    self._changed(ids)
                    ids = {n.payload for n in conn.notifies(timeout=COALESCE)}
                if time.monotonic() - looked >= every:  # counts; a notification missed
                    self.refresh()
                    looked = time.monotonic()
                else:
                    self._expire_due()
        finally:
            conn.close()

    def _open(self) -> bool:
        """Whether a watched quiz is taking joins or answers (counts change without notice)."""
        with self.lock:
            return any(w.snapshot.status in ("lobby", "question") for w in self.quizzes.values())

    def _changed(self, payloads: set[str]) -> None:
        if "*" in payloads:
            self.refresh()
        else:
            self.refresh([int(i) for i in payloads if i.isdigit()])

    def refresh(self, quiz_ids: list[int] | None = None) -> None:
        """Read the watched quizzes (or ``quiz_ids``) and wake the streams of changed ones."""
        with self.lock:
            watched = dict(self.quizzes)
        ids = [i for i in (watched if quiz_ids is None else quiz_ids) if i in watched]
        if not ids:
            return
        try:
            found = snapshots(ids)
            due = [i for i, s in found.items() if _due(s)]
            if due:
                for quiz in db.session.scalars(select(LiveQuiz).where(LiveQuiz.id.in_(due))):
                    services.expire(quiz)
                found.update(snapshots(due))
        finally:
            db.session.close()  # no read transaction left open between looks
        for quiz_id, snapshot in found.items():
            watched[quiz_id].publish(snapshot)

    def _expire_due(self) -> None:
        with self.lock:
            due = [i for i, w in self.quizzes.items() if _due(w.snapshot)]
        if due:
            self.refresh(due)


def _due(snapshot: Snapshot) -> bool:
    return bool(
        snapshot.status == "question" and snapshot.deadline and utcnow() > snapshot.deadline
    )


def hub() -> Hub:
    """This app's hub in this process."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get("lms.live.push")
    if found is None:
        found = app.extensions.setdefault("lms.live.push", Hub(app))
    return found


# Server-Sent Events.


def sse(kind: str, data: str, event_id: str) -> str:
    lines = "".join(f"data: {line}\n" for line in data.split("\n"))
    return f"event: {kind}\nid: {event_id}\n{lines}\n"


def stream(
    quiz_id: int,
    last: tuple[int, ...],
    lifetime: float,
    events: Callable[[Snapshot, tuple[int, ...]], tuple[str, tuple[int, ...]]],
    *,
    tablet: bool = False,
) -> Iterator[str]:
    """A stream of ``events(snapshot, last_sent) -> (text, new_last_sent)`` for each change of
    the quiz (a tablet's: each change of what it shows, see :class:`Watched`), with
    heartbeats, until the quiz has ended or ``lifetime`` seconds have passed."""
    watched = hub().watch(quiz_id)
    db.session.close()  # waiting holds no connection of the pool
    end = time.monotonic() + lifetime
    wrote = time.monotonic()
    seq = -1
    try:
        yield f"retry: {RETRY_MS}\n"
        while True:
            left = end - time.monotonic()
            wait = min(HEARTBEAT - (time.monotonic() - wrote), left)
            if tablet and watched.snapshot.status == "lobby":
                wait = min(wait, COUNT_EVERY)
            seq, snapshot = watched.wait(seq, wait, tablet=tablet)
            out, last = events(snapshot, last)
            db.session.close()
            if not out and time.monotonic() - wrote >= HEARTBEAT - 0.05:
                out = HEARTBEAT_EVENT
            if out:
                yield out
                wrote = time.monotonic()
            if snapshot.status == "ended" or time.monotonic() >= end:
                return
    finally:
        hub().unwatch(quiz_id)


def last_event_id(value: str | None) -> tuple[int, ...]:
    """``Last-Event-ID`` (``version.joined[.answered]``) as numbers; ``()`` when unreadable."""
    parts = (value or "").split(".")
    if not all(p.isascii() and p.isdigit() and len(p) < 12 for p in parts):
        return ()
    return tuple(int(p) for p in parts)


# Announcing changes on PostgreSQL, in the transaction that makes them.


def _postgres(session: Session) -> bool:
    try:
        return session.get_bind().dialect.name == "postgresql"
    except Exception:  # noqa: BLE001  (a session without an engine has nothing to announce)
        return False


def _notify(session: Session, payloads: set[str]) -> None:
    connection = session.connection()
    for payload in sorted(payloads):
        connection.execute(text("SELECT pg_notify(:c, :p)"), {"c": CHANNEL, "p": payload})


def _after_flush(session: Session, _context: Any) -> None:
    """A live quiz that moved on (its version, status or question) is announced. Joins and
    answers are not: every NOTIFY takes PostgreSQL's one notification lock at commit, so a
    room answering at once would commit one by one; their counts are read every
    :data:`LOOK_WHILE_OPEN` seconds instead."""
    ids = {
        str(obj.id)
        for obj in chain(session.new, session.dirty, session.deleted)
        if isinstance(obj, LiveQuiz) and obj.id is not None
    }
    if ids and _postgres(session):
        _notify(session, ids)


def _on_execute(state: Any) -> None:
    """``update(LiveQuiz)`` and the like, which no flush sees: some quizzes changed."""
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    mapper = state.bind_mapper
    if mapper is not None and mapper.class_ is LiveQuiz and _postgres(state.session):
        _notify(state.session, {"*"})


def install() -> None:
    """Announce live-quiz changes from every session (once per process)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _on_execute)
