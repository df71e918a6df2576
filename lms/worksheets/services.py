"""Saving and reading a learner's self-assessment: plain functions the views and tests call."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from ..db import db, upsert_insert, utcnow
from .checklist import STATUSES, Checklist
from .models import ChecklistAnswer


def answers(user_id: int, checklist_id: str) -> dict[str, str]:
    """Item id -> the learner's answer."""
    rows = db.session.execute(
        select(ChecklistAnswer.item_id, ChecklistAnswer.status).where(
            ChecklistAnswer.user_id == user_id, ChecklistAnswer.checklist_id == checklist_id
        )
    )
    return {item_id: status for item_id, status in rows}


def save(user_id: int, checklist: Checklist, country: str, form: Mapping[str, str]) -> int:
    """Keep the answers of ``form`` (``item-<id>`` -> status) for the items the learner's
    country has; others and unknown values are ignored. Returns how many were saved."""
    known = {item.id for item in checklist.items(country)}
    chosen = {
        key[len("item-") :]: value
        for key, value in form.items()
        if key.startswith("item-") and key[len("item-") :] in known and value in STATUSES
    }
    now = utcnow()
    upsert = upsert_insert(ChecklistAnswer)
    for item_id, status in chosen.items():
        values = {
            "user_id": user_id,
            "checklist_id": checklist.id,
            "item_id": item_id,
            "status": status,
            "updated_at": now,
        }
        if upsert is not None:
            stmt = upsert(ChecklistAnswer.__table__).values(**values)
            db.session.execute(
                stmt.on_conflict_do_update(
                    index_elements=["user_id", "checklist_id", "item_id"],
                    set_={"status": status, "updated_at": now},
                )
            )
        else:
            db.session.merge(ChecklistAnswer(**values))
    db.session.commit()
    return len(chosen)


@dataclass
class Summary:
    """How far a learner is: answers counted by status, and the items not answered."""

    counts: Counter[str]
    total: int

    @property
    def answered(self) -> int:
        return sum(self.counts.values())


def summary(checklist: Checklist, given: Mapping[str, str], country: str) -> Summary:
    items = list(checklist.items(country))
    return Summary(Counter(given[i.id] for i in items if i.id in given), len(items))
