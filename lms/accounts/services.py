"""Account logic, callable without a request: creating users, roles, passwords, sign-in limits."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import flask_login
from flask import current_app, g, has_request_context
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from .. import auth, sessions, signals
from ..db import db, utcnow
from ..i18n import _l, lazy_number
from ..state import state
from . import limits
from .models import ADMIN, LEARNER, ROLES, User, UserRole

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Checked when the e-mail is unknown, so a wrong address takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a real password")


class AccountError(ValueError):
    """A refused account change; ``str()`` is the message in the current UI language."""

    def __init__(self, message: object) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def check_password_rules(password: str) -> None:
    minimum = current_app.config["LMS_PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise AccountError(
            _l("The password needs at least %(num)s characters.", num=lazy_number(minimum))
        )


def check_roles(roles: Iterable[str]) -> set[str]:
    chosen = set(roles)
    unknown = chosen.difference(ROLES)
    if unknown:
        raise AccountError(_l("Unknown role: %(role)s", role=", ".join(sorted(unknown))))
    if not chosen:
        raise AccountError(_l("Choose at least one role."))
    return chosen


def create_user(
    email: str,
    name: str,
    password: str,
    roles: Iterable[str] = ("learner",),
    *,
    locale: str | None = None,
    country: str | None = None,
    created_by: User | None = None,
) -> User:
    """Create and commit an account; raise :class:`AccountError` for bad input. ``country``:
    the country whose content the user chose (see :mod:`lms.countries`)."""
    email = normalise_email(email)
    if not _EMAIL.match(email):
        raise AccountError(_l("That does not look like an e-mail address."))
    if not name.strip():
        raise AccountError(_l("Please enter a name."))
    if find_user(email) is not None:
        raise AccountError(_l("An account with this e-mail address already exists."))
    chosen = check_roles(roles)
    check_password_rules(password)
    user = User(email=email, name=name.strip(), password_hash=generate_password_hash(password))
    user.locale = locale
    user.country = country
    user.role_rows = [UserRole(role=role) for role in sorted(chosen)]
    db.session.add(user)
    db.session.commit()
    signals.user_created.send(current_app._get_current_object(), user=user, created_by=created_by)
    return user


def learner_ids() -> list[int]:
    """Every account with the learner role."""
    return list(db.session.scalars(select(UserRole.user_id).where(UserRole.role == LEARNER)))


def set_password(user: User, password: str) -> None:
    """Change the password and sign the user out everywhere else (this request's session stays
    when it is the user's own)."""
    check_password_rules(password)
    user.password_hash = generate_password_hash(password)
    user.auth_version += 1
    db.session.commit()
    keep = sessions.current_id() if has_request_context() else None
    sessions.end_all(user.id, "password", keep=keep)


def set_roles(user: User, roles: Iterable[str], *, changed_by: User | None = None) -> None:
    chosen = check_roles(roles)
    if ADMIN in user.roles and ADMIN not in chosen:
        _refuse_last_admin(user)
    user.role_rows = [UserRole(role=role) for role in sorted(chosen)]
    db.session.commit()
    signals.roles_changed.send(
        current_app._get_current_object(), user=user, roles=chosen, changed_by=changed_by
    )


def set_active(user: User, active: bool) -> None:
    if not active and ADMIN in user.roles:
        _refuse_last_admin(user)
    switched_off = user.active and not active
    if switched_off:
        user.auth_version += 1
    user.active = active
    db.session.commit()
    if switched_off:
        sessions.end_all(user.id, "disabled")


def _refuse_last_admin(user: User) -> None:
    others = db.session.scalar(
        select(func.count())
        .select_from(UserRole)
        .join(User)
        .where(UserRole.role == ADMIN, User.active.is_(True), User.id != user.id)
    )
    if not others:
        raise AccountError(_l("This is the last active administrator; keep at least one."))


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    #: ``None`` on success, else ``bad-credentials``, ``locked`` or ``inactive``.
    failure: str | None = None
    #: Seconds to wait before the next try (``locked``).
    wait: int = 0


def authenticate(
    email: str, password: str, ip: str, devices: dict[int, str] | None = None
) -> SignInResult:
    """Check a password sign-in within the limits of :mod:`lms.accounts.limits`. ``devices``:
    the browser's device cookie (``{user id: device id}``). A refused try checks no password."""
    email = normalise_email(email)
    app = current_app._get_current_object()
    account = limits.account_key(email)
    user = find_user(email)
    device = (devices or {}).get(user.id) if user is not None else None
    client = limits.Client(ip, device)
    row, wait = limits.reserve(account, client)
    if row is None:
        signals.sign_in_failed.send(app, email=email, ip=ip, reason="locked", wait=wait)
        return SignInResult(None, "locked", wait)
    has_password = user is not None and bool(user.password_hash)
    valid = check_password_hash(user.password_hash if has_password else _DUMMY_HASH, password)
    if not (user and valid and has_password):
        signals.sign_in_failed.send(app, email=email, ip=ip, reason="bad-credentials")
        return SignInResult(None, "bad-credentials")
    if not user.active:
        limits.release(row)
        signals.sign_in_failed.send(app, email=email, ip=ip, reason="inactive")
        return SignInResult(None, "inactive")
    limits.succeeded(account, client)
    user.last_sign_in_at = utcnow()
    db.session.commit()
    return SignInResult(user)


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: ``<id>.<auth_version>`` (old sessions die with a new password), and
    only in a session that is live on the server (:mod:`lms.sessions`)."""
    ident, _, version = user_id.partition(".")
    if not (ident.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(ident))
    if user is None or user.auth_version != int(version) or not user.active:
        return None
    if sessions.current(user.id) is None:
        return None
    return user


# The host's users: when the host app signs people in, each host user has an LMS record.


def current_record() -> User | None:
    """The LMS record of whoever is signed in (``lms.auth.current_user`` asks this)."""
    signed_in = flask_login.current_user
    if signed_in is None or not signed_in.is_authenticated:
        return None
    if not auth.host_signs_in():
        return signed_in._get_current_object()  # the LMS's own LoginManager loads LMS users
    external_id = str(state().host_users.id(signed_in._get_current_object()))
    cached = g.get("_lms_host_record")
    if cached is not None and cached[0] == external_id:
        return cached[1]
    record = host_record(signed_in._get_current_object())
    g._lms_host_record = (external_id, record)
    return record


def host_record(host_user: Any) -> User:
    """The LMS record of ``host_user``, made on their first LMS visit and brought up to date
    with the host's name, e-mail and roles (``LMS(user_name=, user_email=, user_roles=)``)."""
    external_id = str(state().host_users.id(host_user))
    wanted = _host_details(host_user)
    for _try in range(3):
        user = db.session.scalar(select(User).where(User.external_id == external_id))
        try:
            if user is None:
                user = _create_host_record(external_id, **wanted)
            else:
                _update_host_record(user, **wanted)
            return user
        except IntegrityError:  # a second tablet made the record, or took the e-mail, just now
            db.session.rollback()
            if _email_taken(wanted["email"], external_id):
                wanted["email"] = None
    raise RuntimeError(f"could not make the LMS record of host user {external_id!r}")


def _host_details(host_user: Any) -> dict[str, Any]:
    described = state().host_users
    name = str(described.name(host_user) or "").strip()[:200] or str(host_user.get_id())
    email = described.email(host_user)
    roles = {str(r) for r in described.roles(host_user) or ()}
    unknown = roles.difference(ROLES)
    if unknown:
        current_app.logger.warning("LMS: unknown roles ignored: %s", ", ".join(sorted(unknown)))
    email = normalise_email(email)[:254] if isinstance(email, str) and email.strip() else None
    return {"name": name, "email": email, "roles": roles & set(ROLES)}


def _email_taken(email: str | None, external_id: str) -> bool:
    if email is None:
        return False
    other = find_user(email)
    return other is not None and other.external_id != external_id


def _create_host_record(external_id: str, name: str, email: str | None, roles: set[str]) -> User:
    user = User(external_id=external_id, name=name, password_hash=None)
    user.email = None if _email_taken(email, external_id) else email
    user.role_rows = [UserRole(role=role) for role in sorted(roles)]
    db.session.add(user)
    db.session.commit()
    signals.user_created.send(current_app._get_current_object(), user=user, created_by=None)
    return user


def _update_host_record(user: User, name: str, email: str | None, roles: set[str]) -> None:
    new_roles = roles != user.roles
    changed = new_roles
    if user.name != name:
        user.name, changed = name, True
    if email != user.email and not _email_taken(email, user.external_id or ""):
        user.email, changed = email, True
    if new_roles:
        user.role_rows = [UserRole(role=role) for role in sorted(roles)]
    if changed:
        db.session.commit()
    if new_roles:
        app = current_app._get_current_object()
        signals.roles_changed.send(app, user=user, roles=roles, changed_by=None)
