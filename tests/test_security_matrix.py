"""Every LMS route × every role, from the app's URL map and the rule table in security_rules.py:
each answers as intended, POSTs without a valid CSRF token are refused without a trace, GETs
change nothing, and every page keeps the security headers and the no-inline-script policy.

One app with the demo data serves the whole module (loading it takes ~10 s).
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import func, select
from werkzeug.routing import Rule as UrlRule
from werkzeug.test import TestResponse

from lms.accounts.models import User
from lms.certificates.models import Certificate
from lms.content import services as content
from lms.db import db
from lms.demo import load_demo
from lms.i18n import LOCALES, gettext_in
from lms.live import services as live
from lms.programme.models import Beneficiary, Enrolment, Mentorship, Programme, TrainingSession
from lms.programme.needs.services import latest
from lms.quiz import services as quiz
from lms.quiz.models import Attempt
from tests.conftest import _built_apps, build_app, csrf_token, login
from tests.security_rules import (
    LOGIN,
    OK,
    PARAMS,
    ROLES,
    RULES,
    SKIPPED,
    TOKEN_ONLY,
    WRITES_ON_GET,
    Rule,
)

DEMO_PASSWORD = "security matrix demo"
CONTENT = Path(__file__).resolve().parents[1] / "modules_content"
#: A view's answers to a POST whose form it refuses (an empty form, mostly).
FORM_REFUSED = (400, 409, 422)
CSRF_MESSAGE = "This page had expired, so nothing was saved. Please go back, reload and try again."
EMAILS = {
    "trainer": "trainer@demo.dakshata.org",
    "author": "author@demo.dakshata.org",
    "admin": "admin@demo.dakshata.org",
    "other_trainer": "trainer.bd@demo.dakshata.org",
}


@dataclass
class World:
    """The module's app and a real value for every URL variable (see ``PARAMS``)."""

    app: Flask
    content_dir: Path
    emails: dict[str, str]
    # Objects the learner owns or belongs to.
    attempt: int = 0  # open: question and review pages
    post_attempt: int = 0  # open: the POST matrix answers and submits this one
    submitted_attempt: int = 0
    certificate: str = ""
    signing_key: str = ""  # the thumbprint of the key that signed it
    session: int = 0
    checkin_token: str = ""
    enterprise: int = 0
    cluster: int = 0
    live_quiz: int = 0
    live_code: str = ""
    live_token: str = ""
    # Other people's objects.
    other_attempt: int = 0  # another learner's open attempt
    other_certificate: str = ""
    other_session: int = 0  # neither the learner nor the trainer is in it
    other_user: int = 0
    beneficiary: int = 0  # not linked to any account
    programme: int = 0
    mentorship: int = 0
    # Plain values.
    module: str = "gst-vat"
    checklist_module: str = "lwg-audit-preparation"  # a module with a self-assessment
    locale: str = "bn"
    source_locale: str = "en"
    section: int = 1
    asset: str = "diagram.svg"
    asset_folder: str = "assets"
    quiz_kind: str = "practice"
    live_action: str = "reveal"  # refused in the lobby: the quiz stays as it is
    renderer: str = "pdf"
    export_table: str = "sessions"
    export_format: str = "csv"
    resource: str = "in-gst-leather-rates"
    course: str = "export-advanced"

    def client(self, role: str) -> FlaskClient:
        """A new client signed in as ``role`` (the learner's holds its live-quiz cookie)."""
        client = self.app.test_client()
        if role != "anonymous":
            response = login(client, self.emails[role], DEMO_PASSWORD)
            assert response.status_code == 302, f"{role} could not sign in"
        if role == "learner":
            client.set_cookie(f"lms_live_{self.live_quiz}", self.live_token)
        return client

    def url(self, rule: UrlRule, params: dict[str, str]) -> str:
        values = {}
        for name in rule.arguments:
            attribute = params.get(name) or PARAMS.get(name)
            assert attribute, f"{rule.endpoint}: add the URL variable {name!r} to PARAMS"
            values[name] = getattr(self, attribute)
        with self.app.test_request_context():
            return url_for(rule.endpoint, **values)


