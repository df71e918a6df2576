"""What a certificate PDF says, in the certificate's language and (beside it, when that is not
English) in English: every label once, the achievement's title as the certificate's country
names it, and the criteria the credential states."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from babel import dates as babel_dates
from flask import current_app

from ..content import services as content
from ..countries import country_of
from ..i18n import LATIN_DIGITS, N_, gettext_in, language
from . import achievements, credential, dates
from .models import Certificate

BAND_LABELS = {"distinction": N_("Distinction"), "merit": N_("Merit"), "pass": N_("Pass")}
ENGLISH = "en"


@dataclass(frozen=True)
class Pair:
    """A text in the certificate's language, and the English one when it differs (``None``:
    the certificate is in English, or the text reads the same in both)."""

    main: str
    english: str | None = None

    @property
    def texts(self) -> list[str]:
        return [self.main] if self.english is None else [self.main, self.english]


@dataclass(frozen=True)
class Wording:
    """Every text of one certificate PDF."""

    issuer: str
    heading: Pair
    certifies: str
    holder: str
    enterprise: str | None
    earned: str
    title: Pair
    criteria: Pair
    details: list[tuple[Pair, Pair]]
    verify: Pair
    verify_url: str
    signatory: str

    def everything(self) -> str:
        """All the text, to tell which scripts (and so which fonts) the PDF needs."""
        parts = [self.issuer, self.certifies, self.holder, self.enterprise or "", self.earned]
        for pair in (self.heading, self.title, self.criteria, self.verify):
            parts += pair.texts
        for label, value in self.details:
            parts += label.texts + value.texts
        return " ".join([*parts, self.signatory, self.verify_url])


def wording(
    certificate: Certificate, locale: str, verify_url: str, latin_digits: bool = False
) -> Wording:
    def both(message: str) -> Pair:
        return _pair(locale, gettext_in(locale, message), gettext_in(ENGLISH, message))

    band = BAND_LABELS[certificate.score_band]
    return Wording(
        issuer=current_app.config["LMS_ISSUER_NAME"],
        heading=both(N_("Certificate of achievement")),
        certifies=gettext_in(locale, N_("This certifies that")),
        holder=certificate.holder_name,
        enterprise=certificate.enterprise,
        earned=gettext_in(locale, N_("has earned")),
        title=_pair(locale, title(certificate, locale), title(certificate, ENGLISH)),
        criteria=criteria(certificate, locale, latin_digits),
        details=[
            (both(N_("Score band")), both(band)),
            (both(N_("Date")), _date_pair(certificate, locale, latin_digits)),
            (both(N_("Certificate code")), Pair(certificate.code)),
        ],
        verify=both(N_("Verify at")),
        verify_url=verify_url,
        signatory=current_app.config["LMS_SIGNATORY"],
    )


def _pair(locale: str, main: str, english: str) -> Pair:
    """English beside the certificate's language, never the same words twice."""
    if not main:
        return Pair(english)
    if _is_english(locale) or not english or english == main:
        return Pair(main)
    return Pair(main, english)


def _is_english(locale: str) -> bool:
    return locale.split("_")[0] == ENGLISH


def _digits(locale: str, text: str, latin_digits: bool) -> str:
    """``text`` with the certificate language's digits (Latin ones if the holder chose them)."""
    info = language(locale)
    wanted = LATIN_DIGITS if latin_digits else info.digits
    for digits in (LATIN_DIGITS, info.digits):
        text = text.translate(str.maketrans(digits, wanted))
    return text


def _date(certificate: Certificate, locale: str, latin_digits: bool) -> str:
    """The day it was issued in the certificate's country, as the verify page says it."""
    text = babel_dates.format_date(
        dates.issued_on(certificate), "long", locale=language(locale).format_locale
    )
    return _digits(locale, text, latin_digits)


def _date_pair(certificate: Certificate, locale: str, latin_digits: bool) -> Pair:
    english = _date(certificate, ENGLISH, True)
    return _pair(locale, _date(certificate, locale, latin_digits), english)


def certificate_country(certificate: Certificate) -> str:
    """The country the certificate was issued in: the one its dates are in (the holder's
    country when it was issued), else the holder's country now."""
    key = getattr(dates.zone(certificate), "key", "")
    found = [country for country, zone in dates.ZONES.items() if zone == key]
    return found[0] if found else country_of(certificate.user)


def title(certificate: Certificate, locale: str) -> str:
    """The achievement's title in ``locale``: the module's own title for the certificate's
    country (front matter ``title_IN`` / ``title_BD``) when it has one, else the title it was
    issued with (falling back like the UI: bn_BD, bn, English)."""
    module = (
        content.library().get(certificate.achievement_id) if certificate.kind == "module" else None
    )
    if module is not None:
        doc = module.doc(content.locale_chain(locale)) or module.docs.get(ENGLISH)
        own = doc.front.get(f"title_{certificate_country(certificate)}") if doc else None
        if isinstance(own, str) and own.strip():
            return own.strip()
    fallbacks = current_app.config["LMS_LOCALE_FALLBACKS"].get(locale, [])
    for code in (locale, *fallbacks, ENGLISH):
        if certificate.titles.get(code):
            return str(certificate.titles[code])
    return module.docs[ENGLISH].title if module and ENGLISH in module.docs else ""


def criteria(certificate: Certificate, locale: str, latin_digits: bool) -> Pair:
    """What the holder did to earn it: in English exactly as the signed credential says, and
    in the certificate's language as the achievement's page says."""
    english = _signed_criteria(certificate)
    if english is None:
        about = achievements.text(certificate.achievement_id, ENGLISH)
        english = about.criteria if about is not None else ""
    own = None if _is_english(locale) else achievements.text(certificate.achievement_id, locale)
    main = _digits(locale, own.criteria, latin_digits) if own is not None else english
    return _pair(locale, main, english)


def _signed_criteria(certificate: Certificate) -> str | None:
    """``credentialSubject.achievement.criteria.narrative`` of the signed credential."""
    if not certificate.credential_jwt:
        return None
    try:
        found: Any = credential.payload(certificate.credential_jwt)
    except (ValueError, IndexError):
        return None
    for key in ("credentialSubject", "achievement", "criteria", "narrative"):
        found = found.get(key) if isinstance(found, dict) else None
    return found if isinstance(found, str) and found.strip() else None
