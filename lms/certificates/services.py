"""Issuing, revoking and looking up certificates, without a request."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import public_url, signals
from ..accounts.models import User
from ..content import services as content
from ..countries import country_of
from ..db import db, utcnow
from ..quiz.models import Attempt
from ..state import state
from . import achievements, codes, credential, dates, keys
from .models import Certificate

BANDS = (("distinction", 85), ("merit", 70))


def base_url() -> str:
    """Absolute URLs in credentials and PDFs: ``LMS_BASE_URL`` (in development, without it,
    ``lms.public_url.DEVELOPMENT_BASE_URL``), never the request's Host header."""
    return public_url.base_url(current_app.config)


def absolute(endpoint: str, **values: Any) -> str:
    """An absolute URL on ``base_url()`` (cached per app: issuing thousands at once asks often)."""
    _urls = state().cache("certificates.urls")
    key = (base_url(), endpoint, tuple(sorted(values.items())))
    if key not in _urls:
        if len(_urls) > 10_000:
            _urls.clear()
        # Bound to the base URL alone: no request (nor its Host, nor TRUSTED_HOSTS) involved.
        site = urlsplit(base_url())
        adapter = current_app.url_map.bind(
            site.netloc, script_name=site.path or "/", url_scheme=site.scheme
        )
        _urls[key] = adapter.build(endpoint, values, force_external=True)
    return _urls[key]


def band_for(percent: float | None, pass_mark: int) -> str | None:
    if percent is None or percent < pass_mark:
        return None
    return next((band for band, floor in BANDS if percent >= floor), "pass")


def best_post(user_id: int, module_id: str) -> float | None:
    attempts = db.session.scalars(
        select(Attempt).where(
            Attempt.user_id == user_id,
            Attempt.module_id == module_id,
            Attempt.kind == "post",
            Attempt.submitted_at.is_not(None),
        )
    ).all()
    return max((a.percent for a in attempts if a.percent is not None), default=None)


def find(user_id: int, kind: str, achievement_id: str) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(
            Certificate.user_id == user_id,
            Certificate.kind == kind,
            Certificate.achievement_id == achievement_id,
        )
    )


def valid_module_certificate(user_id: int, module_id: str) -> Certificate | None:
    """The learner's certificate of the module, unless revoked (the guided path's last step)."""
    return db.session.scalar(
        select(Certificate).where(
            Certificate.user_id == user_id,
            Certificate.kind == "module",
            Certificate.achievement_id == module_id,
            Certificate.revoked_at.is_(None),
        )
    )


def maybe_issue_module(user_id: int, module_id: str) -> Certificate | None:
    """Issue the module certificate once it is earned: module read, post-test passed."""
    existing = find(user_id, "module", module_id)
    if existing is not None:
        return existing
    module = content.library().get(module_id)
    if module is None or not content.has_completed(user_id, module_id):
        return None
    percent = best_post(user_id, module_id)
    band = band_for(percent, module.pass_mark)
    about = achievements.text(module_id, "en")
    if band is None or about is None:
        return None
    country = country_of(db.session.get(User, user_id))
    titles = {loc: _title_in(doc, country) for loc, doc in module.docs.items()}
    return issue(user_id, "module", module_id, titles, percent, band, about.about())


def _title_in(doc: Any, country: str) -> str:
    """The module's title for the holder's country (front matter ``title_IN`` / ``title_BD``,
    as the PDF prints it), else its title: the credential, the page and the PDF agree."""
    own = doc.front.get(f"title_{country}")
    return own.strip() if isinstance(own, str) and own.strip() else doc.title


def issue(
    user_id: int,
    kind: str,
    achievement_id: str,
    titles: dict[str, str],
    percent: float | None,
    band: str,
    about: dict[str, Any],
) -> Certificate | None:
    """Insert the certificate, then sign its credential: its place in the status list follows
    from the row's id, which the database gives even to concurrent issues and never reuses.

    ``about`` is :meth:`AchievementText.about`, with ``evidence`` (OB 3.0 ``Evidence``
    objects, e.g. the module certificates a course certificate rests on) when there is any.
    Issued once per learner and achievement: a concurrent issue returns the one that won."""
    user = db.session.get(User, user_id)
    now = utcnow()
    days = current_app.config["LMS_CERTIFICATE_VALID_DAYS"]
    signing = keys.current_key()
    certificate = Certificate(
        code=codes.new_code(),
        user_id=user_id,
        kind=kind,
        achievement_id=achievement_id,
        titles=titles,
        holder_name=user.name,
        enterprise=enterprise_of(user),
        score_percent=percent,
        score_band=band,
        issued_at=now,
        expires_at=now + timedelta(days=days) if days else None,
        kid=signing.kid,
        credential_jwt="",
    )
    db.session.add(certificate)
    try:
        db.session.flush()
        certificate.status_index = certificate.id - 1
        facts = _facts(certificate, user, about)
        kid = absolute("lms.certificates.issuer_key", thumbprint=signing.kid)
        certificate.credential_jwt = credential.sign(credential.build(facts), signing.key, kid)
        db.session.commit()
    except IntegrityError:  # issued at the same moment by another request: keep that one
        db.session.rollback()
        return find(user_id, kind, achievement_id)
    signals.certificate_issued.send(current_app._get_current_object(), certificate=certificate)
    return certificate


