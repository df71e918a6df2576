"""How certificates and checked credentials are shown: names in the visitor's language, and
the rows of the check page (each step, its state and its message)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, request

from ..i18n import _, format_date, locale_code
from . import credential, dates, reasons, services, verification
from .models import Certificate


def handed_in(limit: int) -> tuple[str, str | None]:
    """The credential handed in (a file, else the pasted text), or why there is none."""
    upload = request.files.get("credential")
    if upload is not None and upload.filename:
        raw = upload.read(limit + 1)
    else:
        raw = request.form.get("pasted", "").encode("utf-8")
    if len(raw) > limit:
        return "", "too_large"
    if not raw.strip():
        return "", "empty"
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        return "", "format"


def check_page(report: verification.Report) -> dict[str, Any]:
    """What the result page shows: each step's state and message, and (once the signature is
    the issuer's) what the credential says."""
    certificate = _ours(report.claims)
    zone = dates.zone(certificate) if certificate is not None else None

    def day(moment: Any) -> str:
        if isinstance(moment, datetime):
            moment = moment.astimezone(zone).date() if zone is not None else moment.date()
        return format_date(moment, "long")

    found = {c.step: c for c in report.checks}
    signature = found.get("signature")
    if signature is not None and "kid" in signature.params:
        signature.params = {**signature.params, "kid": _short_key(signature.params["kid"])}
    rows = [
        (label, found[step].state, reasons.render(found[step].code, found[step].params, _, day))
        if step in found
        else (label, "unchecked", _("Not checked."))
        for step, label in reasons.STEPS.items()
    ]
    return {
        "valid": report.valid,
        "rows": rows,
        "claims": _summary(report.claims, day, certificate) if report.claims else None,
        "certificate": certificate,
    }


def _short_key(kid: str) -> str:
    """A key's URL is long for a phone: its thumbprint's start says which key it is."""
    return kid.rstrip("/").rsplit("/", 1)[-1][:12]


def _summary(claims: dict[str, Any], day: Any, certificate: Certificate | None) -> dict[str, str]:
    """What the verified credential says (the achievement in the visitor's language when it
    is one of this site's)."""
    subject = _object(claims.get("credentialSubject"))
    named = [_object(i).get("identityHash") for i in subject.get("identifier") or []]
    achievement = _object(subject.get("achievement")).get("name") or ""
    return {
        "holder": str(subject.get("name") or next(iter(named), "") or ""),
        "achievement": title_for(certificate) if certificate else str(achievement),
        "issuer": str(_object(claims.get("issuer")).get("name") or ""),
        "issued": day(credential.valid_from(claims)),
    }


def _object(value: Any) -> dict[str, Any]:
    """A part of a credential another trusted issuer may shape differently, as a dict."""
    return value if isinstance(value, dict) else {}


def _ours(claims: dict[str, Any] | None) -> Certificate | None:
    """The certificate of this site a verified credential is, if it is one."""
    if not claims or not isinstance(claims.get("id"), str):
        return None
    code = claims["id"].rsplit("/", 1)[-1].removesuffix(".json")
    certificate = services.by_code(code)
    if certificate is None:
        return None
    expected = services.absolute("lms.certificates.verify_json", code=certificate.code)
    return certificate if expected == claims["id"] else None


def title_for(certificate: Certificate) -> str:
    """The achievement's name in the visitor's language (or its fallbacks, then English)."""
    for code in (
        locale_code(),
        *current_app.config["LMS_LOCALE_FALLBACKS"].get(locale_code(), []),
        "en",
    ):
        if certificate.titles.get(code):
            return certificate.titles[code]
    return certificate.achievement_id
