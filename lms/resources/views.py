"""Pages of the business resource centre: search with filters, one entry; related entries on
each module page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, abort, request

from ..content import services as content
from ..content.checker import once_per_library
from ..countries import COUNTRIES, COUNTRY_NAMES, current_country
from ..i18n import _l, format_date, format_number, locale_code
from ..security import login_required
from ..state import HomeLink
from ..web import render
from . import services
from .checker import check_content
from .entries import FOLDER, Entry

if TYPE_CHECKING:
    from ..content.modules import Module
    from ..state import LMSState

bp = Blueprint("resources", __name__)

#: Labels of the shipped topics (the file names); a new file shows its name until added here.
TOPICS = {
    "buyer-requirements": _l("Buyer requirements"),
    "standards": _l("Standards and certification"),
    "tariffs": _l("Taxes, duties and incentives"),
    "trade-fairs": _l("Trade fairs"),
    "schemes": _l("Schemes and loans"),
    "institutions": _l("Institutions and offices"),
}
#: Entries for readers in both countries.
ANY_COUNTRY = _l("Both countries")
#: The longest query read; the rest is cut.
MAX_QUERY = 200


def setup(app: Flask, state: LMSState) -> None:
    state.home_links.append(
        HomeLink(
            "lms.resources.index",
            _l("Business resources"),
            _l("Rules, rates, trade fairs, schemes and offices, each with its source."),
            icon="flag",
        )
    )
    state.content_folders.add(FOLDER)
    state.module_panels.append(related_panel)
    state.content_checks.append(once_per_library(check_content))
    state.demo_loaders.append(load_demo)


def load_demo(password: str) -> list[tuple[str, str]]:
    """The search index, built with the demo (a first search would build it too)."""
    services.ensure_index()
    return []


def topic_label(topic: str) -> Any:
    return TOPICS.get(topic, topic)


def country_label(country: str) -> Any:
    return COUNTRY_NAMES.get(country, ANY_COUNTRY)


def shown(entry: Entry) -> dict[str, Any]:
    """What a page shows of ``entry`` for the reader's language (bn_BD -> bn -> en)."""
    chain = content.locale_chain(locale_code())
    title, title_lang = entry.text("title", chain)
    summary, summary_lang = entry.text("summary", chain)
    return {
        "entry": entry,
        "title": title,
        "title_lang": title_lang.replace("_", "-"),
        "summary": summary,
        "summary_lang": summary_lang.replace("_", "-"),
        "country": country_label(entry.country),
        "topic": topic_label(entry.topic),
        "checked": format_date(entry.checked, "long"),
    }


def _filters() -> tuple[str, str | None, str | None]:
    """The query, the country (``None``: all) and the topic asked for; unknown values are
    read as the defaults (the reader's country, every topic)."""
    query = (request.args.get("q") or "").strip()[:MAX_QUERY]
    asked = request.args.get("country") or ""
    country = None if asked == "all" else asked if asked in COUNTRIES else current_country()
    topic = request.args.get("topic") or None
    return query, country, topic if topic in services.catalogue().topics() else None


@bp.get("/resources")
@login_required
def index() -> str:
    query, country, topic = _filters()
    results = services.find(query, country, topic)
    return render(
        "lms/resources/index.html",
        query=query,
        country=country or "all",
        topic=topic,
        countries=[(code, COUNTRY_NAMES[code]) for code in COUNTRIES],
        topics=[(key, topic_label(key)) for key in services.catalogue().topics()],
        results=[shown(entry) for entry in results.entries],
        searched=results.searched,
        count=format_number(len(results.entries)),
    )


@bp.get("/resources/<entry_id>")
@login_required
def entry(entry_id: str) -> str:
    found = services.catalogue().get(entry_id)
    if found is None:
        abort(404)
    return render("lms/resources/entry.html", item=shown(found))


def related_panel(module: Module) -> tuple[str, dict[str, Any]] | None:
    """The module page's short list of entries that name the module."""
    found = services.for_module(module.slug, current_country())
    if not found:
        return None
    return "lms/resources/_related.html", {"resources": [shown(e) for e in found]}


from . import cli  # noqa: E402, F401  (commands join ``flask lms``)