def _facts(
    certificate: Certificate, user: User, about: dict[str, Any]
) -> credential.CredentialFacts:
    """What the credential states; its dates in the holder's country's time zone."""
    zone = dates.issue_zone(user)
    achievement = certificate.achievement_id
    expires = certificate.expires_at
    return credential.CredentialFacts(
        credential_id=absolute("lms.certificates.verify_json", code=certificate.code),
        issuer_id=absolute("lms.certificates.issuer"),
        issuer_name=current_app.config["LMS_ISSUER_NAME"],
        issuer_url=base_url() + "/",
        subject_id=f"urn:uuid:{_subject_uuid(user)}",
        holder_name=user.name,
        achievement_id=absolute("lms.certificates.achievement", achievement=achievement),
        achievement_name=certificate.titles.get("en") or achievement,
        achievement_description=about["description"],
        criteria=about["criteria"],
        image_url=absolute("lms.certificates.achievement_image", achievement=achievement),
        level=about["level"],
        valid_from=certificate.issued_at.astimezone(zone),
        valid_until=expires.astimezone(zone) if expires is not None else None,
        score_band=certificate.score_band,
        score_percent=certificate.score_percent,
        status_list_url=absolute("lms.certificates.status_list_credential"),
        status_index=certificate.status_index,
        tags=list(about["tags"]),
        evidence=tuple(about.get("evidence", ())),
    )


def enterprise_of(user: User) -> str | None:
    """The enterprise a certificate names: from the records (see ``enterprise_resolvers``),
    else what the account says."""
    for resolve in state().enterprise_resolvers:
        if name := resolve(user):
            return name
    return user.enterprise_name or None


def _subject_uuid(user: User) -> str:
    """A stable, opaque id for the learner (no e-mail or phone in the credential)."""
    import hashlib
    import uuid

    digest = hashlib.sha256(f"{current_app.config['SECRET_KEY']}:{user.id}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def by_code(typed: str) -> Certificate | None:
    code = codes.normalise(typed)
    if code is None:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def revoke(certificate: Certificate, reason: str) -> None:
    reason = " ".join(reason.split())[:500]
    if not reason:
        raise ValueError("a reason is needed")
    if certificate.revoked_at is None:
        certificate.revoked_at = utcnow()
    certificate.revocation_reason = reason
    db.session.commit()
    signals.certificate_revoked.send(current_app._get_current_object(), certificate=certificate)


def revocation_list() -> dict[str, Any]:
    """The 1EdTech Revocation List that credentials issued before VC 2.0 name in
    ``credentialStatus`` (new ones name the Bitstring Status List)."""
    revoked = db.session.scalars(select(Certificate).where(Certificate.revoked_at.is_not(None)))
    return {
        "id": absolute("lms.certificates.status_list"),
        "issuer": absolute("lms.certificates.issuer"),
        "revokedCredentials": [
            {
                "id": absolute("lms.certificates.verify_json", code=c.code),
                "revocationReason": c.revocation_reason or "",
                "revocationDate": credential.iso(c.revoked_at),
            }
            for c in revoked
        ],
    }


def issue_for(user_ids: list[int]) -> list[Certificate]:
    """Bulk: every certificate these learners have earned and not yet received: modules', then
    the other achievements' (``state.certificate_issuers``, e.g. the courses')."""
    issued = []
    modules = [m.slug for m in content.learner_modules()]
    for user_id in user_ids:
        held = {c.id for c in of_user(user_id)}
        for slug in modules:
            maybe_issue_module(user_id, slug)
        for issuer in state().certificate_issuers:
            issuer(user_id)
        # Counted afterwards: a module's certificate can issue a course's on its signal.
        issued += [c for c in of_user(user_id) if c.id not in held]
    return issued


def of_user(user_id: int) -> list[Certificate]:
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.user_id == user_id)
            .order_by(Certificate.issued_at)
        )
    )
