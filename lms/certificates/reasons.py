"""What a verification found, as messages: English on the command line, the visitor's language
on the verify page. Each outcome has a code; its message is a gettext msgid (``N_``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from ..i18n import N_

MESSAGES: dict[str, str] = {
    # Reading the file.
    "empty": N_("Choose a .jwt or .json file, or paste the credential."),
    "too_large": N_("This is too large for a credential: at most %(size)s KB."),
    "format": N_("This is not a signed credential: a VC-JWT has three parts joined by dots."),
    "json": N_(
        "This JSON holds no signed credential. Use the .jwt file or the .json of the "
        "certificate's verify page."
    ),
    # The issuer.
    "no_issuer": N_("The credential names no issuer."),
    "untrusted_issuer": N_(
        "The issuer %(issuer)s is not one this site trusts, so its keys and status were not "
        "fetched."
    ),
    "issuer_trusted": N_("%(issuer)s is an issuer this site trusts."),
    "issuer_ok": N_("%(name)s (%(issuer)s), an issuer this site trusts."),
    # The signature.
    "algorithm": N_("The credential is signed with %(alg)s; only RS256 is accepted."),
    "key_elsewhere": N_("The signing key %(kid)s is not published at the issuer's address."),
    "keys_unreachable": N_("The issuer's keys could not be fetched from %(url)s."),
    "unknown_key": N_("The signing key %(kid)s is not one the issuer publishes."),
    "signature": N_(
        "Bad signature: the credential was changed after it was signed, or not signed by the "
        "issuer's key."
    ),
    "context": N_("This is neither a VC 2.0 nor a VC 1.1 Open Badges 3.0 credential."),
    "not_badge": N_("This is not an Open Badges credential."),
    "claim": N_("The credential's claim %(claim)s does not match its content."),
    "signature_ok": N_("Valid: signed with the issuer's key %(kid)s."),
    # The dates.
    "bad_date": N_("The credential's %(field)s is not a date and time."),
    "not_yet_valid": N_("Not valid before %(date)s."),
    "expired": N_("Expired on %(date)s."),
    "dates_ok": N_("Valid since %(date)s, with no end date."),
    "dates_ok_until": N_("Valid since %(date)s, until %(until)s."),
    # Revocation.
    "revoked": N_("Revoked by the issuer."),
    "revoked_reason": N_("Revoked by the issuer: %(reason)s"),
    "status_elsewhere": N_("The status list %(url)s is not at the issuer's address."),
    "status_invalid": N_("The issuer's status list at %(url)s is not valid."),
    "status_unreachable": N_(
        "Not checked: the issuer's status list could not be fetched from %(url)s."
    ),
    "status_offline": N_("Not checked: verified offline, with keys from a file."),
    "status_none": N_("Not checked: the credential names no status list."),
    "status_ok": N_("Not revoked: checked in the issuer's status list."),
}

#: The steps of a verification, in order, each with its label.
STEPS: dict[str, str] = {
    "issuer": N_("Issuer"),
    "signature": N_("Signature"),
    "dates": N_("Dates"),
    "status": N_("Revocation"),
}


def render(
    code: str,
    params: dict[str, Any],
    translate: Callable[[str], str] = str,
    format_date: Callable[[date], str] = lambda d: d.isoformat()[:10],
) -> str:
    """The message of ``code`` with ``params``; dates and date-times (as the credential writes
    them, in its own offset) are written with ``format_date``."""
    shown = {k: format_date(v) if isinstance(v, date) else v for k, v in params.items()}
    return translate(MESSAGES[code]) % shown


class VerificationError(ValueError):
    """Why a credential does not verify; ``str()`` is the English message."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(render(code, params))
