"""Courses of one app: the files (re-read when one changes), each learner's record, the course
certificate, trainers' admissions, and the eligibility list. No request needed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import and_, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from ..accounts import services as accounts
from ..accounts.models import User
from ..certificates import services as certificates
from ..certificates.achievements import AchievementText, number
from ..certificates.models import Certificate
from ..content import services as content
from ..content.source import CONTENT_LOCALES, stat_signature
from ..countries import country_of
from ..db import db
from ..i18n import N_, gettext_in
from ..programme.models import Mentorship, TrainingSession
from ..programme.records.services import cluster_countries
from ..quiz.models import Attempt
from ..state import per_request, state
from . import paths
from .definitions import FOLDER, Catalogue, Course, load
from .models import CourseAdmission, CourseSession

_CACHE = "courses"
#: The longest admission reason kept.
MAX_REASON = 500


class AdmissionError(ValueError):
    """Why an admission was refused (a lazy message, translated where it is shown)."""


def folder() -> Path:
    return content.library().root


def catalogue() -> Catalogue:
    """The courses under the content folder, read again when a file changes (cached per app;
    the files are looked at once per request)."""
    cache = state().cache(_CACHE)
    root = folder()
    sig = per_request(
        (_CACHE, str(root)), lambda: (str(root), stat_signature((root / FOLDER).glob("*.yaml")))
    )
    if cache.get("signature") != sig:
        cache["catalogue"] = load(root)
        cache["signature"] = sig
    return cache["catalogue"]


def get(course_id: str) -> Course | None:
    return catalogue().get(course_id)


def course_title(course: Course, locale: str) -> str:
    return course.text("title", content.locale_chain(locale))


# Records -----------------------------------------------------------------------------------


def records(user_ids: Iterable[int]) -> dict[int, paths.Record]:
    """Each learner's :class:`paths.Record`, in four queries whatever their number."""
    ids = list(user_ids)
    if not ids:
        return {}
    certified: dict[int, dict[str, float]] = defaultdict(dict)
    for user_id, slug, best in _certified(ids):
        certified[user_id][slug] = float(best or 0)
    held: dict[int, set[str]] = defaultdict(set)
    for user_id, course_id in db.session.execute(
        select(Certificate.user_id, Certificate.achievement_id).where(
            Certificate.user_id.in_(ids),
            Certificate.kind == "course",
            Certificate.revoked_at.is_(None),
        )
    ):
        held[user_id].add(course_id)
    mentored = set(
        db.session.scalars(
            select(Mentorship.user_id).where(
                Mentorship.user_id.in_(ids), Mentorship.status != "declined"
            )
        )
    )
    admitted: dict[int, dict[str, str]] = defaultdict(dict)
    for row in db.session.scalars(select(CourseAdmission).where(CourseAdmission.user_id.in_(ids))):
        admitted[row.user_id][row.course_id] = row.reason
    return {
        user_id: paths.Record(
            certified=certified[user_id],
            course_certificates=frozenset(held[user_id]),
            mentorship=user_id in mentored,
            admissions=admitted[user_id],
        )
        for user_id in ids
    }


def _certified(ids: list[int]) -> list[Any]:
    """``(user, module, best post-test percent)`` of every valid module certificate."""
    best = (
        select(
            Attempt.user_id,
            Attempt.module_id,
            func.max(100.0 * Attempt.score / func.nullif(Attempt.max_score, 0)).label("best"),
        )
        .where(Attempt.user_id.in_(ids), Attempt.kind == "post", Attempt.submitted_at.is_not(None))
        .group_by(Attempt.user_id, Attempt.module_id)
        .subquery()
    )
    query = (
        select(Certificate.user_id, Certificate.achievement_id, best.c.best)
        .outerjoin(
            best,
            and_(
                best.c.user_id == Certificate.user_id,
                best.c.module_id == Certificate.achievement_id,
            ),
        )
        .where(
            Certificate.user_id.in_(ids),
            Certificate.kind == "module",
            Certificate.revoked_at.is_(None),
        )
    )
    return list(db.session.execute(query))


