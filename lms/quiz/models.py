from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, UniqueConstraint, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, object_session, relationship

from ..db import Base, UTCDateTime, db, upsert_insert, utcnow
from ..state import state
from . import snapshots


class Attempt(Base):
    """One learner's attempt at a module's pre-, post-, retention test or practice."""

    __tablename__ = "lms_attempt"
    __table_args__ = (UniqueConstraint("user_id", "module_id", "kind", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    #: 1 for the learner's first attempt of this kind, then 2, 3...
    number: Mapped[int] = mapped_column(Integer)
    form: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(3))
    locale: Mapped[str] = mapped_column(String(16))
    #: Seeds the draw and the option order, so the attempt looks the same after a reload.
    seed: Mapped[int] = mapped_column(Integer)
    #: The items as stored, in the order shown (see ``snapshots``): references to
    #: :class:`ItemVersion` rows (``v`` = 2), or whole copies in attempts started before
    #: migration 0015 (``v`` = 1). Read and written through :attr:`items`.
    item_refs: Mapped[list[dict[str, Any]]] = mapped_column("items", JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)

    answers: Mapped[list[Answer]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def items(self) -> list[dict[str, Any]]:
        """The items as they were when the attempt started (definitions may change later), in
        the order shown: ``[{"v": 1, "id", "type", "points", "data"}]`` however they are stored.
        The definitions are shared with the app's cache of versions: read them, never change
        them."""
        return _resolve(self.item_refs or [], object_session(self) or db.session)

    @items.setter
    def items(self, entries: list[dict[str, Any]]) -> None:
        """Store each entry's version once (in the session's transaction) and a reference to
        it; entries that are references already are kept as they are."""
        self.item_refs = _store(entries, object_session(self) or db.session)

    @property
    def percent(self) -> float | None:
        if self.score is None or not self.max_score:
            return None
        return 100 * self.score / self.max_score

    def answer_for(self, item_id: str) -> Answer | None:
        return next((a for a in self.answers if a.item_id == item_id), None)


class ItemVersion(Base):
    """One version of a quiz item as attempts showed it, in every locale: named by the hash of
    its content (``snapshots.version_hash``), never changed, shared by every attempt that drew
    it. Not personal data: the same for every learner."""

    __tablename__ = "lms_item_version"

    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(40))
    points: Mapped[float] = mapped_column(Float)
    data: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _versions() -> dict[str, dict[str, Any]]:
    """This app's versions by hash: immutable, so kept for the app's lifetime."""
    return state().cache("quiz.item_versions")


def _store(entries: list[dict[str, Any]], session: Session) -> list[dict[str, Any]]:
    refs: list[dict[str, Any]] = []
    found: dict[str, dict[str, Any]] = {}
    for entry in entries:
        if not snapshots.is_inline(entry):
            refs.append(dict(entry))
            continue
        version = snapshots.version_of(entry["id"], entry["type"], entry["points"], entry["data"])
        digest = snapshots.version_hash(version)
        found[digest] = version
        refs.append(snapshots.reference(version, digest))
    if found:
        _insert_versions(session, found)
        _versions().update(found)
    return refs


def _insert_versions(session: Session, found: dict[str, dict[str, Any]]) -> None:
    """Insert the versions not stored yet. Two attempts starting at the same moment may insert
    the same version: the second one's insert does nothing (in hash order, so that two
    PostgreSQL transactions never wait for each other's rows in a circle)."""
    now = utcnow()
    rows = [
        {
            "hash": digest,
            "item_id": v["id"],
            "type": v["type"],
            "points": v["points"],
            "data": v["data"],
            "created_at": now,
        }
        for digest, v in sorted(found.items())
    ]
    upsert = upsert_insert(ItemVersion, session)
    if upsert is not None:
        stmt = upsert(ItemVersion.__table__).values(rows)
        session.execute(stmt.on_conflict_do_nothing(index_elements=["hash"]))
        return
    for row in rows:  # other databases: each insert in a savepoint of its own
        if session.get(ItemVersion, row["hash"]) is not None:
            continue
        try:
            with session.begin_nested():
                session.execute(insert(ItemVersion.__table__).values(row))
        except IntegrityError:
            pass  # stored by another transaction meanwhile


def _resolve(refs: list[dict[str, Any]], session: Session) -> list[dict[str, Any]]:
    if all(snapshots.is_inline(e) for e in refs):
        return refs
    cache = _versions()
    missing = {e["h"] for e in refs if not snapshots.is_inline(e) and e["h"] not in cache}
    if missing:
        t = ItemVersion
        query = select(t.hash, t.item_id, t.type, t.points, t.data).where(t.hash.in_(missing))
        for row in session.execute(query):
            version = {"id": row.item_id, "type": row.type, "points": row.points}
            cache[row.hash] = {**version, "data": row.data}
    lost = missing - cache.keys()
    if lost:
        raise LookupError(f"item versions missing from lms_item_version: {sorted(lost)}")
    return [e if snapshots.is_inline(e) else snapshots.inline(cache[e["h"]]) for e in refs]


class Answer(Base):
    """A learner's answer to one item, saved as soon as it is given."""

    __tablename__ = "lms_answer"

    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("lms_attempt.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    response: Mapped[Any] = mapped_column(JSON, nullable=True)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set when the attempt is submitted.
    fraction: Mapped[float | None] = mapped_column(Float)
    mark: Mapped[float | None] = mapped_column(Float)

    attempt: Mapped[Attempt] = relationship(back_populates="answers")


class ModuleResult(Base):
    """One learner's results at one module, as ``results.learner_result`` computes them from
    the submitted attempts: kept by ``services.submit`` in the submit's own transaction (and
    rebuilt by ``flask lms rebuild-results``), so that results, ranking and the dashboard read
    one narrow row instead of every attempt. Scores are per cent."""

    __tablename__ = "lms_module_result"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("lms_user.id", ondelete="CASCADE"), primary_key=True
    )
    module_id: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)
    #: The first submitted pre-, post- and retention test.
    pre: Mapped[float | None] = mapped_column(Float)
    post: Mapped[float | None] = mapped_column(Float)
    retention: Mapped[float | None] = mapped_column(Float)
    #: The best post-test, which decides a pass.
    best_post: Mapped[float | None] = mapped_column(Float)
    #: When the first post-test was submitted.
    post_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: ``normalised_gain(pre, post)`` and ``retention_ratio(post, retention)``.
    gain: Mapped[float | None] = mapped_column(Float)
    retention_ratio: Mapped[float | None] = mapped_column(Float)


class SyncKey(Base):
    """The idempotency key of one change a tablet sent from its queue (an answer or a submit,
    ``lms.quiz.sync``): stored in the change's own transaction, so a change sent again (a lost
    reply, two tabs sending the same queue) is applied once."""

    __tablename__ = "lms_sync_key"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("lms_attempt.id", ondelete="CASCADE"), index=True
    )
    #: ``answer`` or ``submit``.
    kind: Mapped[str] = mapped_column(String(8))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
