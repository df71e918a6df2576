"""Demo data: learners who finished the basic course with different scores, so the advanced
course has eligible and ineligible learners, a trainer's admission, and a session."""

from __future__ import annotations

import random

from sqlalchemy import select

from ..accounts import services as accounts
from ..content import services as content
from ..db import db
from ..programme.models import TrainingSession
from ..quiz import services as quiz
from ..quiz.demo import take_test
from . import services

BASIC, ADVANCED = "basic", "export-advanced"
#: Who finishes the basic course, and how likely each answer is right: the demo learner well,
#: the others from well to just enough.
FINISHERS = (
    ("learner@demo.dakshata.org", 0.97),
    ("learner01@demo.dakshata.org", 0.95),
    ("learner02@demo.dakshata.org", 0.85),
    ("learner03@demo.dakshata.org", 0.6),
    ("learner04@demo.dakshata.org", 0.6),
)
#: A learner the trainer admits to the advanced course, and why.
ADMITTED = (
    "learner02@demo.dakshata.org",
    # As a trainer in Kolkata writes it: "Scored just under 85%, but already ships to two
    # buyers in Europe; needs the export documents now."
    "৮৫%-এর সামান্য নিচে পেয়েছেন, কিন্তু ইউরোপের দুই ক্রেতাকে মাল পাঠান; রপ্তানির কাগজপত্র এখনই দরকার।",
)
TRAINER = "trainer@demo.dakshata.org"


def load(password: str) -> list[tuple[str, str]]:
    """Idempotent: the tests are taken once, the admission and the session set once."""
    basic, advanced = services.get(BASIC), services.get(ADVANCED)
    if basic is None or advanced is None:
        return []
    rng = random.Random(2027)
    for email, chance in FINISHERS:
        user = accounts.find_user(email)
        if user is not None:
            _finish(user, basic.modules, chance, rng)
    learner, trainer = accounts.find_user(ADMITTED[0]), accounts.find_user(TRAINER)
    if learner is not None and services.admission(advanced.id, learner.id) is None:
        services.admit(advanced, learner.id, ADMITTED[1], trainer.id if trainer else None)
    _teach(advanced.id)
    return []


def _finish(user, slugs: tuple[str, ...], chance: float, rng: random.Random) -> None:  # noqa: ANN001
    """Read and pass the final test of each module of the course not yet certified."""
    from ..certificates import services as certificates

    for slug in slugs:
        module = content.library().get(slug)
        if module is None or quiz.bank_for(module) is None:
            continue
        if certificates.find(user.id, "module", slug) is not None:
            continue
        take_test(user, module, "post", chance, 20, rng)
        content.read_all(user.id, slug, len(module.docs["en"].pages))


def _teach(course_id: str) -> None:
    """The latest planned session teaches the advanced course."""
    if services.sessions_of(course_id):
        return
    session = db.session.scalar(select(TrainingSession).order_by(TrainingSession.held_on.desc()))
    if session is not None and services.course_of_session(session.id) is None:
        services.set_session_course(session.id, course_id)
