"""Programme-scale demo data, so the officials' dashboard shows a programme under way: one
programme with targets and milestones, three clusters, ~40 enterprises, ~600 beneficiaries, a
dozen sessions held and two planned, tests and certificates of ~80 participants with accounts,
needs assessments and feedback. Idempotent (made once, found by the programme's name) and
deterministic (``random.Random(2026)``); fast: the password is hashed once and rows are added
in bulk."""

from __future__ import annotations

import random
import secrets
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from ..accounts import services as accounts
from ..accounts.models import LEARNER, TRAINER, User, UserRole
from ..content import services as content
from ..db import db
from ..quiz import services as quiz
from ..quiz.models import Answer, Attempt
from .models import (
    CATEGORIES,
    Assessment,
    Beneficiary,
    Cluster,
    Enrolment,
    Enterprise,
    Milestone,
    Programme,
    SessionModule,
    TrainingSession,
)

NAME = "Leather MSME skills programme 2026–27"
CLUSTERS = (
    ("Tangra", "IN"),
    ("Bantala (Kolkata Leather Complex)", "IN"),
    ("Savar (Tannery Estate)", "BD"),
)
TRAINERS = (
    ("trainer@demo.dakshata.org", "সুব্রত দাস", "bn"),
    ("trainer.kol@demo.dakshata.org", "রীতা মুখার্জি", "bn"),
    ("trainer.bd@demo.dakshata.org", "তানভীর আহমেদ", "bn_BD"),
)


def _words(text: str) -> list[str]:
    return text.split()


#: The demo's own owners: the base demo's learners, each linked to an enterprise.
OWNERS = (
    ("learner@demo.dakshata.org", "Alam Leather Craft"),
    ("learner.en@demo.dakshata.org", "Shampa Bags"),
    ("learner.bd@demo.dakshata.org", None),  # the first enterprise in Savar
)
WOMEN = _words(
    "শম্পা মৌসুমী রুমানা শাহনাজ নাসরিন রীনা সুমিতা পাপিয়া "
    "তানিয়া ফাতেমা রেহানা অনিতা মিতালী সাবিনা জয়া লিপিকা শিউলি "
    "কাকলি দীপালি মমতাজ"
)
MEN = _words(
    "রাজু সুমন তপন গৌতম আরিফ ফারুক ইমরান বিশ্বজিৎ সঞ্জয় মনিরুল "
    "রফিক অমিত প্রদীপ শফিকুল জাহিদ দেবাশিস কামরুল আনোয়ার নির্মল "
    "হাবিব"
)
SURNAMES = _words(
    "দাস মণ্ডল ঘোষ রায় সাহা পাল হোসেন আহমেদ আলী ইসলাম শেখ বিশ্বাস সরকার মল্লিক চৌধুরী নস্কর হালদার মুখার্জি"
)
LATIN = (
    "Kavita Singh",
    "Imran Qureshi",
    "Li Ming Chen",
    "Pooja Agarwal",
    "Mohammed Irfan",
    "Anjali Gupta",
)
ENTERPRISE_WORDS = (
    "Leather Works",
    "Footwear",
    "Tannery",
    "Bags & Belts",
    "Leather Goods",
    "Finishers",
)
SEGMENT_OF = {
    "Leather Works": "leather-goods",
    "Footwear": "footwear",
    "Tannery": "tannery",
    "Bags & Belts": "leather-goods",
    "Leather Goods": "leather-goods",
    "Finishers": "tannery",
}
#: How often each social category is drawn, in the order of ``CATEGORIES[country]``. More of
#: Bangladesh's are Dalit: the Rishi community has long worked leather there.
CATEGORY_WEIGHTS = {"IN": (12, 3, 14, 14, 57), "BD": (4, 14, 9, 73)}
MODULE_PLAN = (
    ("gst-vat", "export-readiness"),
    ("cleaner-production",),
    ("e-commerce", "branding"),
    ("gst-vat",),
)


