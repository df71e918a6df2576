from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, db, utcnow

#: Enterprise segments of the leather clusters.
SEGMENTS = ("tannery", "footwear", "leather-goods", "garments", "other")


class Cluster(db.Model):
    """A leather cluster (configurable; Kolkata's clusters come as demo data)."""

    __tablename__ = "lms_cluster"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    #: ``IN`` or ``BD``.
    country: Mapped[str] = mapped_column(String(2), default="IN")


class Enterprise(db.Model):
    __tablename__ = "lms_enterprise"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    cluster_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_cluster.id", ondelete="SET NULL")
    )
    segment: Mapped[str] = mapped_column(String(20))
    udyam: Mapped[str | None] = mapped_column(String(19), unique=True)
    gstin: Mapped[str | None] = mapped_column(String(15), unique=True)
    women_led: Mapped[bool] = mapped_column(Boolean, default=False)
    employees: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cluster: Mapped[Cluster | None] = relationship(lazy="joined")
    beneficiaries: Mapped[list[Beneficiary]] = relationship(
        back_populates="enterprise", cascade="all, delete-orphan", order_by="Beneficiary.name"
    )


GENDERS = ("female", "male", "other", "not-said")
#: Social categories, recorded only with the person's consent.
CATEGORIES = ("sc", "st", "obc", "minority", "general")


class Beneficiary(db.Model):
    """A person from an enterprise who is trained by the programme."""

    __tablename__ = "lms_beneficiary"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("lms_enterprise.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200))
    gender: Mapped[str] = mapped_column(String(10), default="not-said")
    #: Kept only when ``category_consent`` is true.
    social_category: Mapped[str | None] = mapped_column(String(10))
    category_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    phone: Mapped[str | None] = mapped_column(String(20))
    preferred_language: Mapped[str] = mapped_column(String(16), default="bn")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enterprise: Mapped[Enterprise] = relationship(back_populates="beneficiaries")


class TrainingSession(db.Model):
    """A training session of the programme: where, when, who trains, which modules."""

    __tablename__ = "lms_training_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(Date)
    venue: Mapped[str] = mapped_column(String(200), default="")
    cluster_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_cluster.id", ondelete="SET NULL")
    )
    language: Mapped[str] = mapped_column(String(16), default="bn")
    capacity: Mapped[int] = mapped_column(Integer, default=50)
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cluster: Mapped[Cluster | None] = relationship(lazy="joined")
    enrolments: Mapped[list[Enrolment]] = relationship(
        back_populates="session", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def present(self) -> int:
        return sum(1 for e in self.enrolments if e.present)


class Enrolment(db.Model):
    """A beneficiary enrolled in a session, and whether they came (tapped on the roster)."""

    __tablename__ = "lms_enrolment"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("lms_training_session.id", ondelete="CASCADE"), primary_key=True
    )
    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("lms_beneficiary.id", ondelete="CASCADE"), primary_key=True
    )
    present: Mapped[bool] = mapped_column(Boolean, default=False)
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[TrainingSession] = relationship(back_populates="enrolments")
    beneficiary: Mapped[Beneficiary] = relationship(lazy="joined")
