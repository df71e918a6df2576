"""Indian business identifiers, validated by their real formats.

GSTIN: 15 characters: a state code (01-38, or 97/99 for special cases), the holder's PAN
(5 letters, 4 digits, 1 letter), an entity number, ``Z``, and a check character computed with the
Luhn mod 36 algorithm over the first 14. Udyam: ``UDYAM-XX-00-0000000`` (state, district, serial).
"""

from __future__ import annotations

import re

from ..i18n import _l

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
