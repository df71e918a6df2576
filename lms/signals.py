"""Events a host app can react to (blinker signals), without patching the LMS.

Connect a receiver with ``signal.connect(func)``; the sender is the Flask app, and keyword
arguments carry the event's objects::

    from lms import signals

    @signals.user_signed_in.connect
    def note(app, user, **extra):
        app.logger.info("signed in: %s", user.email)
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: A user account was created (``user``; ``created_by``: the admin, or ``None`` from the CLI).
user_created = _signals.signal("lms.user-created")

#: A user signed in with a password (``user``).
user_signed_in = _signals.signal("lms.user-signed-in")

#: A user signed out (``user``; ``reason``: ``"user"``, ``"idle"`` or ``"switch"``).
user_signed_out = _signals.signal("lms.user-signed-out")

#: A sign-in was refused (``email``, ``ip``; ``reason``: ``"bad-credentials"``, ``"locked"``
#: or ``"inactive"``; when ``"locked"``, ``wait``: the seconds before the next try is taken).
sign_in_failed = _signals.signal("lms.sign-in-failed")

#: A user's roles changed (``user``, ``roles``: the new set, ``changed_by``).
roles_changed = _signals.signal("lms.roles-changed")

#: The UI language was chosen (``locale``; ``user`` or ``None`` when signed out).
locale_changed = _signals.signal("lms.locale-changed")

#: A learner finished reading a module (``user_id``, ``module_id``).
module_completed = _signals.signal("lms.module-completed")

#: An author saved a module file from the browser (``module_id``, ``locale``, ``user_id``).
content_saved = _signals.signal("lms.content-saved")

#: A learner submitted a test (``attempt``: scored, with its answers). Sent once per attempt,
#: however often the learner taps Submit.
attempt_submitted = _signals.signal("lms.attempt-submitted")

#: A live-quiz answer was counted (``answer``: the stored answer with its points). Sent once,
#: however often the tablet retries.
live_answer_counted = _signals.signal("lms.live-answer-counted")

#: A certificate was issued (``certificate``, with its signed credential).
certificate_issued = _signals.signal("lms.certificate-issued")

#: Learners were referred to mentorship (``user_ids``): on the mentorship list from now on.
mentees_referred = _signals.signal("lms.mentees-referred")

#: A certificate was revoked (``certificate``, with ``revocation_reason``).
certificate_revoked = _signals.signal("lms.certificate-revoked")

#: Attendance was taken (``session``, ``beneficiary_id``, ``present``, ``via``: ``roster`` when the
#: trainer tapped the roster, ``qr`` when the participant checked in with the session's code).
attendance_marked = _signals.signal("lms.attendance-marked")

#: An enterprise's needs assessment was answered in full (``assessment``, with its ``gaps``).
needs_assessed = _signals.signal("lms.needs-assessed")

#: Session feedback was given or changed (``feedback``: its ``role``, ``ratings``, ``comment``).
feedback_given = _signals.signal("lms.feedback-given")

#: A beneficiary was erased (``beneficiary_id``); only anonymous counts remain.
beneficiary_erased = _signals.signal("lms.beneficiary-erased")

#: ``flask lms demo`` finished loading demo data (``accounts``: list of (email, role) pairs).
demo_loaded = _signals.signal("lms.demo-loaded")
