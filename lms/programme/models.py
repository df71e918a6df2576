from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..countries import COUNTRIES, default_country
from ..db import Base, UTCDateTime, utcnow

#: Enterprise segments of the leather clusters.
SEGMENTS = ("tannery", "footwear", "leather-goods", "garments", "other")


#: The programme's milestones, in the order they happen.
MILESTONES = ("assessment", "content", "delivery", "retention")


class Programme(Base):
    """A funded training programme: its dates, targets and milestones."""

    __tablename__ = "lms_programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    #: At least this many sessions...
    target_sessions: Mapped[int] = mapped_column(Integer, default=50)
    #: ...of at least this many beneficiaries present each.
    target_per_session: Mapped[int] = mapped_column(Integer, default=50)
    #: Outreach targets, as fractions of beneficiaries (0.3 = 30 %).
    target_women_share: Mapped[float] = mapped_column(Float, default=0.3)
    target_marginalised_share: Mapped[float] = mapped_column(Float, default=0.3)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="programme",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="Milestone.due_on",
    )


class Milestone(Base):
    """A milestone of a programme: ``assessment``, ``content``, ``delivery`` or ``retention``."""

    __tablename__ = "lms_milestone"
    __table_args__ = (UniqueConstraint("programme_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("lms_programme.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    starts_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    #: When it was reached (``None`` while open).
    done_on: Mapped[date | None] = mapped_column(Date)

    programme: Mapped[Programme] = relationship(back_populates="milestones")


class Cluster(Base):
    """A leather cluster (configurable; Kolkata's clusters come as demo data)."""

    __tablename__ = "lms_cluster"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    #: ``IN`` or ``BD``.
    country: Mapped[str] = mapped_column(String(2), default="IN")


def cluster_country(cluster: Cluster | None) -> str:
    """The country of ``cluster``; without one, ``LMS_DEFAULT_COUNTRY``."""
    if cluster is not None and cluster.country in COUNTRIES:
        return cluster.country
    return default_country()


class Enterprise(Base):
    __tablename__ = "lms_enterprise"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    cluster_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_cluster.id", ondelete="SET NULL")
    )
    segment: Mapped[str] = mapped_column(String(20))
    #: India's registration numbers (kept only for an enterprise in India).
    udyam: Mapped[str | None] = mapped_column(String(19), unique=True)
    gstin: Mapped[str | None] = mapped_column(String(15), unique=True)
    #: Bangladesh's (kept only for an enterprise in Bangladesh): the VAT Business Identification
    #: Number (13 digits), the e-TIN (12 digits) and the trade licence number, whose format each
    #: city corporation, pourashava or union parishad sets (so two issuers may repeat one).
    bin: Mapped[str | None] = mapped_column(String(13), unique=True)
    etin: Mapped[str | None] = mapped_column(String(12), unique=True)
    trade_licence: Mapped[str | None] = mapped_column(String(40))
    women_led: Mapped[bool] = mapped_column(Boolean, default=False)
    employees: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cluster: Mapped[Cluster | None] = relationship(lazy="joined")
    beneficiaries: Mapped[list[Beneficiary]] = relationship(
        back_populates="enterprise", cascade="all, delete-orphan", order_by="Beneficiary.name"
    )

    @property
    def country(self) -> str:
        """Its cluster's country, ``IN`` or ``BD`` (``LMS_DEFAULT_COUNTRY`` without a cluster)."""
        return cluster_country(self.cluster)


GENDERS = ("female", "male", "other", "not-said")
#: Social categories by country, recorded only with the person's consent. The codes are stored:
#: never rename one. India's are its reservation categories; Bangladesh's follow its official
#: terms: ``ethnic``, the small ethnic groups (ক্ষুদ্র নৃ-গোষ্ঠী) of the Small Ethnic Groups
#: Cultural Institutions Act 2010, 50 since the schedule of March 2019; ``dalit``, the Dalit,
#: Harijan and Bede communities of the Department of Social Services' 2013 programme policy;
#: ``religious``, religious minorities. ``general`` is both countries' "none of these".
CATEGORIES: dict[str, tuple[str, ...]] = {
    "IN": ("sc", "st", "obc", "minority", "general"),
    "BD": ("ethnic", "dalit", "religious", "general"),
}
#: The categories counted as marginalised communities in outreach figures (either country's).
MARGINALISED = frozenset({"sc", "st", "obc", "minority", "ethnic", "dalit", "religious"})


class Beneficiary(Base):
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
    #: When consent to record the social category was given.
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    phone: Mapped[str | None] = mapped_column(String(20))
    preferred_language: Mapped[str] = mapped_column(String(16), default="bn")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set when an admin erased the person: the row then keeps only what aggregate counts need
    #: (no name, phone, account, category or consent).
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Kept on erasure so that outreach counts stay right: women / marginalised community.
    counted_female: Mapped[bool] = mapped_column(Boolean, default=False)
    counted_marginalised: Mapped[bool] = mapped_column(Boolean, default=False)

    enterprise: Mapped[Enterprise] = relationship(back_populates="beneficiaries")

    @property
    def is_female(self) -> bool:
        return self.gender == "female" or self.counted_female

    @property
    def is_marginalised(self) -> bool:
        return self.social_category in MARGINALISED or self.counted_marginalised


class TrainingSession(Base):
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
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_programme.id", ondelete="SET NULL"), index=True
    )
    #: The secret in the session's attendance QR code (participants scan it to check in).
    checkin_token: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cluster: Mapped[Cluster | None] = relationship(lazy="joined")
    programme: Mapped[Programme | None] = relationship()
    enrolments: Mapped[list[Enrolment]] = relationship(
        back_populates="session", cascade="all, delete-orphan", lazy="selectin"
    )
    trainers: Mapped[list[User]] = relationship(
        secondary="lms_session_trainer", lazy="selectin", order_by="User.name"
    )
    module_rows: Mapped[list[SessionModule]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="SessionModule.position"
    )

    @property
    def module_slugs(self) -> list[str]:
        return [row.module_slug for row in self.module_rows]

    @property
    def present(self) -> int:
        return sum(1 for e in self.enrolments if e.present)


