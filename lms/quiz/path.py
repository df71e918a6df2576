"""The guided path through a module: the first test, the reading, the final test, the
certificate; then the 30-day test. One step is next; the others stay at hand.

:func:`build` is a pure function of what is known about the learner (:class:`Facts`);
:func:`facts_for` gathers that from the database, :func:`refusal` says when the final test
must wait for the reading.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..content import services as content
from ..content.modules import Module
from ..content.services import Reading
from ..state import state
from . import services
from .bank import KINDS, Bank
from .models import Attempt
from .services import Availability

#: The tests beside the path (after it, or at any time).
BESIDE_THE_PATH = ("retention", "practice")


@dataclass(frozen=True)
class Step:
    """One step: ``key`` is ``pre``, ``read``, ``post``, ``certificate``, ``retention`` or
    ``practice``; ``state`` is ``done``, ``open`` (may be taken now), ``locked`` (``reason``
    says why), ``closed`` (missed) or ``failed`` (the final test, with no try left)."""

    key: str
    state: str
    availability: Availability | None = None
    #: How many questions the test asks (the open attempt's number when one is open).
    questions: int = 0
    #: The final test's tries left (``None``: unlimited).
    tries_left: int | None = None
    reason: str | None = None
    certificate: Any = None

    @property
    def in_progress(self) -> bool:
        return self.availability is not None and self.availability.status == "in-progress"

    @property
    def best(self) -> Attempt | None:
        return self.availability.best if self.availability is not None else None


@dataclass(frozen=True)
class GuidedPath:
    steps: list[Step]
    #: The 30-day test and practice, when the bank offers them.
    extras: list[Step] = field(default_factory=list)
    #: The step to take now (``None``: nothing left to do).
    next: Step | None = None
    reading: Reading | None = None
    passed: bool = False
    pass_mark: int = 0

    def step(self, key: str) -> Step | None:
        return next((s for s in [*self.steps, *self.extras] if s.key == key), None)

    @property
    def number(self) -> int:
        """The next step's place on the path (1 = the first), 0 when it is beside the path."""
        keys = [s.key for s in self.steps]
        return keys.index(self.next.key) + 1 if self.next and self.next.key in keys else 0


@dataclass(frozen=True)
class Facts:
    """What :func:`build` needs to know about one learner and one module."""

    reading: Reading
    #: Each offered test's availability, by kind (a kind the bank cannot draw is left out).
    tests: dict[str, Availability]
    #: How many questions each test asks.
    questions: dict[str, int]
    #: Tries left of each test (``None``: unlimited).
    tries_left: dict[str, int | None]
    pass_mark: int
    post_after_reading: bool = True
    certificate: Any = None


def build(facts: Facts) -> GuidedPath:
    """The path, and which step is next: a test left open first; then the first test before
    any reading; the reading; the final test until passed; the 30-day test; the certificate."""
    steps = [_test_step("pre", facts)] if "pre" in facts.tests else []
    steps.append(Step("read", "done" if facts.reading.completed else "open"))
    passed = _passed(facts)
    if "post" in facts.tests:
        steps.append(_test_step("post", facts, passed))
        ready = "done" if facts.certificate is not None else "locked"
        steps.append(Step("certificate", ready, certificate=facts.certificate))
    extras = [_test_step(kind, facts) for kind in BESIDE_THE_PATH if kind in facts.tests]
    return GuidedPath(
        steps,
        extras,
        _next(steps, extras, facts),
        facts.reading,
        passed,
        facts.pass_mark,
    )


def _passed(facts: Facts) -> bool:
    best = facts.tests["post"].best if "post" in facts.tests else None
    return best is not None and best.percent is not None and best.percent >= facts.pass_mark


def _test_step(kind: str, facts: Facts, passed: bool = False) -> Step:
    status = facts.tests[kind]
    state, reason = _test_state(kind, status, facts, passed)
    questions, tries_left = facts.questions.get(kind, 0), facts.tries_left.get(kind)
    return Step(kind, state, status, questions, tries_left, reason)


def _test_state(kind: str, status: Availability, facts: Facts, passed: bool) -> tuple[str, Any]:
    if status.status == "in-progress":
        return "open", None
    if kind == "post" and passed:
        return "done", None
    if kind == "post" and facts.post_after_reading and not facts.reading.completed:
        return "locked", "unread"
    if status.status == "open":
        return "open", None
    if status.status == "not-yet":
        return "locked", "not-yet"
    if kind == "post":
        return "failed", None
    return ("done" if status.best is not None else "closed"), None


def _next(steps: list[Step], extras: list[Step], facts: Facts) -> Step | None:
    by_key = {s.key: s for s in [*steps, *extras]}
    for step in (*steps, *extras):
        if step.in_progress and step.key != "practice":
            return step
    pre, read, post = by_key.get("pre"), by_key["read"], by_key.get("post")
    if pre is not None and pre.state == "open" and not facts.reading.started:
        return pre
    if read.state != "done":
        return read
    if post is not None and post.state in ("open", "failed"):
        return post
    retention = by_key.get("retention")
    if retention is not None and retention.state == "open":
        return retention
    certificate = by_key.get("certificate")
    return certificate if certificate is not None and certificate.state == "done" else None


# Gathering the facts.


def refusal(user_id: int, module: Module, kind: str) -> str | None:
    """Why the learner may not start ``kind`` now, beyond the bank's own rules: the final test
    waits for the reading (``unread``) unless the module says otherwise. A test already
    started may always be continued."""
    if kind != "post" or not module.post_test_after_reading:
        return None
    if content.has_completed(user_id, module.slug):
        return None
    open_post = [
        a for a in services.attempts_of(user_id, module.slug, "post") if not a.submitted_at
    ]
    return None if open_post else "unread"


def certificate_of(user_id: int, module_id: str) -> Any:
    """The learner's valid certificate of the module, if issued (``state.module_certificate``:
    the certificates build on the quiz, not the reverse)."""
    find = state().module_certificate
    return find(user_id, module_id) if find is not None else None


def facts_for(user_id: int, module: Module, bank: Bank, reading: Reading) -> Facts:
    attempts = services.attempts_of(user_id, module.slug)
    country = services.country_for(user_id)
    tests, questions, tries_left = {}, {}, {}
    for kind in KINDS:
        rule = bank.rules[kind]
        eligible = len(bank.eligible(rule, country))
        mine = [a for a in attempts if a.kind == kind]
        if not eligible and not mine:
            continue  # nothing to ask (practice without practice-only items): not offered
        tests[kind] = status = services.availability(user_id, module.slug, rule, None, attempts)
        opened = status.attempt
        questions[kind] = len(opened.items) if opened is not None else min(rule.count, eligible)
        tries_left[kind] = max(0, rule.max_attempts - len(mine)) if rule.max_attempts else None
    return Facts(
        reading=reading,
        tests=tests,
        questions=questions,
        tries_left=tries_left,
        pass_mark=module.pass_mark,
        post_after_reading=module.post_test_after_reading,
        certificate=certificate_of(user_id, module.slug),
    )
