from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow


class ReadingProgress(Base):
    """Where a learner is in a module: resumed on the next visit, from any tablet."""

    __tablename__ = "lms_reading_progress"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("lms_user.id", ondelete="CASCADE"), primary_key=True
    )
    module_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    #: The section the learner was last on (1 = the first section).
    current_section: Mapped[int] = mapped_column(Integer, default=1)
    #: The furthest section reached.
    furthest_section: Mapped[int] = mapped_column(Integer, default=1)
    #: How many sections the module had then (for the progress bar).
    sections_total: Mapped[int] = mapped_column(Integer, default=1)
    #: When the learner finished the last section; ``None`` while reading.
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def percent(self) -> int:
        if self.completed_at is not None:
            return 100
        return min(99, round(100 * (self.furthest_section - 1) / max(self.sections_total, 1)))


class SectionOpened(Base):
    """A section a learner has opened: a module is finished once every section has been.

    Numbered as the reader's text numbers its pages (like :class:`ReadingProgress`); one row per
    section, written once, so two tablets of the same learner never lose each other's."""

    __tablename__ = "lms_section_opened"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("lms_user.id", ondelete="CASCADE"), primary_key=True
    )
    module_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    #: The section's number (1 = the first section after the introduction).
    section: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
