"""A certificate's dates in its country's time zone, the same on the PDF, the verify page and the
JSON: a certificate issued at 20:15 UTC on 4 December was issued on 5 December in India and in
Bangladesh, wherever its reader is.

A credential states its zone itself: ``validFrom`` is written with the country's offset when it
is issued (``2026-12-05T01:45:00+05:30``). Credentials issued before wrote UTC; for those the
holder's country (:func:`lms.countries.country_of`) decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from ..countries import country_of
from . import credential
from .models import Certificate

#: The time zone of each country content is written for (neither has daylight saving time).
ZONES = {"IN": "Asia/Kolkata", "BD": "Asia/Dhaka"}


def country_zone(country: str) -> ZoneInfo:
    return ZoneInfo(ZONES.get(country, ZONES["IN"]))


def issue_zone(user: Any) -> ZoneInfo:
    """The zone a new certificate of ``user`` is dated in: their country's."""
    return country_zone(country_of(user))


def zone(certificate: Certificate) -> tzinfo:
    """The zone the credential was dated in, else (issued in UTC before) the holder's country's."""
    if certificate.credential_jwt:
        try:
            start = credential.valid_from(credential.payload(certificate.credential_jwt))
        except (ValueError, IndexError, credential.VerificationError):
            start = None
        if start is not None and start.utcoffset() != timedelta(0):
            return named(start)
    return issue_zone(certificate.user)


def named(moment: datetime) -> tzinfo:
    """The country zone whose offset ``moment`` has (``+05:30``: Asia/Kolkata), else its own."""
    for name in ZONES.values():
        if ZoneInfo(name).utcoffset(moment) == moment.utcoffset():
            return ZoneInfo(name)
    return moment.tzinfo or ZoneInfo("UTC")


@dataclass(frozen=True)
class LocalDates:
    zone: tzinfo
    issued_on: date
    expires_on: date | None
    revoked_on: date | None

    @property
    def zone_name(self) -> str:
        return getattr(self.zone, "key", None) or str(self.zone)


def of(certificate: Certificate) -> LocalDates:
    found = zone(certificate)

    def day(moment: datetime | None) -> date | None:
        return moment.astimezone(found).date() if moment is not None else None

    return LocalDates(
        found,
        day(certificate.issued_at),
        day(certificate.expires_at),
        day(certificate.revoked_at),
    )


def issued_on(certificate: Certificate) -> date:
    return of(certificate).issued_on
