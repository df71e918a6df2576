"""Demo accounts for ``flask lms demo``: one for every role, in three languages."""

from __future__ import annotations

from . import services
from .models import ADMIN, AUTHOR, LEARNER, TRAINER

DEMO_ACCOUNTS = (
    ("admin@demo.dakshata.org", "Anita Sen", ADMIN, "en"),
    ("trainer@demo.dakshata.org", "সুব্রত দাস", TRAINER, "bn"),
    ("author@demo.dakshata.org", "ফারহানা আক্তার", AUTHOR, "bn_BD"),
    ("learner@demo.dakshata.org", "মোহাম্মদ আলম", LEARNER, "bn"),
    ("learner.bd@demo.dakshata.org", "নাসরিন বেগম", LEARNER, "bn_BD"),
    ("learner.en@demo.dakshata.org", "Priya Sharma", LEARNER, "en"),
)


def load(password: str) -> list[tuple[str, str]]:
    made = []
    for email, name, role, locale in DEMO_ACCOUNTS:
        user = services.find_user(email)
        if user is None:
            services.create_user(email, name, password, [role], locale=locale)
        else:
            services.set_password(user, password)
        made.append((email, role))
    return made
