"""Personal data in the programme: a person's own download of everything kept about them, and an
admin's erasure of a beneficiary that keeps only anonymous aggregate counts."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import delete, select, update

from .. import signals
from ..accounts.models import User
from ..certificates.models import Certificate
from ..db import db, utcnow
from ..quiz.models import Attempt
from .models import Beneficiary, Enrolment, Feedback, Mentorship
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
    """Erase a beneficiary: name, phone, gender, category, consent and their sign-in go; the row
    stays, unnamed, so that sessions' attendance and the outreach shares still count them."""
    if person.erased_at is not None:
        return
    person.counted_female = person.is_female
    person.counted_marginalised = person.is_marginalised
    person.name, person.phone, person.gender = "", None, "not-said"
    person.social_category, person.category_consent, person.consent_at = None, False, None
    person.erased_at = utcnow()
    if person.user_id is not None:
        _erase_account(db.session.get(User, person.user_id))
        person.user_id = None
    db.session.commit()
    signals.beneficiary_erased.send(current_app._get_current_object(), beneficiary_id=person.id)


def _erase_account(user: User | None) -> None:
    """The person's account cannot sign in and names no one; their test scores stay, unnamed."""
    if user is None:
        return
    user.name, user.email = "—", f"erased-{user.id}@erased.invalid"
    user.enterprise_name, user.active, user.password_hash = None, False, "!"
    user.auth_version += 1
    db.session.execute(
        update(Feedback).where(Feedback.user_id == user.id).values(comment="", user_id=None)
    )
    db.session.execute(delete(Mentorship).where(Mentorship.user_id == user.id))
    for certificate in db.session.scalars(
        select(Certificate).where(Certificate.user_id == user.id)
    ):
        certificate.revoked_at = certificate.revoked_at or utcnow()
        certificate.revocation_reason = ERASED_REASON
        certificate.holder_name, certificate.enterprise, certificate.credential_jwt = "", None, ""