def record(user_id: int) -> paths.Record:
    return records([user_id])[user_id]


def learner_path(user_id: int) -> list[paths.CourseState]:
    return paths.path(catalogue(), record(user_id))


# The course certificate --------------------------------------------------------------------


def maybe_issue(user_id: int, course_id: str | None = None) -> list[Certificate]:
    """Issue the certificate of every course (or of ``course_id``) the learner has finished and
    may take; returns those issued now."""
    found = catalogue()
    learner = record(user_id)
    issued = []
    for course in found.courses:
        if course_id not in (None, course.id) or course.id in learner.course_certificates:
            continue
        now = paths.state_of(course, learner, found)
        if now.state == paths.DONE and now.score is not None:
            certificate = _issue(user_id, course, now.score)
            if certificate is not None:
                issued.append(certificate)
    return issued


def may_complete(user_id: int, slug: str) -> bool:
    """Whether the learner's new certificate of module ``slug`` can complete a course: one that
    teaches or requires it and all of whose modules they hold. One query; working out their
    courses (:func:`maybe_issue`) takes several, for every module certificate issued."""
    found = catalogue().mentioning(slug)
    if not found:
        return False
    held = set(
        db.session.scalars(
            select(Certificate.achievement_id).where(
                Certificate.user_id == user_id,
                Certificate.kind == "module",
                Certificate.achievement_id.in_({m for c in found for m in c.modules}),
            )
        )
    )
    return any(held.issuperset(c.modules) for c in found)


def _issue(user_id: int, course: Course, score: float) -> Certificate | None:
    about = achievement(course.id, "en")
    if about is None:
        return None
    band = certificates.band_for(score, 0) or "pass"
    titles = {loc: course.text("title", content.locale_chain(loc)) for loc in CONTENT_LOCALES}
    facts = {**about.about(), "evidence": evidence(user_id, course)}
    return certificates.issue(user_id, "course", course.id, titles, score, band, facts)


def evidence(user_id: int, course: Course) -> list[dict[str, Any]]:
    """OB 3.0 ``Evidence``: each module certificate the course certificate rests on, by its
    public verification address, name and score band."""
    held = {
        c.achievement_id: c
        for c in db.session.scalars(
            select(Certificate).where(
                Certificate.user_id == user_id,
                Certificate.kind == "module",
                Certificate.achievement_id.in_(course.modules),
            )
        )
    }
    return [
        {
            "id": certificates.absolute("lms.certificates.verify_json", code=held[slug].code),
            "type": ["Evidence"],
            "name": held[slug].titles.get("en") or slug,
            "description": gettext_in("en", N_("Module certificate %(code)s, score band: %(band)s"))
            % {"code": held[slug].code, "band": held[slug].score_band},
        }
        for slug in course.modules
        if slug in held
    ]


def achievement(course_id: str, locale: str) -> AchievementText | None:
    """The course's achievement in ``locale`` (``state.achievement_sources``)."""
    course = get(course_id)
    if course is None:
        return None
    chain = content.locale_chain(locale)
    library = content.library()
    titles = [
        content.title(module, locale) if (module := library.get(slug)) is not None else slug
        for slug in course.modules
    ]
    criteria = gettext_in(
        locale,
        N_(
            "Took the course as it was open to them and earned the certificate of each of its "
            "%(count)s modules: %(modules)s."
        ),
    ) % {"count": number(locale, len(course.modules)), "modules": ", ".join(titles)}
    return AchievementText(
        course.text("title", chain),
        course.text("summary", chain),
        criteria,
        course.level,
        ["course"],
        kind="course",
    )


# Admissions and sessions ------------------------------------------------------------------


