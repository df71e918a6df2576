"""Server-rendered SVG charts for the officials' dashboard and the printed report.

Each builder returns a ``<figure>``: the SVG (``role="img"``, ``<title>``, ``<desc>`` with the key
numbers, a ``viewBox`` so it scales to the screen, text that inherits the page's font) and a
``<details>`` table with the same numbers. No ``style`` attributes (the CSP forbids them): colours
are presentation attributes, sizes come from ``lms.css``. Every text is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

from ...i18n import _, format_date, format_number, format_percent

Format = Callable[[float], str]
WIDTH = 640
INK, MUTED, GRID, BRAND, TARGET = "#1f2328", "#57606a", "#d8cfc4", "#7a3e12", "#0b5cad"
#: Okabe-Ito colours: told apart with colour-blindness, dark enough on white.
SERIES = ("#a15c00", "#0b5cad", "#00735a", "#7a3e12")
#: Heat map: light (small gap) to dark (large gap); the printed number switches to white on dark.
HEAT = ("#fdf1e3", "#f9cf9c", "#f0a04b", "#c8641c", "#8a3b0c")


@dataclass(frozen=True)
class Series:
    name: str
    points: list[tuple[date, float]]


def _e(value: object) -> str:
    return str(escape(str(value)))


def _num(value: float) -> str:
    """A coordinate: short and locale-free."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(
    x: float, y: float, content: object, anchor: str = "start", fill: str = INK, **attrs: object
) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{_e(v)}"' for k, v in attrs.items())
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" fill="{fill}"{extra}>'
        f"{_e(content)}</text>"
    )


def _short(label: str, limit: int = 24) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _svg(key: str, height: float, title: str, desc: str, body: str, width: int = WIDTH) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" viewBox="0 0 {width} '
        f'{_num(height)}" role="img" aria-labelledby="{key}-title {key}-desc" font-size="14">'
        f'<title id="{key}-title">{_e(title)}</title><desc id="{key}-desc">{_e(desc)}</desc>'
        f"{body}</svg>"
    )


def data_table(caption: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """The chart's numbers as an HTML table (first column: row headers)."""
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in header)
    body = "".join(
        f'<tr><th scope="row">{_e(row[0])}</th>'
        + "".join(f"<td>{_e(cell)}</td>" for cell in row[1:])
        + "</tr>"
        for row in rows
    )
    summary = _("Show as table")  # outside the f-string, so that it is extracted
    return (
        f'<details class="chart-table"><summary>{_e(summary)}</summary>'
        f'<div class="table-wrap"><table class="list"><caption>{_e(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div></details>"
    )


def _figure(key: str, title: str, svg: str, table: str) -> Markup:
    """The chart with its title shown above it (the SVG's own title is for screen readers)."""
    return Markup(
        f'<figure class="chart" id="chart-{key}">'
        f'<figcaption class="chart-title" aria-hidden="true">{_e(title)}</figcaption>'
        f"{svg}{table}</figure>"
    )


def nice_top(value: float) -> float:
    """The axis maximum: four round steps (whole numbers, at least 1 each)."""
    wanted = max(value, 1) / 4
    power = 10 ** math.floor(math.log10(wanted))
    steps = (m * power for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10))
    return 4 * max(1, next(s for s in steps if s >= wanted and float(s).is_integer()))


def _target_sentence(target: float | None, fmt: Format) -> str:
    return "" if target is None else " " + _("Target: %(value)s.", value=fmt(target))


def _described(title: str, values: str) -> str:
    """The chart's description for screen readers: its title and its numbers, one sentence
    (translated words only: the joining marks are no text to translate)."""
    return title + ": " + values + "."


