"""Counting what one client does too often, in the database, so that every worker and every host
sees the same counts: failed sign-ins, wrong live-quiz codes, anonymous live joins.

One row per counted event: ``scope`` (what is counted), ``key`` (who: a client address or a
device), ``subject`` (about what: an account's keyed hash, a quiz) and ``at``. Rows older than a
scope's window are deleted whenever a step of that scope starts, so nothing is kept longer than
it counts.

:func:`begin` makes "count, then decide, then write" of one lock name atomic across workers and
hosts until the next commit: PostgreSQL takes a transaction advisory lock; SQLite takes its write
lock with the purge (the first write of the transaction), and the busy timeout queues the others.
So requests arriving at once are counted one after the other, never all against the same count.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Index, Select, String, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base, UTCDateTime, db, utcnow


class ThrottleEvent(Base):
    """One counted event (a failed sign-in, a wrong live-quiz code, an anonymous join)."""

    __tablename__ = "lms_throttle"
    __table_args__ = (
        Index("ix_lms_throttle_key", "scope", "key", "at"),
        Index("ix_lms_throttle_subject", "scope", "subject", "at"),
        Index("ix_lms_throttle_at", "scope", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(20))
    #: Who: a client address, or the id of a device (never an e-mail address).
    key: Mapped[str] = mapped_column(String(64))
    #: About what: a keyed hash of an account's e-mail address, a quiz's id; or nothing.
    subject: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@dataclass(frozen=True)
class Count:
    """How many events matched, and the first and last of them."""

    count: int
    first: datetime | None
    last: datetime | None


def begin(scopes: tuple[str, ...], window: int, lock: str) -> datetime:
    """Start a counted step: delete the rows of ``scopes`` older than ``window`` seconds and hold
    the lock named ``lock`` until the session commits or rolls back. Returns "now"."""
    cutoff = utcnow() - timedelta(seconds=window)
    db.session.execute(
        delete(ThrottleEvent).where(ThrottleEvent.scope.in_(scopes), ThrottleEvent.at < cutoff)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(_lock_id(lock))))
    return utcnow()  # once the lock is held: no event counted before it is later than this


def _lock_id(name: str) -> int:
    digest = hashlib.sha256(b"lms-throttle:" + name.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _matching(query: Select, scope: str, since: datetime, key: str | None, subject: str | None):  # noqa: ANN202
    query = query.where(ThrottleEvent.scope == scope, ThrottleEvent.at >= since)
    if key is not None:
        query = query.where(ThrottleEvent.key == key)
    if subject is not None:
        query = query.where(ThrottleEvent.subject == subject)
    return query


def count(
    scope: str, since: datetime, *, key: str | None = None, subject: str | None = None
) -> Count:
    """The events of ``scope`` since ``since`` (with this ``key`` and ``subject`` if given)."""
    columns = select(func.count(), func.min(ThrottleEvent.at), func.max(ThrottleEvent.at))
    found, first, last = db.session.execute(_matching(columns, scope, since, key, subject)).one()
    return Count(found or 0, first, last)


def freed_at(
    scope: str, since: datetime, allowed: int, *, key: str | None = None, subject: str | None = None
) -> datetime | None:
    """When these events were counted whose leaving the window brings their number below
    ``allowed``: the ``at`` of that event, or ``None`` when they are fewer already."""
    found = count(scope, since, key=key, subject=subject).count
    if found < allowed:
        return None
    query = _matching(select(ThrottleEvent.at), scope, since, key, subject)
    return db.session.scalar(query.order_by(ThrottleEvent.at).offset(found - allowed).limit(1))


def other_subjects(scope: str, since: datetime, key: str, subject: str | None) -> int:
    """How many different subjects other than ``subject`` ``key`` has events about."""
    query = select(func.count(func.distinct(ThrottleEvent.subject))).where(
        ThrottleEvent.scope == scope,
        ThrottleEvent.key == key,
        ThrottleEvent.at >= since,
        ThrottleEvent.subject.is_not(None),
    )
    if subject is not None:
        query = query.where(ThrottleEvent.subject != subject)
    return db.session.scalar(query) or 0


def add(scope: str, key: str, subject: str | None = None, at: datetime | None = None) -> int:
    """Count one event (written with the session's next commit); its row id."""
    row = ThrottleEvent(scope=scope, key=key[:64], subject=subject, at=at or utcnow())
    db.session.add(row)
    db.session.flush()
    return row.id


def forget(scope: str, *, key: str | None = None, subject: str | None = None) -> None:
    """Delete the events of ``scope`` with this ``key`` and/or ``subject``."""
    query = delete(ThrottleEvent).where(ThrottleEvent.scope == scope)
    if key is not None:
        query = query.where(ThrottleEvent.key == key)
    if subject is not None:
        query = query.where(ThrottleEvent.subject == subject)
    db.session.execute(query)


def remove(event_id: int) -> None:
    db.session.execute(delete(ThrottleEvent).where(ThrottleEvent.id == event_id))