# Building the world.


def _copy_content(target: Path) -> Path:
    """The shipped modules, copied: authors' POSTs must never touch the repository's files."""
    shutil.copytree(CONTENT, target)
    assets = target / "gst-vat" / "assets"
    assets.mkdir()
    (assets / "diagram.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>\n', encoding="utf-8"
    )
    return target


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    assert user is not None, email
    return user


def _pick_session_and_learner(trainer: User) -> tuple[TrainingSession, User]:
    """A held session the trainer runs alone, and an enrolled learner with a certificate whose
    enterprise has a complete needs assessment (so roadmaps show)."""
    sessions = db.session.scalars(select(TrainingSession).order_by(TrainingSession.held_on))
    for session in sessions:
        if [t.id for t in session.trainers] != [trainer.id]:
            continue
        for person in (e.beneficiary for e in session.enrolments if e.beneficiary.user_id):
            certified = db.session.scalar(
                select(Certificate.code).where(Certificate.user_id == person.user_id).limit(1)
            )
            if certified and latest(person.enterprise_id) is not None:
                return session, db.session.get(User, person.user_id)
    raise AssertionError("the demo has no session with a certified participant")


def _attempt(user: User, slug: str, kind: str = "practice") -> int:
    module = content.library().get(slug)
    return quiz.start_attempt(user.id, module, kind, user.locale or "bn").id


def _live_quiz(world: World, trainer: User, learner: User) -> None:
    module = content.library().get(world.module)
    bank = quiz.bank_for(module)
    made = live.create(
        bank,
        module.slug,
        [bank.items[0].id],
        title="Matrix",
        mode="correctness",
        countdown=0,
        session_label="",
        user_id=trainer.id,
    )
    live.start(made)
    world.live_quiz, world.live_code = made.id, made.code
    world.live_token = live.join(made, name=learner.name, locale="bn", user_id=learner.id).token


def _pick(world: World) -> None:
    trainer = _user(EMAILS["trainer"])
    session, learner = _pick_session_and_learner(trainer)
    world.emails["learner"] = learner.email
    world.session, world.checkin_token = session.id, session.checkin_token
    person = db.session.scalar(select(Beneficiary).where(Beneficiary.user_id == learner.id))
    world.enterprise, world.cluster = person.enterprise_id, person.enterprise.cluster_id
    world.attempt = _attempt(learner, "gst-vat")
    world.post_attempt = _attempt(learner, "cleaner-production")
    world.submitted_attempt = db.session.scalar(
        select(Attempt.id).where(Attempt.user_id == learner.id, Attempt.submitted_at.is_not(None))
    )
    world.certificate = db.session.scalar(
        select(Certificate.code).where(Certificate.user_id == learner.id)
    )
    world.signing_key = db.session.scalar(
        select(Certificate.kid).where(Certificate.code == world.certificate)
    )
    other = _user("learner01@demo.dakshata.org")
    world.other_user, world.other_attempt = other.id, _attempt(other, "gst-vat")
    world.other_certificate = db.session.scalar(
        select(Certificate.code).where(Certificate.user_id != learner.id).limit(1)
    )
    world.other_session = db.session.scalar(
        select(TrainingSession.id)
        .where(
            TrainingSession.id.not_in(
                select(Enrolment.session_id).where(Enrolment.beneficiary_id == person.id)
            )
        )
        .where(~TrainingSession.trainers.any(User.id == trainer.id))
        .limit(1)
    )
    world.beneficiary = db.session.scalar(
        select(Beneficiary.id).where(Beneficiary.user_id.is_(None)).limit(1)
    )
    assert world.other_session and world.beneficiary, "the demo changed: pick other objects"
    world.programme = db.session.scalar(select(Programme.id).limit(1))
    world.mentorship = db.session.scalar(select(Mentorship.id).limit(1))
    _live_quiz(world, trainer, learner)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("security")
    content_dir = _copy_content(root / "content")
    app = build_app(root / "instance", LMS_CONTENT_DIR=str(content_dir))
    # conftest closes the apps of each test after it; this one serves the whole module.
    _built_apps.remove(app)
    try:
        with app.app_context():
            load_demo(DEMO_PASSWORD)
            made = World(app=app, content_dir=content_dir, emails=dict(EMAILS))
            _pick(made)
        yield made
    finally:
        with app.app_context():
            db.session.remove()
            for engine in db.engines.values():
                engine.dispose()


