from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, utcnow


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
    #: The items as they were when the attempt started (definitions may change later),
    #: in the order shown: ``[{"id", "type", "points", "data"}]``. Versioned: ``v`` = 1.
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)

    answers: Mapped[list[Answer]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def percent(self) -> float | None:
        if self.score is None or not self.max_score:
            return None
        return 100 * self.score / self.max_score

    def answer_for(self, item_id: str) -> Answer | None:
        return next((a for a in self.answers if a.item_id == item_id), None)


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
