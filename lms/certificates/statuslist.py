"""Bitstring Status List v1.0 (W3C Recommendation): one bit per credential, set when revoked.

The list is a bitstring of at least 131,072 bits (16 KB, section 6.1 "herd privacy"), index 0
the left-most (most significant) bit of the first byte, GZIP-compressed and multibase-encoded
as base64url without padding (prefix ``u``: section 2.1, ``encodedList``). Pure: no Flask.
"""

from __future__ import annotations

import base64
import gzip
import io
from collections.abc import Iterable

#: Section 6.1: a list shorter than this would let a verifier tell holders apart.
MIN_BITS = 131_072
#: Longest compressed and expanded list this verifier reads from another server.
MAX_BYTES = 16 * 1024 * 1024


class StatusListError(ValueError):
    """The list cannot be read (section 3.2: STATUS_LIST_LENGTH_ERROR, decoding errors)."""


def size_for(highest_index: int) -> int:
    """Bits in a list that holds ``highest_index``: whole multiples of :data:`MIN_BITS`."""
    return max(MIN_BITS, (highest_index // MIN_BITS + 1) * MIN_BITS)


def encode(set_indexes: Iterable[int], bits: int = MIN_BITS) -> str:
    """``encodedList`` with the bits at ``set_indexes`` set (``mtime=0``: the same list, the
    same bytes)."""
    data = bytearray(bits // 8)
    for index in set_indexes:
        if not 0 <= index < bits:
            raise ValueError(f"index {index} is outside a list of {bits} bits")
        data[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(data), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def decode(encoded: str) -> bytes:
    """The bitstring of an ``encodedList``; refuses one shorter than :data:`MIN_BITS`."""
    if not isinstance(encoded, str) or not encoded.startswith("u") or len(encoded) > MAX_BYTES:
        raise StatusListError("encodedList is not multibase base64url (prefix u)")
    body = encoded[1:]
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        with gzip.GzipFile(fileobj=io.BytesIO(packed)) as stream:
            data = stream.read(MAX_BYTES + 1)
    except (ValueError, OSError, EOFError) as exc:
        raise StatusListError(f"encodedList is not a GZIP bitstring: {exc}") from exc
    if len(data) > MAX_BYTES:
        raise StatusListError("the status list is too long")
    if len(data) * 8 < MIN_BITS:
        raise StatusListError(f"the status list has fewer than {MIN_BITS} entries")
    return data


def is_set(bitstring: bytes, index: int) -> bool:
    if not 0 <= index < len(bitstring) * 8:
        raise StatusListError(f"statusListIndex {index} is outside the list")
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))