def admit(course: Course, user_id: int, reason: str, by: int | None) -> CourseAdmission:
    """Admit a learner to ``course`` with the trainer's reason; admitting again changes the
    reason. Issues the course certificate if the learner has already finished the modules."""
    reason = " ".join(reason.split())[:MAX_REASON]
    if not course.trainer_may_admit:
        raise AdmissionError(N_("This course takes no trainer's admission."))
    if not reason:
        raise AdmissionError(N_("Write why you admit this learner."))
    if db.session.get(User, user_id) is None:
        raise AdmissionError(N_("No such learner."))
    row = admission(course.id, user_id) or CourseAdmission(course_id=course.id, user_id=user_id)
    row.reason, row.admitted_by_id = reason, by
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:  # admitted at the same moment by another trainer: theirs stands
        db.session.rollback()
        row = admission(course.id, user_id)
        assert row is not None
    maybe_issue(user_id, course.id)
    return row


def admission(course_id: str, user_id: int) -> CourseAdmission | None:
    return db.session.scalar(
        select(CourseAdmission).where(
            CourseAdmission.course_id == course_id, CourseAdmission.user_id == user_id
        )
    )


def withdraw(course_id: str, user_id: int) -> bool:
    """Take an admission back (a certificate already issued stays)."""
    done = db.session.execute(
        delete(CourseAdmission).where(
            CourseAdmission.course_id == course_id, CourseAdmission.user_id == user_id
        )
    )
    db.session.commit()
    return bool(done.rowcount)


def sessions_of(course_id: str) -> list[TrainingSession]:
    return list(
        db.session.scalars(
            select(TrainingSession)
            .join(CourseSession, CourseSession.session_id == TrainingSession.id)
            .where(CourseSession.course_id == course_id)
            .order_by(TrainingSession.held_on)
        )
    )


def course_of_session(session_id: int) -> str | None:
    return db.session.scalar(
        select(CourseSession.course_id).where(CourseSession.session_id == session_id)
    )


def set_session_course(session_id: int, course_id: str | None) -> None:
    """The course ``session_id`` teaches (``None``: none)."""
    db.session.execute(delete(CourseSession).where(CourseSession.session_id == session_id))
    if course_id is not None:
        db.session.add(CourseSession(session_id=session_id, course_id=course_id))
    db.session.commit()


def sessions_without_course() -> list[TrainingSession]:
    taken = select(CourseSession.session_id)
    return list(
        db.session.scalars(
            select(TrainingSession)
            .where(TrainingSession.id.not_in(taken))
            .order_by(TrainingSession.held_on.desc())
        )
    )


# The eligibility list ----------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    user: User
    country: str
    state: paths.CourseState
    #: The admitting trainer's name, when admitted.
    admitted_by: str | None = None
    #: Their score in each course the course's prerequisites and routes name.
    scores: dict[str, float | None] = field(default_factory=dict)


def candidates(course: Course, country: str | None = None) -> list[Candidate]:
    """Every learner (of ``country`` when given) with their state for ``course``: those who
    may take it first, then by name."""
    everyone = list(
        db.session.scalars(
            select(User)
            .where(User.id.in_(accounts.learner_ids()))
            .options(lazyload(User.role_rows))  # the list needs none of their roles
        )
    )
    where = countries(everyone)
    listed = [u for u in everyone if country is None or where[u.id] == country]
    ids = [u.id for u in listed]
    found = records(ids)
    by = dict(
        db.session.execute(
            select(CourseAdmission.user_id, User.name)
            .join(User, User.id == CourseAdmission.admitted_by_id)
            .where(CourseAdmission.course_id == course.id, CourseAdmission.user_id.in_(ids))
        ).all()
    )
    known = catalogue()
    needed = [c for cid in dict.fromkeys(course.needs) if (c := known.get(cid)) is not None]
    made = [
        Candidate(
            u,
            where[u.id],
            paths.state_of(course, found[u.id], known),
            by.get(u.id),
            {c.id: paths.course_score(c, found[u.id]) for c in needed},
        )
        for u in listed
    ]
    return sorted(made, key=lambda c: (not c.state.eligible, c.user.name.casefold()))


def countries(users: Iterable[User]) -> dict[int, str]:
    """Each learner's country, as :func:`lms.countries.country_of` gives it: their enterprise's
    cluster's (one query for all), else their own choice, else the app's default."""
    listed = list(users)
    clusters = cluster_countries(u.id for u in listed)
    return {u.id: clusters.get(u.id) or country_of(u) for u in listed}
