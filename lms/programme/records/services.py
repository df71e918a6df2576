"""Programme records without a request: validating and importing enterprises."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from ...accounts.models import ADMIN, AUTHOR, TRAINER
from ...db import db
from ...i18n import _l, format_number
from ...parsing import whole_number
from ..models import SEGMENTS, Beneficiary, Cluster, Enterprise, cluster_country
from . import country_fields, identifiers, tables

#: The columns of an enterprise import (a header row names them; order does not matter). The
#: registration numbers kept are those of the row's cluster's country; the others are left out.
COLUMNS = (
    "name",
    "cluster",
    "segment",
    *country_fields.ALL_IDENTIFIERS,
    "women_led",
    "employees",
)
#: More people than any enterprise of the programme employs (a typing mistake, not a count).
MAX_EMPLOYEES = 1_000_000
_YES = {"yes", "y", "true", "1", "হ্যাঁ"}
_NO = {"no", "n", "false", "0", "", "না"}


@dataclass
class RowProblems:
    row: int
    messages: list[str] = field(default_factory=list)


def clean(
    data: Mapping[str, Any], clusters: dict[str, Cluster], existing: Enterprise | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Validated enterprise fields, and the problems found (in the current UI language)."""
    problems: list[str] = []
    values: dict[str, Any] = {"name": " ".join(str(data.get("name") or "").split())[:200]}
    if not values["name"]:
        problems.append(str(_l("Please enter a name.")))
    segment = str(data.get("segment") or "").strip().lower()
    if segment not in SEGMENTS:
        problems.append(str(_l("Segment must be one of: %(choices)s", choices=", ".join(SEGMENTS))))
    values["segment"] = segment
    cluster_name = str(data.get("cluster") or "").strip()
    values["cluster"] = clusters.get(cluster_name.lower()) if cluster_name else None
    if cluster_name and values["cluster"] is None:
        problems.append(str(_l("Unknown cluster: %(name)s", name=cluster_name)))
    country = cluster_country(values["cluster"])
    numbers, number_problems = country_fields.clean_identifiers(data, country, existing)
    values.update(numbers)
    problems.extend(number_problems)
    women = str(data.get("women_led") or "").strip().lower()
    if women not in _YES | _NO:
        problems.append(str(_l("Women-led must be yes or no.")))
    values["women_led"] = women in _YES
    employees = str(data.get("employees") or "").strip()
    values["employees"] = whole_number(employees, 0, MAX_EMPLOYEES)
    if employees and values["employees"] is None:
        problems.append(
            str(
                _l(
                    "Employees must be a whole number from %(low)s to %(high)s.",
                    low=format_number(0),
                    high=format_number(MAX_EMPLOYEES),
                )
            )
        )
    return values, problems


def cluster_index() -> dict[str, Cluster]:
    return {c.name.lower(): c for c in db.session.scalars(select(Cluster))}


def save(values: dict[str, Any], enterprise: Enterprise | None = None) -> Enterprise:
    enterprise = enterprise or Enterprise()
    enterprise.name = values["name"]
    enterprise.segment = values["segment"]
    enterprise.cluster = values["cluster"]
    for key in country_fields.ALL_IDENTIFIERS:
        setattr(enterprise, key, values[key])
    enterprise.women_led, enterprise.employees = values["women_led"], values["employees"]
    db.session.add(enterprise)
    return enterprise


def _check_columns(table: tables.Table, columns: tuple[str, ...]) -> list[RowProblems]:
    required = ("enterprise", "name") if "enterprise" in columns else ("name",)
    if all(column in table.columns for column in required):
        return []
    message = _l("The first row must name the columns: %(columns)s", columns=", ".join(columns))
    return [RowProblems(1, [str(message)])]


