"""The one reader of whole numbers people type or send: record ids and counts.

Latin and Bengali digits only (a Bengali keyboard types ০-৯); nothing else is a digit here:
no signs, spaces inside, superscripts (``"²".isdigit()`` is true), other scripts' digits,
underscores or exponents, all of which Python's ``int()`` or ``str.isdigit()`` would let
through. Every value is bounded, so nothing too large for the database reaches a query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from werkzeug.exceptions import BadRequest
from werkzeug.routing import BaseConverter

from .i18n import BENGALI_DIGITS, parse_digits

#: The largest record id: a PostgreSQL ``integer`` (``SERIAL``) column holds at most this.
MAX_ID = 2**31 - 1
#: Enough digits for any bounded value; longer text is refused before any conversion.
_MAX_DIGITS = 18
_WHOLE = re.compile(r"[0-9]+", re.ASCII)
#: What the URL converter matches: Latin and Bengali digits, nothing else.
DIGITS_PATTERN = f"[0-9{BENGALI_DIGITS}]+"


def whole_number(value: Any, low: int = 0, high: int = MAX_ID) -> int | None:
    """``value`` (surrounding spaces allowed) as a whole number from ``low`` to ``high``;
    ``None`` when it is anything else, so callers say why in the user's language."""
    if value is None or isinstance(value, bool):
        return None
    text = parse_digits(str(value).strip())
    if len(text) > _MAX_DIGITS or not _WHOLE.fullmatch(text):
        return None
    number = int(text)
    return number if low <= number <= high else None


def record_id(value: Any) -> int | None:
    """A database id (1 to ``MAX_ID``), or ``None``."""
    return whole_number(value, 1, MAX_ID)


class IdConverter(BaseConverter):
    """``<lms_id:name>`` in LMS routes: a record id from Latin or Bengali digits.

    Werkzeug's ``int`` takes any Unicode digit and any size, which the database then refuses
    with an error. Other characters match no route (404); digits that are no id (0, or too
    large) give 0, which no record has, so the page answers 404 as for any unknown id (a
    converter that refused them would make werkzeug answer 405 where a GET route shares the
    path of a POST one)."""

    regex = DIGITS_PATTERN
    weight = 50

    def to_python(self, value: str) -> int:
        return record_id(value) or 0

    def to_url(self, value: Any) -> str:
        return str(int(value))


def optional_id(value: Any) -> int | None:
    """An id from a query or form field: ``None`` when the field is missing or empty, else
    the id; anything else is a mangled or made-up address: 400 in the user's language."""
    if value is None or not str(value).strip():
        return None
    number = record_id(value)
    if number is None:
        raise BadRequest()
    return number


@dataclass(frozen=True)
class Page:
    """One page of a long list: ``number`` (from 1) of ``size`` rows out of ``total``."""

    number: int
    size: int
    total: int

    @classmethod
    def of(cls, requested: Any, total: int, size: int) -> Page:
        """The page asked for (a query argument; anything unusable is the first), kept within
        the pages there are."""
        pages = max(1, -(-total // size))
        number = whole_number(requested, 1, MAX_ID) or 1
        return cls(min(number, pages), size, total)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def first(self) -> int:
        """The first row shown, counting from 1 (0 when there are none)."""
        return min(self.total, self.offset + 1)

    @property
    def last(self) -> int:
        return min(self.total, self.offset + self.size)
