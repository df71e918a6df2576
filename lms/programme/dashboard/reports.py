"""Downloads of the officials' dashboard: each table as CSV or XLSX, the charts, and the
printable programme report for the funding agency (PDF, Bengali shaped by HarfBuzz)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from flask import abort, current_app
from fpdf import FPDF
from markupsafe import Markup
from werkzeug.wrappers import Response

from ...accounts.models import User
from ...certificates.pdf import use_noto_fonts
from ...db import db
from ...i18n import _, format_date, format_number, format_percent, language
from ..exports import table_response
from ..models import Cluster
from ..records.programmes import MILESTONE_LABELS
from . import charts, pdf_grid
from . import tables as dashboard_tables
from .services import KINDS, Dashboard, SessionCounts
from .tables import bin_labels, kind_labels


def _days(values: list[Any], days: list[date]) -> list[tuple[date, float]]:
    return list(zip(days, values, strict=True))


def _target_path(dash: Dashboard, values: list[float] | None, total: float) -> Any:
    """The target path on the timeline's days, drawn on to the delivery milestone's due date."""
    if values is None:
        return None
    days = dash.timeline.days
    points = _days(values, days)
    if dash.delivery_due is not None and days and dash.delivery_due > days[-1]:
        points.append((dash.delivery_due, float(total)))
    return charts.Series(_("Target path"), points)


def _session_label(session: SessionCounts) -> str:
    """Short enough for a chart: the date and the cluster (the table has the full title)."""
    cluster = session.cluster.split(" (")[0] if session.cluster else ""
    return " · ".join(part for part in (format_date(session.held_on, "d MMM"), cluster) if part)


def figures(dash: Dashboard) -> dict[str, Markup]:
    """Every chart of the dashboard, by the table it illustrates."""
    p, out, t = dash.programme, dash.outreach, dash.timeline
    found = {
        "sessions-held": charts.progress_bar(
            "sessions-held", _("Sessions held"), dash.held_count, p and p.target_sessions
        ),
        "women": charts.progress_bar(
            "women",
            _("Women"),
            out.women_share or 0,
            p and p.target_women_share,
            fmt=format_percent,
        ),
        "marginalised": charts.progress_bar(
            "marginalised",
            _("From marginalised communities"),
            out.marginalised_share or 0,
            p and p.target_marginalised_share,
            fmt=format_percent,
        ),
        "per-session": charts.bar_chart(
            "per-session",
            _("Present per session"),
            [(_session_label(r), r.present) for r in dash.held_counts],
            target=dash.target_per_session,
            value_label=_("Present"),
        ),
        "clusters": charts.bar_chart(
            "clusters",
            _("Mean present per session, by cluster"),
            [(c.name, round(c.mean_present or 0, 1)) for c in dash.clusters],
            target=dash.target_per_session,
            value_label=_("Mean present per session"),
        ),
    }
    milestones = [(m.due_on, str(MILESTONE_LABELS.get(m.kind, m.kind))) for m in dash.milestones]
    sessions_target = p.target_sessions if p else 0
    people_target = sessions_target * (p.target_per_session if p else 0)
    for key, title, actual, target, total in (
        (
            "timeline-sessions",
            _("Sessions held, cumulative"),
            t.sessions,
            t.target_sessions,
            sessions_target,
        ),
        (
            "timeline-people",
            _("Beneficiaries trained, cumulative"),
            t.beneficiaries,
            t.target_beneficiaries,
            people_target,
        ),
    ):
        found[key] = charts.line_chart(
            key,
            title,
            [charts.Series(_("Held"), _days(actual, t.days))],
            target=_target_path(dash, target, total),
            milestones=milestones,
        )
    labels, kinds = bin_labels(), kind_labels()
    for number, module in enumerate(dash.scores):
        found[f"scores-{number}"] = charts.histogram(
            f"scores-{number}",
            _("Scores in %(module)s", module=module.title),
            labels,
            [(kinds[i], module.histogram(kind)) for i, kind in enumerate(KINDS)],
        )
    g = dash.gaps
    found["gaps"] = charts.heat_map(
        "gaps",
        _("Needs assessment gaps by cluster"),
        g.clusters,
        [t for _i, t in g.areas],
        g.values,
    )
    return found


# Downloads.


def export(dash: Dashboard, name: str, fmt: str) -> Response:
    """One table as ``dashboard-<name>.csv`` or ``.xlsx`` (404 for an unknown table or format)."""
    built = dashboard_tables.table(dash, name)
    if built is None:
        abort(404)
    header, rows = built.export()
    return table_response(fmt, f"dashboard-{name}", header, rows)


def describe_filters(dash: Dashboard) -> list[tuple[str, str]]:
    """The report's scope in words: programme, period, cluster, trainer."""
    f, p = dash.filters, dash.programme
    start = f.start or (p.starts_on if p else None)
    end = f.end or (p.ends_on if p else None)
    period = " – ".join(format_date(d, "long") if d else "…" for d in (start, end))
    cluster = db.session.get(Cluster, f.cluster_id) if f.cluster_id else None
    trainer = db.session.get(User, f.trainer_id) if f.trainer_id else None
    return [
        (_("Programme"), p.name if p else _("All programmes")),
        (_("Period"), period if start or end else _("All dates")),
        (_("Cluster"), cluster.name if cluster else _("All clusters")),
        (_("Trainer"), trainer.name if trainer else _("All trainers")),
    ]


