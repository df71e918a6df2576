"""Trainers: results with gain and retention, item analysis, top performers; each for every
learner or one group (a programme, a training session...)."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import abort, request
from werkzeug.wrappers import Response

from .. import groups
from ..content import services as content
from ..i18n import _l, format_number, format_percent, locale_code
from ..parsing import Page
from ..security import roles_required
from ..web import render
from . import results as res
from . import services
from .bank import KINDS, item_text
from .views import KIND_LABELS, bp

#: Rows on a page of results or of the ranking (the CSV has every row).
PAGE_SIZE = 100

FLAG_LABELS = {
    "too-easy": _l("too easy"),
    "too-hard": _l("too hard"),
    "low-discrimination": _l("low discrimination"),
    "negative-discrimination": _l("negative discrimination"),
}


def _modules() -> list[Any]:
    return [m for m in content.library().modules() if m.usable]


def _titles() -> dict[str, str]:
    """Module titles in the reader's language."""
    return {m.slug: content.title(m, locale_code()) for m in _modules()}


def _group_user_ids(value: str | None) -> list[int] | None:
    try:
        return groups.members(value)
    except LookupError:
        abort(404)


@bp.get("/quiz/results")
@roles_required("trainer")
def results() -> str | Response:
    modules = _modules()
    slug = request.args.get("module") or (modules[0].slug if modules else "")
    group = request.args.get("group") or ""
    learners = _group_user_ids(group)  # None: every learner
    if request.args.get("format") == "csv":
        return _results_csv(slug, res.results_for(learners, slug))
    summary = res.summary_for(learners, slug)
    page = Page.of(request.args.get("page"), summary.learners, PAGE_SIZE)
    return render(
        "lms/quiz/results.html",
        titles=_titles(),
        modules=modules,
        slug=slug,
        rows=res.results_for(learners, slug, page.size, page.offset),
        page=page,
        summary=summary,
        groups=groups.options(),
        group=group,
    )


def safe_cell(value: object) -> object:
    """Spreadsheet formula injection: text starting with = + - @ is quoted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_text(header: list[str], rows: list[list[object]]) -> str:
    """``header`` and ``rows`` as CSV, formula-like cells quoted (:func:`safe_cell`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([[safe_cell(v) for v in row] for row in rows])
    return buffer.getvalue()


def csv_response(name: str, header: list[str], rows: list[list[object]]) -> Response:
    response = Response("\ufeff" + csv_text(header, rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _results_csv(slug: str, rows: list[res.LearnerResult]) -> Response:
    return csv_response(
        f"results-{slug}.csv",
        [
            "name",
            "email",
            "pre_percent",
            "post_percent",
            "retention_percent",
            "best_post_percent",
            "normalised_gain",
            "retention_ratio",
        ],
        [
            [
                r.user.name,
                r.user.email,
                _number(r.pre),
                _number(r.post),
                _number(r.retention),
                _number(r.best_post),
                "" if r.gain is None else f"{r.gain:.3f}",
                "" if r.retention_ratio is None else f"{r.retention_ratio:.3f}",
            ]
            for r in rows
        ],
    )


@bp.get("/quiz/analysis")
@roles_required("trainer", "author")
def analysis_index() -> str:
    return render(
        "lms/quiz/analysis_index.html",
        modules=_modules(),
        kinds=KINDS,
        labels=KIND_LABELS,
        titles=_titles(),
    )


@bp.get("/quiz/analysis/<slug>")
@roles_required("trainer", "author")
def analysis(slug: str) -> str:
    module = content.library().get(slug) or abort(404)
    kind = request.args.get("kind", "post")
    if kind not in KINDS:
        abort(404)
    first_only = request.args.get("attempts", "first") != "all"
    result = res.analysis_for(slug, kind, first_only)
    bank = services.bank_for(module)
    chain = content.locale_chain(locale_code())
    stems = (
        {item.id: item_text(item.data.get("stem"), chain, item.country) for item in bank.items}
        if bank
        else {}
    )
    return render(
        "lms/quiz/analysis.html",
        stems=stems,
        module=module,
        kind=kind,
        kinds=KINDS,
        labels=KIND_LABELS,
        result=result,
        first_only=first_only,
        flag_labels=FLAG_LABELS,
        pct=_pct,
        num=_num,
    )


def _pct(value: float | None, fraction: bool = False) -> str:
    if value is None:
        return "—"
    return format_percent(value if fraction else value / 100)


def _num(value: float | None) -> str:
    return "—" if value is None else format_number(round(value, 2))


@bp.get("/quiz/ranking")
@roles_required("trainer")
def ranking() -> str | Response:
    group = request.args.get("group") or ""
    learners, slugs = _group_user_ids(group), [m.slug for m in _modules()]
    if request.args.get("format") != "csv":
        page = Page.of(request.args.get("page"), res.ranked_count(learners, slugs), PAGE_SIZE)
        rows = res.ranking(learners, slugs, page.size, page.offset, ranked=page.total)
        return render(
            "lms/quiz/ranking.html", rows=rows, page=page, groups=groups.options(), group=group
        )
    rows = res.ranking(learners, slugs)
    return csv_response(
        "top-performers.csv",
        [
            "rank",
            "name",
            "email",
            "post_percent",
            "retention_percent",
            "normalised_gain",
            "completed_at",
            "mentorship_referral",
        ],
        [
            [
                r.rank,
                r.user.name,
                r.user.email,
                _number(r.post),
                _number(r.retention),
                "" if r.gain is None else f"{r.gain:.3f}",
                r.completed_at.isoformat() if r.completed_at else "",
                "yes" if r.top else "no",
            ]
            for r in rows
        ],
    )