# Observing state: every row of every table, and the content files.


#: Columns that note activity, not a change: a session's last request (for the idle timeout).
ACTIVITY = {("lms_session", "last_seen_at")}


def snapshot(world: World) -> dict[str, tuple[int, str]]:
    """Row count and a digest of the rows of every table, and of the content files."""
    state: dict[str, tuple[int, str]] = {}
    with world.app.app_context(), db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            order = ", ".join(column.name for column in table.primary_key.columns)
            names = [f'"{c.name}"' for c in table.columns if (table.name, c.name) not in ACTIVITY]
            # The driver's rows as they are: fast, and any change of any other column shows.
            query = f"SELECT {', '.join(names)} FROM {table.name} ORDER BY {order}"
            rows = conn.exec_driver_sql(query).all()
            state[table.name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    files = sorted(p for p in world.content_dir.rglob("*") if p.is_file())
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path).encode() + path.read_bytes())
    state["content files"] = (len(files), digest.hexdigest())
    return state


def changes(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> list[str]:
    return [
        f"{name}: {before[name][0]} -> {after[name][0]} rows"
        + ("" if before[name][0] != after[name][0] else " (rows changed)")
        for name in before
        if before[name] != after[name]
    ]


# The route list, from the URL map.


def lms_rules(app: Flask) -> list[UrlRule]:
    return sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint not in SKIPPED),
        key=lambda r: r.endpoint,
    )


def routes(world: World, method: str) -> Iterator[tuple[str, Rule, str]]:
    """(endpoint, rule, url) of every route taking ``method``, as the rule table describes it."""
    for url_rule in lms_rules(world.app):
        rule = RULES[url_rule.endpoint]
        if method in url_rule.methods:
            yield url_rule.endpoint, rule, world.url(url_rule, rule.params)


def verdict(response: TestResponse, expected: Any, method: str, url: str) -> str | None:
    """``None`` when the answer is the expected one, else what came instead."""
    status, location = response.status_code, response.headers.get("Location", "")
    target = urlsplit(location)
    next_page = parse_qs(target.query).get("next")
    to_login = status == 302 and target.path == "/login" and next_page is not None
    if expected == LOGIN:
        good = to_login and next_page == [url]  # back to this very page after signing in
    elif expected == OK and method == "GET":
        good = status == 200
    elif expected == OK:
        good = (status < 400 or status in FORM_REFUSED) and not to_login
    else:
        good = status == expected and not to_login
    return None if good else f"{status} {location}".strip()


# The rule table and the URL map agree.


def test_every_route_has_a_rule_and_every_rule_a_route(world: World) -> None:
    endpoints = {r.endpoint for r in world.app.url_map.iter_rules()}
    lms = {e for e in endpoints if e.startswith("lms.")} - set(SKIPPED)
    missing = sorted(lms - set(RULES))
    assert not missing, f"routes without a rule (add them to the rule table): {missing}"
    stale = sorted(set(RULES) - endpoints)
    assert not stale, f"rules without a route (remove them from the rule table): {stale}"
    assert not endpoints - lms - set(SKIPPED), "an endpoint outside lms. is served by the LMS"
    for url_rule in lms_rules(world.app):
        rule = RULES[url_rule.endpoint]
        methods = url_rule.methods - {"HEAD", "OPTIONS"}
        assert methods <= {"GET", "POST"}, f"{url_rule.endpoint}: a rule for {methods}"
        assert ("GET" in methods) == (rule.get is not None), f"{url_rule.endpoint}: GET"
        assert ("POST" in methods) == (rule.post is not None), f"{url_rule.endpoint}: POST"
    assert all(RULES[endpoint].get for endpoint in WRITES_ON_GET)


# GET: every route as every role, once for the module; the tests below read the answers.


