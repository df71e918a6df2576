"""The rule table of tests/test_security_matrix.py: what every LMS route answers to every role.

Each endpoint of the URL map has one :class:`Rule`: the status each role gets for a GET, and for a
POST that carries a valid CSRF token and an empty form. The roles are the test's accounts:
``anonymous``; ``learner``, a participant linked to a beneficiary, enrolled in the chosen session,
owner of the chosen attempts and certificate, and in the chosen live quiz; ``trainer``, a trainer
of the chosen session; ``author``; ``admin``. A new route without a rule fails the test.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("anonymous", "learner", "trainer", "author", "admin")

#: 302 to ``/login?next=...``: the page needs a signed-in user.
LOGIN = "login"
#: Allowed. For a GET: 200. For a POST with an empty form: the view ran and answered 2xx, 3xx
#: (not to the sign-in page) or refused the form (400, 409, 422).
OK = "ok"

Expected = int | str
Policy = dict[str, Expected]


def policy(*answers: Expected) -> Policy:
    """The answers of anonymous, learner, trainer, author and admin, in this order."""
    return dict(zip(ROLES, answers, strict=True))


def but(base: Policy, **changes: Expected) -> Policy:
    """``base`` with some roles answered otherwise."""
    return {**base, **changes}


# The policies. An admin holds every role, but not another person's objects.
PUBLIC = policy(OK, OK, OK, OK, OK)
SIGNED_IN = policy(LOGIN, OK, OK, OK, OK)
TRAINER = policy(LOGIN, 403, OK, 403, OK)
AUTHOR = policy(LOGIN, 403, 403, OK, OK)
TRAINER_OR_AUTHOR = policy(LOGIN, 403, OK, OK, OK)
ADMIN = policy(LOGIN, 403, 403, 403, OK)
#: The learner's own attempt: anyone else, admins too, is told it does not exist.
OWNER_ONLY = policy(LOGIN, OK, 404, 404, 404)
#: The learner's own certificate document; admins see every one.
OWNER_OR_ADMIN = policy(LOGIN, OK, 404, 404, OK)
#: The session's own trainers, and admins, run it (edit, QR code, roster).
SESSION_TRAINER = policy(LOGIN, 403, OK, 403, OK)
#: Those enrolled in the session and its trainers give feedback; an admin is neither.
SESSION_MEMBER = policy(LOGIN, OK, OK, 403, 403)
#: Live quiz pages for its participants: the tablet's participant cookie, not a role, decides.
PARTICIPANT = policy(403, OK, 403, 403, 403)


@dataclass(frozen=True)
class Rule:
    #: Expected answer per role to a GET; ``None``: the route takes no GET.
    get: Policy | None = None
    #: Expected answer per role to a POST with a valid token and an empty form.
    post: Policy | None = None
    #: URL variables taken from another attribute of the test's world than ``PARAMS`` says.
    params: dict[str, str] = field(default_factory=dict)
    #: The POST signs the client out, so it is sent from a client of its own.
    signs_out: bool = False


#: POST routes that trust a signed token in the body alone, never the session cookie
#: (``lms.security.token_only``), so CSRF does not apply to them: the matrix still checks that a
#: POST without a valid token changes nothing; tests/test_offline_sync.py checks the tokens.
TOKEN_ONLY = {
    "lms.quiz.sync_changes": "a tablet's queued answers, each with the signed token of its attempt",
}

#: GETs that may write, and why. None of them writes in the test's world (no deadline has
#: passed), so the matrix still sees no change; each write is tested where it is made:
#: tests/test_quiz_flow.py test_time_limit_is_enforced_by_the_server and tests/test_live.py
#: test_a_countdown_closes_the_question_on_the_server. Files that are caches, not state, are not
#: counted: a certificate's PDF is rendered on first download and kept in the instance folder,
#: and the signing key is made on first use of the JWKS.
DEADLINE = "a time limit enforced by the server: the first request after it closes what is due"
WRITES_ON_GET = {
    "lms.quiz.question": f"{DEADLINE} (the attempt is submitted with the answers saved in time)",
    "lms.quiz.review": f"{DEADLINE} (the attempt is submitted with the answers saved in time)",
    "lms.quiz.result": f"{DEADLINE} (the attempt is submitted with the answers saved in time)",
    "lms.live.play": f"{DEADLINE} (the question whose countdown ran out is closed)",
    "lms.live.state": f"{DEADLINE} (the question whose countdown ran out is closed)",
    "lms.live.host": f"{DEADLINE} (the question whose countdown ran out is closed)",
    "lms.live.host_state": f"{DEADLINE} (the question whose countdown ran out is closed)",
    "lms.live.host_screen": f"{DEADLINE} (the question whose countdown ran out is closed)",
    "lms.live.host_screen_state": f"{DEADLINE} (the question whose countdown ran out is closed)",
}

#: URL variable -> attribute of the test's ``World`` that holds a real value.
PARAMS = {
    "achievement": "module",
    "action": "live_action",
    "attempt_id": "attempt",
    "beneficiary_id": "beneficiary",
    "cluster_id": "cluster",
    "code": "certificate",
    "course_id": "course",
    "enterprise_id": "enterprise",
    "entry_id": "resource",
    "filename": "asset",
    "fmt": "export_format",
    "folder": "asset_folder",
    "kind": "quiz_kind",
    "thumbprint": "signing_key",
    "locale": "locale",
    "mentorship_id": "mentorship",
    "name": "export_table",
    "number": "section",
    "programme_id": "programme",
    "quiz_id": "live_quiz",
    "renderer": "renderer",
    "session_id": "session",
    "slug": "module",
    "token": "checkin_token",
    "user_id": "other_user",
}
LIVE = {"code": "live_code"}

#: Endpoints that are not LMS pages, and why they are left out.
SKIPPED = {
    "static": "the host app's static files, not the LMS's",
    "lms.static": "the LMS's CSS and JavaScript: public files, no state",
}

RULES: dict[str, Rule] = {
    # Accounts. Signing in and out, and the language, work for everyone.
    "lms.accounts.login": Rule(get=PUBLIC, post=PUBLIC),
    "lms.accounts.logout": Rule(post=PUBLIC, signs_out=True),
    "lms.accounts.switch_learner": Rule(post=PUBLIC, signs_out=True),
    "lms.accounts.forget_tablet": Rule(post=PUBLIC),
    # "I'm still here" on the idle warning: only a signed-in user has an idle timer to reset.
    "lms.accounts.still_here": Rule(post=SIGNED_IN),
    "lms.accounts.settings": Rule(get=SIGNED_IN, post=SIGNED_IN),
    # An enterprise's competitive analysis: the owner's own, or any enterprise's for trainers.
    "lms.programme.competition_owner": Rule(get=SIGNED_IN, post=SIGNED_IN),
    "lms.programme.enterprise_competition": Rule(get=TRAINER, post=TRAINER),
    # A learner's own self-assessment of a module (the module's checklist.yaml).
    "lms.worksheets.self_assessment": Rule(
        get=SIGNED_IN, post=SIGNED_IN, params={"slug": "checklist_module"}
    ),
    "lms.accounts.users": Rule(get=ADMIN),
    "lms.accounts.new_user": Rule(get=ADMIN, post=ADMIN),
    "lms.accounts.edit_user": Rule(get=ADMIN, post=ADMIN),
    # Home and the learner's record.
    "lms.core.home": Rule(get=PUBLIC),
    "lms.core.healthz": Rule(get=PUBLIC),
    "lms.core.record": Rule(get=SIGNED_IN),
    "lms.core.set_language": Rule(post=PUBLIC),
    # The installable app (lms/offline): the manifest and the service worker are for everyone;
    # the list of pages a tablet keeps is the signed-in learner's own.
    "lms.offline.manifest": Rule(get=PUBLIC),
    "lms.offline.worker": Rule(get=PUBLIC),
    "lms.offline.keep": Rule(get=SIGNED_IN),
    "lms.offline.fallback": Rule(get=PUBLIC),
    # Certificates: the verify pages and the issuer's documents are public by design.
    "lms.certificates.verify_form": Rule(get=PUBLIC),
    # Anyone may hand in a credential to be checked: nothing is kept.
    "lms.certificates.verify_upload": Rule(post=PUBLIC),
    "lms.certificates.verify": Rule(get=PUBLIC),
    "lms.certificates.verify_json": Rule(get=PUBLIC),
    "lms.certificates.download_credential": Rule(get=PUBLIC),
    "lms.certificates.jwks": Rule(get=PUBLIC),
    "lms.certificates.status_list": Rule(get=PUBLIC),
    "lms.certificates.status_list_credential": Rule(get=PUBLIC),
    "lms.certificates.issuer": Rule(get=PUBLIC),
    "lms.certificates.issuer_key": Rule(get=PUBLIC),
    "lms.certificates.achievement": Rule(get=PUBLIC),
    "lms.certificates.achievement_in": Rule(get=PUBLIC),
    "lms.certificates.achievement_image": Rule(get=PUBLIC),
    "lms.certificates.mine": Rule(get=SIGNED_IN),
    "lms.certificates.document": Rule(get=OWNER_OR_ADMIN),
    "lms.certificates.admin": Rule(get=ADMIN, post=ADMIN),
    # Reading modules.
    "lms.content.catalog": Rule(get=SIGNED_IN),
    "lms.content.module": Rule(get=SIGNED_IN),
    "lms.content.section": Rule(get=SIGNED_IN),
    "lms.content.asset": Rule(get=SIGNED_IN),
    "lms.content.go": Rule(post=SIGNED_IN),  # empty form: 400, no page to go to
    "lms.content.seen": Rule(post=SIGNED_IN),
    # Authoring. The editor refuses an empty text (nothing written); marking English as
    # translated is refused, so the POST matrix writes no file.
    "lms.content.dashboard": Rule(get=AUTHOR),
    "lms.content.check": Rule(get=AUTHOR),
    "lms.content.preview": Rule(get=AUTHOR),
    "lms.content.compare": Rule(get=AUTHOR),
    "lms.content.edit": Rule(get=AUTHOR, post=AUTHOR),
    "lms.content.live_preview": Rule(post=AUTHOR),
    "lms.content.mark_translated": Rule(post=AUTHOR, params={"locale": "source_locale"}),
    # Tests: an attempt is its learner's only.
    "lms.quiz.start": Rule(post=SIGNED_IN),
    "lms.quiz.question": Rule(get=OWNER_ONLY),
    "lms.quiz.answer": Rule(post=OWNER_ONLY, params={"attempt_id": "post_attempt"}),
    "lms.quiz.review": Rule(get=OWNER_ONLY),
    "lms.quiz.submit": Rule(post=OWNER_ONLY, params={"attempt_id": "post_attempt"}),
    "lms.quiz.result": Rule(get=OWNER_ONLY, params={"attempt_id": "submitted_attempt"}),
    # Anyone may send; each change counts only with its signed attempt token (TOKEN_ONLY).
    "lms.quiz.sync_changes": Rule(post=PUBLIC),
    "lms.quiz.results": Rule(get=TRAINER),
    "lms.quiz.ranking": Rule(get=TRAINER),
    "lms.quiz.analysis_index": Rule(get=TRAINER_OR_AUTHOR),
    "lms.quiz.analysis": Rule(get=TRAINER_OR_AUTHOR),
    # Live quizzes: anyone with the code joins (the learner has joined already: 302 to play).
    "lms.live.join": Rule(get=PUBLIC, post=PUBLIC),
    "lms.live.enter": Rule(get=but(PUBLIC, learner=302), post=PUBLIC, params=LIVE),
    "lms.live.play": Rule(get=policy(302, OK, 302, 302, 302), params=LIVE),
    "lms.live.state": Rule(get=PARTICIPANT, params=LIVE),
    # The tablet's and the trainer's streams (Server-Sent Events): the same people as the state.
    "lms.live.events": Rule(get=PARTICIPANT, params=LIVE),
    "lms.live.answer": Rule(post=PARTICIPANT, params=LIVE),
    # Any trainer may run any live quiz (trainers stand in for each other in a hall).
    "lms.live.host_index": Rule(get=TRAINER),
    "lms.live.host_new": Rule(get=TRAINER, post=TRAINER),
    "lms.live.host": Rule(get=TRAINER),
    "lms.live.host_state": Rule(get=TRAINER),
    "lms.live.host_events": Rule(get=TRAINER),
    # The room's screen (the projector) is the trainer's too, opened from the host page.
    "lms.live.host_screen": Rule(get=TRAINER),
    "lms.live.host_screen_state": Rule(get=TRAINER),
    "lms.live.host_action": Rule(post=TRAINER),  # "reveal" in the lobby: refused, 302
    "lms.live.host_results": Rule(get=TRAINER),
    # Programme records: admins.
    "lms.programme.programme_list": Rule(get=ADMIN),
    "lms.programme.new_programme": Rule(get=ADMIN, post=ADMIN),
    "lms.programme.edit_programme": Rule(get=ADMIN, post=ADMIN),
    "lms.programme.clusters": Rule(get=ADMIN, post=ADMIN),
    "lms.programme.enterprises": Rule(get=ADMIN),
    "lms.programme.new_enterprise": Rule(get=ADMIN, post=ADMIN),
    "lms.programme.edit_enterprise": Rule(get=ADMIN, post=ADMIN),
    "lms.programme.add_beneficiary": Rule(post=ADMIN),
    "lms.programme.link_account": Rule(post=ADMIN),
    "lms.programme.erase_beneficiary": Rule(post=ADMIN),  # without the confirmation: refused
    "lms.programme.import_enterprises": Rule(get=ADMIN, post=ADMIN),
    "lms.programme.import_beneficiaries": Rule(get=ADMIN, post=ADMIN),
    "lms.programme.my_data": Rule(get=SIGNED_IN),
    # Sessions: every trainer sees them; their own trainers (and admins) run them. An empty
    # roster POST names nobody to mark: 404.
    "lms.programme.sessions": Rule(get=TRAINER),
    "lms.programme.new_session": Rule(get=TRAINER, post=TRAINER),
    "lms.programme.edit_session": Rule(get=SESSION_TRAINER, post=SESSION_TRAINER),
    "lms.programme.training_session": Rule(
        get=TRAINER, post=but(SESSION_TRAINER, trainer=404, admin=404)
    ),
    "lms.programme.session_qr": Rule(get=SESSION_TRAINER),
    "lms.programme.checkin": Rule(get=SIGNED_IN, post=SIGNED_IN),
    # Feedback.
    "lms.programme.feedback_list": Rule(get=SIGNED_IN),
    "lms.programme.session_feedback": Rule(get=SESSION_MEMBER, post=SESSION_MEMBER),
    "lms.programme.feedback_summary": Rule(get=TRAINER),
    # Needs assessment: owners fill their own; trainers any enterprise's; authors the file.
    "lms.programme.needs_owner": Rule(get=SIGNED_IN, post=SIGNED_IN),
    "lms.programme.needs_roadmap": Rule(get=SIGNED_IN),
    "lms.programme.enterprise_needs": Rule(get=TRAINER, post=TRAINER),
    "lms.programme.enterprise_roadmap": Rule(get=TRAINER),
    "lms.programme.needs_clusters": Rule(get=TRAINER),
    "lms.programme.cluster_needs": Rule(get=TRAINER),
    "lms.programme.needs_questionnaire": Rule(get=AUTHOR),
    # Mentorship, dashboard and report: admins. Referring without a programme: 404.
    "lms.programme.mentorship_list": Rule(get=ADMIN),
    "lms.programme.mentorship_refer": Rule(post=but(ADMIN, admin=404)),
    "lms.programme.mentorship_detail": Rule(get=ADMIN, post=ADMIN),
    "lms.programme.dashboard": Rule(get=ADMIN),
    "lms.programme.dashboard_export": Rule(get=ADMIN),
    "lms.programme.programme_report": Rule(get=ADMIN),
    # The business resource centre: every signed-in user reads it.
    "lms.resources.index": Rule(get=SIGNED_IN),
    "lms.resources.entry": Rule(get=SIGNED_IN),
    # Courses: every signed-in user sees their path and a course's page; trainers choose who
    # takes a course (the list, its download, admissions) and which sessions teach it.
    "lms.courses.index": Rule(get=SIGNED_IN),
    "lms.courses.course": Rule(get=SIGNED_IN),
    "lms.courses.eligible": Rule(get=TRAINER),
    "lms.courses.eligible_download": Rule(get=TRAINER),
    "lms.courses.admit": Rule(post=TRAINER),
    "lms.courses.withdraw": Rule(post=TRAINER),
    "lms.courses.sessions": Rule(post=TRAINER),
}
