"""How an attempt keeps the items it showed: one immutable version row per item content,
named by a hash of that content, and references to them in the attempt.

Shared by the models and the migrations, so it imports no models and must keep computing the
same hash for the same content for ever (stored references name versions by it).

- ``v`` = 1, inline (attempts stored before migration 0015):
  ``{"v": 1, "id", "type", "points", "data"}``, the whole definition in every locale.
- ``v`` = 2, a reference: ``{"v": 2, "id", "h"}``, ``h`` naming a row of ``lms_item_version``.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

INLINE = 1
REFERENCE = 2


def version_of(item_id: str, type_: str, points: float, data: Any) -> dict[str, Any]:
    """An item's version as stored: ``{"id", "type", "points", "data"}``, ``data`` as JSON
    gives it back (what the database returns), ``points`` a float (the column's type)."""
    return {
        "id": str(item_id),
        "type": str(type_),
        "points": float(points),
        "data": json.loads(json.dumps(data, ensure_ascii=False)),
    }


def version_hash(version: dict[str, Any]) -> str:
    """The SHA-256 (hex) of a version's canonical JSON: keys sorted, no spaces, UTF-8."""
    canonical = json.dumps(
        {key: version[key] for key in ("id", "type", "points", "data")},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def is_inline(entry: dict[str, Any]) -> bool:
    return entry.get("v", INLINE) == INLINE


def reference(version: dict[str, Any], digest: str) -> dict[str, Any]:
    """The entry an attempt stores for ``version`` (whose hash is ``digest``)."""
    return {"v": REFERENCE, "id": version["id"], "h": digest}


def inline(version: dict[str, Any]) -> dict[str, Any]:
    """The entry as callers read it (and as ``v`` = 1 stored it)."""
    return {
        "v": INLINE,
        "id": version["id"],
        "type": version["type"],
        "points": version["points"],
        "data": version["data"],
    }
