"""What an enterprise records depends on its cluster's country: India's Udyam number and GSTIN,
or Bangladesh's BIN, e-TIN and trade licence number; and its people's social category comes
from that country's list. Plain functions, no request."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select

from ...countries import COUNTRIES, COUNTRY_NAMES
from ...db import db
from ...i18n import LazyText, _l
from ..models import CATEGORIES, Cluster, Enterprise, cluster_country
from . import identifiers

#: The registration numbers an enterprise of each country records, in the form's order.
IDENTIFIERS: dict[str, tuple[str, ...]] = {
    "IN": ("udyam", "gstin"),
    "BD": ("bin", "etin", "trade_licence"),
}
#: Every registration number, whatever the country.
ALL_IDENTIFIERS = tuple(key for country in COUNTRIES for key in IDENTIFIERS[country])
#: Numbers no two enterprises share (a trade licence number is unique only to its issuer).
UNIQUE = ("udyam", "gstin", "bin", "etin")
CHECKS: dict[str, Callable[[str], str]] = {
    "udyam": identifiers.udyam,
    "gstin": identifiers.gstin,
    "bin": identifiers.bin_number,
    "etin": identifiers.etin,
    "trade_licence": identifiers.trade_licence,
}
IDENTIFIER_LABELS = {
    "udyam": _l("Udyam registration number"),
    "gstin": _l("GSTIN"),
    "bin": _l("Business Identification Number (BIN)"),
    "etin": _l("e-TIN"),
    "trade_licence": _l("Trade licence number"),
}
#: Example values shown in the empty fields (numbers, the same in every language).
PLACEHOLDERS = {"udyam": "UDYAM-WB-10-0012345", "bin": "000123456-0101", "etin": "123456789012"}
#: Every country's category, by code (a person's stored code is shown whatever the country).
CATEGORY_LABELS = {
    "sc": _l("Scheduled Caste"),
    "st": _l("Scheduled Tribe"),
    "obc": _l("Other Backward Class"),
    "minority": _l("Minority community"),
    "ethnic": _l("Small ethnic group"),
    "dalit": _l("Dalit, Harijan or Bede community"),
    "religious": _l("Religious minority"),
    "general": _l("General"),
}


def form_country(cluster_name: str, clusters: Mapping[str, Cluster]) -> str:
    """The country of the cluster a form names (by name, any case; the default without one)."""
    return cluster_country(clusters.get(cluster_name.strip().lower()) if cluster_name else None)


def category_choices(country: str) -> dict[str, LazyText]:
    """The social categories a person of an enterprise in ``country`` may have, in list order."""
    return {code: CATEGORY_LABELS[code] for code in CATEGORIES[country]}


def category_problem(code: str, country: str) -> str | None:
    """Why ``code`` is not a category for ``country`` (``None`` when it is one)."""
    if code in CATEGORIES[country]:
        return None
    other = next((c for c in COUNTRIES if code in CATEGORIES[c]), None)
    if other is None:
        return str(_l("Choose a social category from the list."))
    return str(
        _l(
            "%(category)s is a social category used in %(other)s, not in %(country)s: "
            "choose one from the list.",
            category=CATEGORY_LABELS[code],
            other=COUNTRY_NAMES[other],
            country=COUNTRY_NAMES[country],
        )
    )


def clean_identifiers(
    data: Mapping[str, Any], country: str, existing: Enterprise | None = None
) -> tuple[dict[str, str | None], list[str]]:
    """``country``'s registration numbers from ``data``, checked and normalised, and the problems
    found; the other country's are ``None`` (not kept, whatever was typed)."""
    values: dict[str, str | None] = dict.fromkeys(ALL_IDENTIFIERS)
    problems: list[str] = []
    for key in IDENTIFIERS[country]:
        raw = str(data.get(key) or "").strip()
        if not raw:
            continue
        try:
            values[key] = CHECKS[key](raw)
        except identifiers.IdentifierError as exc:
            problems.append(str(exc))
            continue
        taken = _registered_elsewhere(key, values[key], existing)
        if taken is not None:
            problems.append(taken)
    return values, problems


def _registered_elsewhere(key: str, value: str | None, existing: Enterprise | None) -> str | None:
    if key not in UNIQUE:
        return None
    other = db.session.scalar(select(Enterprise).where(getattr(Enterprise, key) == value))
    if other is None or (existing is not None and other.id == existing.id):
        return None
    return str(_l("%(value)s is already registered for %(name)s.", value=value, name=other.name))
