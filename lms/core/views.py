from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Flask, current_app, jsonify, redirect, request, url_for
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from .. import __version__, signals
from ..auth import current_user
from ..content import services as content
from ..countries import current_country
from ..db import db
from ..i18n import LOCALE_COOKIE, enabled_locales, locale_code
from ..security import login_required, safe_next
from ..web import render, set_cookie

if TYPE_CHECKING:
    from ..state import LMSState

bp = Blueprint("core", __name__)

_ONE_YEAR = 365 * 24 * 3600


def setup(app: Flask, state: LMSState) -> None:
    from ..i18n import _l
    from ..state import HomeLink

    state.home_links.append(
        HomeLink(
            "lms.core.record",
            _l("My results"),
            _l("Your tests, live quizzes and progress."),
            icon="chart",
        )
    )


@bp.get("/")
def home() -> str:
    if not current_user.is_authenticated:
        return render("lms/core/welcome.html")
    links = [
        link
        for link in current_app.extensions["lms"].home_links
        if not link.roles or current_user.has_role(*link.roles)
    ]
    # A returning learner is led back to where they stopped, ahead of the tiles.
    resume = content.resume_point(current_user.id, locale_code(), current_country())
    return render("lms/core/home.html", links=links, resume=resume)


@bp.get("/my/record")
@login_required
def record() -> str:
    """Everything a learner has done: tests, live quizzes (in-session evidence) and more."""
    state = current_app.extensions["lms"]
    user = current_user._get_current_object()
    sections = [s for make in state.record_sections if (s := make(user)) is not None]
    return render("lms/core/record.html", sections=sections)


@bp.post("/language")
def set_language() -> Response:
    """Remember the chosen UI language (on the account when signed in, and in a cookie)."""
    code = request.form.get("locale", "")
    target = safe_next(request.form.get("next")) or url_for("lms.core.home")
    response = redirect(target)
    if code not in enabled_locales():
        return response
    set_cookie(response, LOCALE_COOKIE, code, _ONE_YEAR)
    user = current_user._get_current_object() if current_user.is_authenticated else None
    if user is not None:
        user.locale = code
        db.session.commit()
    signals.locale_changed.send(current_app._get_current_object(), locale=code, user=user)
    return response


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Machine-readable health: 200 when the database answers, 503 when it does not. The version
    only with ``LMS_HEALTHZ_VERSION``: the page is public, and a version tells an attacker which
    known flaws to try."""
    try:
        db.session.execute(text("SELECT 1"))
        health, code = {"status": "ok", "database": "ok"}, 200
    except SQLAlchemyError:
        db.session.rollback()
        health, code = {"status": "error", "database": "unreachable"}, 503
    if current_app.config["LMS_HEALTHZ_VERSION"]:
        health["version"] = __version__
    return jsonify(health), code
