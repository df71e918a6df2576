"""Sign-in sessions the server can end, when the LMS signs people in.

A sign-in makes a row (a random id, the user, when it started and was last used); the id goes
into the signed session cookie. Every request of a signed-in user finds that row, or is treated as
signed out: so *Sign out*, *Switch learner* and the idle timeout end the session for good, and a
saved copy of the cookie is worth nothing afterwards. The idle timeout is measured here, on the
server, from the row's ``last_seen_at`` (noted at most every :data:`TOUCH_EVERY` seconds, and
never by requests marked passive, such as the live quiz's polling).

Under a host app's sign-in the host owns sessions: none of this applies.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app, g, session
from sqlalchemy import ForeignKey, String, delete, update
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.attributes import set_committed_value

from .db import Base, UTCDateTime, db, utcnow

#: Seconds between two notes of activity of one session (at most; fewer for short timeouts).
TOUCH_EVERY = 30
#: Sessions unused for this long are deleted (at the next sign-in of anyone).
FORGET_AFTER = timedelta(days=30)


class SignInSession(Base):
    """One sign-in: live until signed out, switched, idle or ended by a password change."""

    __tablename__ = "lms_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: ``user``, ``switch``, ``idle``, ``password``, ``disabled`` or ``signed-in-again``.
    end_reason: Mapped[str | None] = mapped_column(String(20))


def _key() -> str:
    return current_app.config["LMS_COOKIE_PREFIX"] + "sid"


def current_id() -> str | None:
    """The session id this request's cookie carries."""
    value = session.get(_key())
    return value if isinstance(value, str) else None


def start(user_id: int) -> SignInSession:
    """A new session for ``user_id``, its id put in the (fresh) Flask session; committed."""
    now = utcnow()
    db.session.execute(delete(SignInSession).where(SignInSession.last_seen_at < now - FORGET_AFTER))
    row = SignInSession(
        id=secrets.token_urlsafe(32), user_id=user_id, created_at=now, last_seen_at=now
    )
    db.session.add(row)
    db.session.commit()
    session[_key()] = row.id
    g._lms_session = row
    return row


def current(user_id: int) -> SignInSession | None:
    """This request's session if it is live and ``user_id``'s, else ``None`` (cached)."""
    cached = g.get("_lms_session")
    if cached is not None and cached.user_id == user_id and cached.ended_at is None:
        return cached
    sid = current_id()
    row = db.session.get(SignInSession, sid) if sid else None
    if row is None or row.user_id != user_id or row.ended_at is not None:
        return None
    g._lms_session = row
    return row


def idle_for(row: SignInSession) -> float:
    """Seconds since the session was last used (as last noted)."""
    return (utcnow() - row.last_seen_at).total_seconds()


def touch(row: SignInSession, every: int) -> None:
    """Note activity now, unless it was noted less than ``every`` seconds ago."""
    now = utcnow()
    if (now - row.last_seen_at).total_seconds() < every:
        return
    db.session.execute(
        update(SignInSession)
        .where(SignInSession.id == row.id, SignInSession.ended_at.is_(None))
        .values(last_seen_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    set_committed_value(row, "last_seen_at", now)


def end_current(reason: str) -> None:
    """End this request's session (before its keys leave the Flask session)."""
    sid = current_id()
    if sid:
        _end(SignInSession.id == sid, reason)
    g.pop("_lms_session", None)


def end_all(user_id: int, reason: str, *, keep: str | None = None) -> None:
    """End every live session of ``user_id`` but ``keep`` (another device's sign-in too)."""
    condition = SignInSession.user_id == user_id
    if keep is not None:
        condition = condition & (SignInSession.id != keep)
    _end(condition, reason)


def _end(condition: object, reason: str) -> None:
    db.session.execute(
        update(SignInSession)
        .where(condition, SignInSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason[:20])
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
