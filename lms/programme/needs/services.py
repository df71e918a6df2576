"""The needs assessment without a request: the questionnaire (data in ``needs-assessment.yaml``),
gaps, training roadmaps and cluster plans."""

from __future__ import annotations

import math
import random
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from ... import signals
from ...content.source import Problem
from ...db import db, utcnow
from ...i18n import _l, locale_code
from ...state import has_state, state
from ..models import Assessment, Beneficiary, Cluster, Enterprise
from ..records.services import beneficiary_of
from .data import (  # noqa: F401  (the questionnaire's API is part of this module's)
    AREA_IDS,
    DEFAULT_PER_SESSION,
    FILENAME,
    LANGUAGES,
    THRESHOLD,
    Area,
    NeedsError,
    Option,
    Question,
    Questionnaire,
    Text,
    load,
    module_problems,
)

# The app's questionnaire, re-read when the file changes: cached per app, or, read outside any
# app (a script checking a file), in this module's cache of parsed files.
_parsed_without_app: dict[str, tuple[tuple[int, int], Questionnaire]] = {}


def questionnaire_path(content_dir: Path | None = None) -> Path:
    """``LMS_NEEDS_QUESTIONNAIRE``, else ``needs-assessment.yaml`` in the content folder."""
    configured = current_app.config.get("LMS_NEEDS_QUESTIONNAIRE")
    if configured:
        return Path(configured)
    return Path(content_dir or current_app.config["LMS_CONTENT_DIR"]) / FILENAME


def read(path: Path) -> Questionnaire:
    """The questionnaire at ``path``, parsed again only when the file changed (mtime, size)."""
    try:
        stat = path.stat()
    except OSError:
        return load(path)
    key, signature = str(path.resolve()), (stat.st_mtime_ns, stat.st_size)
    cache = state().cache("programme.questionnaires") if has_state() else _parsed_without_app
    cached = cache.get(key)
    if cached is not None and cached[0] == signature:
        return cached[1]
    result = load(path)
    cache[key] = (signature, result)
    return result


def questionnaire() -> Questionnaire:
    """The current app's questionnaire (cached until the file changes)."""
    return read(questionnaire_path())


def area_titles() -> dict[str, str]:
    """Area id -> title in the current UI language, in questionnaire order."""
    return {area.id: area.title() for area in questionnaire().areas}


def check_content(library: Any) -> list[Problem]:
    """The content checker's check of the questionnaire beside the modules of ``library``
    (``state.content_checks``, once per library). A content folder without one is fine."""
    path = questionnaire_path(library.root)
    if not path.is_file() and not current_app.config.get("LMS_NEEDS_QUESTIONNAIRE"):
        return []
    found = read(path)
    return [*found.problems, *module_problems(found, library)]


# Gaps and roadmaps: pure functions of the answers and the questionnaire.


def gaps(answers: Mapping[str, Any], q: Questionnaire | None = None) -> dict[str, float | None]:
    """Per area: 1 - (chosen scores / best scores) over its answered questions; None if none."""
    q = q or questionnaire()
    result: dict[str, float | None] = {}
    for area, questions in q.steps():
        chosen = best = 0
        for question in questions:
            option = question.option(str(answers.get(question.id) or ""))
            if option is not None:
                chosen, best = chosen + option.score, best + question.max_score
        result[area.id] = 1 - chosen / best if best else None
    return result


def gap_areas(gaps: Mapping[str, Any], q: Questionnaire | None = None) -> list[Area]:
    """Areas with a gap of at least ``THRESHOLD``, largest first (ties: questionnaire order)."""
    q = q or questionnaire()
    found = [a for a in q.areas if _number(gaps.get(a.id)) >= THRESHOLD]
    return sorted(found, key=lambda a: -_number(gaps.get(a.id)))


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else -1.0


def roadmap(gaps: Mapping[str, Any], q: Questionnaire | None = None) -> list[str]:
    """The modules to take, in order: those of the gap areas, largest gap first, once each."""
    return list(dict.fromkeys(slug for area in gap_areas(gaps, q) for slug in area.modules))


def level(gap: float | None) -> str:
    """``large``, ``some``, ``small`` or ``unknown``: the gap in words, for the profile."""
    if gap is None:
        return "unknown"
    return "large" if gap >= 0.67 else "some" if gap >= THRESHOLD else "small"


# Assessments: one row per filling-in; each step's answers are saved as they come.


def country_of(enterprise: Enterprise) -> str:
    return enterprise.cluster.country if enterprise.cluster is not None else "IN"


def owner_enterprise(user_id: int) -> Enterprise | None:
    """The enterprise of the beneficiary linked to this sign-in account, if any."""
    person = beneficiary_of(user_id)
    return person.enterprise if person is not None else None


