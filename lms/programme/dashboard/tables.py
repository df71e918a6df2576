"""The dashboard's tables: one definition for the page, the CSV and XLSX downloads and the PDF
report. Cells keep their raw values (numbers, dates, shares from 0 to 1) and a kind that says how
to show them in the reader's language and digits, or how to export them."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from ...db import db
from ...i18n import _, _l, format_date, format_number, format_percent
from ..models import Beneficiary
from ..records.programmes import MILESTONE_LABELS
from .services import BINS, KINDS, Dashboard, Outreach

STATUS_LABELS = {
    "done": _l("Done"),
    "done-late": _l("Done late"),
    "late": _l("Late"),
    "behind": _l("Behind the target path"),
    "on-track": _l("On track"),
}


@dataclass(frozen=True)
class Column:
    label: str
    #: ``text``, ``int``, ``number`` (one decimal), ``share`` (0 to 1), ``date``, or ``row``
    #: (the row's own kind, from ``Table.row_kinds``).
    kind: str = "text"


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    row_kinds: list[str] = field(default_factory=list)

    def _kind(self, index: int, column: Column) -> str:
        return self.row_kinds[index] if column.kind == "row" else column.kind

    def cells(self) -> list[list[str]]:
        """The rows as text in the reader's language and digits."""
        return [
            [show(value, self._kind(i, col)) for col, value in zip(self.columns, row, strict=True)]
            for i, row in enumerate(self.rows)
        ]

    def export(self) -> tuple[list[str], list[list[Any]]]:
        """Header and rows for CSV/XLSX: numbers stay numbers, shares become per cent."""
        header = [c.label + (" (%)" if c.kind == "share" else "") for c in self.columns]
        rows = []
        for i, row in enumerate(self.rows):
            kinds = [self._kind(i, col) for col in self.columns]
            line = [raw(v, k) for v, k in zip(row, kinds, strict=True)]
            if "row" in (c.kind for c in self.columns) and self.row_kinds[i] == "share":
                line[0] = f"{line[0]} (%)"
            rows.append(line)
        return header, rows


def _number(value: int | None) -> str:
    return "—" if value is None else format_number(value)


