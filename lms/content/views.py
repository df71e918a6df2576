"""The learner's side: catalog, module page, section pages with resume, module assets."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    jsonify,
    redirect,
    request,
    send_from_directory,
    url_for,
)
from werkzeug.wrappers import Response

from ..auth import current_user
from ..countries import current_country
from ..i18n import _l, format_number, gettext_in, language, locale_code, ngettext
from ..parsing import whole_number
from ..security import login_required
from ..state import HomeLink, state
from ..web import render
from . import images, services
from .blocks import for_country
from .library import ContentLibrary
from .modules import Module
from .render import LinkContext
from .source import LocaleDoc
from .topics import LEVELS, TOPICS

if TYPE_CHECKING:
    from ..state import LMSState

bp = Blueprint("content", __name__)


def setup(app: Flask, state: LMSState) -> None:
    state.content_library = ContentLibrary(
        Path(app.config["LMS_CONTENT_DIR"]), state.content_folders
    )
    state.home_links[:0] = [
        HomeLink(
            "lms.content.catalog",
            _l("Modules"),
            _l("Read the lessons and continue where you stopped."),
            icon="book",
        ),
    ]
    state.home_links.append(
        HomeLink(
            "lms.content.dashboard",
            _l("Content"),
            _l("Check, preview, edit and translate the modules."),
            roles=("author",),
            icon="pen",
        )
    )


def get_module(slug: str) -> Module:
    module = services.library().get(slug)
    if module is None or not module.usable:
        abort(404)
    return module


def reader_doc(module: Module) -> LocaleDoc:
    """The module as this reader sees it: their language, their country's blocks and facts."""
    doc = services.reader_doc(
        module, locale_code(), current_country(), latin_digits=bool(current_user.latin_digits)
    )
    if doc is None:
        abort(404)
    return doc


def link_context(module: Module, doc: LocaleDoc) -> LinkContext:
    """Links in ``doc`` go to the section page that holds the anchor."""
    library = services.library()
    chain = services.locale_chain(doc.locale)

    def link_for(slug: str | None, anchor: str | None) -> str | None:
        target = module if slug is None else library.get(slug)
        if target is None:
            return None
        target_doc = doc if slug is None else target.doc(chain)
        if slug is not None and target_doc is not None:  # the section numbers the reader has
            target_doc = for_country(target_doc, current_country())
        index = library.anchors(target_doc).get(anchor or "", 0) if target_doc else 0
        if index == 0:
            url = url_for("lms.content.module", slug=target.slug)
        else:
            url = url_for("lms.content.section", slug=target.slug, number=index)
        return f"{url}#{anchor}" if anchor else url

    def asset_url(path: str) -> str:
        folder, _, filename = path.partition("/")
        return url_for("lms.content.asset", slug=module.slug, folder=folder, filename=filename)

    def image_size(path: str) -> tuple[int, int] | None:
        found = images.resolve(module.folder, path)
        return images.pixel_size(found) if found is not None else None

    return LinkContext(
        link_for,
        asset_url,
        lambda message: gettext_in(doc.locale, message),
        format_number,
        image_size,
    )


def section_html(module: Module, doc: LocaleDoc, index: int) -> str:
    context = link_context(module, doc)
    # Diagrams number their steps in the reader's digits: part of the cached page's key.
    key = (request.script_root, locale_code(), bool(current_user.latin_digits))
    return services.library().section_html(doc, index, context, key)


def fallback_notice(doc: LocaleDoc) -> dict[str, str] | None:
    """When the reader's language is missing: which language is shown instead."""
    wanted = locale_code()
    if doc.locale == wanted:
        return None
    return {
        "wanted": language(wanted).autonym,
        "shown": language(doc.locale).autonym,
        "lang": language(doc.locale).html_lang,
    }


@bp.get("/modules")
@login_required
def catalog() -> str:
    level = request.args.get("level", "")
    topic = request.args.get("topic", "")
    modules = services.learner_modules()
    shown = [
        m for m in modules if (not level or m.level == level) and (not topic or topic in m.topics)
    ]
    chain = services.locale_chain(locale_code())
    entries = [(m, m.doc(chain)) for m in shown]
    broken = []
    if current_user.has_role("author"):
        broken = [m for m in services.library().modules() if not m.usable]
    used_topics = [t for t in TOPICS if any(t in m.topics for m in modules)]
    return render(
        "lms/content/catalog.html",
        entries=entries,
        level=level,
        topic=topic,
        levels=LEVELS,
        topics=TOPICS,
        used_topics=used_topics,
        broken=broken,
        progress=services.progress_for(current_user.id),
    )