@dataclass
class Answer:
    endpoint: str
    role: str
    url: str
    status: int
    location: str
    headers: dict[str, str]
    html: str  # the body of an HTML answer, else ""


@dataclass
class GetSweep:
    answers: list[Answer]
    mismatches: list[str]
    writes: list[str]


def _get(client: FlaskClient, endpoint: str, role: str, url: str) -> tuple[Answer, TestResponse]:
    response = client.get(url)
    html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
    response.close()
    answer = Answer(
        endpoint,
        role,
        url,
        response.status_code,
        response.headers.get("Location", ""),
        dict(response.headers),
        html,
    )
    return answer, response


@pytest.fixture(scope="module")
def get_sweep(world: World) -> GetSweep:
    clients = {role: world.client(role) for role in ROLES}
    answers, mismatches, writes = [], [], []
    before = snapshot(world)
    for endpoint, rule, url in routes(world, "GET"):
        for role in ROLES:
            answer, response = _get(clients[role], endpoint, role, url)
            answers.append(answer)
            wrong = verdict(response, rule.get[role], "GET", url)
            if wrong:
                mismatches.append(f"{endpoint} as {role}: {rule.get[role]} expected, got {wrong}")
        after = snapshot(world)
        writes += [f"GET {endpoint}: {change}" for change in changes(before, after)]
        before = after
    return GetSweep(answers, mismatches, writes)


def test_every_get_route_answers_each_role_as_intended(get_sweep: GetSweep) -> None:
    assert len(get_sweep.answers) >= 60 * len(ROLES)
    assert not get_sweep.mismatches, "\n".join(get_sweep.mismatches)


def test_no_get_changes_any_table_or_file(get_sweep: GetSweep) -> None:
    assert not get_sweep.writes, "\n".join(get_sweep.writes)


# Headers and the Content-Security-Policy, on every answer of the sweep.


class PolicyBreaches(HTMLParser):
    """What a strict CSP blocks in a page (inline script and style, handlers, javascript: URLs),
    and POST forms without the CSRF token."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.form_open = False
        self.form_has_token = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not values.get("src"):
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action") and (value or "").strip().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}=javascript:...>")
        if tag == "form" and (values.get("method") or "").lower() == "post":
            self.form_open, self.form_has_token = True, False
        if tag == "input" and values.get("name") == "csrf_token" and values.get("value"):
            self.form_has_token = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.form_open and not self.form_has_token:
            self.found.append("a POST form without csrf_token")
        if tag == "form":
            self.form_open = False


def test_every_answer_carries_the_security_headers(get_sweep: GetSweep) -> None:
    from lms.web import CSP

    assert "'unsafe-inline'" not in CSP and "frame-ancestors 'none'" in CSP
    wanted = {
        "Content-Security-Policy": CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
    }
    missing = [
        f"{a.endpoint} as {a.role} ({a.status}): {name}"
        for a in get_sweep.answers
        for name, value in wanted.items()
        if a.headers.get(name) != value
    ]
    assert not missing, "\n".join(missing)
    kinds = {(a.status, a.headers["Content-Type"].split(";")[0]) for a in get_sweep.answers}
    # Pages, redirects, refusals, JSON, files: all of them were looked at.
    assert {(200, "text/html"), (302, "text/html"), (403, "text/html"), (404, "text/html")} <= kinds
    assert {(200, "application/json"), (200, "application/pdf"), (200, "text/csv")} <= kinds


def test_no_page_needs_inline_script_or_style(get_sweep: GetSweep) -> None:
    breaches = []
    pages = [a for a in get_sweep.answers if a.html]  # error pages and redirects too
    for answer in pages:
        parser = PolicyBreaches()
        parser.feed(answer.html)
        breaches += [f"{answer.endpoint} as {answer.role}: {b}" for b in sorted(set(parser.found))]
    assert len(pages) > 250
    assert not breaches, "\n".join(breaches)


# POST: with a valid token and an empty form, each role is let in or refused as the table says.


def test_every_post_route_answers_each_role_as_intended(world: World) -> None:
    clients = {role: world.client(role) for role in ROLES}
    mismatches = []
    for endpoint, rule, url in routes(world, "POST"):
        for role in ROLES:
            client = world.client(role) if rule.signs_out else clients[role]
            response = client.post(url, data={"csrf_token": csrf_token(client, "/")})
            response.close()
            wrong = verdict(response, rule.post[role], "POST", url)
            if wrong:
                mismatches.append(f"{endpoint} as {role}: {rule.post[role]} expected, got {wrong}")
    assert not mismatches, "\n".join(mismatches)


# CSRF: every state-changing request without a valid token is refused, and nothing changes.


def refused_for_csrf(world: World, response: TestResponse) -> bool:
    """400 with the CSRF error page (in any UI language), not a view's own 400."""
    page = response.get_data(as_text=True)
    response.close()
    with world.app.app_context():
        messages = {str(escape(gettext_in(code, CSRF_MESSAGE))) for code in LOCALES}
    return response.status_code == 400 and any(message in page for message in messages)