def show(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "int":
        return format_number(value)
    if kind == "number":
        return format_number(round(value, 1))
    if kind == "share":
        return format_percent(value)
    if kind == "date":
        return format_date(value)
    return str(value)


def raw(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if kind == "share":
        return round(value * 100, 1)
    if kind == "number":
        return round(value, 2)
    return value


# The tables.


def headline(dash: Dashboard) -> Table:
    p, out = dash.programme, dash.outreach
    rows: list[tuple[str, str, Any, Any]] = [
        (_("Sessions held"), "int", dash.held_count, p and p.target_sessions),
        (
            _("Sessions with at least %(num)s present", num=_number(dash.target_per_session)),
            "int",
            dash.held_at_target,
            p and p.target_sessions,
        ),
        (_("Mean present per session"), "number", dash.mean_present, p and p.target_per_session),
        (
            _("Beneficiaries trained"),
            "int",
            out.people,
            p and p.target_sessions * p.target_per_session,
        ),
        (_("Women"), "share", out.women_share, p and p.target_women_share),
        (_("From women-led enterprises"), "share", out.women_led_share, None),
        (
            _("From marginalised communities"),
            "share",
            out.marginalised_share,
            p and p.target_marginalised_share,
        ),
        (_("Certificates issued"), "int", dash.certificates_issued, None),
        (_("Mean normalised gain"), "share", dash.gain, None),
        (_("Retention ratio"), "share", dash.retention_ratio, None),
        (_("Sessions planned"), "int", dash.upcoming, None),
    ]
    return Table(
        "headline",
        _("Progress against targets"),
        [Column(_("Figure")), Column(_("Now"), "row"), Column(_("Target"), "row")],
        [[label, value, target] for label, _kind, value, target in rows],
        [kind for _label, kind, _value, _target in rows],
    )


def _outreach_columns() -> list[Column]:
    return [
        Column(_("Beneficiaries trained"), "int"),
        Column(_("Women"), "share"),
        Column(_("From women-led enterprises"), "share"),
        Column(_("From marginalised communities"), "share"),
    ]


def _outreach(out: Outreach) -> list[Any]:
    return [out.people, out.women_share, out.women_led_share, out.marginalised_share]


def clusters(dash: Dashboard) -> Table:
    target = dash.target_per_session
    return Table(
        "clusters",
        _("By cluster"),
        [
            Column(_("Cluster")),
            Column(_("Sessions held"), "int"),
            Column(_("Sessions with at least %(num)s present", num=_number(target)), "int"),
            Column(_("Mean present per session"), "number"),
            *_outreach_columns(),
        ],
        [
            [c.name, c.held, c.at_target, c.mean_present, *_outreach(c.outreach)]
            for c in dash.clusters
        ],
    )


def timeline(dash: Dashboard) -> Table:
    t = dash.timeline
    targets = t.target_sessions or [None] * len(t.days)
    people_targets = t.target_beneficiaries or [None] * len(t.days)
    return Table(
        "timeline",
        _("Over time"),
        [
            Column(_("Week ending"), "date"),
            Column(_("Sessions held"), "int"),
            Column(_("Target path: sessions"), "number"),
            Column(_("Beneficiaries trained"), "int"),
            Column(_("Target path: beneficiaries"), "number"),
        ],
        [
            list(r)
            for r in zip(t.days, t.sessions, targets, t.beneficiaries, people_targets, strict=True)
        ],
    )


def milestones(dash: Dashboard) -> Table:
    return Table(
        "milestones",
        _("Milestones"),
        [
            Column(_("Milestone")),
            Column(_("Starts"), "date"),
            Column(_("Due"), "date"),
            Column(_("Done"), "date"),
            Column(_("Status")),
        ],
        [
            [
                str(MILESTONE_LABELS.get(m.kind, m.kind)),
                m.starts_on,
                m.due_on,
                m.done_on,
                str(STATUS_LABELS[m.status]),
            ]
            for m in dash.milestones
        ],
    )


def sessions(dash: Dashboard) -> Table:
    from ..feedback.services import module_title

    titles = functools.cache(module_title)  # each title once, not once per session

    return Table(
        "sessions",
        _("Sessions"),
        [
            Column(_("Session")),
            Column(_("Date"), "date"),
            Column(_("Cluster")),
            Column(_("Trainers")),
            Column(_("Modules")),
            Column(_("Enrolled"), "int"),
            Column(_("Present"), "int"),
            Column(_("Women"), "int"),
            Column(_("Marginalised communities"), "int"),
            Column(_("Mean rating (1–5)"), "number"),
            Column(_("Feedback responses"), "int"),
        ],
        [
            [
                r.session.title,
                r.session.held_on,
                r.session.cluster.name if r.session.cluster else "",
                ", ".join(t.name for t in r.session.trainers),
                ", ".join(titles(slug) for slug in r.session.module_slugs),
                r.enrolled,
                r.present,
                r.outreach.women,
                r.outreach.marginalised,
                r.rating,
                r.responses,
            ]
            for r in dash.sessions
        ],
    )


def scores(dash: Dashboard) -> Table:
    return Table(
        "scores",
        _("Test scores and gains"),
        [
            Column(_("Module")),
            Column(_("Learners"), "int"),
            Column(_("Average pre-test"), "share"),
            Column(_("Average post-test"), "share"),
            Column(_("Average retention test"), "share"),
            Column(_("Average normalised gain"), "share"),
            Column(_("Average retention ratio"), "share"),
        ],
        [
            [
                m.title,
                m.learners,
                *(
                    None if v is None else v / 100
                    for v in (m.summary.pre, m.summary.post, m.summary.retention)
                ),
                m.summary.gain,
                m.summary.retention_ratio,
            ]
            for m in dash.scores
        ],
    )


def bin_labels() -> list[str]:
    step = 100 // BINS
    return [
        f"{format_number(low)}–{format_number(low + step - 1 if low + step < 100 else 100)}"
        for low in range(0, 100, step)
    ]


def distributions(dash: Dashboard) -> Table:
    labels = bin_labels()
    rows = []
    for module in dash.scores:
        counts = [module.histogram(kind) for kind in KINDS]
        rows += [[module.title, labels[b], *(c[b] for c in counts)] for b in range(BINS)]
    return Table(
        "distributions",
        _("Score distributions"),
        [
            Column(_("Module")),
            Column(_("Score (per cent)")),
            *(Column(k, "int") for k in kind_labels()),
        ],
        rows,
    )


def kind_labels() -> list[str]:
    from ...quiz.views import KIND_LABELS

    return [str(KIND_LABELS[kind]) for kind in KINDS]


def gaps(dash: Dashboard) -> Table:
    g = dash.gaps
    return Table(
        "gaps",
        _("Needs assessment gaps"),
        [
            Column(_("Cluster")),
            Column(_("Enterprises assessed"), "int"),
            *(Column(title, "share") for _id, title in g.areas),
        ],
        [[name, g.counts[i], *g.values[i]] for i, name in enumerate(g.clusters)],
    )


def feedback(dash: Dashboard) -> Table:
    return Table(
        "feedback",
        _("Feedback by trainer"),
        [
            Column(_("Trainer")),
            Column(_("Sessions"), "int"),
            Column(_("Feedback responses"), "int"),
            Column(_("Mean rating (1–5)"), "number"),
        ],
        [[t.name, t.sessions, t.responses, t.rating] for t in dash.trainers],
    )


def certificates(dash: Dashboard) -> Table:
    return Table(
        "certificates",
        _("Certificates by module"),
        [Column(_("Certificate")), Column(_("Issued"), "int"), Column(_("Revoked"), "int")],
        [[c.title, c.issued, c.revoked] for c in dash.certificates],
    )


def competition_table(dash: Dashboard) -> Table:
    """The enterprises' competitive-analysis worksheets (of the learners the filters reach)."""
    from .. import scope
    from ..competition import services as competition

    enterprise_ids = None
    if dash.filters != scope.Filters():
        learners = scope.learner_query(dash.filters, present_only=False)
        enterprise_ids = list(
            db.session.scalars(
                select(Beneficiary.enterprise_id).where(Beneficiary.user_id.in_(learners))
            )
        )
    rows = competition.export_rows(enterprise_ids)
    return Table(
        "competition",
        _("Competitive analyses"),
        [
            Column(_("Enterprise")),
            Column(_("Cluster")),
            *(Column(str(question)) for _name, question, _hint in competition.FIELDS),
            Column(_("Last saved"), "date"),
        ],
        [[*row[:-1], row[-1].date()] for row in rows],
    )


TABLES: dict[str, Callable[[Dashboard], Table]] = {
    "headline": headline,
    "clusters": clusters,
    "timeline": timeline,
    "milestones": milestones,
    "sessions": sessions,
    "scores": scores,
    "distributions": distributions,
    "gaps": gaps,
    "feedback": feedback,
    "certificates": certificates,
    "competition": competition_table,
}


def table(dash: Dashboard, name: str) -> Table | None:
    build = TABLES.get(name)
    return build(dash) if build else None