def load(password: str) -> list[tuple[str, str]]:
    made = _trainers(password)
    if db.session.scalar(select(Programme).where(Programme.name == NAME)) is not None:
        return made
    rng = random.Random(2026)
    today = date.today()
    programme = _programme(today)
    clusters = _clusters()
    people = _beneficiaries(rng, _enterprises(rng, clusters))
    sessions = _sessions(rng, programme, clusters, people, today)
    learners = _accounts(rng, password, sessions, today)
    _link_owners()
    _tests(rng, learners, today)
    _assessments(rng)
    from .feedback import services as feedback
    from .mentorship import services as mentorship

    feedback.load_demo(password)  # feedback on the sessions just made (idempotent)
    mentorship.load_demo(password)  # the new programme's top performers
    return made


def _trainers(password: str) -> list[tuple[str, str]]:
    for email, name, locale in TRAINERS:
        if accounts.find_user(email) is None:
            accounts.create_user(email, name, password, [TRAINER], locale=locale)
    return [(email, TRAINER) for email, _name, _locale in TRAINERS[1:]]


def _programme(today: date) -> Programme:
    start, end = today - timedelta(days=75), today + timedelta(days=45)
    programme = Programme(name=NAME, starts_on=start, ends_on=end)
    plan = {
        "assessment": (start, start + timedelta(days=20), start + timedelta(days=18)),
        "content": (start, start + timedelta(days=35), start + timedelta(days=41)),
        "delivery": (start + timedelta(days=10), end - timedelta(days=10), None),
        "retention": (start + timedelta(days=45), end, None),
    }
    programme.milestones = [
        Milestone(kind=kind, starts_on=s, due_on=due, done_on=done)
        for kind, (s, due, done) in plan.items()
    ]
    db.session.add(programme)
    db.session.commit()
    return programme


def _clusters() -> list[Cluster]:
    found = []
    for name, country in CLUSTERS:
        cluster = db.session.scalar(select(Cluster).where(Cluster.name == name))
        if cluster is None:
            cluster = Cluster(name=name, country=country)
            db.session.add(cluster)
        found.append(cluster)
    db.session.commit()
    return found


def _enterprises(rng: random.Random, clusters: list[Cluster]) -> dict[int, list[Enterprise]]:
    """~40 enterprises (~30 % women-led) with registration numbers of their country's form."""
    by_cluster: dict[int, list[Enterprise]] = {}
    existing = list(db.session.scalars(select(Enterprise)))
    for number in range(1, 41):
        cluster = clusters[number % 3]
        word = ENTERPRISE_WORDS[number % len(ENTERPRISE_WORDS)]
        place = (
            "Savar"
            if cluster.country == "BD"
            else rng.choice(("Kolkata", "Tangra", "Bantala", "Bengal"))
        )
        name = f"{place} {word} {number}" if cluster.country == "IN" else f"Savar {word} {number}"
        enterprise = Enterprise(
            name=name,
            cluster=cluster,
            segment=SEGMENT_OF[word],
            women_led=rng.random() < 0.3,
            employees=rng.randint(5, 120),
            **registration(cluster.country, number, 17, registered=bool(number % 4)),
        )
        db.session.add(enterprise)
        by_cluster.setdefault(cluster.id, []).append(enterprise)
    for enterprise in existing:
        if enterprise.cluster_id in by_cluster:
            by_cluster[enterprise.cluster_id].append(enterprise)
    db.session.commit()
    return by_cluster


def registration(country: str, number: int, series: int, registered: bool) -> dict[str, str]:
    """Registration numbers of the right form for demo enterprise ``number`` of ``country``
    (``series`` keeps the demo's apart from the scale generator's): a Udyam number in India, a
    BIN and an e-TIN in Bangladesh, none for one not ``registered``; every Bangladeshi one has
    its trade licence, which any business there needs."""
    if country == "IN":
        return {"udyam": f"UDYAM-WB-{series}-{number:07d}"} if registered else {}
    found = {"trade_licence": f"SAVAR/TL/{series}{number:04d}/2025-26"}
    if registered:
        found.update(bin=f"00{series}{number:05d}0101", etin=f"3{series}{number:09d}")
    return found


def category(rng: random.Random, country: str) -> str:
    """A social category of ``country``, drawn (one draw, whatever the country)."""
    return rng.choices(CATEGORIES[country], CATEGORY_WEIGHTS[country])[0]


