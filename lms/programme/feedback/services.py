"""End-of-session feedback: the questions, who answers which, saving, and the summaries per
session, trainer and module (means of 1-5 ratings, anonymous comments)."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import fmean
from typing import Any
from zoneinfo import ZoneInfo

from babel import numbers as babel_numbers
from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from ... import signals
from ...content import services as content
from ...db import db
from ...i18n import _, _l, format_number, locale_code, locale_info, localise_digits, parse_digits
from .. import scope
from ..models import Beneficiary, Enrolment, Feedback, SessionTrainer, TrainingSession

ROLES = ("participant", "trainer")
QUESTIONS: dict[str, list[tuple[str, Any]]] = {
    "participant": [
        ("overall", _l("Overall, how was this session?")),
        ("useful", _l("Was it useful for my business?")),
        ("clear", _l("Did the trainer explain clearly?")),
        ("pace", _l("Was the pace right?")),
        ("language", _l("Were the materials in my language clear?")),
    ],
    "trainer": [
        ("engaged", _l("Were the participants engaged?")),
        ("venue", _l("Were the venue and equipment good?")),
        ("time", _l("Was there enough time?")),
        ("materials", _l("Did the materials work?")),
        ("overall", _l("Overall, how was this session?")),
    ],
}
#: Column headings of the summaries.
SHORT_LABELS: dict[str, Any] = {
    "overall": _l("Overall"),
    "useful": _l("Useful"),
    "clear": _l("Clear"),
    "pace": _l("Pace"),
    "language": _l("Language"),
    "engaged": _l("Engaged"),
    "venue": _l("Venue"),
    "time": _l("Time"),
    "materials": _l("Materials"),
}
#: The five answers to every question, each drawn with a face from sad to happy.
SCALE: list[tuple[int, Any]] = [
    (1, _l("Very poor")),
    (2, _l("Poor")),
    (3, _l("OK")),
    (4, _l("Good")),
    (5, _l("Very good")),
]
MAX_COMMENT = 2000
#: Participants see sessions held this many days ago (or later) on their feedback list.
LIST_DAYS = 30


def today() -> date:
    """Today where the programme runs (the reader's time zone: Kolkata or Dhaka)."""
    return datetime.now(ZoneInfo(locale_info().timezone)).date()


def format_mean(value: float | None) -> str:
    """A mean rating with one decimal, in the reader's digits (``—`` when nobody answered)."""
    if value is None:
        return "—"
    text = babel_numbers.format_decimal(value, "#,##0.0", locale=locale_info().format_locale)
    return localise_digits(text)


# Answering.


def role_for(session: TrainingSession, user_id: int) -> str | None:
    """``trainer`` for the session's trainers, ``participant`` for anyone enrolled (present or
    not: attendance is sometimes taken late), else ``None``."""
    if any(t.id == user_id for t in session.trainers):
        return "trainer"
    if any(e.beneficiary.user_id == user_id for e in session.enrolments):
        return "participant"
    return None


def clean(role: str, form: Mapping[str, Any]) -> tuple[dict[str, int], str, dict[str, str]]:
    """Ratings and comment from a form, and the problems by field (question id or ``comment``)."""
    ratings: dict[str, int] = {}
    problems: dict[str, str] = {}
    for question, _label in QUESTIONS[role]:
        raw = parse_digits(str(form.get(question) or "")).strip()
        if not raw:
            problems[question] = _("Please choose one answer.")
        elif raw not in ("1", "2", "3", "4", "5"):
            problems[question] = _("Choose one of the five answers, from Very poor to Very good.")
        else:
            ratings[question] = int(raw)
    comment = str(form.get("comment") or "").replace("\r\n", "\n").strip()
    if len(comment) > MAX_COMMENT:
        problems["comment"] = _(
            "Please shorten your comment to at most %(num)s characters.",
            num=format_number(MAX_COMMENT),
        )
    return ratings, comment, problems


def mine(session_id: int, user_id: int) -> Feedback | None:
    return db.session.scalar(
        select(Feedback).where(Feedback.session_id == session_id, Feedback.user_id == user_id)
    )


def save(
    session: TrainingSession, user_id: int, role: str, ratings: dict[str, int], comment: str
) -> Feedback:
    """Keep one answer per person and session: sending again replaces the earlier one."""
    row = mine(session.id, user_id)
    if row is None:
        row = Feedback(session_id=session.id, user_id=user_id)
        db.session.add(row)
    row.role, row.ratings, row.comment, row.locale = role, dict(ratings), comment, locale_code()
    try:
        db.session.commit()
    except IntegrityError:  # the same form sent twice at once: the other one is saved, update it
        db.session.rollback()
        return save(session, user_id, role, ratings, comment)
    signals.feedback_given.send(current_app._get_current_object(), feedback=row)
    return row


def awaiting(user_id: int, on: date) -> list[tuple[TrainingSession, Feedback | None]]:
    """The user's sessions (enrolled or training) of the last ``LIST_DAYS`` days, newest first,
    each with the feedback already given (or ``None``)."""
    enrolled = (
        select(Enrolment.session_id)
        .join(Beneficiary, Beneficiary.id == Enrolment.beneficiary_id)
        .where(Beneficiary.user_id == user_id)
    )
    trained = select(SessionTrainer.session_id).where(SessionTrainer.user_id == user_id)
    sessions = db.session.scalars(
        select(TrainingSession)
        .where(
            TrainingSession.held_on.between(on - timedelta(days=LIST_DAYS), on),
            or_(TrainingSession.id.in_(enrolled), TrainingSession.id.in_(trained)),
        )
        .order_by(TrainingSession.held_on.desc(), TrainingSession.id.desc())
    ).all()
    given = {
        f.session_id: f
        for f in db.session.scalars(
            select(Feedback).where(
                Feedback.user_id == user_id, Feedback.session_id.in_([s.id for s in sessions])
            )
        )
    }
    return [(s, given.get(s.id)) for s in sessions]


# Summaries.


@dataclass
class SummaryRow:
    """Feedback on one session, trainer or module, from one role."""

    key: str
    label: str
    held_on: date | None = None
    responses: list[Feedback] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.responses)

    def mean(self, question: str) -> float | None:
        return _mean(f.ratings.get(question) for f in self.responses)

    @property
    def overall(self) -> float | None:
        """The mean of every rating given, over all questions."""
        return _mean(v for f in self.responses for v in f.ratings.values())

    @property
    def comments(self) -> list[str]:
        return [f.comment for f in self.responses if f.comment]