def bar_chart(
    key: str,
    title: str,
    items: Sequence[tuple[str, float]],
    *,
    target: float | None = None,
    fmt: Format = format_number,
    value_label: str = "",
) -> Markup:
    """Horizontal bars, one per item, with a dashed line at ``target``; bars that reach the
    target are green."""
    top, row, label_w, right = 30, 34, 210, 70
    height = top + row * max(1, len(items)) + 20
    top_value = max([v for _, v in items] + [target or 0, 1])
    scale = (WIDTH - label_w - right) / top_value
    target_x = None if target is None else label_w + target * scale
    parts = []
    for index, (label, value) in enumerate(items):
        y, end = top + index * row, label_w + value * scale
        fill = "#1a7f37" if target is not None and value >= target else BRAND
        parts.append(_text(label_w - 8, y + 22, _short(label), "end"))
        parts.append(
            f'<rect x="{label_w}" y="{y + 6}" width="{_num(max(value * scale, 1))}" height="22" '
            f'fill="{fill}"><title>{_e(label)}: {_e(fmt(value))}</title></rect>'
        )
        if target_x is not None and end - 4 < target_x < end + 30:
            end = target_x  # the number goes after the target line, not across it
        parts.append(_text(end + 6, y + 22, fmt(value), font_weight="bold"))
    if target is not None:
        x = label_w + target * scale
        parts.append(
            f'<line x1="{_num(x)}" y1="{top - 4}" x2="{_num(x)}" y2="{_num(height - 14)}" '
            f'stroke="{TARGET}" stroke-width="3" stroke-dasharray="8 5"/>'
        )
        parts.append(_text(x, top - 10, _("Target %(value)s", value=fmt(target)), "middle"))
    listed = "; ".join(f"{label}: {fmt(value)}" for label, value in items) or _("No data yet.")
    desc = _described(title, listed) + _target_sentence(target, fmt)
    table = data_table(title, ["", value_label or title], [(lbl, fmt(v)) for lbl, v in items])
    return _figure(key, title, _svg(key, height, title, desc, "".join(parts)), table)


def progress_bar(
    key: str, title: str, value: float, target: float | None, *, fmt: Format = format_number
) -> Markup:
    """One bar for a figure, with its target marked; the bar turns green once it is reached.
    Drawn narrow (320 wide), so that three fit side by side on a tablet."""
    width, height, bar_y = 320, 74, 26
    top_value = max(value, target or 0) * 1.15 or 1
    scale = (width - 10) / top_value
    reached = target is not None and value >= target
    parts = [
        _text(0, 18, fmt(value), font_weight="bold", font_size="18"),
        f'<rect x="0" y="{bar_y}" width="{width - 10}" height="26" fill="#eee3d6"/>',
        f'<rect x="0" y="{bar_y}" width="{_num(max(value * scale, 1))}" height="26" '
        f'fill="{"#1a7f37" if reached else BRAND}"/>',
    ]
    if target is not None:
        x = target * scale
        parts.append(
            f'<line x1="{_num(x)}" y1="{bar_y - 6}" x2="{_num(x)}" y2="{bar_y + 32}" '
            f'stroke="{TARGET}" stroke-width="3" stroke-dasharray="6 4"/>'
        )
        anchor = "end" if x > width * 0.6 else "middle"
        parts.append(_text(x, height - 2, _("Target %(value)s", value=fmt(target)), anchor))
    desc = _described(title, fmt(value)) + _target_sentence(target, fmt)
    rows = [(title, fmt(value), "—" if target is None else fmt(target))]
    table = data_table(title, ["", _("Now"), _("Target")], rows)
    return _figure(key, title, _svg(key, height, title, desc, "".join(parts), width), table)


