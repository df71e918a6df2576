"""Device cookies (OWASP's "Slow Down Online Guessing Attacks with Device Cookies").

A successful sign-in gives the browser an entry for that account: ``[user id, device id]``, in one
signed cookie sent only to the sign-in page, for the last :data:`MAX_ACCOUNTS` accounts that
signed in on it (a shared tablet has many). With it, the account's lockout against unknown
clients never refuses this browser, and its failures are counted for this device alone
(:mod:`lms.accounts.limits`).
"""

from __future__ import annotations

import secrets

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from .. import auth
from ..web import get_cookie, set_cookie

#: The cookie's name (without ``LMS_COOKIE_PREFIX``).
COOKIE = "device"
#: Accounts one browser keeps an entry for (the most recent ones).
MAX_ACCOUNTS = 64
#: How long an entry lasts without a new sign-in on the device.
MAX_AGE = 180 * 24 * 3600


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=auth.salt("device"))


def known() -> dict[int, str]:
    """``{user id: device id}`` from this browser's device cookie (empty when it has none, or
    a forged or expired one), most recent first."""
    raw = get_cookie(COOKIE)
    if not raw:
        return {}
    try:
        entries = _serializer().loads(raw, max_age=MAX_AGE)
    except BadSignature:
        return {}
    if not isinstance(entries, list):
        return {}
    return {
        entry[0]: entry[1]
        for entry in entries
        if isinstance(entry, list)
        and len(entry) == 2
        and isinstance(entry[0], int)
        and isinstance(entry[1], str)
    }


def remember(response: Response, user_id: int, devices: dict[int, str]) -> None:
    """Give (or renew) ``user_id``'s entry in this browser's device cookie."""
    device = devices.get(user_id) or secrets.token_urlsafe(12)
    entries = [[user_id, device]]
    entries += [[i, d] for i, d in devices.items() if i != user_id][: MAX_ACCOUNTS - 1]
    path = url_for("lms.accounts.login")
    set_cookie(response, COOKIE, _serializer().dumps(entries), MAX_AGE, path=path)
