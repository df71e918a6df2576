"""Indian and Bangladeshi business identifiers, validated by their real formats.

India. GSTIN: 15 characters: a state code (01-38, or 97/99 for special cases), the holder's PAN
(5 letters, 4 digits, 1 letter), an entity number, ``Z``, and a check character computed with the
Luhn mod 36 algorithm over the first 14. Udyam: ``UDYAM-XX-00-0000000`` (state, district, serial).

Bangladesh. BIN: the VAT Business Identification Number, 13 digits. e-TIN: 12 digits. Trade
licence: the local government's own numbering (see the sources above :func:`bin_number`).
"""

from __future__ import annotations

import re

from ...i18n import _l, parse_digits

_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_GSTIN = re.compile(r"^(\d{2})([A-Z]{5}\d{4}[A-Z])([1-9A-Z])Z([0-9A-Z])$", re.ASCII)
_UDYAM = re.compile(r"^UDYAM-([A-Z]{2})-(\d{2})-(\d{7})$", re.ASCII)
_STATES = {f"{n:02d}" for n in range(1, 39)} | {"97", "99"}
# re.ASCII: \d is 0-9 only (Bengali digits are turned into them first; other scripts' are refused).


class IdentifierError(ValueError):
    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def gstin_check_char(first14: str) -> str:
    total = 0
    for index, char in enumerate(first14):
        product = _BASE36.index(char) * (2 if index % 2 else 1)
        total += product // 36 + product % 36
    return _BASE36[(36 - total % 36) % 36]


def gstin(value: str) -> str:
    """The GSTIN in capitals, or :class:`IdentifierError` saying what is wrong."""
    text = "".join(value.split()).upper()
    match = _GSTIN.match(text)
    if match is None:
        raise IdentifierError(
            _l("A GSTIN has 15 characters: state code, PAN, entity number, Z, check character.")
        )
    if match.group(1) not in _STATES:
        raise IdentifierError(_l("The GSTIN's first two digits are not a state code."))
    if gstin_check_char(text[:14]) != text[14]:
        raise IdentifierError(_l("The GSTIN's last character does not match: check for a typo."))
    return text


_PHONE = {
    "IN": re.compile(r"^(?:\+?91)?([6-9]\d{9})$", re.ASCII),
    "BD": re.compile(r"^(?:\+?880|0)?(1[3-9]\d{8})$", re.ASCII),
}
_DIAL = {"IN": "+91", "BD": "+880"}


def phone(value: str, country: str) -> str:
    """A mobile number as ``+91XXXXXXXXXX`` / ``+8801XXXXXXXXX``, or :class:`IdentifierError`."""
    digits = "".join(c for c in value if c.isdigit() or c == "+")
    match = _PHONE[country].match(digits.translate(str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")))
    if match is None:
        raise IdentifierError(
            _l(
                "A mobile number has 10 digits in India (e.g. 98300 12345) "
                "or 11 in Bangladesh (e.g. 01712 345678)."
            )
        )
    return _DIAL[country] + match.group(1)


def udyam(value: str) -> str:
    """The Udyam registration number in capitals, or :class:`IdentifierError`."""
    text = "".join(value.split()).upper()
    if _UDYAM.match(text) is None:
        raise IdentifierError(_l("A Udyam number looks like UDYAM-WB-10-0012345."))
    return text


# Bangladesh's formats, as found (2026):
# - BIN: 13 digits, issued by the NBR through VAT Online when a business registers under the VAT
#   and Supplementary Duty Act 2012; on 30 November 2019 the NBR made the older 9- and 11-digit
#   BINs invalid (taxid.pro/docs/countries/bangladesh, billofentry.com/bangladesh-bin-check,
#   lawfirm.com.bd "BIN Number in Bangladesh", taxvatbusiness.tch24.com: "১৩ সংখ্যার ইউনিক
#   নম্বর ... VAT Online System (VOS)"). People write it grouped (000123456-0101); no source
#   found fixes the grouping, so spaces and hyphens are dropped wherever they are.
# - e-TIN: 12 digits; the NBR replaced the 10-digit TIN from 1 July 2013 and the old numbers
#   lapsed on 1 January 2014 (taxbd99.blogspot.com quoting the NBR, taxid.pro, bizmend.com).
# - Trade licence: issued by the city corporation, pourashava or union parishad where the
#   business is (vataxbd.com, lawfirm.com.bd "Trade License Process and Cost"; DNCC issues its
#   own under the Local Government (City Corporation) Act 2009, s. 84, per its e-revenue
#   licence print), each numbered its own way: only the characters and the length are checked.
_BIN = re.compile(r"^\d{13}$", re.ASCII)
_ETIN = re.compile(r"^\d{12}$", re.ASCII)
_TRADE_LICENCE = re.compile(r"^[A-Za-z0-9\u0980-\u09ff/-]{3,40}$")


def _digits_only(value: str) -> str:
    """``value`` without spaces and hyphens, Bengali digits turned into Latin ones."""
    return parse_digits("".join(value.replace("-", " ").split()))


def bin_number(value: str) -> str:
    """Bangladesh's BIN as 13 digits, or :class:`IdentifierError`."""
    text = _digits_only(value)
    if _BIN.match(text) is None:
        raise IdentifierError(
            _l(
                "A BIN has 13 digits, often written 9 + 4, e.g. 000123456-0101 "
                "(the old 9- and 11-digit BINs are no longer valid)."
            )
        )
    return text


def etin(value: str) -> str:
    """Bangladesh's e-TIN as 12 digits, or :class:`IdentifierError`."""
    text = _digits_only(value)
    if _ETIN.match(text) is None:
        raise IdentifierError(
            _l("An e-TIN has 12 digits (the old 10-digit TIN is no longer valid).")
        )
    return text


def trade_licence(value: str) -> str:
    """A Bangladeshi trade licence number, trimmed (Bengali digits as Latin ones), or
    :class:`IdentifierError`."""
    text = parse_digits(value.strip())
    if _TRADE_LICENCE.match(text) is None:
        raise IdentifierError(
            _l(
                "A trade licence number has 3 to 40 letters, digits, / or -, "
                "as printed on the licence."
            )
        )
    return text
