"""Sign-in limits that slow a guesser down without locking a training hall out.

After OWASP (ASVS 2.2.1; "Slow Down Online Guessing Attacks with Device Cookies"):

- Failures are counted per account *and client*. A client is a browser holding the account's
  device cookie (given by a successful sign-in on it, :mod:`lms.accounts.devices`), or else its
  address. After ``LMS_LOGIN_FREE_FAILURES`` failures within ``LMS_LOGIN_WINDOW`` seconds, that
  pair's next try is taken only after a wait that doubles with each further failure
  (``LMS_LOGIN_DELAY`` up to ``LMS_LOGIN_MAX_DELAY`` seconds). A success clears the pair.
- Clients without the account's device cookie, from any address together, may fail at most
  ``LMS_LOGIN_MAX_FAILURES_PER_ACCOUNT`` times on one account within the window; then they are
  refused until failures age out. A browser with the device cookie is not: the owner still signs
  in during an attack.
- One address may fail on at most ``LMS_LOGIN_MAX_ACCOUNTS_PER_IP`` different e-mail addresses
  within the window (a hall of 60 typing badly stays far below); then its tries on other accounts
  are refused, except from browsers with that account's device cookie.

Accounts are counted by a keyed hash of the normalised e-mail (HMAC with the app's secret key),
never the address itself, and rows are deleted once older than the window.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from .. import auth, throttle
from ..db import db, utcnow

#: Failures from clients without the account's device cookie (``key``: the client address).
ADDRESS = "sign-in"
#: Failures from a browser with the account's device cookie (``key``: the device's id).
DEVICE = "sign-in-device"
SCOPES = (ADDRESS, DEVICE)


@dataclass(frozen=True)
class Client:
    """Who tries: a client address, and the device id of the account's device cookie if the
    browser holds one."""

    address: str
    device: str | None = None

    @property
    def scope(self) -> str:
        return DEVICE if self.device else ADDRESS

    @property
    def key(self) -> str:
        return self.device or self.address


def account_key(email: str) -> str:
    """The keyed hash that stands for a (normalised) e-mail address in the counts."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    message = (auth.salt("sign-in") + ":" + email).encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def delay(failures: int) -> int:
    """Seconds a client waits after ``failures`` failures on one account (0: none)."""
    config = current_app.config
    extra = failures - int(config["LMS_LOGIN_FREE_FAILURES"])
    if extra < 0:
        return 0
    longest = int(config["LMS_LOGIN_MAX_DELAY"])
    return min(longest, int(config["LMS_LOGIN_DELAY"]) * 2 ** min(extra, 20))


def reserve(account: str, client: Client) -> tuple[int | None, int]:
    """Take a try of ``account`` by ``client``: ``(row id, 0)``, the row counting as a failure
    until :func:`succeeded` or :func:`release`; or ``(None, seconds to wait)``. Tries of one
    account are counted one after the other, also at once from several workers. Commits."""
    window = int(current_app.config["LMS_LOGIN_WINDOW"])
    now = throttle.begin(SCOPES, window, lock=account)
    wait = _wait(account, client, now, window)
    if wait > 0:
        db.session.commit()
        return None, wait
    row = throttle.add(client.scope, client.key, account, at=now)
    db.session.commit()
    return row, 0


def _wait(account: str, client: Client, now: datetime, window: int) -> int:
    config = current_app.config
    since = now - timedelta(seconds=window)
    pair = throttle.count(client.scope, since, key=client.key, subject=account)
    waits = [0.0]
    pause = delay(pair.count)
    if pause and pair.last is not None:
        waits.append(pause - (now - pair.last).total_seconds())
    if client.device is None:
        anywhere = throttle.count(ADDRESS, since, subject=account)
        allowed = int(config["LMS_LOGIN_MAX_FAILURES_PER_ACCOUNT"])
        if anywhere.count >= allowed:
            waits.append(_until_free(throttle.freed_at(ADDRESS, since, allowed, subject=account)))
        accounts = throttle.other_subjects(ADDRESS, since, client.address, account)
        if accounts >= int(config["LMS_LOGIN_MAX_ACCOUNTS_PER_IP"]):
            first = throttle.count(ADDRESS, since, key=client.address).first
            waits.append(_until_free(first))
    return math.ceil(max(waits))


def _until_free(counted_at: datetime | None) -> float:
    """Seconds until an event counted at ``counted_at`` leaves the window (at least 1)."""
    if counted_at is None:
        return 1.0
    window = timedelta(seconds=int(current_app.config["LMS_LOGIN_WINDOW"]))
    return max(1.0, (counted_at + window - utcnow()).total_seconds())


def succeeded(account: str, client: Client) -> None:
    """The right password: the pair's failures are forgotten (not the account's others)."""
    throttle.forget(client.scope, key=client.key, subject=account)
    db.session.commit()


def release(row_id: int) -> None:
    """A try that was no guess (an account switched off): it does not count."""
    throttle.remove(row_id)
    db.session.commit()


def forget(email: str) -> None:
    """Delete every failed sign-in counted under ``email`` (an erasure). Does not commit."""
    for scope in SCOPES:
        throttle.forget(scope, subject=account_key(email.strip().lower()))