@bp.get("/modules/<slug>")
@login_required
def module(slug: str) -> str:
    module = get_module(slug)
    doc = reader_doc(module)
    progress = services.progress_for(current_user.id).get(module.slug)
    titles = {
        s: (m.doc(services.locale_chain(locale_code())) or doc).title
        for s in module.prerequisites
        if (m := services.library().get(s)) is not None
    }
    panels = [panel for make in state().module_panels if (panel := make(module)) is not None]
    return render(
        "lms/content/module.html",
        panels=panels,
        # A panel may bring the page's next step (the tests' guided path does); else reading is.
        leads=[(panel["lead"], panel) for _template, panel in panels if panel.get("lead")],
        module=module,
        doc=doc,
        intro=section_html(module, doc, 0),
        progress=progress,
        reading=services.reading_of(current_user.id, module.slug, len(doc.pages)),
        just_finished=request.args.get("done") == "1",
        notice=fallback_notice(doc),
        levels=LEVELS,
        topics=TOPICS,
        prerequisites=titles,
    )


@bp.get("/modules/<slug>/<lms_id:number>")
@login_required
def section(slug: str, number: int) -> str:
    module = get_module(slug)
    doc = reader_doc(module)
    pages = doc.pages
    if not 1 <= number <= len(pages):
        abort(404)
    reading = services.reading_of(current_user.id, module.slug, len(pages))
    # This page counts as opened: the page's script records it, as Next and Previous do.
    unread = [n for n in reading.unread if n != number]
    # The last page, or the page that completes the reading, ends with the finish panel.
    finish_panel = number == len(pages) or (not unread and not reading.completed)
    return render(
        "lms/content/section.html",
        module=module,
        doc=doc,
        number=number,
        total=len(pages),
        section=pages[number - 1],
        html=section_html(module, doc, number),
        notice=fallback_notice(doc),
        reading=reading,
        unread=[(n, pages[n - 1].title) for n in unread],
        finish_panel=finish_panel,
        after_reading=_after_reading(module) if finish_panel else None,
    )


def _after_reading(module: Module) -> Any:
    """What a panel says comes after the reading (the tests' final test), or ``None``."""
    for make in state().module_panels:
        panel = make(module)
        if panel is not None and panel[1].get("after_reading"):
            return panel[1]["after_reading"]
    return None


@bp.post("/modules/<slug>/<lms_id:number>/go")
@login_required
def go(slug: str, number: int) -> Response:
    """Next / Previous / Finish: remember the position and the sections opened, then show the
    page asked for. Finishing needs every section opened; else it says which are unread."""
    module = get_module(slug)
    total = len(reader_doc(module).pages)
    if not 1 <= number <= total:
        abort(404)
    if request.form.get("finish") == "1":
        unread = services.finish(current_user.id, module.slug, number, total)
        if not unread:
            return redirect(url_for("lms.content.module", slug=module.slug, done=1))
        flash(unread_message(unread), "error")
        return redirect(url_for("lms.content.section", slug=module.slug, number=number))
    target = whole_number(request.form.get("to"), 1, total)
    if target is None:
        abort(400)
    services.visit(current_user.id, module.slug, target, total, number)
    return redirect(url_for("lms.content.section", slug=module.slug, number=target))


def unread_message(unread: list[int]) -> str:
    numbers = ", ".join(format_number(n) for n in unread)
    return ngettext(
        "Section %(numbers)s is still unread. Open it to finish the module.",
        "Sections %(numbers)s are still unread. Open them to finish the module.",
        len(unread),
        numbers=numbers,
    )


@bp.post("/modules/<slug>/<lms_id:number>/seen")
@login_required
def seen(slug: str, number: int) -> Response:
    """The section page reports itself when opened (with script), so resume is exact."""
    module = get_module(slug)
    total = len(reader_doc(module).pages)
    if not 1 <= number <= total:
        abort(404)
    row = services.visit(current_user.id, module.slug, number, total)
    return jsonify(current=row.current_section, furthest=row.furthest_section)


@bp.get("/modules/<slug>/<any(assets, images):folder>/<path:filename>")
@login_required
def asset(slug: str, folder: str, filename: str) -> Response:
    """A file beside the module's text: a picture (``images/``) or a handout (``assets/``)."""
    module = services.library().get(slug) or abort(404)
    return send_from_directory(module.folder / folder, filename, max_age=3600)


# The authoring views share this blueprint; the commands join ``flask lms``.
from . import authoring, cli  # noqa: E402, F401