def _mean(values: Iterable[Any]) -> float | None:
    kept = [v for v in values if isinstance(v, int) and 1 <= v <= 5]
    return fmean(kept) if kept else None


def _responses(filters: scope.Filters, role: str) -> list[tuple[TrainingSession, list[Feedback]]]:
    sessions = scope.sessions(filters)
    by_session: dict[int, list[Feedback]] = {s.id: [] for s in sessions}
    query = (
        select(Feedback)
        .where(Feedback.session_id.in_(list(by_session)), Feedback.role == role)
        .order_by(Feedback.created_at, Feedback.id)
    )
    for row in db.session.scalars(query):
        by_session[row.session_id].append(row)
    return [(s, by_session[s.id]) for s in sessions]


def summary_by_session(filters: scope.Filters, role: str = "participant") -> list[SummaryRow]:
    return [
        SummaryRow(str(s.id), s.title, s.held_on, responses)
        for s, responses in _responses(filters, role)
    ]


def summary_by_trainer(filters: scope.Filters, role: str = "participant") -> list[SummaryRow]:
    """Feedback on a session counts for each of its trainers (only the filtered trainer's row
    when the filters name one)."""
    rows: dict[int, SummaryRow] = {}
    for session, responses in _responses(filters, role):
        for trainer in session.trainers:
            if filters.trainer_id is not None and trainer.id != filters.trainer_id:
                continue
            row = rows.setdefault(trainer.id, SummaryRow(str(trainer.id), trainer.name))
            row.responses.extend(responses)
    return sorted(rows.values(), key=lambda r: r.label.lower())


def summary_by_module(filters: scope.Filters, role: str = "participant") -> list[SummaryRow]:
    """Feedback on a session counts for each module taught in it (in order of first teaching)."""
    rows: dict[str, SummaryRow] = {}
    for session, responses in _responses(filters, role):
        for slug in session.module_slugs:
            rows.setdefault(slug, SummaryRow(slug, module_title(slug))).responses.extend(responses)
    return list(rows.values())


def module_title(slug: str) -> str:
    module = content.library().get(slug)
    return content.title(module, locale_code()) if module is not None else slug


SUMMARIES = {
    "session": summary_by_session,
    "trainer": summary_by_trainer,
    "module": summary_by_module,
}


def export_table(tab: str, role: str, rows: list[SummaryRow]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of a summary table for CSV/XLSX (means rounded to 2 decimals)."""
    questions = [q for q, _label in QUESTIONS[role]]
    header = [tab, *(["date"] if tab == "session" else []), "responses", *questions, "mean"]
    if tab == "session":
        header.append("comments")
    table = []
    for row in rows:
        means = [_round(row.mean(q)) for q in questions]
        line: list[Any] = [row.label, *([row.held_on] if tab == "session" else [])]
        line += [row.count, *means, _round(row.overall)]
        if tab == "session":
            line.append("\n".join(row.comments))
        table.append(line)
    return header, table


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


# Demo data.


DEMO_COMMENTS = {
    "participant": [
        "হাতে-কলমে উদাহরণগুলো খুব কাজের ছিল।",
        "আরও সময় পেলে ভালো হত।",
        "রিটার্ন ফাইল করার ধাপগুলো এবার বুঝেছি।",
        "The examples from our own cluster helped.",
    ],
    "trainer": [
        "The projector stopped twice; we used the printed handouts.",
        "অংশগ্রহণকারীরা অনেক প্রশ্ন করেছেন।",
    ],
}


def load_demo(password: str) -> list[tuple[str, str]]:
    """Feedback from those present at sessions already held (idempotent, deterministic)."""
    held = db.session.scalars(
        select(TrainingSession).where(TrainingSession.held_on <= today())
    ).all()
    for session in held:
        for user_id, role in _answerers(session):
            if mine(session.id, user_id) is not None:
                continue
            rng = random.Random(session.id * 100_003 + user_id)
            ratings = {q: rng.choice((3, 4, 4, 5, 5)) for q, _label in QUESTIONS[role]}
            comment = rng.choice(DEMO_COMMENTS[role]) if rng.random() < 0.3 else ""
            db.session.add(
                Feedback(
                    session_id=session.id,
                    user_id=user_id,
                    role=role,
                    ratings=ratings,
                    comment=comment,
                )
            )
    db.session.commit()
    return []


def _answerers(session: TrainingSession) -> list[tuple[int, str]]:
    people = {t.id: "trainer" for t in session.trainers}
    for enrolment in session.enrolments:
        user_id = enrolment.beneficiary.user_id
        if enrolment.present and user_id is not None:
            people.setdefault(user_id, "participant")
    return list(people.items())
