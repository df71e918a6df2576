"""The content checker's check of the resource entries (``flask lms check-content``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..content.source import Problem
from ..i18n import _l
from .entries import Catalogue, load

#: An entry not checked against its source for this many months gets a warning.
STALE_MONTHS = 12


def check(root: Path, module_ids: Iterable[str], today: dt.date | None = None) -> list[Problem]:
    """Every problem of the entries under ``root/resources``: the files' own, module ids that
    are not modules of the library, and entries not checked for :data:`STALE_MONTHS` months."""
    catalogue = load(root)
    known = set(module_ids)
    return [
        *catalogue.problems,
        *_unknown_modules(catalogue, known),
        *_stale(catalogue, today or dt.date.today()),
    ]


def check_content(library: Any) -> list[Problem]:
    """The entries beside ``library``'s modules (``state.content_checks``, once per library)."""
    return check(library.root, [m.slug for m in library.modules()])


def _unknown_modules(catalogue: Catalogue, known: set[str]) -> list[Problem]:
    return [
        Problem(
            entry.path,
            entry.line,
            "error",
            _l("resource %(id)s: no module %(module)s", id=entry.id, module=slug),
        )
        for entry in catalogue.entries
        for slug in entry.modules
        if slug not in known
    ]


def _stale(catalogue: Catalogue, today: dt.date) -> list[Problem]:
    limit = months_before(today, STALE_MONTHS)
    return [
        Problem(
            entry.path,
            entry.line,
            "warning",
            _l(
                "resource %(id)s was last checked on %(date)s, more than 12 months ago: check "
                "it against its source and renew checked",
                id=entry.id,
                date=entry.checked,
            ),
        )
        for entry in catalogue.entries
        if entry.checked < limit
    ]


def months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day.day, 28))
