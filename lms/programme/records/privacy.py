"""Personal data in the programme: a person's own download of everything kept about them, and an
admin's erasure of a beneficiary that keeps only anonymous aggregate counts."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import delete, select, update

from ... import signals
from ...accounts import limits as sign_in_limits
from ...accounts import services as accounts
from ...accounts.models import ADMIN, User
from ...certificates import documents
from ...certificates.models import Certificate
from ...db import db, utcnow
from ...live import services as live
from ...quiz.models import Attempt
from ...state import state
from ..models import Beneficiary, Enrolment, Feedback, Mentorship
from .services import beneficiary_of

ERASED_REASON = "The holder's personal data was erased."


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _beneficiary(person: Beneficiary) -> dict[str, Any]:
    enrolments = db.session.scalars(select(Enrolment).where(Enrolment.beneficiary_id == person.id))
    return {
        "name": person.name,
        "enterprise": person.enterprise.name,
        "gender": person.gender,
        "social_category": person.social_category,
        "category_consent": person.category_consent,
        "consent_given_at": _iso(person.consent_at),
        "phone": person.phone,
        "preferred_language": person.preferred_language,
        "recorded_at": _iso(person.created_at),
        "sessions": [
            {
                "session": e.session.title,
                "date": _iso(e.session.held_on),
                "present": e.present,
                "checked_in": e.marked_via,
            }
            for e in enrolments
        ],
    }


def personal_data(user: User) -> dict[str, Any]:
    """Everything the programme keeps about ``user``, as JSON-ready data."""
    person = beneficiary_of(user.id)
    attempts = db.session.scalars(
        select(Attempt).where(Attempt.user_id == user.id).order_by(Attempt.started_at)
    )
    feedback = db.session.scalars(select(Feedback).where(Feedback.user_id == user.id))
    certificates = db.session.scalars(select(Certificate).where(Certificate.user_id == user.id))
    return {
        "account": {
            "name": user.name,
            "email": user.email,
            "roles": sorted(user.roles),
            "language": user.locale,
            "created_at": _iso(user.created_at),
            "last_sign_in_at": _iso(user.last_sign_in_at),
        },
        "beneficiary": _beneficiary(person) if person is not None else None,
        "tests": [
            {
                "module": a.module_id,
                "kind": a.kind,
                "started_at": _iso(a.started_at),
                "submitted_at": _iso(a.submitted_at),
                "score": a.score,
                "max_score": a.max_score,
            }
            for a in attempts
        ],
        "feedback": [
            {"session": f.session.title, "ratings": f.ratings, "comment": f.comment}
            for f in feedback
        ],
        "certificates": [
            {"code": c.code, "achievement": c.achievement_id, "issued_at": _iso(c.issued_at)}
            for c in certificates
        ],
    }


def erase(person: Beneficiary) -> None:
    """Erase a beneficiary: name, phone, gender, category, consent and their sign-in go, and
    with them every other trace of their name and e-mail (live quizzes, kept certificate PDFs,
    failed sign-ins, feedback comments, mentorship). The row stays, unnamed, so that sessions'
    attendance and the outreach shares still count them.

    Raises ``AccountError`` (nothing changed) when the linked account is the last active admin.
    """
    if person.erased_at is not None:
        return
    user = db.session.get(User, person.user_id) if person.user_id is not None else None
    if user is not None and ADMIN in user.roles:
        accounts._refuse_last_admin(user)  # erasing deactivates the account, as set_active does
    names = [person.name, user.name if user is not None else ""]
    person.counted_female = person.is_female
    person.counted_marginalised = person.is_marginalised
    person.name, person.phone, person.gender = "", None, "not-said"
    person.social_category, person.category_consent, person.consent_at = None, False, None
    person.erased_at = utcnow()
    person.user_id = None
    live.forget_person(user.id if user is not None else None, names)
    codes = _erase_account(user) if user is not None else []
    db.session.commit()
    for code in codes:
        documents.forget(code)
    _forget_deleted_content()
    signals.beneficiary_erased.send(current_app._get_current_object(), beneficiary_id=person.id)


def _erase_account(user: User) -> list[str]:
    """The person's account cannot sign in and names no one; their test scores stay, unnamed.
    Returns the codes of their certificates, whose kept documents are deleted after commit."""
    forget_failed_sign_ins(user.email)
    user.name, user.email = "—", f"erased-{user.id}@erased.invalid"
    user.enterprise_name, user.active, user.password_hash = None, False, "!"
    # A host app's user who comes back gets a new, empty record, not this one renamed.
    user.external_id = None
    user.auth_version += 1
    db.session.execute(
        update(Feedback).where(Feedback.user_id == user.id).values(comment="", user_id=None)
    )
    db.session.execute(delete(Mentorship).where(Mentorship.user_id == user.id))
    codes = []
    for certificate in db.session.scalars(
        select(Certificate).where(Certificate.user_id == user.id)
    ):
        certificate.revoked_at = certificate.revoked_at or utcnow()
        certificate.revocation_reason = ERASED_REASON
        certificate.holder_name, certificate.enterprise, certificate.credential_jwt = "", None, ""
        codes.append(certificate.code)
    return codes


def forget_failed_sign_ins(email: str | None) -> None:
    """Delete the failed sign-ins counted under ``email`` (sign-in limits key them by a keyed
    hash of the address typed). Does not commit."""
    if email:
        sign_in_limits.forget(accounts.normalise_email(email))


def _forget_deleted_content() -> None:
    """On the LMS's own SQLite database (``secure_delete`` is on: deleted content is zeroed),
    copy the write-ahead log into the database and empty it, so that no old copy of an erased
    row stays in the ``-wal`` file. PostgreSQL and a host's database are left to their owners."""
    if not state().owns_engine or db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as connection:
        busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()[0]
    if busy:  # readers held the log past the busy timeout; a later checkpoint overwrites it
        current_app.logger.warning("erasure: the SQLite write-ahead log could not be emptied now")