def attacker_token(world: World) -> str:
    """A valid token of another session, as an attacker gets one from the sign-in page."""
    return csrf_token(world.app.test_client(), "/login")


def test_no_post_without_a_valid_token_changes_anything(world: World) -> None:
    clients = {role: world.client(role) for role in ROLES}
    for client in clients.values():
        csrf_token(client, "/")  # each session has a token of its own, which is not sent
    forged = attacker_token(world)
    accepted, before = [], snapshot(world)
    for endpoint, _rule, url in routes(world, "POST"):
        for role, client in clients.items():
            attempts = {"no token": {}, "another session's token": {"csrf_token": forged}}
            if role in ("learner", "admin"):
                attempts["a made-up token"] = {"csrf_token": "x" * 40}
            for what, data in attempts.items():
                refused = refused_for_csrf(world, client.post(url, data=data))
                if not refused and endpoint not in TOKEN_ONLY:
                    accepted.append(f"{endpoint} as {role} with {what}")
        after = snapshot(world)
        accepted += [f"{endpoint}: {change}" for change in changes(before, after)]
        before = after
    assert not accepted, "\n".join(accepted)
    for role, client in clients.items():  # nobody was signed out by a refused /logout
        answer = client.get("/settings")
        answer.close()
        assert answer.status_code == (302 if role == "anonymous" else 200), role


#: The routes the pages' scripts call with the token in the ``X-CSRFToken`` header.
HEADER_TOKEN_ROUTES = {
    "lms.content.seen": ("learner", {}),
    "lms.content.live_preview": ("author", {"text": "# Draft"}),
    "lms.quiz.answer": ("learner", {"X-Requested-With": "fetch"}),
    "lms.live.answer": ("learner", {"X-Requested-With": "fetch"}),
}


def test_script_requests_need_the_header_token_of_their_own_session(world: World) -> None:
    forged = attacker_token(world)
    urls = {endpoint: url for endpoint, _rule, url in routes(world, "POST")}
    for endpoint, (role, extra) in HEADER_TOKEN_ROUTES.items():
        url = urls[endpoint]
        client = world.client(role)
        own = csrf_token(client, "/")
        headers = {k: v for k, v in extra.items() if k.startswith("X-")}
        form = {k: v for k, v in extra.items() if not k.startswith("X-")}
        before = snapshot(world)
        assert refused_for_csrf(world, client.post(url, data=form, headers=headers)), endpoint
        stolen = {**headers, "X-CSRFToken": forged}
        assert refused_for_csrf(world, client.post(url, data=form, headers=stolen)), endpoint
        assert changes(before, snapshot(world)) == [], endpoint
        # With the page's own token the script's request reaches the view, which answers JSON.
        answered = client.post(url, data=form, headers={**headers, "X-CSRFToken": own})
        answered.close()
        assert answered.mimetype == "application/json", endpoint


# Objects: the right role is not enough for somebody else's attempt, certificate or session.


def _status(client: FlaskClient, url: str, data: dict[str, Any] | None = None) -> int:
    if data is None:
        response = client.get(url)
    else:
        response = client.post(url, data={"csrf_token": csrf_token(client, "/"), **data})
    response.close()
    return response.status_code