def import_enterprises(table: tables.Table) -> tuple[int, list[RowProblems]]:
    """Import every row or none: problems are reported row by row and nothing is saved."""
    problems = _check_columns(table, COLUMNS)
    if problems:
        return 0, problems
    clusters = cluster_index()
    rows = []
    seen: dict[str, int] = {}
    for number, data in table.rows:
        values, messages = clean(data, clusters)
        for key in country_fields.UNIQUE:
            if values[key] and values[key] in seen:
                messages.append(
                    str(
                        _l(
                            "%(value)s repeats row %(row)s.",
                            value=values[key],
                            row=format_number(seen[values[key]]),
                        )
                    )
                )
            elif values[key]:
                seen[values[key]] = number
        if messages:
            problems.append(RowProblems(number, messages))
        rows.append(values)
    if problems or not rows:
        return 0, problems
    for values in rows:
        save(values)
    db.session.commit()
    return len(rows), []


KOLKATA_CLUSTERS = (
    "Bantala (Kolkata Leather Complex)",
    "Tiljala",
    "Topsia",
    "Tangra",
    "Bagmari",
    "Maheshtala / Budge Budge",
)


def load_demo(password: str) -> list[tuple[str, str]]:
    """Kolkata's leather clusters and a few enterprises (idempotent)."""
    for name in KOLKATA_CLUSTERS:
        if db.session.scalar(select(Cluster).where(Cluster.name == name)) is None:
            db.session.add(Cluster(name=name, country="IN"))
    if db.session.scalar(select(Cluster).where(Cluster.name == "Savar (Tannery Estate)")) is None:
        db.session.add(Cluster(name="Savar (Tannery Estate)", country="BD"))
    db.session.commit()
    if db.session.scalar(select(Enterprise)) is None:
        import_enterprises(
            tables.read(
                b"name,cluster,segment,udyam,gstin,women_led,employees\n"
                b"Alam Leather Craft,Tangra,footwear,UDYAM-WB-10-0012345,27AAPFU0939F1ZV,no,14\n"
                b"Shampa Bags,Tiljala,leather-goods,UDYAM-WB-10-0023456,,yes,6\n"
                b"Bantala Finishers,Bantala (Kolkata Leather Complex),tannery,,,no,40\n",
                "demo.csv",
            )
        )
    return []


#: The columns of a beneficiaries import; ``enterprise`` is its Udyam number or exact name.
BENEFICIARY_COLUMNS = (
    "enterprise",
    "name",
    "gender",
    "phone",
    "preferred_language",
    "social_category",
    "category_consent",
)
_GENDER_WORDS = {"f": "female", "woman": "female", "m": "male", "man": "male", "": "not-said"}


