"""The self-assessment page of a module, and the learner's answers on their record (which the
programme's mentorship page shows to whoever follows the learner up)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from ..auth import current_user
from ..content import services as content
from ..countries import country_of, current_country
from ..i18n import _, locale_code, pick_text
from ..security import login_required
from ..web import render
from . import checklist as checklists
from . import services
from .checklist import STATUS_LABELS, STATUSES, Checklist

if TYPE_CHECKING:
    from flask import Flask

    from ..state import LMSState

bp = Blueprint("worksheets", __name__)


def setup(app: Flask, state: LMSState) -> None:
    state.content_checks.append(checklists.check)
    state.record_sections.append(record_section)
    state.module_panels.append(checklist_panel)
    state.demo_loaders.append(load_demo)


#: The demo learner's self-assessment: the first statements of each area, half answered.
DEMO_LEARNER = "learner@demo.dakshata.org"


def load_demo(password: str) -> list[tuple[str, str]]:
    """The demo learner has started the LWG self-assessment (idempotent)."""
    from ..accounts.services import find_user

    user = find_user(DEMO_LEARNER)
    module = content.library().get("lwg-audit-preparation")
    checklist = checklists.for_module(module) if module is not None else None
    if user is None or checklist is None or checklist.problems:
        return []
    if services.answers(user.id, checklist.id):
        return []
    country = country_of(user)
    chosen = {
        f"item-{item.id}": STATUSES[n % 3]
        for section in checklist.sections
        for n, item in enumerate(i for i in section.items if i.for_country(country))
        if n < 2
    }
    services.save(user.id, checklist, country, chosen)
    return []


def checklist_panel(module: Any) -> tuple[str, dict[str, Any]] | None:
    """The module page's way to its self-assessment, with the reader's progress."""
    checklist = checklists.for_module(module)
    if checklist is None or checklist.problems or not current_user.is_authenticated:
        return None
    given = services.answers(current_user.id, checklist.id)
    return "lms/worksheets/_panel.html", {
        "slug": module.slug,
        "title": _pick(checklist.title),
        "summary": services.summary(checklist, given, current_country()),
    }


def _pick(texts: dict[str, str]) -> str:
    """The text in the reader's language, falling back like the modules (bn_BD, bn, en)."""
    return pick_text(texts, content.locale_chain(locale_code()))[0]


def _usable(slug: str) -> tuple[Any, Checklist]:
    module = content.library().get(slug)
    found = checklists.for_module(module) if module is not None and module.usable else None
    if found is None or found.problems:
        abort(404)
    return module, found


@bp.route("/modules/<slug>/self-assessment", methods=["GET", "POST"])
@login_required
def self_assessment(slug: str) -> str | Response:
    """One screen of statements, each answered with a big tap; Save keeps them all."""
    module, checklist = _usable(slug)
    country = current_country()
    if request.method == "POST":
        services.save(current_user.id, checklist, country, request.form)
        flash(_("Saved. Your mentor can see your answers."), "success")
        section = request.form.get("section", "")
        target = url_for(".self_assessment", slug=slug)
        return redirect(f"{target}#{section}" if section else target)
    given = services.answers(current_user.id, checklist.id)
    return render(
        "lms/worksheets/checklist.html",
        module=module,
        module_title=content.title(module, locale_code(), country),
        checklist=checklist,
        country=country,
        given=given,
        summary=services.summary(checklist, given, country),
        statuses=STATUSES,
        labels=STATUS_LABELS,
        pick=_pick,
    )


def record_section(user: Any) -> tuple[str, dict[str, Any]] | None:
    """The self-assessments ``user`` has started, item by item (for them and their mentor)."""
    country = country_of(user)
    shown = []
    for module in content.library().modules():
        checklist = checklists.for_module(module) if module.usable else None
        if checklist is None or checklist.problems:
            continue
        given = services.answers(user.id, checklist.id)
        if given:
            shown.append(
                {
                    "module": module,
                    "checklist": checklist,
                    "given": given,
                    "summary": services.summary(checklist, given, country),
                }
            )
    if not shown:
        return None
    return "lms/worksheets/_record.html", {
        "checklists": shown,
        "country": country,
        "labels": STATUS_LABELS,
        "statuses": STATUSES,
        "pick": _pick,
    }
