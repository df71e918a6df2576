from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import Base, UTCDateTime, utcnow


class Certificate(Base):
    """One achievement of one learner, issued once, with its signed credential."""

    __tablename__ = "lms_certificate"
    __table_args__ = (UniqueConstraint("user_id", "kind", "achievement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"), index=True)
    #: ``module`` or ``course`` (``programme`` before migration 0024, now a course).
    kind: Mapped[str] = mapped_column(String(12))
    #: The module's slug, or the course's id (``programme``: the retired programme certificate).
    achievement_id: Mapped[str] = mapped_column(String(100))
    #: The achievement's name per language when issued: ``{"en": ..., "bn": ..., "bn_BD": ...}``.
    titles: Mapped[dict[str, Any]] = mapped_column(JSON)
    holder_name: Mapped[str] = mapped_column(String(200))
    #: The holder's enterprise when issued (may be empty).
    enterprise: Mapped[str | None] = mapped_column(String(200))
    score_percent: Mapped[float | None] = mapped_column(Float)
    #: ``distinction``, ``merit`` or ``pass``.
    score_band: Mapped[str] = mapped_column(String(20))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revocation_reason: Mapped[str | None] = mapped_column(String(500))
    #: The signing key's id (in the JWKS) and the signed OB 3.0 credential (VC-JWT).
    kid: Mapped[str] = mapped_column(String(64))
    credential_jwt: Mapped[str] = mapped_column(Text)
    status_index: Mapped[int] = mapped_column(Integer, default=0)

    user: Mapped[User] = relationship()

    def status(self, now: datetime | None = None) -> str:
        """``valid``, ``revoked`` or ``expired``."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and (now or utcnow()) > self.expires_at:
            return "expired"
        return "valid"