# The printable report.

INK = (31, 35, 40)
BRAND = (122, 62, 18)
BAR_WIDTH, BAR_ROW = 170, 7
PDF_TABLES = ("sessions", "clusters", "milestones", "gaps", "feedback", "certificates", "scores")
#: Sessions the printed report shows one by one, the latest (a programme of 500 would take 40
#: pages, and seconds to draw); every figure still counts them all.
REPORT_SESSIONS = 100


class _Report(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.main_family, "", 8)
        self.set_text_color(*INK)
        self.cell(0, 6, format_number(self.page_no()), align="C")


def _hex(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def report_pdf(dash: Dashboard, locale: str) -> bytes:
    """The programme report: scope and headline figures, the chart of attendance against the
    target, then the tables (sessions, clusters, milestones, gaps, feedback, certificates)."""
    pdf = _Report(orientation="L", format="A4")
    pdf.main_family = "bengali" if language(locale).bengali_script else "latin"
    use_noto_fonts(pdf)
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_title(_("Programme report"))
    pdf.add_page()
    _title_page(pdf, dash)
    pdf.add_page()
    held = dash.held_counts
    _bars(
        pdf,
        _("Present per session"),
        [(_session_label(r), r.present) for r in held[-REPORT_SESSIONS:]],
        dash.target_per_session,
        _latest_note(len(held), held=True),
    )
    for name in PDF_TABLES:
        table = dashboard_tables.table(dash, name)
        note = None
        if name == "sessions" and len(table.rows) > REPORT_SESSIONS:
            note = _latest_note(len(table.rows))
            table = replace(table, rows=table.rows[-REPORT_SESSIONS:], row_kinds=[])
        _table(pdf, table, note)
    return bytes(pdf.output())


def _latest_note(total: int, *, held: bool = False) -> str | None:
    """Said under a chart or table of sessions cut to the latest :data:`REPORT_SESSIONS`."""
    if total <= REPORT_SESSIONS:
        return None
    numbers = {"shown": format_number(REPORT_SESSIONS), "total": format_number(total)}
    if held:
        return _(
            "The latest %(shown)s of %(total)s sessions held. The sessions download (CSV or "
            "XLSX) has every one.",
            **numbers,
        )
    return _(
        "The latest %(shown)s of %(total)s sessions. The sessions download (CSV or XLSX) has "
        "every one.",
        **numbers,
    )


def _note(pdf: _Report, text: str) -> None:
    pdf.set_font(pdf.main_family, "", 9)
    pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _heading(pdf: _Report, text: str, size: float = 13) -> None:
    if pdf.get_y() > pdf.page_break_trigger - 30:
        pdf.add_page()
    pdf.set_font(pdf.main_family, "B", size)
    pdf.set_text_color(*BRAND)
    pdf.multi_cell(0, size * 0.55, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.ln(2)


def _title_page(pdf: _Report, dash: Dashboard) -> None:
    pdf.set_font("latin", "B", 11)
    pdf.set_text_color(*BRAND)
    pdf.cell(0, 8, current_app.config["LMS_ISSUER_NAME"], new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, _("Programme report"), 24)
    pdf.set_font(pdf.main_family, "", 11)
    for label, value in describe_filters(dash):
        pdf.multi_cell(0, 7, f"{label}: {value}", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(
        0,
        7,
        _("Prepared on %(date)s", date=format_date(dash.today, "long")),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    _table(pdf, dashboard_tables.table(dash, "headline"))


def _table(pdf: _Report, table: dashboard_tables.Table, note: str | None = None) -> None:
    _heading(pdf, table.title)
    if note:
        _note(pdf, note)
    pdf.set_font(pdf.main_family, "", 8.5)
    if not table.rows:
        pdf.multi_cell(0, 6, _("No data yet."), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        return
    heading = [column.label for column in table.columns]
    grid = pdf_grid.Grid(
        pdf,
        [3 if c.kind == "text" else 1.6 for c in table.columns],
        ["L" if c.kind == "text" else "R" for c in table.columns],
        heading,
        INK,
    )
    grid.row(heading, bold=True)
    heat = table.name == "gaps"
    for values, cells in zip(table.rows, table.cells(), strict=True):
        styles = [
            _heat(value) if heat and column.kind == "share" and value is not None else None
            for column, value in zip(table.columns, values, strict=True)
        ]
        grid.row(cells, styles)
    pdf.set_text_shaping(True)
    pdf.ln(6)


def _heat(value: float) -> pdf_grid.CellStyle:
    ink = (255, 255, 255) if value >= 0.6 else INK
    return pdf_grid.CellStyle(_hex(charts.heat_colour(value)), ink)


def _bars(
    pdf: _Report,
    title: str,
    items: list[tuple[str, float]],
    target: float | None,
    note: str | None = None,
) -> None:
    """Horizontal bars with a dashed target line, drawn directly (so Bengali is shaped); as many
    rows per page as fit."""
    _heading(pdf, title)
    if note:
        _note(pdf, note)
    if not items:
        pdf.multi_cell(0, 6, _("No data yet."), new_x="LMARGIN", new_y="NEXT")
        return
    scale = BAR_WIDTH / max([v for _, v in items] + [target or 0, 1])
    pdf.set_font(pdf.main_family, "", 8.5)
    while items:
        room = int((pdf.page_break_trigger - pdf.get_y() - 12) // BAR_ROW)
        if room < 3:
            pdf.add_page()  # outside the local context: its state stays on one page
            continue
        with pdf.local_context():
            _bar_rows(pdf, items[:room], scale, target)
        items = items[room:]
    pdf.set_text_shaping(True)


def _bar_rows(
    pdf: _Report, items: list[tuple[str, float]], scale: float, target: float | None
) -> None:
    left, label_w, y0 = pdf.l_margin, 70, pdf.get_y()
    for index, (label, value) in enumerate(items):
        y = y0 + index * BAR_ROW
        pdf_grid.draw(pdf, left, y, label_w - 2, BAR_ROW, label, "R")
        pdf.set_fill_color(*BRAND)
        pdf.rect(left + label_w, y + 1, max(value * scale, 0.5), BAR_ROW - 2, style="F")
        x = left + label_w + value * scale + 1
        pdf_grid.draw(pdf, x, y, 20, BAR_ROW, format_number(value), "L")
    bottom = y0 + len(items) * BAR_ROW
    if target is not None:
        x = left + label_w + target * scale
        pdf.set_draw_color(11, 92, 173)
        pdf.set_line_width(0.6)
        with pdf.local_context():
            pdf.set_dash_pattern(dash=2, gap=1.5)
            pdf.line(x, y0 - 2, x, bottom + 1)
        pdf.set_xy(x - 20, bottom + 1)
        pdf.set_text_shaping(True)
        pdf.cell(40, 6, _("Target %(value)s", value=format_number(target)), align="C")
    pdf.set_y(bottom + 10)
