from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime, utcnow

LEARNER, TRAINER, AUTHOR, ADMIN = "learner", "trainer", "author", "admin"
#: Every role, in the order the UI lists them.
ROLES: tuple[str, ...] = (LEARNER, TRAINER, AUTHOR, ADMIN)


class User(UserMixin, Base):
    __tablename__ = "lms_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Unique when given; ``None`` for a host user whose app gives no (or a taken) address.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: The host user's ``get_id()`` when the host app signs people in (``LMS(app, db=db)`` with
    #: the host's LoginManager): this row is then the LMS's record of that user.
    external_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    #: The learner's enterprise as it should appear on certificates (until enterprises are
    #: records of their own).
    enterprise_name: Mapped[str | None] = mapped_column(String(200))
    #: ``None`` for host users: the host checks their passwords.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    #: The user's chosen UI locale; ``None`` follows the browser.
    locale: Mapped[str | None] = mapped_column(String(16))
    #: Show numbers in Latin digits even in a Bengali UI.
    latin_digits: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The country whose content the user chose (``IN`` or ``BD``); ``None``: the default.
    #: The enterprise's cluster, when the user is a beneficiary, wins over it.
    country: Mapped[str | None] = mapped_column(String(2))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Bumped when the password changes or the account is disabled: signs out every session.
    auth_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> set[str]:
        return {row.role for row in self.role_rows}

    def has_role(self, *roles: str) -> bool:
        """True when the user holds any of ``roles``; an admin holds every role."""
        mine = self.roles
        return ADMIN in mine or bool(mine.intersection(roles))

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        return f"{self.id}.{self.auth_version}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserRole(Base):
    __tablename__ = "lms_user_role"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("lms_user.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")