def clean_beneficiary(
    enterprise: Enterprise, data: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """Validated beneficiary fields, and the problems found (in the current UI language)."""
    from ...i18n import languages
    from ..models import GENDERS

    problems: list[str] = []
    values: dict[str, Any] = {"name": " ".join(str(data.get("name") or "").split())[:200]}
    if not values["name"]:
        problems.append(str(_l("Please enter a name.")))
    gender = str(data.get("gender") or "").strip().lower()
    values["gender"] = _GENDER_WORDS.get(gender, gender)
    if values["gender"] not in GENDERS:
        problems.append(str(_l("Choose a gender from the list.")))
    consent = str(data.get("category_consent") or "").strip().lower() in _YES
    category = str(data.get("social_category") or "").strip().lower() or None
    wrong = country_fields.category_problem(category, enterprise.country) if category else None
    if category and not consent:
        problems.append(str(_l("A social category is recorded only with the person's consent.")))
    elif wrong:
        problems.append(wrong)
    values["social_category"], values["category_consent"] = category, consent
    number = str(data.get("phone") or "").strip()
    values["phone"] = None
    if number:
        try:
            values["phone"] = identifiers.phone(number, enterprise.country)
        except identifiers.IdentifierError as exc:
            problems.append(str(exc))
    values["preferred_language"] = str(data.get("preferred_language") or "bn").strip()
    if values["preferred_language"] not in languages():
        problems.append(str(_l("Choose a language from the list.")))
    return values, problems


def _new_beneficiary(enterprise: Enterprise, values: dict[str, Any]) -> None:
    from ...db import utcnow
    from ..models import Beneficiary

    consent = values["category_consent"]
    enterprise.beneficiaries.append(
        Beneficiary(
            name=values["name"],
            gender=values["gender"],
            social_category=values["social_category"] if consent else None,
            category_consent=consent,
            consent_at=utcnow() if consent else None,
            phone=values["phone"],
            preferred_language=values["preferred_language"],
        )
    )


def add_beneficiary(enterprise: Enterprise, data: Mapping[str, Any]) -> list[str]:
    """Add a person to ``enterprise``; returns the problems (nothing is saved if any)."""
    values, problems = clean_beneficiary(enterprise, data)
    if problems:
        return problems
    _new_beneficiary(enterprise, values)
    db.session.commit()
    return []


def _enterprise_index() -> dict[str, Enterprise]:
    index: dict[str, Enterprise] = {}
    for enterprise in db.session.scalars(select(Enterprise)):
        index.setdefault(enterprise.name.lower(), enterprise)
        if enterprise.udyam:
            index[enterprise.udyam.lower()] = enterprise
    return index


def import_beneficiaries(table: tables.Table) -> tuple[int, list[RowProblems]]:
    """Import every row or none, like :func:`import_enterprises`."""
    problems = _check_columns(table, BENEFICIARY_COLUMNS)
    if problems:
        return 0, problems
    enterprises = _enterprise_index()
    rows = []
    for number, data in table.rows:
        key = " ".join(str(data.get("enterprise") or "").split()).lower()
        enterprise = enterprises.get(key)
        if enterprise is None:
            name = data.get("enterprise") or "—"
            problems.append(
                RowProblems(number, [str(_l("Unknown enterprise: %(name)s", name=name))])
            )
            continue
        values, messages = clean_beneficiary(enterprise, data)
        if messages:
            problems.append(RowProblems(number, messages))
        rows.append((enterprise, values))
    if problems or not rows:
        return 0, problems
    for enterprise, values in rows:
        _new_beneficiary(enterprise, values)
    db.session.commit()
    return len(rows), []


#: Roles whose accounts are never a beneficiary's: erasing the beneficiary closes the account.
STAFF_ROLES = frozenset({TRAINER, AUTHOR, ADMIN})


def link_account(person: Any, email: str) -> str | None:
    """Link ``person`` to the account with ``email``; returns the problem, if any."""
    from ...accounts import services as accounts

    user = accounts.find_user(email) if email.strip() else None
    if user is None:
        return str(_l("No account has this e-mail address."))
    if user.roles & STAFF_ROLES:
        return str(
            _l(
                "Accounts of trainers, authors and admins cannot be linked to a beneficiary: "
                "give the person a learner account of their own."
            )
        )
    other = beneficiary_of(user.id)
    if other is not None and other.id != person.id:
        return str(_l("This account is already linked to %(name)s.", name=other.name))
    person.user_id = user.id
    db.session.commit()
    return None


def cluster_countries(user_ids: Iterable[int]) -> dict[int, str]:
    """The country of each learner's enterprise's cluster (learners without one are left out):
    what ``views._country_of`` answers for one learner, for many in one query."""
    ids = list(user_ids)
    rows = db.session.execute(
        select(Beneficiary.user_id, Cluster.country)
        .join(Enterprise, Enterprise.id == Beneficiary.enterprise_id)
        .join(Cluster, Cluster.id == Enterprise.cluster_id)
        .where(Beneficiary.user_id.in_(ids), Beneficiary.erased_at.is_(None))
        .order_by(Beneficiary.id.desc())
    )
    return {user_id: country for user_id, country in rows}


def beneficiary_of(user_id: int) -> Beneficiary | None:
    """The beneficiary record a sign-in account is linked to (if any; erased ones have none)."""
    return db.session.scalar(
        select(Beneficiary)
        .where(Beneficiary.user_id == user_id, Beneficiary.erased_at.is_(None))
        .order_by(Beneficiary.id)
        .limit(1)
    )
