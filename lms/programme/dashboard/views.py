"""The officials' dashboard and reports: progress against the programme's targets."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from flask import Flask, request
from werkzeug.wrappers import Response

from ...i18n import _l, locale_code
from ...security import roles_required
from ...state import HomeLink
from ...web import render
from .. import demo, scope
from ..views import bp
from . import reports
from . import tables as dashboard_tables
from .services import Dashboard, cluster_choices, trainer_choices

if TYPE_CHECKING:
    from ...state import LMSState


def setup(app: Flask, state: LMSState) -> None:
    """Home links and demo loaders of this part of the programme."""
    state.home_links.append(
        HomeLink(
            "lms.programme.dashboard",
            _l("Programme dashboard"),
            _l("Progress against the targets, charts, downloads and the report."),
            roles=("admin",),
            icon="chart",
        )
    )
    state.demo_loaders.append(demo.load)


def _filters() -> scope.Filters:
    """The request's filters; without a ``programme`` argument, the current programme (an empty
    one chooses every programme)."""
    filters = scope.Filters.from_args(request.args)
    if "programme" not in request.args:
        current = scope.current_programme()
        filters = replace(filters, programme_id=current.id if current else None)
    return filters


def _link_args(filters: scope.Filters) -> dict[str, str]:
    """Query arguments that keep the filters in links (``programme=`` keeps "all programmes")."""
    args = filters.args()
    args.setdefault("programme", "")
    return args


@bp.get("/programme/dashboard")
@roles_required("admin")
def dashboard() -> str:
    filters = _filters()
    dash = Dashboard(filters)
    return render(
        "lms/programme/dashboard.html",
        dash=dash,
        filters=filters,
        tables={name: build(dash) for name, build in dashboard_tables.TABLES.items()},
        charts=reports.figures(dash),
        args=_link_args(filters),
        scope_lines=reports.describe_filters(dash),
        programmes=scope.programmes(),
        clusters=cluster_choices(),
        trainers=trainer_choices(),
    )


@bp.get("/programme/dashboard/export/<name>.<any(csv, xlsx):fmt>")
@roles_required("admin")
def dashboard_export(name: str, fmt: str) -> Response:
    return reports.export(Dashboard(_filters()), name, fmt)


@bp.get("/programme/report.pdf")
@roles_required("admin")
def programme_report() -> Response:
    pdf = reports.report_pdf(Dashboard(_filters()), locale_code())
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'inline; filename="programme-report.pdf"'
    return response