class Enrolment(Base):
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
    #: How attendance was taken: ``roster`` (the trainer tapped) or ``qr`` (the participant
    #: scanned the session's code).
    marked_via: Mapped[str | None] = mapped_column(String(8))

    session: Mapped[TrainingSession] = relationship(back_populates="enrolments")
    beneficiary: Mapped[Beneficiary] = relationship(lazy="joined")


class SessionTrainer(Base):
    __tablename__ = "lms_session_trainer"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("lms_training_session.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("lms_user.id", ondelete="CASCADE"), primary_key=True
    )


class SessionModule(Base):
    """A module taught in a session (by slug, in teaching order)."""

    __tablename__ = "lms_session_module"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("lms_training_session.id", ondelete="CASCADE"), primary_key=True
    )
    module_slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Assessment(Base):
    """An enterprise's answers to the needs-assessment questionnaire, and the gaps they show."""

    __tablename__ = "lms_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("lms_enterprise.id", ondelete="CASCADE"), index=True
    )
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_programme.id", ondelete="SET NULL")
    )
    #: Who filled it in (the owner, or an official on their behalf).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id", ondelete="SET NULL"))
    #: The questionnaire's ``version`` when answered.
    version: Mapped[str] = mapped_column(String(40))
    #: ``{question_id: chosen option id}``.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: ``{area_id: gap}``: 0 (no gap) to 1 (the largest gap).
    gaps: Mapped[dict[str, Any]] = mapped_column(JSON)
    locale: Mapped[str] = mapped_column(String(16), default="bn")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enterprise: Mapped[Enterprise] = relationship()


class Feedback(Base):
    """End-of-session feedback from a participant or a trainer."""

    __tablename__ = "lms_feedback"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("lms_training_session.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id", ondelete="SET NULL"))
    #: ``participant`` or ``trainer``.
    role: Mapped[str] = mapped_column(String(12))
    #: ``{question_id: 1..5}``.
    ratings: Mapped[dict[str, Any]] = mapped_column(JSON)
    comment: Mapped[str] = mapped_column(Text, default="")
    locale: Mapped[str] = mapped_column(String(16), default="bn")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[TrainingSession] = relationship()


MENTORSHIP_STATUSES = ("proposed", "active", "completed", "declined")


class Mentorship(Base):
    """A top performer referred to a mentor."""

    __tablename__ = "lms_mentorship"
    __table_args__ = (UniqueConstraint("programme_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_programme.id", ondelete="CASCADE")
    )
    #: The mentee.
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"), index=True)
    mentor_name: Mapped[str] = mapped_column(String(200), default="")
    #: The mentor's organisation (a bank, an export council, an experienced entrepreneur...).
    mentor_organisation: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(12), default="proposed")
    #: The mentee's rank when referred.
    rank: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
    meetings: Mapped[list[MentorMeeting]] = relationship(
        back_populates="mentorship",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="MentorMeeting.held_on",
    )


class MentorMeeting(Base):
    __tablename__ = "lms_mentor_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentorship_id: Mapped[int] = mapped_column(
        ForeignKey("lms_mentorship.id", ondelete="CASCADE"), index=True
    )
    held_on: Mapped[date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    #: What came of it (a loan applied for, a buyer met, a certification started...).
    outcome: Mapped[str] = mapped_column(Text, default="")

    mentorship: Mapped[Mentorship] = relationship(back_populates="meetings")


class CompetitiveAnalysis(Base):
    """An enterprise's competitive-analysis worksheet, as its owner or a trainer fills it in
    (one per enterprise; each answer is saved as it is typed)."""

    __tablename__ = "lms_competitive_analysis"

    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("lms_enterprise.id", ondelete="CASCADE"), primary_key=True
    )
    products: Mapped[str] = mapped_column(Text, default="")
    price_points: Mapped[str] = mapped_column(Text, default="")
    markets: Mapped[str] = mapped_column(Text, default="")
    competitors: Mapped[str] = mapped_column(Text, default="")
    strengths: Mapped[str] = mapped_column(Text, default="")
    gaps: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_user.id", ondelete="SET NULL")
    )