def _person(rng: random.Random, country: str) -> tuple[str, str, str]:
    """A name, gender and preferred language."""
    if country == "IN" and rng.random() < 0.08:
        name = rng.choice(LATIN)
        return name, "female" if name.split()[0] in ("Kavita", "Pooja", "Anjali") else "male", "en"
    female = rng.random() < 0.36
    first = rng.choice(WOMEN if female else MEN)
    return (
        f"{first} {rng.choice(SURNAMES)}",
        "female" if female else "male",
        "bn" if country == "IN" else "bn_BD",
    )


def _beneficiaries(
    rng: random.Random, by_cluster: dict[int, list[Enterprise]]
) -> dict[int, list[Beneficiary]]:
    """~600 people; the social category only with consent (and its date)."""
    people: dict[int, list[Beneficiary]] = {}
    consent_at = datetime.now(UTC) - timedelta(days=70)
    for cluster_id, enterprises in by_cluster.items():
        country = enterprises[0].cluster.country
        for _number in range(200):
            name, gender, language = _person(rng, country)
            consent = rng.random() < 0.75
            person = Beneficiary(
                enterprise=rng.choice(enterprises),
                name=name,
                gender=gender,
                category_consent=consent,
                social_category=category(rng, country) if consent else None,
                consent_at=consent_at if consent else None,
                preferred_language=language,
            )
            db.session.add(person)
            people.setdefault(cluster_id, []).append(person)
    db.session.commit()
    for group in people.values():
        rng.shuffle(group)
    return people


def _sessions(
    rng: random.Random,
    programme: Programme,
    clusters: list[Cluster],
    people: dict[int, list[Beneficiary]],
    today: date,
) -> list[TrainingSession]:
    """12 sessions held (40-55 present, some below the target) and 2 planned."""
    trainers = [accounts.find_user(email) for email, _name, _locale in TRAINERS]
    library = content.library()
    made, cursor = [], {c.id: 0 for c in clusters}
    days = [programme.starts_on + timedelta(days=12 + 5 * k) for k in range(12)]
    days += [today + timedelta(days=5), today + timedelta(days=12)]
    for number, day in enumerate(days):
        cluster = clusters[number % 3]
        slugs = [s for s in MODULE_PLAN[number % len(MODULE_PLAN)] if library.get(s) is not None]
        language = "bn_BD" if cluster.country == "BD" else "bn"
        title = content.title(library.get(slugs[0]), language) if slugs else "প্রশিক্ষণ"
        session = TrainingSession(
            title=f"{title} · {cluster.name.split(' (')[0]}",
            held_on=day,
            venue=f"{cluster.name} community hall",
            cluster=cluster,
            language=language,
            capacity=60,
            programme_id=programme.id,
            checkin_token=secrets.token_urlsafe(12),
        )
        session.trainers = [trainers[2]] if cluster.country == "BD" else trainers[: 1 + number % 2]
        session.module_rows = [
            SessionModule(module_slug=s, position=i) for i, s in enumerate(slugs)
        ]
        past = day <= today
        group = people[cluster.id]
        size = rng.randint(46, 60) if past else rng.randint(20, 30)
        chosen = [group[(cursor[cluster.id] + i) % len(group)] for i in range(size)]
        cursor[cluster.id] += size
        marked = datetime.combine(day, time(11, 0), tzinfo=UTC)
        for person in chosen:
            present = past and rng.random() < 0.92
            via = ("qr" if rng.random() < 0.2 else "roster") if present else None
            session.enrolments.append(
                Enrolment(
                    beneficiary=person,
                    present=present,
                    marked_at=marked if present else None,
                    marked_via=via,
                )
            )
        db.session.add(session)
        made.append(session)
    db.session.commit()
    return made


