"""Programme records without a request: name, dates, targets and milestones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select

from ...db import db
from ...i18n import _l, format_number
from ...parsing import whole_number
from ..models import MILESTONES, Cluster, Milestone, Programme

#: Countries of the clusters: they decide mobile-number rules, tax (GST or VAT) and time zone.
COUNTRIES = {"IN": _l("India"), "BD": _l("Bangladesh")}
MILESTONE_LABELS = {
    "assessment": _l("Needs assessment"),
    "content": _l("Content development"),
    "delivery": _l("Training delivery"),
    "retention": _l("Retention tests"),
}


def _day(data: Mapping[str, Any], key: str, problems: list[str]) -> dt.date | None:
    raw = str(data.get(key) or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        problems.append(str(_l("Give the date as YYYY-MM-DD.")))
        return None


def _whole(data: Mapping[str, Any], key: str, low: int, high: int, problems: list[str]) -> int:
    number = whole_number(data.get(key), low, high)
    if number is None:
        problems.append(
            str(
                _l(
                    "Targets must be whole numbers from %(low)s to %(high)s.",
                    low=format_number(low),
                    high=format_number(high),
                )
            )
        )
        return low
    return number


def clean(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Validated programme fields (milestones included), and the problems found."""
    problems: list[str] = []
    values: dict[str, Any] = {"name": " ".join(str(data.get("name") or "").split())[:200]}
    if not values["name"]:
        problems.append(str(_l("Please enter a name.")))
    values["starts_on"] = _day(data, "starts_on", problems)
    values["ends_on"] = _day(data, "ends_on", problems)
    if values["starts_on"] is None or values["ends_on"] is None:
        problems.append(str(_l("Give the programme's first and last day.")))
    elif values["ends_on"] < values["starts_on"]:
        problems.append(str(_l("The programme cannot end before it starts.")))
    values["target_sessions"] = _whole(data, "target_sessions", 1, 1000, problems)
    values["target_per_session"] = _whole(data, "target_per_session", 1, 500, problems)
    values["target_women_share"] = _whole(data, "target_women_share", 0, 100, problems) / 100
    values["target_marginalised_share"] = (
        _whole(data, "target_marginalised_share", 0, 100, problems) / 100
    )
    values["milestones"] = {}
    for kind in MILESTONES:
        days = [
            _day(data, f"{kind}_{part}", problems) for part in ("starts_on", "due_on", "done_on")
        ]
        if days[1] is None and any(days):
            problems.append(
                str(_l("%(milestone)s: give its due date.", milestone=MILESTONE_LABELS[kind]))
            )
        elif days[0] and days[1] and days[1] < days[0]:
            problems.append(
                str(
                    _l(
                        "%(milestone)s: it is due before it starts.",
                        milestone=MILESTONE_LABELS[kind],
                    )
                )
            )
        if days[1] is not None:
            values["milestones"][kind] = days
    return values, problems


def save(
    data: Mapping[str, Any], programme: Programme | None = None
) -> tuple[Programme | None, list[str]]:
    """Create or update a programme; ``(None, problems)`` and nothing saved when input is wrong."""
    values, problems = clean(data)
    if problems:
        return None, problems
    if programme is None:
        programme = Programme()
        db.session.add(programme)
    for key, value in values.items():
        if key != "milestones":
            setattr(programme, key, value)
    existing = {m.kind: m for m in programme.milestones}
    programme.milestones = []
    for kind, (starts_on, due_on, done_on) in values["milestones"].items():
        milestone = existing.get(kind) or Milestone(kind=kind)
        milestone.starts_on, milestone.due_on, milestone.done_on = starts_on, due_on, done_on
        programme.milestones.append(milestone)
    db.session.commit()
    return programme, []


def form_data(programme: Programme | None) -> dict[str, str]:
    """A programme as form fields (a new one gets the issue's targets: 50 sessions of 50)."""
    if programme is None:
        return {
            "target_sessions": "50",
            "target_per_session": "50",
            "target_women_share": "30",
            "target_marginalised_share": "30",
        }
    data = {
        "name": programme.name,
        "starts_on": programme.starts_on.isoformat(),
        "ends_on": programme.ends_on.isoformat(),
        "target_sessions": str(programme.target_sessions),
        "target_per_session": str(programme.target_per_session),
        "target_women_share": str(round(programme.target_women_share * 100)),
        "target_marginalised_share": str(round(programme.target_marginalised_share * 100)),
    }
    for m in programme.milestones:
        for part in ("starts_on", "due_on", "done_on"):
            value = getattr(m, part)
            data[f"{m.kind}_{part}"] = value.isoformat() if value else ""
    return data


def milestone_status(milestone: Milestone, today: dt.date | None = None) -> str:
    """``done``, ``late`` (due date passed, not done) or ``open``."""
    today = today or dt.date.today()
    if milestone.done_on is not None:
        return "done"
    return "late" if milestone.due_on < today else "open"


def save_cluster(data: Mapping[str, Any], cluster: Cluster | None = None) -> list[str]:
    """Add or rename a cluster; returns the problems (nothing saved if any)."""
    name = " ".join(str(data.get("name") or "").split())[:120]
    country = str(data.get("country") or "")
    problems = []
    if not name:
        problems.append(str(_l("Please enter a name.")))
    if country not in COUNTRIES:
        problems.append(str(_l("Choose a country from the list.")))
    other = db.session.scalar(select(Cluster).where(func.lower(Cluster.name) == name.lower()))
    if name and other is not None and other is not cluster:
        problems.append(str(_l("There is already a cluster called %(name)s.", name=other.name)))
    if problems:
        return problems
    cluster = cluster or Cluster()
    cluster.name, cluster.country = name, country
    db.session.add(cluster)
    db.session.commit()
    return []