def test_a_learner_cannot_open_or_change_another_learners_attempt(world: World) -> None:
    learner = world.client("learner")
    other = world.other_attempt
    before = snapshot(world)
    for page in (f"/quiz/attempt/{other}/1", f"/quiz/attempt/{other}/review"):
        assert _status(learner, page) == 404, page
    assert _status(learner, f"/quiz/attempt/{other}/result") == 404
    assert _status(learner, f"/quiz/attempt/{other}/1", {"go": "next"}) == 404
    assert _status(learner, f"/quiz/attempt/{other}/submit", {}) == 404
    assert changes(before, snapshot(world)) == []
    assert _status(learner, f"/quiz/attempt/{world.attempt}/review") == 200  # their own


def test_certificate_documents_are_their_holders_and_admins_only(world: World) -> None:
    pdf = f"/certificates/{world.other_certificate}.pdf"
    assert _status(world.client("learner"), pdf) == 404
    assert _status(world.client("trainer"), pdf) == 404
    assert _status(world.client("learner"), f"/certificates/{world.certificate}.pdf") == 200
    assert _status(world.client("anonymous"), f"/verify/{world.other_certificate}") == 200


def test_a_trainer_runs_only_the_sessions_they_train(world: World) -> None:
    other = world.client("other_trainer")
    session = f"/programme/sessions/{world.session}"
    before = snapshot(world)
    assert _status(other, f"{session}/edit") == 403
    assert _status(other, f"{session}/edit", {"title": "Taken over"}) == 403
    assert _status(other, f"{session}/qr") == 403
    with world.app.app_context():
        enrolled = db.session.get(TrainingSession, world.session).enrolments[0].beneficiary_id
    assert _status(other, session, {"beneficiary": enrolled, "present": "1"}) == 403
    assert _status(other, session, {"action": "enrol", "beneficiaries": world.beneficiary}) == 403
    assert changes(before, snapshot(world)) == []
    page = other.get(session)
    assert page.status_code == 200 and 'name="present"' not in page.get_data(as_text=True)
    page.close()


def test_feedback_is_given_only_by_the_sessions_people(world: World) -> None:
    form = f"/programme/sessions/{world.other_session}/feedback"
    clients = {role: world.client(role) for role in ("learner", "trainer", "admin")}
    before = snapshot(world)
    for role, client in clients.items():
        assert _status(client, form) == 403, role
        assert _status(client, form, {"overall": "5"}) == 403, role
    assert changes(before, snapshot(world)) == []


def test_the_data_download_holds_only_ones_own_data(world: World) -> None:
    response = world.client("learner").get("/programme/my-data.json")
    data = response.get_json()
    response.close()
    with world.app.app_context():
        user = _user(world.emails["learner"])
        codes = set(
            db.session.scalars(select(Certificate.code).where(Certificate.user_id == user.id))
        )
        tests = db.session.scalar(select(func.count(Attempt.id)).where(Attempt.user_id == user.id))
        person = db.session.scalar(select(Beneficiary).where(Beneficiary.user_id == user.id))
        assert data["account"]["email"] == user.email
        assert data["beneficiary"]["name"] == person.name
    assert {c["code"] for c in data["certificates"]} == codes
    assert len(data["tests"]) == tests


def test_joining_a_live_quiz_by_link_writes_nothing(world: World) -> None:
    client = world.client("other_trainer")  # signed in, never joined
    before = snapshot(world)
    response = client.get(f"/live/{world.live_code}?go=1")
    response.close()
    assert changes(before, snapshot(world)) == []


def test_the_next_learner_on_a_tablet_is_not_the_previous_participant(world: World) -> None:
    tablet = world.client("learner")  # joined the live quiz on this tablet
    assert _status(tablet, f"/live/{world.live_code}/play") == 200
    assert _status(tablet, "/switch", {}) == 302
    login(tablet, world.emails["other_trainer"], DEMO_PASSWORD)
    play = tablet.get(f"/live/{world.live_code}/play")
    play.close()
    assert play.status_code == 302 and play.headers["Location"] == f"/live/{world.live_code}"