def _accounts(
    rng: random.Random, password: str, sessions: list[TrainingSession], today: date
) -> list[tuple[User, TrainingSession]]:
    """~80 participants of sessions held get sign-in accounts (one password hash for all)."""
    hashed = accounts.generate_password_hash(password)
    held = [s for s in sessions if s.held_on <= today - timedelta(days=2)]
    picked: list[tuple[Beneficiary, TrainingSession]] = []
    for session in held:
        present = [
            e.beneficiary for e in session.enrolments if e.present and e.beneficiary.user_id is None
        ]
        picked += [
            (b, session) for b in rng.sample(present, min(len(present), 80 // len(held) + 1))
        ]
    made = []
    for number, (person, session) in enumerate(picked[:80], 1):
        user = User(
            email=f"participant{number:03}@demo.dakshata.org",
            name=person.name,
            password_hash=hashed,
            locale=person.preferred_language,
            enterprise_name=person.enterprise.name,
        )
        user.role_rows = [UserRole(role=LEARNER)]
        db.session.add(user)
        made.append((user, session, person))
    db.session.flush()
    for user, _session, person in made:
        person.user_id = user.id
    db.session.commit()
    return [(user, session) for user, session, _person in made]


def _link_owners() -> None:
    """The base demo's learners become owners of enterprises (they see the needs assessment)."""
    for email, enterprise_name in OWNERS:
        user = accounts.find_user(email)
        query = select(Enterprise).order_by(Enterprise.id).limit(1)
        if enterprise_name is None:
            query = query.join(Cluster).where(Cluster.country == "BD")
        else:
            query = query.where(Enterprise.name == enterprise_name)
        enterprise = db.session.scalar(query)
        if user is None or enterprise is None:
            continue
        linked = db.session.scalar(select(Beneficiary).where(Beneficiary.user_id == user.id))
        if linked is None:
            enterprise.beneficiaries.append(
                Beneficiary(name=user.name, user_id=user.id, preferred_language=user.locale or "bn")
            )
            user.enterprise_name = enterprise.name
    db.session.commit()


def _tests(rng: random.Random, learners: list[tuple[User, TrainingSession]], today: date) -> None:
    """Pre- and post-test on the session's day, the retention test a month later when due;
    finishing the module then issues the certificate through the certificate services."""
    library = content.library()
    for user, session in learners:
        ability = rng.uniform(0.25, 0.75)
        start = datetime.combine(session.held_on, time(5, 0), tzinfo=UTC)
        for slug in session.module_slugs:
            module = library.get(slug)
            if module is None or quiz.bank_for(module) is None:
                continue
            _take(user, module, "pre", ability, start, rng)
            _take(user, module, "post", min(0.95, ability + 0.3), start + timedelta(hours=5), rng)
            retention = start + timedelta(days=31 + rng.randint(0, 4))
            if retention.date() <= today:
                _take(user, module, "retention", min(0.9, ability + 0.2), retention, rng)
            pages = len(module.docs["en"].pages)
            content.read_all(user.id, slug, pages)


def _take(user: User, module, kind: str, chance: float, when: datetime, rng: random.Random) -> None:  # noqa: ANN001
    """Like the quiz demo's, with every answer saved in one commit."""
    attempt: Attempt = quiz.start_attempt(user.id, module, kind, user.locale or "bn", when)
    for entry in attempt.items:
        if rng.random() < chance:
            answer = entry["data"]["answer"]
            response = answer["value"] if entry["type"] == "numeric" else answer
            attempt.answers.append(Answer(item_id=entry["id"], response=response, saved_at=when))
    db.session.commit()
    quiz.submit(attempt, when + timedelta(minutes=rng.randint(8, 20)))


def _assessments(rng: random.Random) -> None:
    """Most enterprises answered the whole needs assessment; a few stopped half-way."""
    from .needs import services as needs

    questionnaire = needs.questionnaire()
    if not questionnaire.usable:
        return
    questions = questionnaire.questions
    started = set(db.session.scalars(select(Assessment.enterprise_id)))
    for enterprise in db.session.scalars(select(Enterprise).order_by(Enterprise.id)).all():
        if enterprise.id in started:
            continue
        answered = questions if rng.random() < 0.85 else questions[: len(questions) // 2]
        answers = {q.id: rng.choice(q.options).id for q in answered}
        locale = "bn_BD" if enterprise.cluster and enterprise.cluster.country == "BD" else "bn"
        needs.submit(enterprise, answers, None, locale)