def line_chart(
    key: str,
    title: str,
    series: Sequence[Series],
    *,
    target: Series | None = None,
    milestones: Sequence[tuple[date, str]] = (),
    fmt: Format = format_number,
) -> Markup:
    """Cumulative values over time: solid lines with dots, the target path dashed, milestones
    as dotted vertical lines labelled at the top."""
    left, right, top, bottom, height = 60, 20, 52, 60, 332
    every = [p for s in [*series, *([target] if target else [])] for p in s.points]
    days = [d for d, _ in every] + [d for d, _ in milestones]
    if not every:
        desc = _described(title, _("No data yet."))
        return _figure(key, title, _svg(key, 60, title, desc, _text(10, 30, _("No data yet."))), "")
    first, last = min(days), max(days)
    span = max((last - first).days, 1)
    top_value = nice_top(max(v for _, v in every))
    plot_w, plot_h = WIDTH - left - right, height - top - bottom

    def xy(day: date, value: float) -> tuple[float, float]:
        return left + (day - first).days / span * plot_w, top + plot_h - value / top_value * plot_h

    parts = [_axes(left, top, plot_w, plot_h, top_value, fmt)]
    parts += [
        _text(left, height - 34, format_date(first, "d MMM")),
        _text(left + plot_w, height - 34, format_date(last, "d MMM"), "end"),
    ]
    for index, (day, label) in enumerate(milestones):
        x, _y = xy(day, 0)
        parts.append(
            f'<line x1="{_num(x)}" y1="{top - 6}" x2="{_num(x)}" y2="{top + plot_h}" '
            f'stroke="{MUTED}" stroke-width="1.5" stroke-dasharray="2 4"/>'
        )
        anchor = (
            "end" if x > left + plot_w * 0.8 else "start" if x < left + plot_w * 0.2 else "middle"
        )
        parts.append(_text(x, top - 12 - 16 * (index % 2), label, anchor, font_size="12"))
    drawn = [(s, SERIES[i % len(SERIES)], "") for i, s in enumerate(series)]
    if target is not None:
        drawn.append((target, TARGET, ' stroke-dasharray="8 5"'))
    for number, (line, colour, dash) in enumerate(drawn):
        points = " ".join(f"{_num(x)},{_num(y)}" for x, y in (xy(d, v) for d, v in line.points))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="3"{dash}/>'
        )
        if not dash:
            parts += [
                f'<circle cx="{_num(x)}" cy="{_num(y)}" r="3.5" fill="{colour}"/>'
                for x, y in (xy(d, v) for d, v in line.points)
            ]
        parts.append(_legend(left + 190 * number, height - 10, line.name, colour, dash))
    desc = _described(
        title,
        "; ".join(
            f"{s.name} {fmt(s.points[-1][1])}" for s in drawn_series(series, target) if s.points
        ),
    )
    return _figure(
        key,
        title,
        _svg(key, height, title, desc, "".join(parts)),
        _line_table(title, series, target, fmt),
    )


def drawn_series(series: Sequence[Series], target: Series | None) -> list[Series]:
    return [*series, *([target] if target else [])]


