from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, utcnow

#: Correctness only (default), correctness with a speed bonus, or a survey without scores.
MODES = ("correctness", "speed", "survey")
#: draft -> lobby -> question -> closed -> revealed -> leaderboard -> question ... -> ended
STATUSES = ("draft", "lobby", "question", "closed", "revealed", "leaderboard", "ended")


class LiveQuiz(Base):
    """A live quiz run by a trainer. Every change bumps ``version``: tablets poll it cheaply."""

    __tablename__ = "lms_live_quiz"
    __table_args__ = (Index("ix_lms_live_quiz_code_status", "code", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    module_id: Mapped[str] = mapped_column(String(100))
    #: The training session it belongs to (free text until sessions are records of their own).
    session_label: Mapped[str] = mapped_column(String(200), default="")
    mode: Mapped[str] = mapped_column(String(12), default="correctness")
    #: Snapshot of the items, in order: ``[{"v", "id", "type", "points", "data"}]``.
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    #: Six digits, unique among quizzes that have not ended.
    code: Mapped[str | None] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(12), default="draft")
    current_index: Mapped[int] = mapped_column(Integer, default=-1)
    question_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    question_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Seconds per question when counting down (0: no countdown).
    countdown: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    participants: Mapped[list[LiveParticipant]] = relationship(
        back_populates="quiz", cascade="all, delete-orphan", order_by="LiveParticipant.id"
    )

    @property
    def current(self) -> dict[str, Any] | None:
        if 0 <= self.current_index < len(self.items):
            return self.items[self.current_index]
        return None


class LiveParticipant(Base):
    """One person in a live quiz: a signed-in learner has one at most (their ``user_id``; several
    nulls never clash, so people joining by name each get their own), and one join form makes
    one participant however often it is sent (its ``join_key``: a double tap on Join)."""

    __tablename__ = "lms_live_participant"
    __table_args__ = (
        UniqueConstraint("quiz_id", "user_id"),
        UniqueConstraint("quiz_id", "join_key", name="uq_lms_live_participant_join_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(
        ForeignKey("lms_live_quiz.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(100))
    locale: Mapped[str] = mapped_column(String(16))
    #: The secret in the tablet's cookie that brings it back to this participant after a reload.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    #: The one-time key of the join form a guest sent (None for signed-in learners).
    join_key: Mapped[str | None] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float, default=0.0)
    #: Bumped when this participant's own state changes (an answer counted).
    version: Mapped[int] = mapped_column(Integer, default=1)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    quiz: Mapped[LiveQuiz] = relationship(back_populates="participants")


class LiveAnswer(Base):
    """One participant's answer to one question: the primary key makes it count once."""

    __tablename__ = "lms_live_answer"

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("lms_live_participant.id", ondelete="CASCADE"), primary_key=True
    )
    item_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    quiz_id: Mapped[int] = mapped_column(
        ForeignKey("lms_live_quiz.id", ondelete="CASCADE"), index=True
    )
    response: Mapped[Any] = mapped_column(JSON, nullable=True)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fraction: Mapped[float] = mapped_column(Float, default=0.0)
    points: Mapped[float] = mapped_column(Float, default=0.0)
