"""The authors' side: dashboard, checker report, preview, side-by-side view, editor with live
preview."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import abort, flash, jsonify, redirect, request, url_for
from werkzeug.wrappers import Response

from ..auth import current_user
from ..countries import COUNTRY_NAMES, current_country
from ..i18n import _, format_number, language, locale_code
from ..security import roles_required
from ..state import state
from ..web import render
from . import services
from .checker import check_library, check_markdown, country_blocks, message_html
from .modules import Module, front_matter_problems, is_stale
from .source import (
    CONTENT_LOCALES,
    SOURCE_LOCALE,
    LocaleDoc,
    Problem,
    front_matter_errors,
    parse_doc,
)
from .views import bp, link_context

MAX_SOURCE_CHARS = 500_000

# Checker messages on pages: identifiers as code, numbers in the reader's digits.
bp.add_app_template_global(message_html, "checker_message")


def _module(slug: str) -> Module:
    return services.library().get(slug) or abort(404)


def _locale(locale: str) -> str:
    if locale not in CONTENT_LOCALES:
        abort(404)
    return locale


def locale_status(module: Module, locale: str, problems: list[Problem]) -> dict[str, Any]:
    """A cell of the dashboard; ``problems``: the checker's findings for the whole library."""
    doc = module.docs.get(locale)
    if doc is None:
        return {"state": "missing", "words": 0, "changed": None, "errors": 0, "warnings": 0}
    mine = [
        p
        for p in problems
        if p.path == doc.path or (locale == SOURCE_LOCALE and p.path == module.yaml_path)
    ]
    errors = sum(1 for p in mine if p.severity == "error")
    state = "errors" if errors else ("stale" if is_stale(module, locale) else "ok")
    changed = datetime.fromtimestamp(doc.path.stat().st_mtime, UTC)
    return {
        "state": state,
        "words": doc.word_count,
        "changed": changed,
        "errors": errors,
        "warnings": len(mine) - errors,
    }


def module_titles(modules: list[Module]) -> dict[str, tuple[str, str] | None]:
    """Each module's title in the page's language (or the language its text falls back to),
    with that text's HTML ``lang``; a module without any text: its slug."""
    chain = services.locale_chain(locale_code())
    found = {}
    for module in modules:
        doc = module.doc(chain) or module.docs.get(SOURCE_LOCALE)
        found[module.slug] = (doc.title, language(doc.locale).html_lang) if doc else None
    return found


@bp.get("/author/content")
@roles_required("author")
def dashboard() -> str:
    library = services.library()
    problems = check_library(library, state().content_checks)
    by_module = {
        m.slug: [p for p in problems if p.path.is_relative_to(m.folder)] for m in library.modules()
    }
    rows = [
        (m, {loc: locale_status(m, loc, by_module[m.slug]) for loc in CONTENT_LOCALES})
        for m in library.modules()
    ]
    return render(
        "lms/content/dashboard.html",
        rows=rows,
        problems=by_module,
        titles=module_titles(library.modules()),
        # Not ``locales``: that name is the layout's list of UI languages.
        content_locales=[language(c) for c in CONTENT_LOCALES],
        root=library.root,
    )


@bp.get("/author/content/check")
@roles_required("author")
def check() -> str:
    """What ``flask lms check-content`` reports, in the reader's language: skipped plugins,
    every problem with its file and line, and each text's country blocks."""
    library = services.library()
    problems = check_library(library, state().content_checks)
    errors = sum(1 for p in problems if p.severity == "error")
    blocks = [
        (
            m,
            [
                (language(loc), [COUNTRY_NAMES[c] for c in country_blocks(doc)])
                for loc, doc in m.docs.items()
            ],
        )
        for m in library.modules()
    ]
    return render(
        "lms/content/check.html",
        problems=problems,
        errors=errors,
        warnings=len(problems) - errors,
        skipped=sorted(state().plugin_errors.items()),
        blocks=blocks,
        titles=module_titles(library.modules()),
        root=library.root,
    )


def _doc_html(module: Module, doc: LocaleDoc) -> list[tuple[str, str]]:
    context = link_context(module, doc)
    library = services.library()
    return [
        (s.title, library.section_html(doc, s.index, context, (request.script_root, locale_code())))
        for s in doc.sections
    ]


@bp.get("/author/content/<slug>/<locale>")
@roles_required("author")
def preview(slug: str, locale: str) -> str:
    module = _module(slug)
    doc = module.docs.get(_locale(locale)) or abort(404)
    country = _country()
    return render(
        "lms/content/preview.html",
        module=module,
        doc=doc,
        sections=_doc_html(module, services.country_doc(doc, country)),
        info=language(locale),
        problems=doc_problems(module, doc),
        country=country,
        countries=COUNTRY_NAMES,
    )


def _country() -> str:
    """The country whose reader the preview shows (``?country=``; the author's own by
    default): its blocks, its facts."""
    chosen = request.args.get("country", "")
    return chosen if chosen in COUNTRY_NAMES else current_country()


