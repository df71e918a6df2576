"""What the database keeps about courses: trainers' admissions and the courses' sessions (the
courses themselves are files)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import Base, UTCDateTime, utcnow


class CourseAdmission(Base):
    """A trainer admitted a learner to a course outside its other selection routes, and why."""

    __tablename__ = "lms_course_admission"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"), index=True)
    admitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_user.id", ondelete="SET NULL")
    )
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    admitted_by: Mapped[User | None] = relationship(foreign_keys=[admitted_by_id])


class CourseSession(Base):
    """A training session that teaches a course (a session teaches at most one)."""

    __tablename__ = "lms_course_session"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("lms_training_session.id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[str] = mapped_column(String(100), index=True)