def _rows(enterprise_ids: Iterable[int]) -> list[Assessment]:
    """Assessments of the enterprises, newest first."""
    query = (
        select(Assessment)
        .where(Assessment.enterprise_id.in_(list(enterprise_ids)))
        .order_by(Assessment.submitted_at.desc(), Assessment.id.desc())
    )
    return list(db.session.scalars(query))


def latest_of(
    enterprise_ids: Iterable[int], q: Questionnaire | None = None
) -> dict[int, Assessment]:
    """The latest complete assessment of each enterprise that has one."""
    q = q or questionnaire()
    found: dict[int, Assessment] = {}
    for row in _rows(enterprise_ids):
        if row.enterprise_id not in found and q.is_complete(row.answers or {}):
            found[row.enterprise_id] = row
    return found


def latest(enterprise_id: int) -> Assessment | None:
    """The enterprise's latest complete assessment."""
    return latest_of([enterprise_id]).get(enterprise_id)


def draft(enterprise_id: int) -> Assessment | None:
    """The assessment being filled in: the newest one, while it is incomplete."""
    newest = db.session.scalar(
        select(Assessment)
        .where(Assessment.enterprise_id == enterprise_id)
        .order_by(Assessment.id.desc())
        .limit(1)
    )
    if newest is None or questionnaire().is_complete(newest.answers or {}):
        return None
    return newest


def checked_answers(answers: Mapping[str, Any], q: Questionnaire) -> dict[str, str]:
    """``answers`` if every question and option id exists; else NeedsError."""
    for question_id, option_id in answers.items():
        question = q.question(str(question_id))
        if question is None:
            raise NeedsError(_l("There is no question %(id)s.", id=question_id))
        if question.option(str(option_id)) is None:
            raise NeedsError(
                _l("Question %(id)s has no answer %(option)s.", id=question_id, option=option_id)
            )
    return {str(k): str(v) for k, v in answers.items()}


def submit(
    enterprise: Enterprise, answers: Mapping[str, Any], user_id: int | None, locale: str
) -> Assessment:
    """Save ``answers`` (some or all) into the enterprise's assessment being filled in, or a new
    one; the gaps are worked out again. Unknown questions or options: NeedsError, nothing saved."""
    q = questionnaire()
    if not q.usable:
        raise NeedsError(_l("The needs assessment is not available right now."))
    clean = checked_answers(answers, q)
    row = draft(enterprise.id)
    if row is None:
        from ..scope import current_programme

        programme = current_programme()
        row = Assessment(enterprise_id=enterprise.id, programme_id=programme and programme.id)
        db.session.add(row)
    row.answers = {**(row.answers or {}), **clean}
    row.gaps = gaps(row.answers, q)
    row.version, row.user_id, row.locale = q.version, user_id, locale
    row.submitted_at = utcnow()
    db.session.commit()
    if q.is_complete(row.answers):
        signals.needs_assessed.send(current_app._get_current_object(), assessment=row)
    return row


# What the pages show: an enterprise's roadmap and a cluster's plan.


@dataclass
class Step:
    """A module on a roadmap, with the gap areas it closes."""

    slug: str
    title: str
    available: bool
    done: bool
    areas: list[Area]


@dataclass
class Roadmap:
    assessment: Assessment
    #: Every area with its gap, in questionnaire order.
    profile: list[tuple[Area, float | None]]
    steps: list[Step]
    #: Gap areas that no module closes yet.
    without_module: list[Area]


def completed_modules(user_ids: Iterable[int]) -> set[str]:
    """Modules for which one of these accounts holds a (not revoked) module certificate."""
    from ...certificates.models import Certificate

    ids = [i for i in user_ids if i is not None]
    if not ids:
        return set()
    query = select(Certificate.achievement_id).where(
        Certificate.user_id.in_(ids), Certificate.kind == "module", Certificate.revoked_at.is_(None)
    )
    return set(db.session.scalars(query))


def _module_info(slug: str) -> tuple[str, bool]:
    """A module's title in the UI language and whether learners can open it."""
    from ...content import services as content

    module = content.library().get(slug)
    if module is None:
        return slug, False
    return content.title(module, locale_code()), module.usable


def roadmap_for(assessment: Assessment, user_ids: Iterable[int] = ()) -> Roadmap:
    """The roadmap page of an assessment; modules done by ``user_ids`` are ticked."""
    q = questionnaire()
    saved = assessment.gaps or {}
    areas = gap_areas(saved, q)
    done = completed_modules(user_ids)
    steps = []
    for slug in roadmap(saved, q):
        title, available = _module_info(slug)
        closes = [a for a in areas if slug in a.modules]
        steps.append(Step(slug, title, available, slug in done, closes))
    profile = [(a, saved.get(a.id)) for a in q.areas]
    return Roadmap(assessment, profile, steps, [a for a in areas if not a.modules])


