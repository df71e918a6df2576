"""Secret key, cookies, CSRF on every state-changing LMS request, and role checks."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, request
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from .auth import current_user

F = TypeVar("F", bound=Callable[..., Any])
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def check_secret_key(app: Flask, config: dict[str, Any]) -> None:
    """Refuse production without a secret key (before anything is changed)."""
    if app.config.get("SECRET_KEY") or config["LMS_SECRET_KEY"]:
        return
    if config["LMS_ENV"] == "production":
        raise RuntimeError(
            "LMS_ENV=production needs a secret key: set SECRET_KEY in the instance config.py "
            "or the LMS_SECRET_KEY environment variable."
        )


def configure_secret_key(app: Flask) -> None:
    """Use the given key; in development keep a generated one in the instance folder."""
    check_secret_key(app, app.config)
    if app.config.get("SECRET_KEY"):
        return
    if app.config["LMS_SECRET_KEY"]:
        app.config["SECRET_KEY"] = app.config["LMS_SECRET_KEY"]
        return
    app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")


def _instance_secret(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        key = secrets.token_hex(32)
        fh.write(key)
    return key


def configure_cookies(app: Flask) -> None:
    """HttpOnly, SameSite=Lax cookies, and Secure ones in production (Flask defaults are laxer).

    Only for an app whose session the LMS sets up; a host app with its own database or sign-in
    keeps its own cookie settings."""
    production = app.config["LMS_ENV"] == "production"
    for prefix in ("SESSION_COOKIE", "REMEMBER_COOKIE"):
        app.config.setdefault(f"{prefix}_HTTPONLY", True)
        if app.config.get(f"{prefix}_SAMESITE") is None:
            app.config[f"{prefix}_SAMESITE"] = "Lax"
        if production:
            app.config[f"{prefix}_SECURE"] = True
        app.config.setdefault(f"{prefix}_SECURE", False)


def csrf_protect() -> None:
    """Refuse a state-changing request without a valid CSRF token (form field or header),
    except for a :func:`token_only` view."""
    if request.method not in UNSAFE_METHODS or not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "lms_token_only", False):
        return
    token = request.form.get("csrf_token") or request.headers.get("X-CSRFToken")
    try:
        validate_csrf(token)
    except ValidationError as exc:
        raise CSRFError(exc.args[0]) from exc


def token_only(view: F) -> F:
    """Mark a view that trusts a signed token in the request body alone, never the session
    cookie (it must not read ``current_user``): it needs no CSRF token, since CSRF abuses the
    cookie a browser adds by itself to a request another site makes. Put it below ``@bp.post``."""
    view.lms_token_only = True  # type: ignore[attr-defined]
    return view


def roles_required(*roles: str) -> Callable[[F], F]:
    """Sign-in is needed, then any of ``roles`` (an admin passes every check); else 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # the host's, if it signs in
            if roles and not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def login_required(view: F) -> F:
    return roles_required()(view)


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else ``None`` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None
