"""A programme at scale, for benchmarks: ``flask lms demo --scale N``.

Scale 1 is the issue's programme: 500 enterprises in five clusters, 2,500 beneficiaries, 50
sessions of 50 enrolled (about 46 present), every one present with an account who takes the
pre- and post-test of the session's modules (a quarter of sessions teach two), most of those
whose session was a month ago the retention test; about 7,500 scored attempts, 2,300
certificates, 500 needs assessments, feedback from most participants and every trainer, and the
top 10 % referred to mentors. Everything grows linearly with N (N = 10: 25,000 beneficiaries).

The data goes through the library's own functions, so it is what the app itself would store:
imports of enterprises and beneficiaries (validated CSV, as an admin uploads), the programme
and session forms' services, ``enrol`` and ``mark``, the quiz's ``start_attempt`` (drawing) and
``submit`` (scoring), reading progress whose completion issues the certificate (signing), the
needs questionnaire's ``submit``, feedback's ``save`` and the mentorship list's ``refer_top``.
Shortcuts, each for speed only: participants' accounts share one password hash made by the
accounts' hasher (hashing 25,000 passwords would take half an hour) and are inserted as
``create_user`` would; the answers of an attempt are saved in the transaction that submits it;
objects are not reloaded after every commit. Deterministic: one ``random.Random(seed)`` draws
everything, the quiz's attempt seeds included.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts import services as accounts
from ..accounts.models import ADMIN, LEARNER, TRAINER, User, UserRole
from ..content import services as content
from ..db import db
from ..quiz import services as quiz
from ..quiz.models import Answer, Attempt
from .demo import ENTERPRISE_WORDS, SEGMENT_OF, _person, category, registration
from .feedback import services as feedback
from .mentorship import services as mentorship
from .models import Beneficiary, Enterprise, Programme, TrainingSession
from .needs import services as needs
from .records import programmes, services, tables
from .sessions import training

#: Per unit of scale.
SESSIONS = 50
PER_SESSION = 50
PER_ENTERPRISE = 5
CLUSTERS = (
    ("Tangra", "IN"),
    ("Bantala (Kolkata Leather Complex)", "IN"),
    ("Tiljala", "IN"),
    ("Topsia", "IN"),
    ("Savar (Tannery Estate)", "BD"),
)
#: The modules a session teaches, in turn: one in four sessions teaches two.
MODULE_PLAN = (
    ("gst-vat",),
    ("cleaner-production",),
    ("e-commerce", "branding"),
    ("export-readiness",),
)
PRESENT = 0.92
RETENTION = 0.85
FEEDBACK = 0.7
ADMIN_EMAIL = "admin@scale.dakshata.org"
DOMAIN = "scale.dakshata.org"
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Plan:
    """How much of everything scale ``scale`` makes."""

    scale: float

    @property
    def sessions(self) -> int:
        return max(1, round(SESSIONS * self.scale))

    @property
    def beneficiaries(self) -> int:
        return self.sessions * PER_SESSION

    @property
    def enterprises(self) -> int:
        return self.beneficiaries // PER_ENTERPRISE

    @property
    def trainers(self) -> int:
        return max(2, round(10 * self.scale))

    @property
    def name(self) -> str:
        return f"Leather MSME programme at scale {self.scale:g}"


def demo(scale: float, password: str, progress: Progress = print) -> str:
    """``flask lms demo --scale N`` (``state.scale_demo``): make the programme; returns the
    e-mail address of its admin."""
    generate(scale, password, progress=progress)
    return ADMIN_EMAIL


def generate(
    scale: float, password: str, seed: int = 2026, progress: Progress = print
) -> Programme:
    """Make the programme of ``scale`` (once: found again by its name)."""
    plan = Plan(scale)
    existing = db.session.scalar(select(Programme).where(Programme.name == plan.name))
    if existing is not None:
        return existing
    rng, began = random.Random(seed), time.perf_counter()
    with _fast_session(), _seeded_draws(rng):
        _staff(plan, password)
        today = date.today()
        programme = _programme(plan, today)
        enterprises = _enterprises(plan, rng)
        progress(f"scale {scale:g}: {len(enterprises):,} enterprises")
        people = _beneficiaries(plan, rng, enterprises)
        progress(f"scale {scale:g}: {len(people):,} beneficiaries")
        hashed = accounts.generate_password_hash(password)
        for number in range(plan.sessions):
            # Each session on a clean session: the quiz's UPDATE looks through every object
            # the ORM session holds, so holding thousands would make each submit slower.
            db.session.expunge_all()
            session = _session(plan, programme.id, number, today)
            group = _people(people[number * PER_SESSION : (number + 1) * PER_SESSION])
            attempts = _hold(session, group, hashed, rng, today)
            if (number + 1) % max(1, plan.sessions // 20) == 0 or number + 1 == plan.sessions:
                progress(
                    f"scale {scale:g}: session {number + 1}/{plan.sessions} "
                    f"({attempts} attempts), {time.perf_counter() - began:,.0f} s"
                )
        db.session.expunge_all()
        _assessments(rng)
        mentorship.refer_top(programme.id)
        _mentors(programme.id, today)
    progress(f"scale {scale:g}: done in {time.perf_counter() - began:,.0f} s")
    return programme


@contextlib.contextmanager
def _fast_session() -> Iterator[None]:
    """Objects stay loaded after a commit (this process is the database's only writer)."""
    session = db.session()
    before, session.expire_on_commit = session.expire_on_commit, False
    try:
        yield
    finally:
        session.expire_on_commit = before


@contextlib.contextmanager
def _seeded_draws(rng: random.Random) -> Iterator[None]:
    """The quiz draws each attempt's items from a seed of ``secrets``; here from ``rng``."""
    original = getattr(quiz, "secrets", None)
    if original is not None:
        quiz.secrets = SimpleNamespace(randbelow=rng.randrange)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        if original is not None:
            quiz.secrets = original  # type: ignore[attr-defined]


def _staff(plan: Plan, password: str) -> None:
    if accounts.find_user(ADMIN_EMAIL) is None:
        accounts.create_user(ADMIN_EMAIL, "Programme Officer", password, [ADMIN], locale="bn")
    for number in range(1, plan.trainers + 1):
        email = f"trainer{number:03}@{DOMAIN}"
        if accounts.find_user(email) is None:
            accounts.create_user(email, f"প্রশিক্ষক {number}", password, [TRAINER], locale="bn")


def _programme(plan: Plan, today: date) -> Programme:
    start, end = today - timedelta(days=200), today + timedelta(days=20)

    def day(offset: int) -> str:
        return (start + timedelta(days=offset)).isoformat()

    form = {
        "name": plan.name,
        "starts_on": start.isoformat(),
        "ends_on": end.isoformat(),
        "target_sessions": str(plan.sessions),
        "target_per_session": "45",
        "target_women_share": "30",
        "target_marginalised_share": "30",
        "assessment_starts_on": day(0),
        "assessment_due_on": day(30),
        "assessment_done_on": day(28),
        "content_starts_on": day(0),
        "content_due_on": day(40),
        "content_done_on": day(45),
        "delivery_starts_on": day(10),
        "delivery_due_on": day(200),
        "retention_starts_on": day(45),
        "retention_due_on": end.isoformat(),
    }
    for name, country in CLUSTERS:
        if name.lower() not in services.cluster_index():
            programmes.save_cluster({"name": name, "country": country})
    programme, problems = programmes.save(form)
    if programme is None:
        raise ValueError(f"programme refused: {problems}")
    return programme


def _import(kind: str, header: str, lines: list[str]) -> None:
    """Through the admins' import, in chunks of the most rows it takes at once."""
    run = services.import_enterprises if kind == "enterprises" else services.import_beneficiaries
    for first in range(0, len(lines), tables.MAX_ROWS):
        chunk = "\n".join([header, *lines[first : first + tables.MAX_ROWS]]) + "\n"
        count, problems = run(tables.read(chunk.encode(), f"{kind}.csv"))
        if problems:
            raise ValueError(f"{kind} refused: {problems[:3]}")


def _cluster_of(enterprise_number: int) -> tuple[str, str]:
    """Enterprises come in tens, one session's worth, each ten in one cluster."""
    return CLUSTERS[(enterprise_number // (PER_SESSION // PER_ENTERPRISE)) % len(CLUSTERS)]


def enterprise_row(number: int, rng: random.Random) -> dict[str, str]:
    """Enterprise ``number``'s row of the import, by column."""
    cluster, country = _cluster_of(number)
    word = ENTERPRISE_WORDS[number % len(ENTERPRISE_WORDS)]
    return {
        "name": f"{cluster.split(' (')[0]} {word} {number + 1}",
        "cluster": cluster,
        "segment": SEGMENT_OF[word],
        **registration(country, number + 1, 19, registered=bool(number % 4)),
        "women_led": "yes" if rng.random() < 0.3 else "no",
        "employees": str(rng.randint(5, 120)),
    }


def _enterprises(plan: Plan, rng: random.Random) -> list[Enterprise]:
    lines = []
    for number in range(plan.enterprises):
        row = enterprise_row(number, rng)
        lines.append(",".join(row.get(column, "") for column in services.COLUMNS))
    _import("enterprises", ",".join(services.COLUMNS), lines)
    names = [line.split(",")[0] for line in lines]
    found = {e.name: e for e in db.session.scalars(select(Enterprise))}
    return [found[name] for name in names]


def _beneficiaries(plan: Plan, rng: random.Random, enterprises: list[Enterprise]) -> list[int]:
    """Five people per enterprise, imported; their ids in enterprise order (session groups)."""
    lines = []
    for enterprise in enterprises:
        country = enterprise.cluster.country if enterprise.cluster else "IN"
        for _n in range(PER_ENTERPRISE):
            name, gender, language = _person(rng, country)
            consent = rng.random() < 0.75
            category_code = category(rng, country) if consent else ""
            phone = _phone(rng, country) if rng.random() < 0.7 else ""
            lines.append(
                f"{enterprise.name},{name},{gender},{phone},{language},{category_code},"
                f"{'yes' if consent else 'no'}"
            )
    _import("beneficiaries", ",".join(services.BENEFICIARY_COLUMNS), lines)
    order = {enterprise.id: index for index, enterprise in enumerate(enterprises)}
    rows = db.session.execute(
        select(Beneficiary.id, Beneficiary.enterprise_id).where(
            Beneficiary.enterprise_id.in_(list(order))
        )
    ).all()
    return [row.id for row in sorted(rows, key=lambda row: (order[row.enterprise_id], row.id))]


def _people(ids: list[int]) -> list[Beneficiary]:
    query = (
        select(Beneficiary)
        .options(selectinload(Beneficiary.enterprise))
        .where(Beneficiary.id.in_(ids))
        .order_by(Beneficiary.id)
    )
    return list(db.session.scalars(query))


def _phone(rng: random.Random, country: str) -> str:
    prefix = "98" if country == "IN" else "017"
    return f"{prefix}{rng.randrange(10**8):08d}"


def _session(plan: Plan, programme_id: int, number: int, today: date) -> TrainingSession:
    """Sessions spread evenly from ten days after the start to three days ago."""
    programme = db.session.get(Programme, programme_id)
    first, last = programme.starts_on + timedelta(days=10), today - timedelta(days=3)
    held_on = first + (last - first) * (number + 0.5) / plan.sessions
    cluster, country = _cluster_of(number * (PER_SESSION // PER_ENTERPRISE))
    trainers = db.session.scalars(
        select(User).join(UserRole).where(UserRole.role == TRAINER, User.email.like(f"%@{DOMAIN}"))
    ).all()
    modules = MODULE_PLAN[number % len(MODULE_PLAN)]
    form = {
        "title": f"{modules[0]} · {cluster.split(' (')[0]} · {number + 1}",
        "venue": f"{cluster} community hall",
        "held_on": held_on.isoformat(),
        "capacity": "60",
        "language": "bn_BD" if country == "BD" else "bn",
        "cluster": cluster,
        "programme": str(programme.id),
        "trainers": [str(trainers[number % len(trainers)].id)],
        "modules": list(modules),
    }
    session, problems = training.save_session(form)
    if session is None:
        raise ValueError(f"session refused: {problems}")
    return session


def _hold(
    session: TrainingSession, group: list, hashed: str, rng: random.Random, today: date
) -> int:
    """Enrol the group, mark who came, give them accounts; their tests, reading, feedback."""
    training.enrol(session, [p.id for p in group])
    present = []
    for person in group:
        if rng.random() < PRESENT:
            training.mark(session, person.id, True, "qr" if rng.random() < 0.2 else "roster")
            present.append(person)
    users = _accounts(present, hashed)
    attempts = 0
    for user in users:
        attempts += _tests(user, session, rng, today)
        if rng.random() < FEEDBACK:
            _feedback(session, user.id, "participant", rng)
    for trainer in session.trainers:
        _feedback(session, trainer.id, "trainer", rng)
    return attempts


def _accounts(people: list, hashed: str) -> list[User]:
    """Learner accounts for those present, linked to their records (one password hash)."""
    made = []
    for person in people:
        user = User(
            email=f"p{person.id:06}@{DOMAIN}",
            name=person.name,
            password_hash=hashed,
            locale=person.preferred_language,
            enterprise_name=person.enterprise.name,
        )
        user.role_rows = [UserRole(role=LEARNER)]
        db.session.add(user)
        made.append(user)
    db.session.flush()
    for person, user in zip(people, made, strict=True):
        person.user_id = user.id
    db.session.commit()
    return made


def _tests(user: User, session: TrainingSession, rng: random.Random, today: date) -> int:
    """Pre- and post-test on the day, reading finished (the certificate, if passed), and the
    retention test a month later for most, when that month has passed."""
    library, taken = content.library(), 0
    ability = rng.uniform(0.25, 0.75)
    start = datetime.combine(session.held_on, clock(5, 0), tzinfo=UTC)
    for slug in session.module_slugs:
        module = library.get(slug)
        if module is None or quiz.bank_for(module) is None:
            continue
        _take(user, module, "pre", ability, start, rng)
        _take(user, module, "post", min(0.95, ability + 0.3), start + timedelta(hours=5), rng)
        pages = len(module.docs["en"].pages)
        content.save_position(user.id, slug, pages, pages, finished=True)
        taken += 2
        retention = start + timedelta(days=31 + rng.randint(0, 4))
        if retention.date() <= today and rng.random() < RETENTION:
            _take(user, module, "retention", min(0.9, ability + 0.2), retention, rng)
            taken += 1
    return taken


def _take(user: User, module, kind: str, chance: float, when: datetime, rng: random.Random) -> None:  # noqa: ANN001
    """Drawn and scored by the quiz; the answers are saved in the transaction that submits."""
    attempt: Attempt = quiz.start_attempt(user.id, module, kind, user.locale or "bn", when)
    for entry in attempt.items:
        if rng.random() < chance:
            answer = entry["data"]["answer"]
            response = answer["value"] if entry["type"] == "numeric" else answer
            attempt.answers.append(Answer(item_id=entry["id"], response=response, saved_at=when))
    quiz.submit(attempt, when + timedelta(minutes=rng.randint(8, 20)))


def _feedback(session: TrainingSession, user_id: int, role: str, rng: random.Random) -> None:
    ratings = {q: rng.choice((2, 3, 4, 4, 5, 5)) for q, _label in feedback.QUESTIONS[role]}
    comment = rng.choice(feedback.DEMO_COMMENTS[role]) if rng.random() < 0.2 else ""
    feedback.save(session, user_id, role, ratings, comment)


def _assessments(rng: random.Random) -> None:
    """Every enterprise's owner answered the needs assessment; one in ten stopped half-way."""
    questionnaire = needs.questionnaire()
    if not questionnaire.usable:
        return
    questions = questionnaire.questions
    for enterprise in db.session.scalars(select(Enterprise).order_by(Enterprise.id)).all():
        answered = questions if rng.random() < 0.9 else questions[: len(questions) // 2]
        answers = {q.id: rng.choice(q.options).id for q in answered}
        locale = "bn_BD" if enterprise.cluster and enterprise.cluster.country == "BD" else "bn"
        needs.submit(enterprise, answers, None, locale)


def _mentors(programme_id: int, today: date) -> None:
    """A third of those referred have a mentor and a first meeting."""
    for index, referral in enumerate(mentorship.mentorships(programme_id)):
        if index % 3:
            continue
        mentors = mentorship.DEMO_MENTORS["IN"]
        mentor, organisation, topic = mentors[index % len(mentors)]
        form = {"mentor_name": mentor, "mentor_organisation": organisation, "status": "active"}
        mentorship.update_mentor(referral, form)
        held_on = (today - timedelta(days=7 + index % 20)).isoformat()
        mentorship.add_meeting(referral, {"held_on": held_on, "notes": topic}, today)