@dataclass
class PlanRow:
    """A module to schedule for a cluster: who needs it and how many sessions that makes."""

    slug: str
    title: str
    available: bool
    enterprises: int
    people: int
    sessions: int


@dataclass
class ClusterNeeds:
    cluster: Cluster
    #: Every enterprise of the cluster with its latest complete assessment (or None).
    enterprises: list[tuple[Enterprise, Assessment | None]]
    #: Areas by mean gap, largest first: (area, mean gap or None, enterprises counted).
    areas: list[tuple[Area, float | None, int]]
    plan: list[PlanRow]
    per_session: int

    @property
    def assessed(self) -> int:
        return sum(1 for _e, a in self.enterprises if a is not None)


def per_session() -> int:
    """People per session: the current programme's target, else 50."""
    from ..scope import current_programme

    programme = current_programme()
    return (programme.target_per_session if programme else 0) or DEFAULT_PER_SESSION


def people_of(enterprise_ids: Iterable[int]) -> dict[int, int]:
    """Beneficiaries (not erased) per enterprise."""
    rows = db.session.execute(
        select(Beneficiary.enterprise_id, func.count())
        .where(Beneficiary.enterprise_id.in_(list(enterprise_ids)), Beneficiary.erased_at.is_(None))
        .group_by(Beneficiary.enterprise_id)
    )
    return {enterprise_id: count for enterprise_id, count in rows}


def mean_gaps(
    assessments: list[Assessment], q: Questionnaire
) -> list[tuple[Area, float | None, int]]:
    """Each area's mean gap over the assessments that have one; largest first, unknown last."""
    rows = []
    for area in q.areas:
        values = [_number(a.gaps.get(area.id)) for a in assessments if a.gaps]
        values = [v for v in values if v >= 0]
        rows.append((area, sum(values) / len(values) if values else None, len(values)))
    return sorted(rows, key=lambda row: -1.0 if row[1] is None else -row[1])


def plan(assessments: list[Assessment], q: Questionnaire, size: int) -> list[PlanRow]:
    """Per module on any roadmap: enterprises, people and sessions (``size`` people each)."""
    people = people_of(a.enterprise_id for a in assessments)
    needing: dict[str, list[int]] = {}
    for assessment in assessments:
        for slug in roadmap(assessment.gaps or {}, q):
            needing.setdefault(slug, []).append(assessment.enterprise_id)
    rows = []
    for slug, enterprise_ids in needing.items():
        count = sum(people.get(i, 0) for i in enterprise_ids)
        title, available = _module_info(slug)
        sessions = math.ceil(count / size)
        rows.append(PlanRow(slug, title, available, len(enterprise_ids), count, sessions))
    return sorted(rows, key=lambda r: (-r.people, -r.enterprises, r.title.casefold()))


def cluster_needs(cluster: Cluster, size: int | None = None) -> ClusterNeeds:
    """Which gaps dominate in a cluster, and the sessions to schedule by module."""
    q = questionnaire()
    enterprises = list(
        db.session.scalars(
            select(Enterprise).where(Enterprise.cluster_id == cluster.id).order_by(Enterprise.name)
        )
    )
    found = latest_of([e.id for e in enterprises], q)
    assessed = list(found.values())
    size = size or per_session()
    return ClusterNeeds(
        cluster,
        [(e, found.get(e.id)) for e in enterprises],
        mean_gaps(assessed, q),
        plan(assessed, q, size),
        size,
    )


def cluster_counts() -> list[tuple[Cluster, int, int]]:
    """Every cluster with its number of enterprises and of those assessed."""
    clusters = list(db.session.scalars(select(Cluster).order_by(Cluster.name)))
    enterprises = db.session.execute(select(Enterprise.id, Enterprise.cluster_id)).all()
    assessed = latest_of([i for i, _c in enterprises])
    return [
        (
            cluster,
            sum(1 for _i, c in enterprises if c == cluster.id),
            sum(1 for i, c in enterprises if c == cluster.id and i in assessed),
        )
        for cluster in clusters
    ]


def load_demo(password: str) -> list[tuple[str, str]]:
    """A complete assessment, answered at random (seeded by name), for each enterprise that has
    none yet; idempotent."""
    q = questionnaire()
    if not q.usable:
        return []
    started = set(db.session.scalars(select(Assessment.enterprise_id)))
    for enterprise in db.session.scalars(select(Enterprise).order_by(Enterprise.id)).all():
        if enterprise.id in started:
            continue
        rng = random.Random(zlib.crc32(enterprise.name.encode("utf-8")))
        answers = {question.id: rng.choice(question.options).id for question in q.questions}
        submit(enterprise, answers, None, "bn_BD" if country_of(enterprise) == "BD" else "bn")
    return []
