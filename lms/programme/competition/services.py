"""The competitive-analysis worksheet of an enterprise (issue 20): its products, price points,
markets, main competitors, strengths and gaps, saved as they are typed, read by the mentor and
exported with the programme's report."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from ...db import db, upsert_insert, utcnow
from ...i18n import _l
from ..models import CompetitiveAnalysis, Enterprise

#: The worksheet's questions, in order: (field, question, hint).
FIELDS: tuple[tuple[str, Any, Any], ...] = (
    ("products", _l("Your products"), _l("What you make and sell, and how many a month.")),
    (
        "price_points",
        _l("Your prices"),
        _l("The price of each main product, and who pays it (wholesale, shop, export)."),
    ),
    ("markets", _l("Your markets"), _l("Where your buyers are: towns, shops, online, abroad.")),
    (
        "competitors",
        _l("Your main competitors"),
        _l("Two or three units your buyers compare you with, and their prices."),
    ),
    ("strengths", _l("Your strengths"), _l("Why buyers choose you over them.")),
    ("gaps", _l("Your gaps"), _l("What you must improve to win more orders.")),
)
NAMES = tuple(name for name, _question, _hint in FIELDS)
#: The most one answer keeps (a long page of notes is fine; a pasted book is not).
MAX_LENGTH = 4000


def get(enterprise_id: int) -> CompetitiveAnalysis | None:
    return db.session.get(CompetitiveAnalysis, enterprise_id)


def answers(enterprise_id: int) -> dict[str, str]:
    found = get(enterprise_id)
    return {name: getattr(found, name) if found else "" for name in NAMES}


def save(enterprise: Enterprise, user_id: int | None, form: Mapping[str, str]) -> list[str]:
    """Keep the answers of ``form`` that are worksheet fields (others are ignored); returns
    the fields saved. One statement per save, so two tablets typing into different answers at
    once never undo each other, and the first save of two at once makes the one row."""
    values = {
        name: str(form[name]).replace("\r\n", "\n").strip()[:MAX_LENGTH]
        for name in NAMES
        if name in form
    }
    if not values:
        return []
    stamp = {"updated_at": utcnow(), "updated_by_id": user_id}
    upsert = upsert_insert(CompetitiveAnalysis)
    if upsert is not None:
        stmt = upsert(CompetitiveAnalysis.__table__).values(
            enterprise_id=enterprise.id, **values, **stamp
        )
        db.session.execute(
            stmt.on_conflict_do_update(index_elements=["enterprise_id"], set_={**values, **stamp})
        )
    else:
        row = get(enterprise.id) or CompetitiveAnalysis(enterprise_id=enterprise.id)
        for key, value in {**values, **stamp}.items():
            setattr(row, key, value)
        db.session.add(row)
    db.session.commit()
    return list(values)


def export_rows(enterprise_ids: list[int] | None) -> list[list[Any]]:
    """One row per enterprise with a worksheet (of ``enterprise_ids``; ``None``: all):
    enterprise, cluster, the six answers and when they were last saved."""
    query = select(CompetitiveAnalysis, Enterprise).join(
        Enterprise, Enterprise.id == CompetitiveAnalysis.enterprise_id
    )
    if enterprise_ids is not None:
        query = query.where(CompetitiveAnalysis.enterprise_id.in_(enterprise_ids))
    rows = db.session.execute(query.order_by(Enterprise.name)).all()
    return [
        [
            enterprise.name,
            enterprise.cluster.name if enterprise.cluster else "",
            *(getattr(analysis, name) for name in NAMES),
            analysis.updated_at,
        ]
        for analysis, enterprise in rows
    ]


#: The demo's worksheet, for one Kolkata enterprise (made-up answers).
DEMO = {
    "Shampa Bags": {
        "products": "Ladies' leather tote bags and wallets, about 300 bags a month.",
        "price_points": "Totes ₹1,450 to shops, ₹2,200 online; wallets ₹380 wholesale.",
        "markets": "Gariahat and New Market shops; own Instagram page; one Delhi wholesaler.",
        "competitors": "Two Topsia units selling similar totes 10-15% cheaper.",
        "strengths": "Quick samples, women-led, custom colours for small orders.",
        "gaps": "Edge finishing, no LWG-sourced leather, no export buyer yet.",
    }
}


def load_demo(password: str) -> list[tuple[str, str]]:
    """A filled-in worksheet for the demo's enterprises that have none yet (idempotent)."""
    for name, answers in DEMO.items():
        enterprise = db.session.scalar(select(Enterprise).where(Enterprise.name == name))
        if enterprise is not None and get(enterprise.id) is None:
            save(enterprise, None, answers)
    return []