def _axes(
    left: float, top: float, width: float, height: float, top_value: float, fmt: Format
) -> str:
    lines = []
    for step in range(5):
        value = top_value * step / 4
        y = top + height - height * step / 4
        lines.append(
            f'<line x1="{left}" y1="{_num(y)}" x2="{_num(left + width)}" y2="{_num(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        shown = fmt(int(value) if float(value).is_integer() else value)
        lines.append(_text(left - 6, y + 5, shown, "end", font_size="12"))
    return "".join(lines)


def _legend(x: float, y: float, name: str, colour: str, dash: str) -> str:
    return (
        f'<line x1="{_num(x)}" y1="{_num(y - 5)}" x2="{_num(x + 28)}" y2="{_num(y - 5)}" '
        f'stroke="{colour}" stroke-width="3"{dash}/>' + _text(x + 34, y, _short(name, 22))
    )


def _line_table(title: str, series: Sequence[Series], target: Series | None, fmt: Format) -> str:
    lines = drawn_series(series, target)
    values: dict[date, dict[str, float]] = {}
    for line in lines:
        for day, value in line.points:
            values.setdefault(day, {})[line.name] = value
    rows = [
        [format_date(day)]
        + [fmt(values[day][s.name]) if s.name in values[day] else "—" for s in lines]
        for day in sorted(values)
    ]
    return data_table(title, [_("Date")] + [s.name for s in lines], rows)


def histogram(
    key: str,
    title: str,
    bins: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    fmt: Format = format_number,
) -> Markup:
    """Vertical bars grouped by bin (e.g. pre-, post- and retention test side by side)."""
    left, top, bottom, height = 44, 16, 66, 280
    plot_w, plot_h = WIDTH - left - 10, height - top - bottom
    top_value = nice_top(max([c for _, counts in series for c in counts] + [1]))
    group_w = plot_w / max(1, len(bins))
    bar_w = (group_w - 6) / max(1, len(series))
    parts = [_axes(left, top, plot_w, plot_h, top_value, fmt)]
    for b, label in enumerate(bins):
        x0 = left + b * group_w + 3
        parts.append(
            _text(x0 + group_w / 2 - 3, top + plot_h + 18, label, "middle", font_size="11")
        )
        for s, (name, counts) in enumerate(series):
            h = counts[b] / top_value * plot_h
            parts.append(
                f'<rect x="{_num(x0 + s * bar_w)}" y="{_num(top + plot_h - h)}" '
                f'width="{_num(bar_w - 1)}" height="{_num(h)}" fill="{SERIES[s % len(SERIES)]}">'
                f"<title>{_e(name)}, {_e(label)}: {_e(fmt(counts[b]))}</title></rect>"
            )
    for s, (name, _counts) in enumerate(series):
        x, colour = left + 160 * s, SERIES[s % len(SERIES)]
        parts.append(
            f'<rect x="{x}" y="{height - 24}" width="22" height="14" fill="{colour}"/>'
            + _text(x + 28, height - 12, _short(name, 20))
        )
    desc = _described(
        title,
        "; ".join(
            f"{name} " + ", ".join(f"{bins[i]}: {fmt(c)}" for i, c in enumerate(counts) if c)
            for name, counts in series
        ),
    )
    rows = [[label] + [fmt(counts[b]) for _, counts in series] for b, label in enumerate(bins)]
    table = data_table(title, [""] + [name for name, _ in series], rows)
    return _figure(key, title, _svg(key, height, title, desc, "".join(parts)), table)


def heat_colour(value: float) -> str:
    """The scale's colour for a value from 0 to 1."""
    return HEAT[min(len(HEAT) - 1, int(max(0.0, value) * len(HEAT)))]


def heat_map(
    key: str,
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float | None]],
    *,
    fmt: Format = format_percent,
) -> Markup:
    """Rows x columns of cells coloured by value (0 to 1), the value printed in each cell;
    an empty cell (no data) is white with a dash."""
    label_w, head_h, cell_h = 170, 110, 40
    cell_w = (WIDTH - label_w - 70) / max(1, len(columns))  # room for the last slanted label
    height = head_h + cell_h * len(rows) + 46
    parts = []
    for c, column in enumerate(columns):
        x = label_w + c * cell_w + cell_w / 2
        parts.append(
            _text(
                x,
                head_h - 8,
                _short(column, 16),
                "start",
                font_size="12",
                transform=f"rotate(-45 {_num(x)} {head_h - 8})",
            )
        )
    for r, row in enumerate(rows):
        y = head_h + r * cell_h
        parts.append(_text(label_w - 8, y + 26, _short(row, 22), "end"))
        for c, value in enumerate(values[r]):
            x = label_w + c * cell_w
            fill = "#ffffff" if value is None else heat_colour(value)
            ink = "#ffffff" if value is not None and value >= 0.6 else INK
            shown = "—" if value is None else fmt(value)
            parts.append(
                f'<rect x="{_num(x)}" y="{y}" width="{_num(cell_w - 2)}" height="{cell_h - 2}" '
                f'fill="{fill}" stroke="{GRID}"><title>{_e(row)}, {_e(columns[c])}: '
                f"{_e(shown)}</title></rect>"
                + _text(x + cell_w / 2, y + 25, shown, "middle", fill=ink, font_size="13")
            )
    parts.append(_heat_legend(label_w, height - 30, fmt))
    desc = _described(
        title,
        "; ".join(
            f"{row} — "
            + ", ".join(f"{columns[c]} {fmt(v)}" for c, v in enumerate(values[r]) if v is not None)
            for r, row in enumerate(rows)
        ),
    )
    table_rows = [
        [row] + ["—" if v is None else fmt(v) for v in values[r]] for r, row in enumerate(rows)
    ]
    table = data_table(title, [""] + list(columns), table_rows)
    return _figure(key, title, _svg(key, height, title, desc, "".join(parts)), table)


def _heat_legend(x: float, y: float, fmt: Format) -> str:
    parts = []
    for index, colour in enumerate(HEAT):
        parts.append(
            f'<rect x="{_num(x + index * 70)}" y="{_num(y)}" width="70" height="14" '
            f'fill="{colour}" stroke="{GRID}"/>'
        )
    parts.append(_text(x, y + 28, fmt(0), "start", font_size="12"))
    parts.append(_text(x + 70 * len(HEAT), y + 28, fmt(1), "end", font_size="12"))
    return "".join(parts)
