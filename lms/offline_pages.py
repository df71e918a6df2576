"""The pages a tablet's service worker may keep (issue 21), in the core so every capability can
mark its pages: a response opts in with ``X-LMS-Offline: page`` and names whose it is with
``X-LMS-Learner`` (:func:`learner_key`); a page without them is never kept."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, request
from werkzeug.wrappers import Response

#: The header that lets the service worker keep a response (the contract of issue 21).
OFFLINE_HEADER = "X-LMS-Offline"
#: Whose page it is: :func:`learner_key` of the signed-in user.
LEARNER_HEADER = "X-LMS-Learner"


def learner_key(user_id: int) -> str:
    """An opaque, stable key of a user for the tablet's caches: an HMAC of the id with the app's
    secret key (16 hex characters). It names a cache without saying whose it is."""
    secret = current_app.config["SECRET_KEY"]
    key = secret.encode() if isinstance(secret, str) else bytes(secret)
    message = f"lms-offline-learner:{int(user_id)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:16]


def mark_offline(response: Response, user_id: int) -> Response:
    """Let the service worker keep ``response`` for ``user_id`` (a successful GET only)."""
    if request.method == "GET" and response.status_code == 200:
        response.headers[OFFLINE_HEADER] = "page"
        response.headers[LEARNER_HEADER] = learner_key(user_id)
    return response