@bp.get("/author/content/<slug>/compare/<locale>")
@roles_required("author")
def compare(slug: str, locale: str) -> str:
    module = _module(slug)
    english = module.docs.get(SOURCE_LOCALE) or abort(404)
    other = module.docs.get(_locale(locale))
    country = _country()
    left = _doc_html(module, services.country_doc(english, country))
    right = _doc_html(module, services.country_doc(other, country)) if other else []
    pairs = [
        (left[i] if i < len(left) else None, right[i] if i < len(right) else None)
        for i in range(max(len(left), len(right)))
    ]
    return render(
        "lms/content/compare.html",
        module=module,
        pairs=pairs,
        locale=locale,
        info=language(locale),
        english=language(SOURCE_LOCALE),
        other=other,
        stale=is_stale(module, locale),
        country=country,
        countries=COUNTRY_NAMES,
    )


def doc_problems(module: Module, doc: LocaleDoc) -> list[Problem]:
    found = doc.problems + check_markdown(services.library(), module, doc)
    if doc.locale == SOURCE_LOCALE:
        found = [*module.problems, *found]
    return sorted(found, key=lambda p: (p.line, p.severity))


@bp.route("/author/content/<slug>/<locale>/edit", methods=["GET", "POST"])
@roles_required("author")
def edit(slug: str, locale: str) -> str | Response:
    module = _module(slug)
    locale = _locale(locale)
    on_disk = services.read_source(module, locale)
    if request.method == "GET":
        text = on_disk or services.read_source(module, SOURCE_LOCALE)
        return _editor(module, locale, text, services.text_hash(on_disk), new=not on_disk)
    text = request.form.get("text", "")
    base = request.form.get("base_hash", "")
    if len(text) > MAX_SOURCE_CHARS:
        flash(_("The text is too long to save."), "error")
        return _editor(module, locale, text, base, new=not on_disk), 413
    unreadable = front_matter_errors(text, module.folder / f"{locale}.md", locale)
    if unreadable:  # saved, it would take the text away from readers: keep the file as it is
        flash(
            _(
                "Not saved: the block between the --- lines at the top cannot be read "
                "(line %(line)s: %(problem)s). Correct it and save again.",
                line=unreadable[0].line,
                problem=unreadable[0].message,
            ),
            "error",
        )
        return _editor(module, locale, text, base, new=not on_disk), 422
    try:
        services.save_source(module, locale, text, base, current_user.id)
    except services.EditConflict as conflict:
        flash(
            _(
                "Not saved: someone changed this file since you opened it. Compare the two "
                "versions, copy what you need into yours, then save again."
            ),
            "error",
        )
        return _editor(
            module, locale, text, conflict.disk_hash, new=False, disk_text=conflict.disk_text
        ), 409
    saved = services.library().get(module.slug)
    doc = saved.docs.get(locale) if saved else None
    found = doc_problems(saved, doc) if saved and doc else []
    errors = sum(1 for p in found if p.severity == "error")
    flash(
        _(
            "Saved. The checker found %(errors)s errors and %(warnings)s warnings.",
            errors=errors,
            warnings=len(found) - errors,
        ),
        "error" if errors else "success",
    )
    return redirect(url_for("lms.content.edit", slug=module.slug, locale=locale))


def _editor(
    module: Module,
    locale: str,
    text: str,
    base_hash: str,
    *,
    new: bool,
    disk_text: str | None = None,
) -> str:
    doc = parse_doc(text, module.folder / f"{locale}.md", locale)
    problems = [] if new else doc_problems_for_text(module, doc)
    return render(
        "lms/content/edit.html",
        module=module,
        locale=locale,
        info=language(locale),
        text=text,
        base_hash=base_hash,
        new=new,
        disk_text=disk_text,
        problems=problems,
        sections=_doc_html(module, doc),
    )


def doc_problems_for_text(module: Module, doc: LocaleDoc) -> list[Problem]:
    """Problems of unsaved text, as the checker would report them once saved."""
    found = doc.problems + front_matter_problems(module, doc)
    found += check_markdown(services.library(), module, doc)
    return sorted(found, key=lambda p: (p.line, p.severity))


@bp.post("/author/content/<slug>/<locale>/preview")
@roles_required("author")
def live_preview(slug: str, locale: str) -> Response:
    """The editor's live preview: rendered sections and checker messages of the posted text."""
    module = _module(slug)
    locale = _locale(locale)
    text = request.form.get("text", "")[:MAX_SOURCE_CHARS]
    doc = parse_doc(text, module.folder / f"{locale}.md", locale)
    html = "".join(
        f'<section class="preview-section">{body}</section>'
        for _title, body in _doc_html(module, doc)
    )
    problems = [
        {
            "line": p.line,
            "line_text": format_number(p.line),  # in the page's digits
            "severity": p.severity,
            "message": str(p.message),
            "label": _("error") if p.severity == "error" else _("warning"),
        }
        for p in doc_problems_for_text(module, doc)
    ]
    return jsonify(html=html, problems=problems)


@bp.post("/author/content/<slug>/<locale>/mark-translated")
@roles_required("author")
def mark_translated(slug: str, locale: str) -> Response:
    module = _module(slug)
    try:
        services.mark_translated(module, _locale(locale), current_user.id)
    except services.EditConflict:  # saved by someone else meanwhile: their text stays
        flash(_("Not marked: the file was saved by someone else just now. Try again."), "error")
    except ValueError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Marked as translated from the current English text."), "success")
    return redirect(url_for("lms.content.dashboard"))
