"""Who is signed in, as the LMS sees it, whoever signs people in.

Two ways to run:

- **The LMS signs people in** (its own Flask-Login ``LoginManager``, password pages, switch learner
  and idle sign-out): ``flask_login.current_user`` is an LMS ``User``.
- **The host signs people in** (the app has its own ``LoginManager``, registered before or after
  the LMS): the LMS signs nobody in. :data:`current_user` is then the LMS's own record of the host
  user (progress, attempts, certificates, language), found by the host user's ``get_id()`` and made
  on their first LMS visit, with roles, name and e-mail from the host (``LMS(user_roles=...)``).

Either way LMS code asks :data:`current_user` here, never ``flask_login.current_user``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, g, has_request_context, request, session
from flask_login import logout_user
from werkzeug.local import LocalProxy

from . import sessions
from .state import state

F = TypeVar("F", bound=Callable[..., Any])

#: Flask-Login's own keys in the session.
FLASK_LOGIN_KEYS = ("_user_id", "_fresh", "_id", "_remember", "_remember_seconds")


class Anonymous:
    """Nobody signed in: no roles, no preferences."""

    is_authenticated = False
    is_active = False
    is_anonymous = True
    id = None
    name = None
    email = None
    locale = None
    latin_digits = False
    roles: frozenset[str] = frozenset()

    def has_role(self, *roles: str) -> bool:
        return False

    def get_id(self) -> None:
        return None


def host_signs_in() -> bool:
    """Whether the host app's LoginManager, not the LMS's, signs people in on this app."""
    app = current_app._get_current_object()
    return getattr(app, "login_manager", None) is not state().login_manager


def _current() -> Any:
    if not has_request_context():
        return Anonymous()
    resolver = state().user_resolver
    user = resolver() if resolver is not None else None
    return user if user is not None else Anonymous()


#: The signed-in user's LMS record (an ``lms.accounts.models.User``), or :class:`Anonymous`.
current_user: Any = LocalProxy(_current)


def forget_current() -> None:
    """Drop what this request cached about who is signed in (after signing in or out)."""
    g.pop("_lms_host_record", None)


# The LMS's cookies and session keys: its own names, so two LMS apps under one domain, or an LMS
# inside a host app, never read or remove each other's.


def cookie_name(name: str) -> str:
    """``LMS_COOKIE_PREFIX`` + ``name`` (``lms_locale``, ``lms_recent``...)."""
    return current_app.config["LMS_COOKIE_PREFIX"] + name


def session_key(name: str) -> str:
    return current_app.config["LMS_COOKIE_PREFIX"] + name


def salt(name: str) -> str:
    """A signing salt of this LMS (so one LMS's signed cookie is worthless to another)."""
    return current_app.config["LMS_COOKIE_PREFIX"] + name


def owns_session() -> bool:
    """Whether signing out ends the whole session (``LMS_OWNS_SESSION``; by default, when the
    LMS signs people in) or removes only the LMS's keys (when the host does)."""
    configured = current_app.config["LMS_OWNS_SESSION"]
    return (not host_signs_in()) if configured is None else bool(configured)


def own_session_keys() -> list[str]:
    """The session keys signing out removes: every key when the LMS owns the session, else only
    the LMS's (``LMS_COOKIE_PREFIX``) and Flask-Login's."""
    if owns_session():
        return [key for key in session if key != "_flashes"]
    prefix = current_app.config["LMS_COOKIE_PREFIX"]
    return [key for key in session if key.startswith(prefix) or key in FLASK_LOGIN_KEYS]


def clear_own_session() -> None:
    """Remove what the LMS owns from the session (see :func:`own_session_keys`)."""
    for key in own_session_keys():
        session.pop(key, None)


def sign_out(reason: str) -> Any:
    """Sign the current user out: end their session on the server (when the LMS signs people
    in) and remove the LMS's session keys (``reason``: ``user``, ``idle`` or ``switch``, as sent
    with :data:`lms.signals.user_signed_out`)."""
    from . import signals

    user = current_user._get_current_object()
    if not host_signs_in():
        sessions.end_current(reason)  # a saved copy of the cookie signs nobody in any more
    clear_own_session()
    logout_user()
    forget_current()
    if user.is_authenticated:
        app = current_app._get_current_object()
        signals.user_signed_out.send(app, user=user, reason=reason)
    return user if user.is_authenticated else None


# Switch learner and idle sign-out: on when the LMS signs people in, and under the host's
# sign-in only when the host turns them on.


def _setting(key: str) -> Any:
    value = current_app.config[key]
    if host_signs_in() and not state().config_is_explicit(key):
        return 0 if key == "LMS_IDLE_TIMEOUT" else False
    return value


def idle_timeout() -> int:
    """Seconds without activity before sign-out (0: never)."""
    return int(_setting("LMS_IDLE_TIMEOUT") or 0)


def switch_learner_enabled() -> bool:
    configured = _setting("LMS_SWITCH_LEARNER")
    return bool(configured)


def passive(view: F) -> F:
    """Mark a view that pages call on their own (polling): it is no sign of activity, so it
    never extends the idle timeout. Put it anywhere below ``@bp.get``."""
    view.lms_passive = True  # type: ignore[attr-defined]
    return view


def is_passive() -> bool:
    """Whether this request's view is marked :func:`passive`."""
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "lms_passive", False))


def touch_every() -> int:
    """Seconds between two notes of activity: 30, or less for a short idle timeout, so that an
    active user is never taken for idle."""
    timeout = idle_timeout()
    return min(sessions.TOUCH_EVERY, timeout // 4) if timeout else sessions.TOUCH_EVERY


# Under a host's sign-in the host owns the session: activity is noted in the session cookie.


def touch() -> None:
    """Note activity now (at most every 30 s, so the session cookie is not rewritten each time)."""
    key, now = session_key("seen"), int(time.time())
    seen = session.get(key)
    if not isinstance(seen, int) or now - seen >= 30:
        session[key] = now


def keep_alive() -> None:
    """Note activity now, however recently it was noted ("I'm still here" on the idle warning)."""
    if not host_signs_in():
        row = sessions.current(int(current_user.id))
        if row is not None:
            sessions.touch(row, 0)
        return
    session[session_key("seen")] = int(time.time())


def idle_for() -> int:
    """Seconds since the last noted activity (0 when none is noted yet)."""
    seen = session.get(session_key("seen"))
    return int(time.time()) - seen if isinstance(seen, int) else 0
