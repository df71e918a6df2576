"""Demo data: twelve learners who took pre-, post- and retention tests, so trainers see
results, gain, item analysis and the ranking in a fresh install."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from ..accounts import services as accounts
from ..content import services as content
from ..db import db, utcnow
from . import services, sync
from .models import Attempt

LEARNERS = [
    ("শম্পা দাস", "bn"),
    ("রাজু মণ্ডল", "bn"),
    ("Imran Ali", "en"),
    ("মৌসুমী ঘোষ", "bn"),
    ("সুমন রায়", "bn"),
    ("Kavita Singh", "en"),
    ("আরিফ হোসেন", "bn_BD"),
    ("রুমানা আক্তার", "bn_BD"),
    ("তপন সাহা", "bn"),
    ("শাহনাজ পারভীন", "bn_BD"),
    ("গৌতম পাল", "bn"),
    ("ফারুক আহমেদ", "bn_BD"),
]
MODULES = ("gst-vat", "cleaner-production")


def load(password: str) -> list[tuple[str, str]]:
    """Idempotent: the learners' attempts are made once."""
    made = []
    users = []
    for number, (name, locale) in enumerate(LEARNERS, 1):
        email = f"learner{number:02}@demo.dakshata.org"
        user = accounts.find_user(email) or accounts.create_user(
            # Bangla readers work in Bangladesh: its rules and items (the country is theirs,
            # not their language's; these learners have no enterprise to say it).
            email,
            name,
            password,
            ["learner"],
            locale=locale,
            country="BD" if locale == "bn_BD" else "IN",
        )
        users.append(user)
        made.append((email, "learner"))
    if db.session.scalar(select(Attempt.id).where(Attempt.user_id == users[0].id).limit(1)):
        return made
    rng = random.Random(2026)
    for user in users:
        ability = rng.uniform(0.2, 0.8)
        for slug in MODULES:
            module = content.library().get(slug)
            if module is None or services.bank_for(module) is None:
                continue
            take_test(user, module, "pre", ability, 46, rng)
            content.save_position(user.id, slug, 1, 1)  # reading starts after the pre-test
            take_test(user, module, "post", min(0.95, ability + 0.3), 40, rng)
            take_test(user, module, "retention", min(0.9, ability + 0.2), 5, rng)
            pages = len((module.docs["en"]).pages)
            # Finished reading: those who passed the post-test get their certificate now.
            content.read_all(user.id, slug, pages)
    return made


def take_test(user, module, kind: str, chance: float, days_ago: int, rng: random.Random) -> None:  # noqa: ANN001
    when = utcnow() - timedelta(days=days_ago, hours=rng.randint(0, 8))
    attempt: Attempt = services.start_attempt(user.id, module, kind, user.locale or "bn", when)
    for entry in attempt.items:
        if rng.random() < chance:
            answer = entry["data"]["answer"]
            response = answer["value"] if entry["type"] == "numeric" else answer
            services.save_answer(attempt, entry["id"], response, when)
    finished = when + timedelta(minutes=rng.randint(8, 20))
    if kind == "retention":  # taken in the hall on a tablet that had lost the wifi: its queue
        sync.apply_submit(attempt, f"demo-submit-{attempt.id}", finished)
    else:
        services.submit(attempt, finished)
