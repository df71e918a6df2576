"""The root ``lms`` blueprint: templates, static files, per-request checks and error pages."""

from __future__ import annotations

import time
from typing import Any

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError, generate_csrf
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

from . import i18n, security, signals
from .i18n import _, _l

bp = Blueprint(
    "lms",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/lms-static",
)

_ERROR_MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You do not have permission to open this page."),
    404: _l("We could not find this page."),
    405: _l("This action is not allowed here."),
    413: _l("What you sent is too large."),
    429: _l("Too many attempts. Please wait a little and try again."),
    500: _l("Something went wrong on our side. Please try again."),
    503: _l("The service is not available right now. Please try again in a minute."),
}
# Only refresh the "last seen" time in the session cookie this often (seconds).
_SEEN_RESOLUTION = 30


def register(app: Flask) -> None:
    from . import blueprints  # noqa: F401  (nests the capability blueprints once)

    app.register_blueprint(bp, url_prefix=app.config["LMS_URL_PREFIX"] or None)
    if app.config["LMS_APP_ERROR_PAGES"]:
        app.register_error_handler(HTTPException, handle_http_error)
        app.register_error_handler(InternalServerError, handle_http_error)


def set_cookie(response: Response, name: str, value: str, max_age: int) -> None:
    """An LMS cookie: HttpOnly, SameSite=Lax, and Secure whenever the session cookie is."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )


def render(template: str, **context: Any) -> str:
    """Render an LMS template with the language, formatting and navigation helpers."""
    i18n.domain.as_default()
    from .extension import state

    values: dict[str, Any] = i18n.template_context()
    values.update(
        csrf_token=generate_csrf,
        idle_timeout=current_app.config["LMS_IDLE_TIMEOUT"] if current_user.is_authenticated else 0,
        home_links=state().home_links,
    )
    values.update(context)
    return render_template(template, **values)


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


@bp.after_request
def _security_headers(response: Response) -> Response:
    if current_app.config["LMS_SECURITY_HEADERS"]:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
    return response


@bp.before_request
def _before_request() -> Response | None:
    i18n.domain.as_default()
    security.csrf_protect()
    return _check_idle()


def _check_idle() -> Response | None:
    timeout = current_app.config["LMS_IDLE_TIMEOUT"]
    if not timeout or not current_user.is_authenticated:
        return None
    now = int(time.time())
    seen = session.get("lms_seen", now)
    if now - seen > timeout:
        user = current_user._get_current_object()
        logout_user()
        session.clear()
        signals.user_signed_out.send(current_app._get_current_object(), user=user, reason="idle")
        flash(_("You were signed out because the tablet was not used for a while."), "info")
        target = request.full_path if request.method == "GET" else None
        return redirect(url_for("lms.accounts.login", next=target))
    if now - seen >= _SEEN_RESOLUTION or "lms_seen" not in session:
        session["lms_seen"] = now
    return None


def handle_http_error(error: HTTPException) -> Any:
    code = error.code or 500
    if code < 400:
        return error
    if isinstance(error, CSRFError):
        message = _(
            "This page had expired, so nothing was saved. Please go back, reload and try again."
        )
    else:
        message = _ERROR_MESSAGES.get(code) or _ERROR_MESSAGES[500 if code >= 500 else 400]
    return render("lms/errors/error.html", code=code, message=message), code


bp.register_error_handler(HTTPException, handle_http_error)
bp.register_error_handler(InternalServerError, handle_http_error)
