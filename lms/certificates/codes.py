"""Short certificate codes people can read out and type: unambiguous letters, a check character.

The alphabet leaves out 0/O, 1/I/L and U; the last character is a Luhn mod 31 check, which
catches every single mistyped character and most swapped neighbours.
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
_TYPOS = str.maketrans({"0": "O", "1": "I", "L": "I", "U": "V"})
BODY = 10


def _check_char(body: str) -> str:
    """Luhn mod N (N = len(ALPHABET)) over ``body``."""
    n = len(ALPHABET)
    factor, total = 2, 0
    for char in reversed(body):
        addend = factor * ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return ALPHABET[(n - total % n) % n]


def new_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY))
    return format_code(body + _check_char(body))


def format_code(raw: str) -> str:
    """``ABCD-EFGH-JKC`` groups for reading aloud."""
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalise(typed: str) -> str | None:
    """The canonical code for what someone typed, or ``None`` if it cannot be one (a typo)."""
    raw = "".join(typed.upper().split()).replace("-", "").translate(_TYPOS)
    if len(raw) != BODY + 1 or any(c not in ALPHABET for c in raw):
        return None
    if _check_char(raw[:-1]) != raw[-1]:
        return None
    return format_code(raw)
