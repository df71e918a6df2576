"""The installable app and offline reading: the manifest, the service worker at the LMS root,
the list of pages a tablet keeps for its learner, and "Save for offline" on module pages."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, current_app, g, jsonify, render_template, request, url_for
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from ..auth import current_user, passive
from ..content import services as content
from ..content import views as reading
from ..i18n import N_, _, enabled_locales, format_number, gettext_in, language, locale_code
from ..offline_pages import learner_key, mark_offline
from ..security import login_required
from ..web import bp as root
from ..web import render
from . import services

if TYPE_CHECKING:
    from ..content.modules import Module
    from ..state import LMSState

bp = Blueprint("offline", __name__)

#: Static files of the pages a tablet keeps (reading, tests), kept when the worker installs.
PRECACHE = (
    "lms.css",
    "lms.js",
    "offline.js",
    "content.js",
    "queue.js",
    "quiz.js",
    "icons/icon-192.png",
)
#: The page shown offline when the page asked for was never kept: in every language.
FALLBACK_TITLE = N_("No internet")
FALLBACK_BODY = N_(
    "This page was not saved on this tablet. Go back to a module you have opened, or wait for "
    "the wifi."
)
FALLBACK_HOME = N_("Go to the home page")
#: The installed app's names, in the language of the manifest asked for.
APP_NAME = N_("Dakshata: training for leather businesses")
APP_SHORT_NAME = N_("Dakshata")
ICONS = {"192": "icons/icon-192.png", "512": "icons/icon-512.png", "maskable": "icons/maskable.png"}


def setup(app: Flask, state: LMSState) -> None:
    app.after_request(offline_headers)
    app.jinja_env.globals["lms_learner_key"] = current_learner_key
    state.module_panels.append(save_panel)


def offline_headers(response: Response) -> Response:
    """The module page and its sections opt in to the service worker's cache (contract §1)."""
    if services.opts_in(request.endpoint) and current_user.is_authenticated:
        mark_offline(response, current_user.id)
    return response


def current_learner_key() -> str | None:
    """``<meta name="lms-learner">`` of a signed-in user's pages (None: nobody signed in)."""
    if not current_user.is_authenticated:
        return None
    return learner_key(current_user.id)


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    """The web app manifest in the language asked for (``?lang=``), else the reader's."""
    wanted = request.args.get("lang", "")
    code = wanted if wanted in enabled_locales() else locale_code()
    body = services.manifest(
        name=gettext_in(code, APP_NAME),
        short_name=gettext_in(code, APP_SHORT_NAME),
        lang=language(code).html_lang,
        scope=_scope(),
        icons={size: url_for("lms.static", filename=name) for size, name in ICONS.items()},
    )
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json"
    )
    response.cache_control.no_cache = True
    return response


def _scope() -> str:
    """The LMS's root URL: the service worker's scope and the installed app's start page."""
    return url_for("lms.offline.worker").removesuffix("sw.js")


@bp.get("/sw.js")
def worker() -> Response:
    """The service worker, from the LMS root so that its scope covers every LMS page. Its first
    line names this deploy's static version: a deploy that changes a static file changes the
    worker's bytes, so tablets install the new worker, which drops the old static cache."""
    folder = root.static_folder
    settings = {
        "version": services.static_version(folder),
        "scope": _scope(),
        "precache": [url_for("lms.static", filename=name) for name in PRECACHE],
        "fallback": url_for("lms.offline.fallback"),
    }
    source = Path(folder or "", "sw.js").read_text(encoding="utf-8")
    body = f"self.LMS_OFFLINE = {json.dumps(settings)};\n{source}"
    response = current_app.response_class(body, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = settings["scope"]
    response.cache_control.no_cache = True
    return response


@bp.get("/offline")
def fallback() -> str:
    """What an offline tablet shows for a page it never saved, in every enabled language (the
    reader's first): the same for everyone, so the worker keeps it with the static files."""
    codes = sorted(enabled_locales(), key=lambda code: code != locale_code())
    texts = [
        {
            "html_lang": language(code).html_lang,
            "title": gettext_in(code, FALLBACK_TITLE),
            "body": gettext_in(code, FALLBACK_BODY),
            "home": gettext_in(code, FALLBACK_HOME),
        }
        for code in codes
    ]
    return render_template(
        "lms/offline/fallback.html", texts=texts, first=texts[0], home=url_for("lms.core.home")
    )


@bp.get("/offline/keep")
@login_required
@passive
def keep() -> Response:
    """The pages and pictures this tablet keeps for its learner: the modules of their training
    sessions and those they opened. ``digest`` changes when the list or a text changes."""
    usable = {m.slug: m for m in content.learner_modules()}
    slugs = services.kept_slugs(current_user.id, usable)
    plans = [plan for slug in slugs if (plan := module_plan(usable[slug])) is not None]
    return jsonify(
        urls=[url for plan in plans for url in plan.urls],
        digest=services.plans_digest(plans, locale_code()),
    )


def module_plan(module: Module) -> services.OfflinePlan | None:
    """What "Save for offline" keeps of ``module`` for this reader, and its size."""
    try:
        doc = reading.reader_doc(module)
    except NotFound:
        return None
    pages = [
        (url_for("lms.content.module", slug=module.slug), reading.section_html(module, doc, 0))
    ]
    pages += [
        (
            url_for("lms.content.section", slug=module.slug, number=n),
            reading.section_html(module, doc, n),
        )
        for n in range(1, len(doc.pages) + 1)
    ]
    return services.plan_module(
        pages, lambda src: services.picture_file(module.folder, module.slug, src), frame_bytes()
    )


def frame_bytes() -> int:
    """The bytes of the layout around a page's text, for this reader (once per request)."""
    if "lms_offline_frame" not in g:
        g.lms_offline_frame = len(render("lms/base.html").encode("utf-8"))
    return g.lms_offline_frame


def save_panel(module: Module) -> tuple[str, dict[str, Any]] | None:
    """The module page's "Save for offline" button, with the module's size."""
    plan = module_plan(module)
    if plan is None:
        return None
    kilobytes = format_number(max(1, math.ceil(plan.size / 1024)))
    return "lms/offline/_save.html", {
        "urls": list(plan.urls),
        "size": _("%(size)s KB", size=kilobytes),
    }
